/**
 * The config.toml a variant runs with: one route per endpoint variant, each with its own
 * reference, candidate and (when the variant has one) secondary, and, for the recommended
 * variant, the generic rules of examples/config.recommended.toml. No Kafka: the log sink.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'smol-toml'
import type { Endpoint } from './endpoints.ts'
import type { Variant } from './variants.ts'

export interface Upstreams {
  reference: string
  secondary: string
  candidate: string
  regressed: string
}

export interface RecommendedRules {
  /** the file, relative to the repository */
  file: string
  found: boolean
  /** the generic settings taken from it */
  rules: Record<string, unknown>
  /** keys of the file the harness sets itself (listening, upstreams, routes, Kafka) */
  ignored: string[]
}

export const RECOMMENDED_FILE = 'examples/config.recommended.toml'

/** Keys that describe a deployment rather than how to compare: the harness owns them. */
const HARNESS_KEYS = new Set([
  'port',
  'management_port',
  'host',
  'workers',
  'logging',
  'log_level',
  'log_json',
  'reference',
  'candidate',
  'secondary',
  'routes',
  'kafka',
  'outbox',
  'shutdown_timeout',
])

export function readRecommendedRules(root: string): RecommendedRules {
  const path = join(root, RECOMMENDED_FILE)
  if (!existsSync(path)) return { file: RECOMMENDED_FILE, found: false, rules: {}, ignored: [] }
  const all = parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  const rules: Record<string, unknown> = {}
  const ignored: string[] = []
  for (const [k, v] of Object.entries(all)) {
    if (HARNESS_KEYS.has(k)) ignored.push(k)
    else rules[k] = v
  }
  return { file: RECOMMENDED_FILE, found: true, rules, ignored }
}

export function miffyConfig(
  variant: Variant,
  endpoints: readonly Endpoint[],
  up: Upstreams,
  recommended: RecommendedRules,
  /** settings for reading a run rather than measuring it (--dump keeps every divergence) */
  extra: Record<string, unknown> = {},
): string {
  const config: Record<string, unknown> = {
    host: '127.0.0.1',
    port: 0,
    management_port: 0,
    logging: 'json',
    // info: the "miffy listening" line tells the harness the ports it got
    log_level: 'info',
    shutdown_timeout: '5s',
    reference: up.reference,
    candidate: up.candidate,
    ...(variant.rules === 'recommended' ? recommended.rules : {}),
    ...extra,
  }
  config.routes = endpoints.map((e, i) => {
    // every third route's upstreams sit under a base path, each its own, as deployments behind
    // an ingress do; the corpus servers ignore what comes before /eq/ or /rg/
    const base = (url: string, prefix: string) => (i % 3 === 2 ? url + prefix : url)
    const route: Record<string, unknown> = {
      path: e.route,
      reference: base(up.reference, '/blue'),
      candidate: base(e.bug === undefined ? up.candidate : up.regressed, '/canary/v2'),
    }
    if (variant.secondary) route.secondary = base(up.secondary, '/green')
    if (variant.noiseSample !== undefined) route.noise_sample = variant.noiseSample
    return route
  })
  return stringify(config)
}
