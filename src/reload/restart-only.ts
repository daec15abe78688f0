/**
 * What a reload may change. A reload swaps what requests are routed by (routes, upstreams,
 * experiment controls, timeouts) and a few shared limits; whatever a running process built
 * once and cannot rebuild under its clients (listening sockets, worker processes, the logger,
 * the Kafka producer and its outbox, the divergence ring) needs a restart.
 *
 * The list is of keys that reload, not of keys that do not: a key added to the config later is
 * restart-only until someone makes it reloadable and adds it here, so a reload never claims to
 * have applied a setting nothing reads again.
 */
import type { MiffyConfig } from '../config/schema.ts'
import { stableJson } from './config-identity.ts'

/** Top-level keys a reload applies; README "Live reconfiguration" lists the same. */
export const RELOADABLE_KEYS: ReadonlySet<string> = new Set([
  // what requests are routed by
  'routes',
  'reference',
  'candidate',
  'host_header',
  'reference_timeout',
  // experiment controls (the defaults routes inherit)
  'sample',
  'sample_by',
  'methods',
  'candidate_timeout',
  'max_in_flight',
  'queue',
  'max_body_bytes',
  'ignore',
  'compare_headers',
  'ignore_headers',
  'presence_headers',
  'ignore_status',
  'float_tolerance',
  'tolerance',
  'unordered',
  'match_by',
  'text_masks',
  // learning the noise
  'secondary',
  'noise_sample',
  'noise_warmup',
  'noise_warmup_wait',
  'publish_noise',
  'max_noise_paths',
  'breaker_failures',
  'breaker_cool_down',
  // shared limits read per request
  'memory_budget',
  'divergence_log_share',
  'redact_headers',
  'redact_words',
  'redact_names',
  'redact_allow',
])

/** Values under these never appear in a message: they may be credentials. */
const SECRET = /password|secret|token|credential|sasl|ssl|key/i

export interface RestartOnlyChange {
  /** `port`, `kafka.topic`, `outbox.linger` */
  key: string
  /** `8080 → 8081`, or undefined when the value is not shown (it may be a credential) */
  change: string | undefined
}

/** The keys whose value differs between `from` and `to` and that only a restart can change. */
export function restartOnlyChanges(from: MiffyConfig, to: MiffyConfig): RestartOnlyChange[] {
  const out: RestartOnlyChange[] = []
  const a = from as unknown as Record<string, unknown>
  const b = to as unknown as Record<string, unknown>
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  for (const key of keys) {
    if (RELOADABLE_KEYS.has(key) || stableJson(a[key]) === stableJson(b[key])) continue
    const x = a[key]
    const y = b[key]
    if (isTable(x) || isTable(y)) {
      // `outbox`, `kafka`: name the sub-keys that changed
      const tx = isTable(x) ? x : {}
      const ty = isTable(y) ? y : {}
      for (const sub of [...new Set([...Object.keys(tx), ...Object.keys(ty)])].sort()) {
        if (stableJson(tx[sub]) === stableJson(ty[sub])) continue
        const change = SECRET.test(sub) ? undefined : describe(tx[sub], ty[sub])
        out.push({ key: `${key}.${sub}`, change })
      }
      continue
    }
    out.push({ key, change: SECRET.test(key) ? undefined : describe(x, y) })
  }
  return out
}

/** `port (8080 → 8081), kafka.topic` */
export function formatChanges(changes: readonly RestartOnlyChange[]): string {
  return changes.map((c) => (c.change ? `${c.key} (${c.change})` : c.key)).join(', ')
}

function describe(from: unknown, to: unknown): string {
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v))
  return `${show(from)} → ${show(to)}`
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
