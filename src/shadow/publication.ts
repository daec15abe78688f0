/**
 * A pair message turned into what every consumer shares: its JSON bytes, serialised exactly
 * once (Kafka, the log line and GET /divergences all use them), and a small summary read from
 * the object before it is let go.
 */
import type { PairMessage } from '../diff/model.ts'
import type { Publication } from '../publish/sink.ts'

/** Undefined when the message cannot be serialised (a cycle or a BigInt: a bug upstream of here). */
export function serialisePair(key: string, message: PairMessage): Publication | undefined {
  let json: string
  try {
    json = JSON.stringify(message)
  } catch {
    return undefined
  }
  const d = message.divergence
  return {
    key,
    value: Buffer.from(json),
    summary: {
      id: message.id,
      timestamp: message.timestamp,
      method: message.request.method,
      uri: message.request.uri,
      route: message.request.route,
      traceId: message.trace_id,
      fingerprint: d?.fingerprint,
      status: d?.status,
      error: d?.error,
      paths: d?.body?.paths.slice(0, 5).map((p) => p.path) ?? [],
    },
  }
}
