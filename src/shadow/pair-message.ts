/**
 * Builds the message published for a pair, in the Rust miffy 1.0 topic shape plus additive
 * fields (`id`, `timestamp`, `trace_id`, `duration_ms`, `divergence`). Secrets are redacted
 * here, before the message leaves the process (src/redact/pair.ts: headers, query strings, route
 * parameters, JSON and form fields, differing values), after the comparison, which saw the real
 * values.
 */
import { randomUUID } from 'node:crypto'
import { toBodyRepr } from '../diff/content.ts'
import type { Divergence, HeaderRepr, LegResult, PairMessage } from '../diff/model.ts'
import { toResponseRepr } from '../diff/represent.ts'
import { redactPair } from '../redact/pair.ts'
import type { Redactor } from '../redact/redactor.ts'

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
  redactor: Redactor
}

export function buildPairMessage(p: PairInput): PairMessage {
  const message: PairMessage = {
    id: randomUUID(),
    timestamp: new Date(p.arrivedAt).toISOString(),
    ...(p.traceId ? { trace_id: p.traceId } : {}),
    request: {
      method: p.method,
      uri: p.uri,
      route: p.route,
      params: p.params,
      headers: p.requestHeaders,
      body: p.requestBody && p.requestBody.length > 0 ? toBodyRepr(p.requestHeaders, p.requestBody) : null,
    },
    reference: {
      url: p.referenceUrl,
      response: toResponseRepr(p.reference, p.maxDecodedBytes),
      duration_ms: Math.round(p.reference.durationMs * 100) / 100,
    },
    candidate: {
      url: p.candidateUrl,
      response: toResponseRepr(p.candidate, p.maxDecodedBytes),
      duration_ms: Math.round(p.candidate.durationMs * 100) / 100,
    },
    divergence: p.divergence,
  }
  return redactPair(message, p.redactor)
}
