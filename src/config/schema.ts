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
const upstreamUrl = z.string().transform((value, ctx) => {
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
})

/**
 * Which `Host` an upstream is sent: `client`, the client's own (what the Rust miffy 1.0 did, so
 * both legs see the same Host), or `upstream`, the upstream's own `host:port`.
 */
const hostHeader = z.enum(['client', 'upstream'])

/**
 * An upstream: its base URL, or a table `{ url = "http://old:3000", host_header = "upstream" }`
 * when it needs more than a URL. A table without `host_header` takes the top-level one.
 */
const upstream = z
  .union([upstreamUrl, z.strictObject({ url: upstreamUrl, host_header: hostHeader.optional() })])
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
  ignore_status: z.boolean(),
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
  ignore_status: experimentControls.ignore_status.optional(),
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
  reference: upstream,
  candidate: candidates,
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
  ignore_status: experimentControls.ignore_status,
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
