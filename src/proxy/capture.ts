/**
 * A shadow-side call: send a request to an upstream and keep its whole answer, up to a byte cap
 * and within a memory budget, before a deadline. Used for the candidate and the secondary, never
 * for the client's answer (that is forward.ts). Nothing here can reach the client: every failure
 * becomes an error word in the result.
 *
 * Like the reference leg, this uses `Dispatcher.dispatch` with a handler that collects chunks,
 * so a call costs no Readable and no AbortController.
 */
import type { Dispatcher } from 'undici'
import type { LegResult } from '../diff/model.ts'
import type { ByteBudget } from './byte-budget.ts'
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
  /** a body longer than this ends the call as `body_too_large` */
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
        },
        onResponseData(_c, chunk) {
          if (done) return
          if (size + chunk.length > limits.maxBytes) return fail('body_too_large')
          if (!limits.budget.tryReserve(chunk.length)) return fail('memory')
          chunks.push(chunk)
          size += chunk.length
        },
        onResponseEnd() {
          end({
            leg: {
              ok: true,
              status,
              headers,
              body:
                chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, size),
              durationMs: performance.now() - started,
            },
            url,
            reserved: size,
          })
        },
        onResponseError(_c, err) {
          if (done) return
          end(failedLeg(err instanceof Stop ? err.code : classify(err), url, started, status !== 0))
        },
      },
    )
  })
}
