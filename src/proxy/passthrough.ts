/**
 * Plain proxying: requests outside every experiment, and experiment requests that are not
 * mirrored (sampled out, dropped before the body was read). The request body streams through
 * and the answer streams back, on the same dispatch path as the reference leg of experiments.
 *
 * This replaced @fastify/reply-from, the stack's first choice, for a measured reason: on the
 * benchmark machine reply-from's passthrough cost 223 µs of CPU per request (185 µs user),
 * more than a whole mirrored request on the dispatch path (192 µs, two upstream calls and a
 * comparison). BENCHMARKS.md has the figures; `npm run bench` reproduces them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { forwardToClient } from './forward.ts'
import { keepClientHeaders, type RequestHeaders } from './forwarded.ts'
import { type Role, upstreamRequestHeaders } from './headers.ts'
import type { Upstream } from './upstream.ts'

/** Whether the request carries a body to stream (RFC 9112 §6.3: length or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

export function passthrough(
  dispatcher: Dispatcher,
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  forwarded: (headers: RequestHeaders, req: IncomingMessage) => void = keepClientHeaders,
  role: Role = 'upstream',
): Promise<unknown> {
  const headers = upstreamRequestHeaders(req.headers, role)
  forwarded(headers, req)
  const length = req.headers['content-length']
  if (length !== undefined) headers['content-length'] = length
  return forwardToClient(dispatcher, req, res, upstream, headers, hasBody(req) ? req : undefined, undefined)
}
