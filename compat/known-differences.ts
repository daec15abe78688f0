/**
 * The classification rules: every difference between the Rust miffy 1.0.1 and miffy that is
 * known, with its class and the README anchor that documents it for users. A difference no entry
 * explains is *breaking*: the suite fails until it is fixed or understood and documented here
 * and in the README.
 *
 * - `compatible`: nothing a client, an upstream or a topic consumer relies on changes (additive
 *   fields, per-hop framing, equivalent header forms).
 * - `improvement`: a deliberate, documented change of behaviour.
 * - `pending`: a breaking difference whose fix another workstream owns (issue 11). It stays
 *   breaking in the report; once the fix lands the entry stops matching, and the suite says so,
 *   so it is removed rather than left to excuse a regression later.
 */
import type { Difference } from './compare.ts'

export interface KnownDifference {
  id: string
  /** `breaking`: known, and its fix is pending elsewhere (`pending` says where) */
  class: 'compatible' | 'improvement' | 'breaking'
  /** the id of the README element that documents it (`<a id="…">` or a heading's slug) */
  anchor?: string
  /** one line for the report */
  summary: string
  explains(d: Difference): boolean
  /** for `breaking`: who fixes it, and what the fix is */
  pending?: string
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
])

/** `reference[0].headers.te` → `te`; `headers.connection` → `connection`. */
function headerName(field: string): string | undefined {
  const m = /(?:^|\.)headers\.([^.[\]]+)(?:\[\d+\])?$/.exec(field)
  return m?.[1]
}

const upstreamHeader = (d: Difference, name: string) =>
  d.aspect === 'upstream' && headerName(d.field) === name
const clientField = (d: Difference, ...fields: string[]) => d.aspect === 'client' && fields.includes(d.field)
const inScenario = (d: Difference, ...ids: string[]) => ids.includes(d.scenario)

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(String(a))) === JSON.stringify(JSON.parse(String(b)))
  } catch {
    return false
  }
}

/** The `error` of a JSON error body (`{"error": "MIFFY_ERR_…", "message": …}`). */
function errorCode(body: unknown): unknown {
  try {
    return (JSON.parse(String(body)) as { error?: unknown }).error
  } catch {
    return undefined
  }
}

/** A version-00 traceparent with the sampled flag, as miffy starts them. */
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/

/** miffy's own fields on the topic; Rust's fields keep their names, types and values. */
const ADDITIVE_FIELD =
  /^payload\.(id|timestamp|trace_id|divergence\..+|request\.headers\..+|(reference|candidate)\.duration_ms|(reference|candidate)\.response\.(error_detail|body_digest\..+))$/

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  // compatible
  {
    id: 'additive-topic-fields',
    class: 'compatible',
    anchor: 'topic-message-reference',
    summary:
      "miffy adds fields to each message (id, timestamp, duration_ms, divergence, request.headers, error_detail) and a `content-type: application/json` record header; Rust's fields are unchanged",
    explains: (d) =>
      d.aspect === 'topic' &&
      ((d.rust === undefined && ADDITIVE_FIELD.test(d.field)) ||
        (d.field === 'record-headers' &&
          Array.isArray(d.rust) &&
          d.rust.length === 0 &&
          JSON.stringify(d.miffy) === '["content-type","application/json"]')),
  },
  {
    id: 'per-hop-headers',
    class: 'compatible',
    anchor: 'compat-per-hop',
    summary:
      "Connection and Keep-Alive are set per connection by each proxy (Rust copied the upstream's onto the client's answer, and sent none upstream); miffy speaks HTTP/1.1 upstream whatever the client spoke",
    explains: (d) => {
      const name = headerName(d.field)
      if (d.aspect === 'client' && (name === 'keep-alive' || name === 'connection')) return true
      if (
        d.aspect === 'upstream' &&
        name === 'connection' &&
        d.rust === undefined &&
        d.miffy === 'keep-alive'
      )
        return true
      if (d.aspect === 'upstream' && /\.version$/.test(d.field)) return true
      // an HTTP/1.0 request reached the upstreams as 1.0 (Rust) or 1.1 (miffy): they answer accordingly
      return (
        d.aspect === 'topic' &&
        inScenario(d, 'http10-no-host') &&
        (name === 'connection' || name === 'keep-alive')
      )
    },
  },
  {
    id: 'framing',
    class: 'compatible',
    anchor: 'compat-per-hop',
    summary:
      'message framing is per hop (RFC 9112 §6): a body the other side sent chunked may arrive with Content-Length, and the reverse',
    explains: (d) => {
      const name = headerName(d.field)
      if (d.aspect !== 'client' && d.aspect !== 'upstream') return false
      return (
        (name === 'content-length' || name === 'transfer-encoding') &&
        (d.rust === undefined || d.miffy === undefined)
      )
    },
  },
  {
    id: 'combined-header-lines',
    class: 'compatible',
    anchor: 'compat-repeated-headers',
    summary:
      'repeated request header lines reach the upstreams as one line, values joined with ", " (RFC 9110 §5.3) and cookies with "; " (RFC 6265 §5.4)',
    explains: (d) =>
      d.aspect === 'upstream' &&
      Array.isArray(d.rust) &&
      typeof d.miffy === 'string' &&
      (d.miffy === d.rust.join(', ') || (headerName(d.field) === 'cookie' && d.miffy === d.rust.join('; '))),
  },
  {
    id: 'head-connection-close',
    class: 'compatible',
    anchor: 'compat-head',
    summary:
      'HEAD requests go upstream with `Connection: close` (undici opens a new connection for each HEAD)',
    explains: (d) =>
      inScenario(d, 'head') && upstreamHeader(d, 'connection') && d.rust === undefined && d.miffy === 'close',
  },
  {
    id: 'expect-answered',
    class: 'compatible',
    anchor: 'compat-per-hop',
    summary: '`Expect: 100-continue` is answered by miffy itself and not passed on (Rust passed it on)',
    explains: (d) => upstreamHeader(d, 'expect') && d.rust === '100-continue' && d.miffy === undefined,
  },
  {
    id: 'healthz-format',
    class: 'compatible',
    anchor: 'compat-healthz',
    summary:
      '/healthz answers the same JSON value, without the blank after the colon and with a Content-Type',
    explains: (d) =>
      inScenario(d, 'healthz') &&
      (clientField(d, 'headers.content-length', 'headers.content-type') ||
        (clientField(d, 'body') && sameJson(d.rust, d.miffy))),
  },
  // improvements
  {
    id: 'hop-by-hop-removed',
    class: 'improvement',
    anchor: 'compat-per-hop',
    summary:
      'hop-by-hop request headers (TE, Keep-Alive, Upgrade, those named in Connection) are removed before forwarding (RFC 9110 §7.6.1); Rust forwarded them',
    explains: (d) => {
      const name = headerName(d.field)
      if (d.aspect !== 'upstream' || name === undefined) return false
      // `Connection: keep-alive, x-hop` arrives as undici's own `keep-alive`
      if (name === 'connection') return typeof d.rust === 'string' && d.miffy === 'keep-alive'
      // a removed header: a hop-by-hop one, or the one this scenario names in Connection
      return (
        d.miffy === undefined &&
        (HOP_BY_HOP.has(name) || (inScenario(d, 'hop-by-hop-request') && name === 'x-hop'))
      )
    },
  },
  {
    id: 'request-target-checks',
    class: 'improvement',
    anchor: 'compat-request-target',
    summary:
      'request paths with `..` segments (plain or encoded) or malformed escapes get 400 instead of being forwarded',
    explains: (d) =>
      inScenario(d, 'dot-segment', 'encoded-dot-segment', 'malformed-escape') &&
      ((clientField(d, 'status') && d.miffy === 400) ||
        (clientField(d, 'body') && errorCode(d.miffy) === 'MIFFY_ERR_BAD_REQUEST') ||
        clientField(d, 'headers.content-length', 'headers.content-type') ||
        (d.aspect === 'upstream' && /\.requests$/.test(d.field) && d.miffy === 0)),
  },
  {
    id: 'error-answers',
    class: 'improvement',
    anchor: 'compat-error-answers',
    summary:
      'when the reference fails, the client gets miffy\'s error body (`{"error": "MIFFY_ERR_REFERENCE_UNAVAILABLE", …}`), same status (502)',
    explains: (d) =>
      inScenario(d, 'dead-reference') &&
      (clientField(d, 'headers.content-length') ||
        (clientField(d, 'body') && errorCode(d.miffy) === 'MIFFY_ERR_REFERENCE_UNAVAILABLE')),
  },
  {
    id: 'streamed-answers',
    class: 'improvement',
    anchor: 'compat-streaming',
    summary:
      "the reference's answer is streamed to the client: a reference that fails halfway through its body cuts the client's connection instead of turning into a 502 after buffering",
    explains: (d) =>
      inScenario(d, 'reference-cut') &&
      clientField(d, 'status', 'error', 'body', 'headers.content-length', 'headers.content-type'),
  },
  {
    id: 'json-by-value',
    class: 'improvement',
    anchor: 'compat-json',
    summary: 'JSON numbers compare by value: `1` and `1.0` are equal (Rust published the pair)',
    explains: (d) =>
      inScenario(d, 'json-number-spelling') && d.field === 'published' && d.rust === 1 && d.miffy === 0,
  },
  {
    id: 'json-media-types',
    class: 'improvement',
    anchor: 'compat-json',
    summary:
      'JSON content types with parameters (`application/json; charset=utf-8`) are JSON: bodies are published as `{"type": "json"}` and compared by value (Rust: bytes)',
    explains: (d) =>
      inScenario(d, 'json-charset') &&
      d.aspect === 'topic' &&
      /^payload\.(reference|candidate)\.response\.body\./.test(d.field),
  },
  {
    id: 'request-body-type',
    class: 'improvement',
    anchor: 'compat-json',
    summary:
      "a request body is typed by its own Content-Type only; Rust also typed it JSON when the request's Accept asked for JSON",
    explains: (d) =>
      inScenario(d, 'post-accept-json') && d.aspect === 'topic' && /^payload\.request\.body\./.test(d.field),
  },
  {
    id: 'content-encoding',
    class: 'improvement',
    anchor: 'compat-json',
    summary:
      'gzip, br and deflate bodies are decoded before comparing: the same JSON gzipped or not is equal',
    explains: (d) =>
      inScenario(d, 'gzip-vs-identity') && d.field === 'published' && d.rust === 1 && d.miffy === 0,
  },
  {
    id: 'redaction',
    class: 'improvement',
    anchor: 'compat-redaction',
    summary: 'Set-Cookie (and Authorization, Cookie, redact_headers) values are `[REDACTED]` on the topic',
    explains: (d) =>
      d.aspect === 'topic' &&
      d.miffy === '[REDACTED]' &&
      ['set-cookie', 'cookie', 'authorization', 'proxy-authorization'].includes(headerName(d.field) ?? ''),
  },
  {
    id: 'absolute-form-uri',
    class: 'improvement',
    anchor: 'compat-absolute-form',
    summary:
      'for an absolute-form target (`GET http://other/x`), `request.uri` is the path that was forwarded (`/x`)',
    explains: (d) => inScenario(d, 'absolute-form') && d.field === 'payload.request.uri',
  },
  {
    id: 'bounded-bodies',
    class: 'improvement',
    anchor: 'compat-bounded',
    summary:
      'a request body over `max_body_bytes` is not mirrored: the candidate does not get it and the reference gets it with `X-Shadow-Test-Role: upstream`',
    explains: (d) =>
      inScenario(d, 'large-request-body') &&
      ((d.field === 'candidate.requests' && d.rust === 1 && d.miffy === 0) ||
        (upstreamHeader(d, 'x-shadow-test-role') && d.rust === 'reference' && d.miffy === 'upstream')),
  },
  {
    id: 'large-bodies-digested',
    class: 'improvement',
    anchor: 'compat-bounded',
    summary:
      "response bodies over `max_body_bytes` are compared by SHA-256 and the pair published with `body: null` and `body_digest`; Rust buffered them whole and its message went over Kafka's size limit, unpublished",
    explains: (d) => inScenario(d, 'over-cap') && d.field === 'published' && d.rust === 0 && d.miffy === 1,
  },
  {
    id: 'trace-context',
    class: 'improvement',
    anchor: 'compat-trace-context',
    summary:
      'a mirrored request without a valid `traceparent` gets a new one (the same on both legs, an invalid `tracestate` dropped); a valid one passes unchanged, as in Rust',
    explains: (d) => {
      const name = headerName(d.field)
      if (d.aspect !== 'upstream' || (name !== 'traceparent' && name !== 'tracestate')) return false
      if (name === 'tracestate') return inScenario(d, 'traceparent-invalid') && d.miffy === undefined
      return (
        typeof d.miffy === 'string' &&
        TRACEPARENT.test(d.miffy) &&
        (d.rust === undefined || inScenario(d, 'traceparent-invalid'))
      )
    },
  },
  {
    id: 'exit-codes',
    class: 'improvement',
    anchor: 'compat-exit-codes',
    summary:
      'SIGTERM drains and exits 0 (Rust died by the signal); a bad config exits 2 with a message (Rust: 1, or 101 from a panic)',
    explains: (d) =>
      d.aspect === 'process' &&
      d.field === 'exit' &&
      (inScenario(d, 'shutdown') ? d.miffy === 'exit 0' : d.miffy === 'exit 2'),
  },
  {
    id: 'x-forwarded',
    class: 'improvement',
    anchor: 'compat-x-forwarded',
    summary:
      "X-Forwarded-For, -Proto and -Host are added upstream (can be switched off for Rust's exact headers)",
    explains: (d) =>
      d.aspect === 'upstream' &&
      d.rust === undefined &&
      /^x-forwarded-(for|proto|host)$/.test(headerName(d.field) ?? ''),
  },
]

export interface Verdict {
  class: 'compatible' | 'improvement' | 'breaking'
  /** the entry that explains it; absent: unexplained (breaking) */
  known?: KnownDifference
}

/** The first entry that explains the difference decides; unexplained is breaking. */
export function classify(d: Difference): Verdict {
  const known = KNOWN_DIFFERENCES.find((k) => k.explains(d))
  return known ? { class: known.class, known } : { class: 'breaking' }
}
