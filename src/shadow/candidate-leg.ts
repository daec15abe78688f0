/**
 * The candidate leg: wait for a slot, call the candidate on its own dispatcher, read its answer
 * up to the cap. One deadline covers all of it, queue wait included: when it passes, the leg
 * ends as `timeout` at once and the call is aborted. Nothing here can reach the client: every
 * failure becomes an error word.
 *
 * Like the reference leg, this uses `Dispatcher.dispatch` with a handler that collects chunks,
 * so a mirror costs no Readable and no AbortController.
 */
import type { Dispatcher } from 'undici'
import type { LegResult } from '../diff/model.ts'
import { upstreamPath } from '../proxy/upstream.ts'
import { classify } from '../proxy/upstream-errors.ts'
import type { Experiment } from './experiment.ts'
import type { Ticket } from './limiter.ts'
import type { MemoryBudget } from './memory-budget.ts'

export interface CandidateCall {
  method: string
  pathAndQuery: string
  headers: Record<string, string | string[]>
  body: Buffer | undefined
  /** performance.now() value after which the leg is abandoned */
  deadline: number
}

export interface CandidateResult {
  leg: LegResult
  url: string
  /** bytes reserved in the memory budget for the body; the caller releases them */
  reserved: number
}

const EMPTY = Buffer.alloc(0)

class Stop extends Error {
  readonly code: string
  constructor(code: string) {
    super(code)
    this.code = code
  }
}

export async function runCandidate(
  dispatcher: Dispatcher,
  exp: Experiment,
  ticket: Ticket,
  call: CandidateCall,
  budget: MemoryBudget,
): Promise<CandidateResult> {
  const started = performance.now()
  try {
    if (!(await ticket.ready)) return failed('timeout', exp.candidates[0]!.url, started)
    const remaining = call.deadline - performance.now()
    if (remaining <= 0) return failed('timeout', exp.candidates[0]!.url, started)
    const idx = exp.picker.pick()
    const result = await callOnce(dispatcher, exp, idx, call, budget, remaining, started)
    if (result.leg.ok) exp.picker.succeeded(idx)
    else if (result.leg.error !== 'body_too_large' && result.leg.error !== 'memory') exp.picker.failed(idx)
    return result
  } finally {
    ticket.release()
  }
}

function failed(error: string, url: string, started: number): CandidateResult {
  return { leg: { ok: false, error, durationMs: performance.now() - started }, url, reserved: 0 }
}

function callOnce(
  dispatcher: Dispatcher,
  exp: Experiment,
  idx: number,
  call: CandidateCall,
  budget: MemoryBudget,
  remainingMs: number,
  started: number,
): Promise<CandidateResult> {
  const target = exp.candidates[idx]!
  const url = target.url + call.pathAndQuery
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let status = 0
    let headers: Record<string, string | string[]> = {}
    let controller: Dispatcher.DispatchController | undefined
    let done = false
    const end = (result: CandidateResult) => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (!result.leg.ok) budget.release(size)
      resolve(result)
    }
    const fail = (error: string) => {
      end(failed(error, url, started))
      controller?.abort(new Stop(error))
    }
    const timer = setTimeout(() => fail('timeout'), remainingMs)

    dispatcher.dispatch(
      {
        origin: target.origin,
        path: upstreamPath(target, call.pathAndQuery),
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body ?? null,
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
          if (size + chunk.length > exp.maxBodyBytes) return fail('body_too_large')
          if (!budget.tryReserve(chunk.length)) return fail('memory')
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
          end(failed(err instanceof Stop ? err.code : classify(err), url, started))
        },
      },
    )
  })
}
