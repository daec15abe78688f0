/**
 * The one schema for miffy's configuration. Every default lives in config.default.toml, which is
 * always loaded first, so the schema below has no defaults of its own: a key missing after all
 * layers are merged is a bug in that file, and the schema says so.
 *
 * Unknown keys are errors everywhere (`strictObject`): a typo such as `refrence` must stop
 * start-up rather than be ignored. The `[kafka]` table is the exception: it takes any
 * librdkafka-style property, and src/publish/kafka-properties.ts checks those names.
 */
import { z } from 'zod'
import { compileMask } from '../diff/rules.ts'
import { parseDuration, parseSize } from './units.ts'

const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value)
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a duration: milliseconds as a number, or a string such as "2s" or "500ms"',
    })
    return z.NEVER
  }
  return ms
})

const size = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseSize(value)
  if (bytes === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a size: bytes as a number, or a string such as "1MiB" or "512KB"',
    })
    return z.NEVER
  }
  return bytes
})

/** An upstream base URL: http(s) only; a path prefix (`http://host/v2`) is kept, a trailing `/` dropped. */
function toBaseUrl(value: string, ctx: z.core.$RefinementCtx<string>): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an absolute http:// or https:// URL' })
    return z.NEVER
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `expected an http:// or https:// URL, not ${url.protocol}//` })
    return z.NEVER
  }
  if (url.search || url.hash || url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'expected a base URL without query, fragment or credentials' })
    return z.NEVER
  }
  return url.origin + url.pathname.replace(/\/+$/, '')
}

const upstreamUrl = z.string().transform(toBaseUrl)

/**
 * The default reference has no default (issue 11: the demo's 127.0.0.1:3000 used silently in
 * production is worse than an error, and the Rust miffy refuses to start without one).
 */
const defaultReferenceUrl = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'required, no default: the base URL of the service in production today (set reference, or MIFFY_REFERENCE)'
        : undefined,
  })
  .transform(toBaseUrl)

/**
 * Which `Host` an upstream is sent: `client`, the client's own (what the Rust miffy 1.0 did, so
 * both legs see the same Host), or `upstream`, the upstream's own `host:port`.
 */
const hostHeader = z.enum(['client', 'upstream'])

/**
 * An upstream: its base URL, or a table `{ url = "http://old:3000", host_header = "upstream" }`
 * when it needs more than a URL. A table without `host_header` takes the top-level one.
 */
const upstreamTable = z.strictObject({ url: upstreamUrl, host_header: hostHeader.optional() })
const upstream = z
  .union([upstreamUrl, upstreamTable])
  .transform((v) => (typeof v === 'string' ? { url: v } : v))

/** The top-level reference: an upstream, and required (see defaultReferenceUrl). */
const defaultReference = z
  .union([defaultReferenceUrl, upstreamTable])
  .transform((v) => (typeof v === 'string' ? { url: v } : v))

const candidates = z
  .union([upstream, z.array(upstream).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]))

const port = z.number().int().min(0).max(65535)

/** `header:x-user`, `cookie:session`, `param:id`, `query:user`: what makes sampling sticky. */
const sampleBy = z.string().transform((value, ctx) => {
  const m = /^(header|cookie|param|query):(.+)$/.exec(value)
  if (!m) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected "header:NAME", "cookie:NAME", "param:NAME" or "query:NAME"',
    })
    return z.NEVER
  }
  const kind = m[1] as 'header' | 'cookie' | 'param' | 'query'
  return { kind, name: kind === 'header' ? m[2]!.toLowerCase() : m[2]! }
})

/** A regular expression, checked at start-up: JavaScript syntax, or `/pattern/flags`. */
const regex = z.string().refine(
  (source) => {
    try {
      compileMask(source)
      return true
    } catch {
      return false
    }
  },
  {
    message:
      'expected a regular expression (JavaScript syntax, or /pattern/flags with flags from i, m, s, y)',
  },
)

/** `0.01` (absolute) or `"0.5%"` (relative to the larger value). */
const toleranceValue = z.union([
  z.number().min(0),
  z.string().regex(/^\d+(\.\d+)?%$/, { message: 'expected a number, or a percentage such as "0.5%"' }),
])

const HTTP_METHOD = /^[A-Z]+$/
const methods = z.array(
  z
    .string()
    .transform((m) => m.toUpperCase())
    .refine((m) => HTTP_METHOD.test(m), { message: 'expected an HTTP method name such as "GET"' }),
)

/** The controls an experiment has; the top level sets their defaults, each route may override. */
const experimentControls = {
  sample: z.number().min(0).max(1),
  sample_by: sampleBy,
  methods,
  candidate_timeout: duration,
  max_in_flight: z.number().int().min(1),
  queue: z.number().int().min(0),
  max_body_bytes: size,
  ignore: z.array(z.string()),
  compare_headers: z.array(z.string().transform((h) => h.toLowerCase())),
  ignore_headers: z.array(z.string().transform((h) => h.toLowerCase())),
  presence_headers: z.array(z.string().transform((h) => h.toLowerCase())),
  ignore_status: z.boolean(),
  float_tolerance: z.number().min(0).max(1),
  tolerance: z.record(z.string(), toleranceValue),
  unordered: z.array(z.string()),
  match_by: z.record(z.string(), z.string().min(1)),
  text_masks: z.array(regex),
  secondary: upstreamUrl,
  noise_sample: z.number().min(0).max(1),
  noise_warmup: z.number().int().min(0),
  publish_noise: z.boolean(),
  max_noise_paths: z.number().int().min(0),
  breaker_failures: z.number().int().min(0),
  breaker_cool_down: duration,
}

const route = z.strictObject({
  path: z.string().min(1),
  key: z.string().min(1).optional(),
  reference: upstream.optional(),
  candidate: candidates.optional(),
  sample: experimentControls.sample.optional(),
  sample_by: experimentControls.sample_by.optional(),
  methods: experimentControls.methods.optional(),
  candidate_timeout: experimentControls.candidate_timeout.optional(),
  max_in_flight: experimentControls.max_in_flight.optional(),
  queue: experimentControls.queue.optional(),
  max_body_bytes: experimentControls.max_body_bytes.optional(),
  ignore: experimentControls.ignore.optional(),
  compare_headers: experimentControls.compare_headers.optional(),
  ignore_headers: experimentControls.ignore_headers.optional(),
  presence_headers: experimentControls.presence_headers.optional(),
  ignore_status: experimentControls.ignore_status.optional(),
  float_tolerance: experimentControls.float_tolerance.optional(),
  tolerance: experimentControls.tolerance.optional(),
  unordered: experimentControls.unordered.optional(),
  match_by: experimentControls.match_by.optional(),
  text_masks: experimentControls.text_masks.optional(),
  secondary: experimentControls.secondary.optional(),
  noise_sample: experimentControls.noise_sample.optional(),
  noise_warmup: experimentControls.noise_warmup.optional(),
  publish_noise: experimentControls.publish_noise.optional(),
  max_noise_paths: experimentControls.max_noise_paths.optional(),
  breaker_failures: experimentControls.breaker_failures.optional(),
  breaker_cool_down: experimentControls.breaker_cool_down.optional(),
})

const kafkaValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])

export const configSchema = z.strictObject({
  port,
  management_port: port,
  host: z.string().min(1),
  logging: z.enum(['human', 'json', 'stackdriver']),
  log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  /** Rust miffy 1.0 spelling of `logging = "json"`; kept so old configs load unchanged. */
  log_json: z.boolean().optional(),
  reference: defaultReference,
  /**
   * No default either; required when a route has no candidate of its own (checked in load.ts,
   * which sees the routes). Absent: an empty list, never used.
   */
  candidate: candidates.optional().transform((v) => v ?? []),
  /** the `Host` every upstream gets unless its table says otherwise */
  host_header: hostHeader,
  reference_timeout: duration,
  shutdown_timeout: duration,
  workers: z.number().int().min(1).max(64),
  redact_headers: z.array(z.string().transform((h) => h.toLowerCase())),
  memory_budget: size,
  divergence_log: z.number().int().min(0),
  sample: experimentControls.sample,
  sample_by: experimentControls.sample_by.optional(),
  methods: experimentControls.methods,
  candidate_timeout: experimentControls.candidate_timeout,
  max_in_flight: experimentControls.max_in_flight,
  queue: experimentControls.queue,
  max_body_bytes: experimentControls.max_body_bytes,
  ignore: experimentControls.ignore,
  compare_headers: experimentControls.compare_headers,
  ignore_headers: experimentControls.ignore_headers,
  presence_headers: experimentControls.presence_headers,
  ignore_status: experimentControls.ignore_status,
  float_tolerance: experimentControls.float_tolerance,
  tolerance: experimentControls.tolerance,
  unordered: experimentControls.unordered,
  match_by: experimentControls.match_by,
  text_masks: experimentControls.text_masks,
  secondary: experimentControls.secondary.optional(),
  noise_sample: experimentControls.noise_sample,
  noise_warmup: experimentControls.noise_warmup,
  publish_noise: experimentControls.publish_noise,
  max_noise_paths: experimentControls.max_noise_paths,
  breaker_failures: experimentControls.breaker_failures,
  breaker_cool_down: experimentControls.breaker_cool_down,
  routes: z.array(route),
  outbox: z.strictObject({
    max_messages: z.number().int().min(1),
    max_bytes: size,
    batch_size: z.number().int().min(1),
    linger: duration,
  }),
  kafka: z.looseObject({ topic: z.string().min(1) }).catchall(kafkaValue),
})

/** The configuration as the rest of miffy sees it: validated, units resolved, frozen. */
export type MiffyConfig = z.output<typeof configSchema>
export type RouteConfig = MiffyConfig['routes'][number]
export type SampleBy = NonNullable<MiffyConfig['sample_by']>
/** One upstream as configured: `{ url }`, plus `host_header` when its table set one. */
export type UpstreamConfig = MiffyConfig['reference']
export type HostHeader = MiffyConfig['host_header']
