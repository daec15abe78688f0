/**
 * The scenarios, in the order they run. Each miffy scenario sits next to its nginx peer so the
 * ratios between them are measured minutes, not a quarter of an hour, apart on a noisy machine.
 */

/**
 * `node`: bench/node-floor.ts, the least a Node proxy on miffy's stack does per request;
 * `rust`: the Rust miffy 1.0.1 (bench/rust-miffy.ts), the system miffy replaces
 */
export type Proxy = 'direct' | 'miffy' | 'nginx' | 'node' | 'rust'
/** what the candidate does: `none` (no mirror), an origin mode, or `down` (nothing listens) */
export type CandidateKind = 'none' | 'equal' | 'differ' | 'sleep' | 'down'

/**
 * - `load`: wrk (closed loop) for the scenario's time, then CPU per request, RSS, outcomes;
 * - `idle`: no load at all after the first 20 requests: the memory a sidecar holds while idle;
 * - `kafka-recovery`: a paced load (bench/paced-load.ts) through a broker outage long enough to
 *   fill the outbox, then the broker back: client p99 while the backlog drains vs before the outage.
 */
export type ScenarioKind = 'load' | 'idle' | 'kafka-recovery'

export interface Scenario {
  name: string
  title: string
  proxy: Proxy
  candidate: CandidateKind
  /** miffy and the Rust miffy: the broker is up, or killed after the warm-up */
  kafka: 'up' | 'down' | 'none'
  workers: number
  /** default `load` */
  kind?: ScenarioKind
  /** runs for --slow-seconds (the RSS-flatness scenario) instead of --seconds */
  long?: boolean
  /** runs once, in the last round, whatever --rounds says (long and non-load scenarios) */
  once?: boolean
  /** miffy only: `ts` runs npm start's entry point from src/ by type stripping instead of dist/ */
  entry?: 'ts'
  /** miffy only: a second reference origin as the route's `secondary` (learning the noise) */
  secondary?: boolean
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'direct',
    title: 'direct to the reference',
    proxy: 'direct',
    candidate: 'none',
    kafka: 'none',
    workers: 1,
  },
  {
    name: 'nginx-passthrough',
    title: 'nginx proxy_pass, no mirror',
    proxy: 'nginx',
    candidate: 'none',
    kafka: 'none',
    workers: 1,
  },
  {
    name: 'passthrough',
    title: 'miffy passthrough (no experiment)',
    proxy: 'miffy',
    candidate: 'none',
    kafka: 'up',
    workers: 1,
  },
  {
    name: 'node-floor-passthrough',
    title: 'Node floor: bare node:http + undici dispatch, no mirror',
    proxy: 'node',
    candidate: 'none',
    kafka: 'none',
    workers: 1,
  },
  {
    name: 'rust-passthrough',
    title: 'the Rust miffy passthrough (no experiment)',
    proxy: 'rust',
    candidate: 'none',
    kafka: 'up',
    workers: 1,
  },
  {
    name: 'nginx-mirror-equal',
    title: 'nginx mirror, equal answers',
    proxy: 'nginx',
    candidate: 'equal',
    kafka: 'none',
    workers: 1,
  },
  {
    name: 'mirror-equal',
    title: 'miffy mirroring, equal answers',
    proxy: 'miffy',
    candidate: 'equal',
    kafka: 'up',
    workers: 1,
  },
  {
    name: 'mirror-equal-secondary',
    title: 'miffy mirroring, equal answers, every request also to a secondary (noise learning)',
    proxy: 'miffy',
    candidate: 'equal',
    kafka: 'up',
    workers: 1,
    secondary: true,
  },
  {
    name: 'node-floor-mirror-equal',
    title: 'Node floor: bare node:http + undici dispatch to both, bodies compared as bytes',
    proxy: 'node',
    candidate: 'equal',
    kafka: 'none',
    workers: 1,
  },
  {
    name: 'rust-mirror-equal',
    title: 'the Rust miffy mirroring, equal answers',
    proxy: 'rust',
    candidate: 'equal',
    kafka: 'up',
    workers: 1,
  },
  {
    name: 'nginx-mirror-differ',
    title: 'nginx mirror, differing answers',
    proxy: 'nginx',
    candidate: 'differ',
    kafka: 'none',
    workers: 1,
  },
  {
    name: 'mirror-differ',
    title: 'miffy mirroring, every answer differs (published)',
    proxy: 'miffy',
    candidate: 'differ',
    kafka: 'up',
    workers: 1,
  },
  {
    name: 'rust-mirror-differ',
    title: 'the Rust miffy mirroring, every answer differs (published)',
    proxy: 'rust',
    candidate: 'differ',
    kafka: 'up',
    workers: 1,
  },
  {
    name: 'kafka-down',
    title: 'miffy mirroring, every answer differs, Kafka down',
    proxy: 'miffy',
    candidate: 'differ',
    kafka: 'down',
    workers: 1,
  },
  {
    name: 'nginx-candidate-down',
    title: 'nginx mirror, candidate down',
    proxy: 'nginx',
    candidate: 'down',
    kafka: 'none',
    workers: 1,
  },
  {
    name: 'candidate-down',
    title: 'miffy mirroring, candidate down',
    proxy: 'miffy',
    candidate: 'down',
    kafka: 'up',
    workers: 1,
  },
  {
    name: 'rust-candidate-down',
    title: 'the Rust miffy mirroring, candidate down',
    proxy: 'rust',
    candidate: 'down',
    kafka: 'up',
    workers: 1,
  },
  {
    name: 'nginx-mirror-equal-2w',
    title: 'nginx mirror, equal answers, 2 workers',
    proxy: 'nginx',
    candidate: 'equal',
    kafka: 'none',
    workers: 2,
  },
  {
    name: 'mirror-equal-2w',
    title: 'miffy mirroring, equal answers, workers = 2',
    proxy: 'miffy',
    candidate: 'equal',
    kafka: 'up',
    workers: 2,
  },
  {
    name: 'idle',
    title: 'miffy idle: an experiment and Kafka configured, no load after 20 requests',
    proxy: 'miffy',
    candidate: 'equal',
    kafka: 'up',
    workers: 1,
    kind: 'idle',
    once: true,
  },
  {
    name: 'idle-ts',
    title: 'miffy idle, run from its TypeScript sources (type stripping) instead of dist/',
    proxy: 'miffy',
    candidate: 'equal',
    kafka: 'up',
    workers: 1,
    kind: 'idle',
    once: true,
    entry: 'ts',
  },
  {
    name: 'rust-idle',
    title: 'the Rust miffy idle, the same configuration',
    proxy: 'rust',
    candidate: 'equal',
    kafka: 'up',
    workers: 1,
    kind: 'idle',
    once: true,
  },
  {
    name: 'node-floor-idle',
    title: 'Node floor idle: bare node:http + undici, no load after 20 requests',
    proxy: 'node',
    candidate: 'equal',
    kafka: 'none',
    workers: 1,
    kind: 'idle',
    once: true,
  },
  {
    name: 'kafka-recovery',
    title:
      'miffy, every answer differs, paced load: broker down until the outbox holds its backlog, then back',
    proxy: 'miffy',
    candidate: 'differ',
    kafka: 'up',
    workers: 1,
    kind: 'kafka-recovery',
    once: true,
  },
  {
    name: 'rust-kafka-recovery',
    title: 'the Rust miffy, the same outage and recovery',
    proxy: 'rust',
    candidate: 'differ',
    kafka: 'up',
    workers: 1,
    kind: 'kafka-recovery',
    once: true,
  },
  {
    name: 'nginx-candidate-slow',
    title: 'nginx mirror, candidate sleeps 500 ms',
    proxy: 'nginx',
    candidate: 'sleep',
    kafka: 'none',
    workers: 1,
    long: true,
    once: true,
  },
  {
    name: 'candidate-slow',
    title: 'miffy mirroring, candidate sleeps 500 ms',
    proxy: 'miffy',
    candidate: 'sleep',
    kafka: 'up',
    workers: 1,
    long: true,
    once: true,
  },
  {
    name: 'rust-candidate-slow',
    title: 'the Rust miffy mirroring, candidate sleeps 500 ms',
    proxy: 'rust',
    candidate: 'sleep',
    kafka: 'up',
    workers: 1,
    long: true,
    once: true,
  },
]

export function scenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name)
}
