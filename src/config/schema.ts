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

/**
 * The longest duration any key accepts. Every duration ends up in a timer, and Node's timers
 * hold at most 2^31 - 1 ms (24.8 days): a longer one fires after 1 ms with a
 * TimeoutOverflowWarning, so `candidate_timeout = "600h"` timed every mirror out at once and
 * `shutdown_timeout = "600h"` exited at once (issue 10). A day is more than any deadline here
 * needs and far below the limit.
 */
export const MAX_DURATION_MS = 24 * 3_600_000

/**
 * A duration between `min` and a day. `min` is 1 ms for deadlines where 0 would mean "never"
 * to the library underneath (undici, node:http) or "fail at once" (our own timers); 0 is
 * accepted only where it means "at once" and that is a sensible choice.
 */
function durationIn(min: 0 | 1, max = MAX_DURATION_MS) {
  const range = `from ${min === 0 ? '0' : '1ms'} to ${formatMs(max)}`
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    const ms = parseDuration(value)
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration ${range}: milliseconds as a number, or a string such as "2s" or "500ms"`,
      })
      return z.NEVER
    }
    if (ms < min || ms > max) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration ${range}${ms === 0 ? ' (0 is not a usable deadline here)' : ''}`,
      })
      return z.NEVER
    }
    return ms
  })
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** A deadline: 0 is refused (it would disable the timeout, or fail every call at once). */
const deadline = durationIn(1)
/** A wait where 0 means "do not wait" (shutdown, linger, cool-down). */
const wait = durationIn(0)

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
  candidate_timeout: deadline,
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
  noise_warmup_wait: wait,
  publish_noise: z.boolean(),
  max_noise_paths: z.number().int().min(0),
  breaker_failures: z.number().int().min(0),
  breaker_cool_down: wait,
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
  noise_warmup_wait: experimentControls.noise_warmup_wait.optional(),
  publish_noise: experimentControls.publish_noise.optional(),
  max_noise_paths: experimentControls.max_noise_paths.optional(),
  breaker_failures: experimentControls.breaker_failures.optional(),
  breaker_cool_down: experimentControls.breaker_cool_down.optional(),
})

const kafkaValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])

/** A name matched against header, query-parameter and body-field names, case-insensitively. */
const redactName = z
  .string()
  .min(1)
  .transform((h) => h.toLowerCase())

export const configSchema = z
  .strictObject({
    port,
    management_port: port,
    host: z.string().min(1),
    /** Address the management port binds to (default: all interfaces, so probes reach it). */
    management_host: z.string().min(1),
    /**
     * Bearer token for the management endpoints that show captured traffic. Unset: those
     * endpoints answer loopback clients only.
     */
    management_token: z
      .string()
      .min(16, 'expected at least 16 characters (a short token is guessable)')
      .optional(),
    /** A file holding the token (a mounted Kubernetes secret); read once at start-up. */
    management_token_file: z.string().min(1).optional(),
    /** Add X-Forwarded-For / -Proto / -Host upstream; false: send the client's headers only, as the Rust miffy. */
    forwarded_headers: z.boolean(),
    /** node:http headersTimeout: the whole request head must arrive within this, else 408. */
    headers_timeout: deadline,
    /** node:http requestTimeout: the whole request, body included, must arrive within this, else 408. */
    request_timeout: deadline,
    /** A mirrored request's body must be read within this, else 408 (outcome dropped_body_timeout). */
    body_timeout: deadline,
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
    reference_timeout: deadline,
    shutdown_timeout: wait,
    workers: z.number().int().min(1).max(64),
    redact_headers: z.array(z.string().transform((h) => h.toLowerCase())),
    /** A header, query parameter or body field whose name contains one of these is redacted. */
    redact_words: z.array(redactName),
    /** Names redacted wherever they appear (headers, query, JSON and form bodies). */
    redact_names: z.array(redactName),
    /** Names never redacted although they contain a word (`x-cache-key`); not the always-redacted headers. */
    redact_allow: z.array(redactName),
    memory_budget: size,
    divergence_log: z.number().int().min(0),
    /**
     * The share of memory_budget the divergence log may hold (its byte cap); bodies get the rest.
     * A share rather than bytes, so that any memory_budget stays a valid configuration.
     */
    divergence_log_share: z.number().min(0).max(0.9),
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
    noise_warmup_wait: experimentControls.noise_warmup_wait,
    publish_noise: experimentControls.publish_noise,
    max_noise_paths: experimentControls.max_noise_paths,
    breaker_failures: experimentControls.breaker_failures,
    breaker_cool_down: experimentControls.breaker_cool_down,
    routes: z.array(route),
    outbox: z.strictObject({
      max_messages: z.number().int().min(1),
      max_bytes: size,
      batch_size: z.number().int().min(1),
      linger: durationIn(0, 60_000),
    }),
    kafka: z.looseObject({ topic: z.string().min(1) }).catchall(kafkaValue),
  })
  .superRefine((c, ctx) => {
    // Two servers cannot share a port; 0 asks the system for a free one each.
    if (c.port !== 0 && c.port === c.management_port)
      ctx.addIssue({
        code: 'custom',
        path: ['management_port'],
        input: c.management_port,
        message: `expected a port other than port (${c.port}): the proxy and the management server each need their own`,
      })
    if (c.management_token !== undefined && c.management_token_file !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['management_token_file'],
        input: c.management_token_file,
        message: 'expected management_token or management_token_file, not both',
      })
    // node:http refuses a head deadline longer than the whole request's
    if (c.headers_timeout > c.request_timeout)
      ctx.addIssue({
        code: 'custom',
        path: ['headers_timeout'],
        input: c.headers_timeout,
        message: `expected at most request_timeout (${c.request_timeout} ms): the head is part of the request`,
      })
  })

/** The configuration as the rest of miffy sees it: validated, units resolved, frozen. */
export type MiffyConfig = z.output<typeof configSchema>
export type RouteConfig = MiffyConfig['routes'][number]
export type SampleBy = NonNullable<MiffyConfig['sample_by']>
/** One upstream as configured: `{ url }`, plus `host_header` when its table set one. */
export type UpstreamConfig = MiffyConfig['reference']
export type HostHeader = MiffyConfig['host_header']
