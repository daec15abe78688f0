/** A captured leg as it appears on the topic (the Rust miffy 1.0 response format). */

import { failedResponse } from '../proxy/upstream-errors.ts'
import { decodeBody, toBodyRepr } from './content.ts'
import type { LegResult, ResponseRepr } from './model.ts'

/**
 * `{ status, headers, body }` for an answered leg, `{ error, error_detail }` for a failed one
 * (the Rust miffy's error word, then ours: src/proxy/upstream-errors.ts).
 *
 * Headers are as captured, `content-encoding` included, although the body is shown decoded: the
 * message says what the upstream sent, and the body is readable. A body that cannot be decoded
 * (corrupt, unsupported coding, over `maxDecodedBytes`) is shown as its wire bytes, base64.
 */
export function toResponseRepr(leg: LegResult, maxDecodedBytes: number): ResponseRepr {
  if (!leg.ok) return failedResponse(leg.error, leg.phase)
  if (leg.digest) return { status: leg.status, headers: leg.headers, body: null, body_digest: leg.digest }
  const decoded = decodeBody(leg.headers, leg.body, maxDecodedBytes)
  if (decoded.ok)
    return { status: leg.status, headers: leg.headers, body: toBodyRepr(leg.headers, decoded.body) }
  return {
    status: leg.status,
    headers: leg.headers,
    body: leg.body.length === 0 ? null : { type: 'bytes', value: leg.body.toString('base64') },
  }
}
