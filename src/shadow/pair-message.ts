/**
 * Builds the message published for a pair, in the Rust miffy 1.0 topic shape plus additive
 * fields (`id`, `timestamp`, `trace_id`, `duration_ms`, `divergence`). Secrets are redacted here, before the
 * message leaves the process: request headers and both responses' headers.
 */
import { randomUUID } from 'node:crypto'
import { toBodyRepr } from '../diff/content.ts'
import type { Divergence, HeaderRepr, LegResult, PairMessage, ResponseRepr } from '../diff/model.ts'
import { toResponseRepr } from '../diff/represent.ts'
import { redactHeaders } from '../proxy/headers.ts'

export interface PairInput {
  /** epoch milliseconds */
  arrivedAt: number
  method: string
  uri: string
  route: string
  params: Record<string, string>
  requestHeaders: HeaderRepr
  requestBody: Buffer | undefined
  referenceUrl: string
  reference: LegResult
  candidateUrl: string
  candidate: LegResult
  divergence: Divergence
  /** the W3C trace-id both legs were sent (src/proxy/trace-context.ts) */
  traceId: string | undefined
  maxDecodedBytes: number
  redact: ReadonlySet<string>
}

function response(leg: LegResult, max: number, redact: ReadonlySet<string>): ResponseRepr {
  const repr = toResponseRepr(leg, max)
  return 'error' in repr ? repr : { ...repr, headers: redactHeaders(repr.headers, redact) }
}

export function buildPairMessage(p: PairInput): PairMessage {
  const requestHeaders = redactHeaders(p.requestHeaders, p.redact)
  return {
    id: randomUUID(),
    timestamp: new Date(p.arrivedAt).toISOString(),
    ...(p.traceId ? { trace_id: p.traceId } : {}),
    request: {
      method: p.method,
      uri: p.uri,
      route: p.route,
      params: p.params,
      headers: requestHeaders,
      body: p.requestBody && p.requestBody.length > 0 ? toBodyRepr(p.requestHeaders, p.requestBody) : null,
    },
    reference: {
      url: p.referenceUrl,
      response: response(p.reference, p.maxDecodedBytes, p.redact),
      duration_ms: Math.round(p.reference.durationMs * 100) / 100,
    },
    candidate: {
      url: p.candidateUrl,
      response: response(p.candidate, p.maxDecodedBytes, p.redact),
      duration_ms: Math.round(p.candidate.durationMs * 100) / 100,
    },
    divergence: p.divergence,
  }
}
