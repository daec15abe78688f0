/**
 * The outcomes of an experiment request: every request that matches an experiment ends in
 * exactly one of these, decided by the orchestration (src/shadow/mirror.ts) and counted in the
 * ledger. The management port reads this list; it does not define it.
 */
export const OUTCOMES = [
  'paused',
  'sampled_out',
  'method_skipped',
  'equal',
  'noise',
  'diverged',
  'dropped_queue_full',
  'dropped_oversize',
  'dropped_memory',
  'dropped_body_timeout',
  'circuit_open',
  'candidate_timeout',
  'candidate_error',
  'reference_error',
  'client_aborted',
  'upgrade_not_mirrored',
] as const
export type Outcome = (typeof OUTCOMES)[number]

/**
 * `noise`: the pair differs, and the route's learned noise explains every difference (published
 * only with `publish_noise`).
 *
 * Outcomes whose pair is published (the Rust miffy published failed legs too): a divergence, or
 * a leg that failed. Everything else is either not sampled or a named drop.
 */
export const PUBLISHED_OUTCOMES: ReadonlySet<Outcome> = new Set([
  'diverged',
  'candidate_timeout',
  'candidate_error',
  'reference_error',
])

/** Outcomes of requests that were sampled but whose mirror was given up on our side. */
export const DROP_OUTCOMES: ReadonlySet<Outcome> = new Set([
  'dropped_queue_full',
  'dropped_oversize',
  'dropped_memory',
  'dropped_body_timeout',
  'circuit_open',
  'client_aborted',
  'upgrade_not_mirrored',
])
