/**
 * The reference leg of an experiment: send the request with undici, stream the answer to the
 * client as soon as its headers arrive, and keep a copy of the body (up to a cap, within the
 * memory budget) for comparison. The client never waits for the copy or for the candidate.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { LegResult } from '../diff/model.ts'
import type { MemoryBudget } from '../shadow/memory-budget.ts'
import { downstreamResponseHeaders } from './headers.ts'
import { sendError } from './respond.ts'
import { type Upstream, upstreamPath } from './upstream.ts'
import { classify, referenceFailure } from './upstream-errors.ts'

export interface Capture {
  max: number
  budget: MemoryBudget
}

export interface Forwarded {
  leg: LegResult
  /** `ok`: the body is in `leg`; otherwise why it was not kept */
  capture: 'ok' | 'oversize' | 'memory' | 'none'
  /** bytes reserved in the memory budget for the captured body; the caller releases them */
  reserved: number
  /** the client went away before the answer was complete */
  clientAborted: boolean
}

export async function forwardToClient(
  dispatcher: Dispatcher,
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  headers: Record<string, string | string[]>,
  body: Buffer | Readable | undefined,
  capture: Capture | undefined,
): Promise<Forwarded> {
  const started = performance.now()
  let answer: Dispatcher.ResponseData
  try {
    answer = await dispatcher.request({
      origin: upstream.origin,
      path: upstreamPath(upstream, req.url!),
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: body ?? null,
    })
  } catch (err) {
    sendError(res, referenceFailure(err))
    return {
      leg: { ok: false, error: classify(err), durationMs: performance.now() - started },
      capture: 'none',
      reserved: 0,
      clientAborted: res.destroyed && !res.writableFinished,
    }
  }
  const responseHeaders = answer.headers as Record<string, string | string[]>
  if (!res.destroyed) res.writeHead(answer.statusCode, downstreamResponseHeaders(responseHeaders))
  return pump(answer, res, capture, started)
}

function pump(
  answer: Dispatcher.ResponseData,
  res: ServerResponse,
  capture: Capture | undefined,
  started: number,
): Promise<Forwarded> {
  const src = answer.body
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let state: Forwarded['capture'] = capture ? 'ok' : 'none'
    let settled = false
    const finish = (error?: unknown) => {
      if (settled) return
      settled = true
      const durationMs = performance.now() - started
      const clientAborted = !res.writableFinished && res.destroyed
      if (error !== undefined) {
        if (capture) capture.budget.release(size)
        resolve({
          leg: { ok: false, error: classify(error), durationMs },
          capture: 'none',
          reserved: 0,
          clientAborted,
        })
        return
      }
      resolve({
        leg: {
          ok: true,
          status: answer.statusCode,
          headers: answer.headers as Record<string, string | string[]>,
          body:
            state === 'ok'
              ? chunks.length === 1
                ? chunks[0]!
                : Buffer.concat(chunks, size)
              : Buffer.alloc(0),
          durationMs,
        },
        capture: state,
        reserved: state === 'ok' ? size : 0,
        clientAborted,
      })
    }
    const stopCapture = (why: 'oversize' | 'memory') => {
      state = why
      capture!.budget.release(size)
      chunks.length = 0
      size = 0
    }
    src.on('data', (chunk: Buffer) => {
      if (state === 'ok') {
        if (size + chunk.length > capture!.max) stopCapture('oversize')
        else if (!capture!.budget.tryReserve(chunk.length)) stopCapture('memory')
        else {
          chunks.push(chunk)
          size += chunk.length
        }
      }
      if (res.destroyed) {
        // Nobody to answer and nothing to compare: stop reading the reference.
        if (state !== 'ok') src.destroy()
        return
      }
      if (!res.write(chunk)) {
        src.pause()
        res.once('drain', () => src.resume())
      }
    })
    src.once('end', () => {
      if (!res.destroyed) res.end()
      finish()
    })
    src.once('error', (err) => {
      if (!res.destroyed) res.destroy(err)
      finish(err)
    })
    src.once('close', () => {
      if (!src.readableEnded)
        finish(Object.assign(new Error('reference body aborted'), { code: 'UND_ERR_ABORTED' }))
    })
    res.once('close', () => {
      // The client left: keep reading only while the copy is still wanted for comparison.
      if (src.readableEnded) return
      if (state === 'ok') src.resume()
      else src.destroy()
    })
  })
}
