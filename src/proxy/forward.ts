/**
 * The reference leg of an experiment: send the request with undici's dispatcher, stream the
 * answer to the client as soon as its headers arrive, and keep a copy of the body (up to a cap,
 * within the memory budget) for comparison. The client never waits for the copy or for the
 * candidate.
 *
 * This calls `Dispatcher.dispatch` with a handler rather than `request()`: the answer goes from
 * undici's parser straight to the client socket, with no intermediate Readable per request
 * (the mirrored path's CPU budget is in BENCHMARKS.md).
 */
import { createHash, type Hash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { LegResult } from '../diff/model.ts'
import type { ByteBudget } from './byte-budget.ts'
import { downstreamResponseHeaders } from './headers.ts'
import { sendError } from './respond.ts'
import { type Upstream, upstreamPath } from './upstream.ts'
import { classify, referenceFailure } from './upstream-errors.ts'

export interface Capture {
  /** a body longer than this is hashed as it streams past instead of kept (`leg.digest`) */
  max: number
  budget: ByteBudget
}

export interface Forwarded {
  leg: LegResult
  /** `ok`: the body (or, over the cap, its digest) is in `leg`; `memory`: over the budget, not kept */
  capture: 'ok' | 'memory' | 'none'
  /** bytes reserved in the memory budget for the captured body; the caller releases them */
  reserved: number
  /** the client went away before the answer was complete */
  clientAborted: boolean
}

const EMPTY = Buffer.alloc(0)

/**
 * 204 and 304 never have content (RFC 9110 §15.3.5, §15.4.5), whatever Content-Length says: a
 * 304 may carry the length of the 200 it stands for (RFC 9110 §8.6), a 204 must not carry one.
 */
export function hasNoContent(status: number): boolean {
  return status === 204 || status === 304
}

/** The client's headers for a 204 or 304: a 204's Content-Length is dropped, a 304's kept. */
function noContentHeaders(
  status: number,
  upstream: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const headers = downstreamResponseHeaders(upstream)
  if (status === 204) delete headers['content-length']
  return headers
}

export function forwardToClient(
  dispatcher: Dispatcher,
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  headers: Record<string, string | string[]>,
  body: Buffer | Readable | undefined,
  capture: Capture | undefined,
): Promise<Forwarded> {
  return new Promise((resolve) => {
    const started = performance.now()
    const chunks: Buffer[] = []
    let size = 0
    let state: Forwarded['capture'] = capture ? 'ok' : 'none'
    /** set once the body is over the cap: the rest is hashed, not kept */
    let digest: { hash: Hash; bytes: number } | undefined
    let status = 0
    let responseHeaders: Record<string, string | string[]> = {}
    let controller: Dispatcher.DispatchController | undefined
    let settled = false

    // Set when the client goes away before its answer is complete. A reference that fails after
    // its headers also cuts the client's connection (sendError), which is not the client leaving:
    // that pair is a reference_error, not client_aborted.
    let clientLeft = false
    const finish = (error?: unknown) => {
      if (settled) return
      settled = true
      res.off('close', onClientClose)
      const durationMs = performance.now() - started
      if (error !== undefined) {
        if (capture) capture.budget.release(size)
        resolve({
          // after the head, the body failed: the Rust miffy's word for that is `body`
          leg: {
            ok: false,
            error: classify(error),
            durationMs,
            ...(status !== 0 ? { phase: 'body' as const } : {}),
          },
          capture: 'none',
          reserved: 0,
          clientAborted: clientLeft,
        })
        return
      }
      const kept = state === 'ok'
      const leg: Forwarded['leg'] = {
        ok: true,
        status,
        headers: responseHeaders,
        body: kept
          ? chunks.length === 1
            ? chunks[0]!
            : chunks.length === 0
              ? EMPTY
              : Buffer.concat(chunks, size)
          : EMPTY,
        durationMs,
      }
      if (kept && digest) leg.digest = { sha256: digest.hash.digest('hex'), bytes: digest.bytes }
      resolve({
        leg,
        capture: state,
        reserved: kept ? size : 0,
        clientAborted: clientLeft,
      })
    }
    const stopCapture = () => {
      state = 'memory'
      capture!.budget.release(size)
      chunks.length = 0
      size = 0
    }
    const startDigest = (chunk: Buffer) => {
      digest = { hash: createHash('sha256'), bytes: size + chunk.length }
      for (const c of chunks) digest.hash.update(c)
      digest.hash.update(chunk)
      capture!.budget.release(size)
      chunks.length = 0
      size = 0
    }
    // The client left: keep reading only while the copy is still wanted for comparison.
    const onClientClose = () => {
      if (settled || res.writableFinished) return
      clientLeft = true
      if (state === 'ok') controller?.resume()
      else controller?.abort(Object.assign(new Error('client went away'), { code: 'UND_ERR_ABORTED' }))
    }
    res.once('close', onClientClose)

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c
      },
      onResponseStart(_c, statusCode, upstreamHeaders) {
        // 1xx informational answers are not forwarded; the final one follows
        if (statusCode < 200) return
        status = statusCode
        responseHeaders = upstreamHeaders as Record<string, string | string[]>
        if (hasNoContent(statusCode)) {
          // Complete with its headers. undici reads a Content-Length on these as missing bytes
          // and fails the call after this point; the client must still get its answer, with
          // the connection kept for whatever it pipelined behind (issue 10).
          if (!res.destroyed) res.writeHead(statusCode, noContentHeaders(statusCode, responseHeaders)).end()
          finish()
          return
        }
        if (!res.destroyed) res.writeHead(statusCode, downstreamResponseHeaders(responseHeaders))
      },
      onResponseData(c, chunk) {
        if (state === 'ok') {
          if (digest) {
            digest.hash.update(chunk)
            digest.bytes += chunk.length
          } else if (size + chunk.length > capture!.max) startDigest(chunk)
          else if (!capture!.budget.tryReserve(chunk.length)) stopCapture()
          else {
            chunks.push(chunk)
            size += chunk.length
          }
        }
        if (res.destroyed) {
          if (!res.writableFinished) clientLeft = true
          // nobody to answer and nothing to compare: stop reading the reference
          if (state !== 'ok')
            c.abort(Object.assign(new Error('client went away'), { code: 'UND_ERR_ABORTED' }))
          return
        }
        if (!res.write(chunk)) {
          c.pause()
          res.once('drain', () => c.resume())
        }
      },
      onResponseEnd() {
        if (!res.destroyed && !res.writableEnded) res.end()
        finish()
      },
      onResponseError(_c, err) {
        if (!res.headersSent) sendError(res, referenceFailure(err))
        else if (!res.destroyed) res.destroy(err)
        finish(err)
      },
    }
    dispatcher.dispatch(
      {
        origin: upstream.origin,
        path: upstreamPath(upstream, req.url!),
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: body ?? null,
      },
      handler,
    )
  })
}
