/**
 * The candidate leg: wait for a slot, call the candidate on its own dispatcher, read its answer
 * up to the cap. One deadline covers all of it, queue wait included; on expiry the call is
 * aborted. Nothing here can reach the client: every failure becomes an error word.
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

export async function runCandidate(
  dispatcher: Dispatcher,
  exp: Experiment,
  ticket: Ticket,
  call: CandidateCall,
  budget: MemoryBudget,
): Promise<CandidateResult> {
  const started = performance.now()
  const fail = (error: string, url = exp.candidates[0]!.url): CandidateResult => ({
    leg: { ok: false, error, durationMs: performance.now() - started },
    url,
    reserved: 0,
  })
  try {
    if (!(await ticket.ready)) return fail('timeout')
    const remaining = call.deadline - performance.now()
    if (remaining <= 0) return fail('timeout')
    const idx = exp.picker.pick()
    const target = exp.candidates[idx]!
    const url = target.url + call.pathAndQuery
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), remaining)
    let reserved = 0
    try {
      const answer = await dispatcher.request({
        origin: target.origin,
        path: upstreamPath(target, call.pathAndQuery),
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body ?? null,
        signal: controller.signal,
      })
      const chunks: Buffer[] = []
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        if (reserved + chunk.length > exp.maxBodyBytes) {
          answer.body.destroy()
          budget.release(reserved)
          return fail('body_too_large', url)
        }
        if (!budget.tryReserve(chunk.length)) {
          answer.body.destroy()
          budget.release(reserved)
          return fail('memory', url)
        }
        reserved += chunk.length
        chunks.push(chunk)
      }
      exp.picker.succeeded(idx)
      return {
        leg: {
          ok: true,
          status: answer.statusCode,
          headers: answer.headers as Record<string, string | string[]>,
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, reserved),
          durationMs: performance.now() - started,
        },
        url,
        reserved,
      }
    } catch (err) {
      budget.release(reserved)
      exp.picker.failed(idx)
      return fail(controller.signal.aborted ? 'timeout' : classify(err), url)
    } finally {
      clearTimeout(timer)
    }
  } finally {
    ticket.release()
  }
}
