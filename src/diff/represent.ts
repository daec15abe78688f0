/** A captured leg as it appears on the topic (the Rust miffy 1.0 response format). */

import { decodeBody, toBodyRepr } from './content.ts'
import type { FailedResponseRepr, LegResult, ResponseRepr } from './model.ts'

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

/**
 * A failed leg as published on the topic. `error` keeps the Rust miffy 1.0's words, which its
 * consumers switch on (issue 11): it published `request` when hyper's client failed before a
 * complete response head (refused, reset, unreadable head; it had no timeouts, so a timeout is
 * filed the same way), `body` when reading the body after the head failed, and `uri` when the
 * upstream URL did not parse (miffy validates URLs at start-up and refuses bad request targets
 * with 400, so it never has that case). Our finer word goes to the additive `error_detail`.
 */
export function failedResponse(kind: string, phase: 'request' | 'body' | undefined): FailedResponseRepr {
  return { error: phase === 'body' ? 'body' : 'request', error_detail: kind }
}
