/**
 * A shadow-side call: send a request to an upstream and keep its whole answer, up to a byte cap
 * and within a memory budget, before a deadline. Used for the candidate and the secondary, never
 * for the client's answer (that is forward.ts). Nothing here can reach the client: every failure
 * becomes an error word in the result.
 *
 * Like the reference leg, this uses `Dispatcher.dispatch` with a handler that collects chunks,
 * so a call costs no Readable and no AbortController.
 */
import { createHash, type Hash } from 'node:crypto'
import type { Dispatcher } from 'undici'
import type { LegResult } from '../diff/model.ts'
import type { ByteBudget } from './byte-budget.ts'
import { hasNoContent } from './forward.ts'
import { type Upstream, upstreamPath } from './upstream.ts'
import { classify } from './upstream-errors.ts'

export interface CaptureRequest {
  method: string
  /** the client's path and query, appended to the upstream's prefix */
  pathAndQuery: string
  headers: Record<string, string | string[]>
  body: Buffer | undefined
}

export interface CaptureLimits {
  /**
   * A body longer than this is not kept: from there on it is only hashed as it streams past,
   * in constant memory, and the leg carries its digest instead (compare.ts compares digests).
   */
  maxBytes: number
  budget: ByteBudget
  /** after this the call is aborted and ends as `timeout` */
  timeoutMs: number
}

export interface Captured {
  leg: LegResult
  /** `url` of the upstream plus the request's path and query */
  url: string
  /** bytes reserved in the budget for the body; the caller releases them */
  reserved: number
}

const EMPTY = Buffer.alloc(0)

/** Raised into undici to abort a call; its code becomes the leg's error word. */
class Stop extends Error {
  readonly code: string
  constructor(code: string) {
    super(code)
    this.code = code
  }
}

/**
 * A leg that ended before (or instead of) an answer. `afterHead`: the status and headers had come,
 * so the topic says `body`, the Rust miffy's word for a body that broke off (issue 11).
 */
export function failedLeg(error: string, url: string, started: number, afterHead = false): Captured {
  const leg = { ok: false as const, error, durationMs: performance.now() - started }
  return { leg: afterHead ? { ...leg, phase: 'body' } : leg, url, reserved: 0 }
}

export function capture(
  dispatcher: Dispatcher,
  target: Upstream,
  request: CaptureRequest,
  limits: CaptureLimits,
  started = performance.now(),
): Promise<Captured> {
  const url = target.url + request.pathAndQuery
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    /** set once the body is over the cap: the rest is hashed, not kept */
    let digest: { hash: Hash; bytes: number } | undefined
    let status = 0
    let headers: Record<string, string | string[]> = {}
    let controller: Dispatcher.DispatchController | undefined
    let done = false
    const end = (result: Captured) => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (!result.leg.ok) limits.budget.release(size)
      resolve(result)
    }
    const fail = (error: string) => {
      end(failedLeg(error, url, started, status !== 0))
      controller?.abort(new Stop(error))
    }
    const timer = setTimeout(() => fail('timeout'), Math.max(0, limits.timeoutMs))

    dispatcher.dispatch(
      {
        origin: target.origin,
        path: upstreamPath(target, request.pathAndQuery),
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body ?? null,
      },
      {
        onRequestStart(c) {
          controller = c
          // the deadline passed while the request waited for a connection
          if (done) c.abort(new Stop('timeout'))
        },
        onResponseStart(_c, statusCode, h) {
          if (statusCode < 200) return
          status = statusCode
          headers = h as Record<string, string | string[]>
          // complete with its headers; undici would fail a Content-Length on it (forward.ts)
          if (hasNoContent(statusCode))
            end({
              leg: { ok: true, status, headers, body: EMPTY, durationMs: performance.now() - started },
              url,
              reserved: 0,
            })
        },
        onResponseData(_c, chunk) {
          if (done) return
          if (digest) {
            digest.hash.update(chunk)
            digest.bytes += chunk.length
            return
          }
          if (size + chunk.length > limits.maxBytes) {
            digest = { hash: createHash('sha256'), bytes: size + chunk.length }
            for (const c of chunks) digest.hash.update(c)
            digest.hash.update(chunk)
            limits.budget.release(size)
            chunks.length = 0
            size = 0
            return
          }
          if (!limits.budget.tryReserve(chunk.length)) return fail('memory')
          chunks.push(chunk)
          size += chunk.length
        },
        onResponseEnd() {
          const leg: Captured['leg'] = {
            ok: true,
            status,
            headers,
            body:
              chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, size),
            durationMs: performance.now() - started,
          }
          if (digest) leg.digest = { sha256: digest.hash.digest('hex'), bytes: digest.bytes }
          end({ leg, url, reserved: size })
        },
        onResponseError(_c, err) {
          if (done) return
          end(failedLeg(err instanceof Stop ? err.code : classify(err), url, started, status !== 0))
        },
      },
    )
  })
}
