/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) for mirrored requests, so that a
 * divergence leads to the traces of both calls.
 *
 * miffy records no spans of its own, so it does not participate in a trace: a valid incoming
 * `traceparent` and its `tracestate` go to every leg unchanged (§3.4: "if the value of the
 * traceparent field wasn't changed before propagation, tracestate MUST NOT be modified";
 * unmodified propagation "is typically implemented in pass-through services like proxies"). The
 * reference and the candidate therefore get the same parent-id: the client's span, under which
 * both calls appear as siblings. A parent-id of miffy's own per leg would name a span that
 * nobody records, and break the trace's tree in every tracing UI.
 *
 * Without a valid `traceparent` (absent, or invalid under §3.2.4's parsing rules), miffy starts
 * a trace for the mirrored request: version 00, a random trace-id and parent-id, and the
 * sampled flag set. §3.2.2.5.1 lets a component that samples a subset of requests set the flag
 * for that subset; miffy's `sample` is that subset, and with the flag unset a parent-based
 * sampler downstream (OpenTelemetry's default) would record neither call. The tracestate of an
 * invalid traceparent is dropped with it (§3.3: it is not parsed without a valid traceparent).
 *
 * Requests that are not mirrored are proxied as they are: their headers, valid or not, pass
 * through untouched, and miffy only reads the trace id for the access log.
 */
import { randomFillSync } from 'node:crypto'

export const TRACEPARENT = 'traceparent'
export const TRACESTATE = 'tracestate'

const HEX = /^[0-9a-f]+$/
const ZERO_TRACE = '00000000000000000000000000000000'
const ZERO_PARENT = '0000000000000000'

/**
 * The trace-id of a `traceparent` value, or undefined when the value is not valid: the parsing
 * rules of §3.2.2 for version 00 and of §3.2.4 for higher versions (fields after the flags are
 * allowed and ignored there). Several `traceparent` fields are invalid (Node joins them with
 * ", ", which fails the length check of version 00 and the dash check of the others).
 */
export function traceIdOf(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length < 55) return undefined
  const version = value.slice(0, 2)
  if (!HEX.test(version) || version === 'ff' || value[2] !== '-') return undefined
  if (version === '00' && value.length !== 55) return undefined
  if (value.length > 55 && value[55] !== '-') return undefined
  const traceId = value.slice(3, 35)
  const parentId = value.slice(36, 52)
  const flags = value.slice(53, 55)
  if (value[35] !== '-' || value[52] !== '-') return undefined
  if (!HEX.test(traceId) || traceId === ZERO_TRACE) return undefined
  if (!HEX.test(parentId) || parentId === ZERO_PARENT) return undefined
  if (!HEX.test(flags)) return undefined
  return traceId
}

/**
 * Random bytes drawn in blocks: one `randomFillSync` per 170 traces rather than one per
 * request (24 bytes a trace: 16 for the trace-id, 8 for the parent-id).
 */
const POOL = Buffer.alloc(24 * 170)
let offset = POOL.length

function randomHex(bytes: number): string {
  if (offset + bytes > POOL.length) {
    randomFillSync(POOL)
    offset = 0
  }
  const hex = POOL.toString('hex', offset, offset + bytes)
  offset += bytes
  return hex
}

/** A new `traceparent`: version 00, random ids (never all zeros), sampled. */
export function newTraceparent(): string {
  let traceId = randomHex(16)
  while (traceId === ZERO_TRACE) traceId = randomHex(16)
  let parentId = randomHex(8)
  while (parentId === ZERO_PARENT) parentId = randomHex(8)
  return `00-${traceId}-${parentId}-01`
}

/**
 * The trace a mirrored request's legs join: `headers` (the headers sent upstream, names in lower
 * case) keep a valid `traceparent` and `tracestate` as they are; otherwise a new `traceparent`
 * is set and any `tracestate` removed. Returns the trace-id.
 */
export function propagateTrace(headers: Record<string, string | string[]>): string {
  const incoming = traceIdOf(headers[TRACEPARENT])
  if (incoming !== undefined) return incoming
  const traceparent = newTraceparent()
  headers[TRACEPARENT] = traceparent
  delete headers[TRACESTATE]
  return traceparent.slice(3, 35)
}
