/**
 * Buffering a body for comparison, up to a cap and within the memory budget. When either is
 * exceeded the caller gets back what was read plus the untouched rest of the stream, so the
 * reference can still receive the whole body: only the mirror is given up.
 *
 * The read has a deadline (`body_timeout`): a client that sends its headers and then trickles or
 * stops must not hold memory, and later a candidate slot, for as long as it likes (issue 10:
 * 64 such clients held every slot for minutes).
 */
import { Readable } from 'node:stream'
import type { ByteBudget } from './byte-budget.ts'

export type Buffered =
  | { ok: true; body: Buffer; reserved: number }
  | { ok: false; reason: 'oversize' | 'memory'; body: Readable }

/** The body did not arrive within its deadline. */
export class BodyTimeoutError extends Error {
  readonly code = 'MIFFY_BODY_TIMEOUT'
  constructor(ms: number) {
    super(`the request body did not arrive within ${ms} ms`)
  }
}

export function readCapped(
  stream: Readable,
  cap: number,
  budget: ByteBudget,
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<Buffered> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          cleanup()
          stream.pause()
          stream.on('error', () => {})
          budget.release(size)
          chunks.length = 0
          reject(new BodyTimeoutError(timeoutMs))
        }, timeoutMs)
      : undefined
    const cleanup = () => {
      clearTimeout(timer)
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('error', onError)
    }
    const giveUp = (reason: 'oversize' | 'memory', chunk: Buffer) => {
      cleanup()
      stream.pause()
      // Until the consumer starts reading, an error must not go unhandled; the consumer's own
      // iteration sees it (the stream is destroyed) once it does read.
      stream.on('error', () => {})
      budget.release(size)
      chunks.push(chunk)
      resolve({ ok: false, reason, body: prepend(chunks, stream) })
    }
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > cap) return giveUp('oversize', chunk)
      if (!budget.tryReserve(chunk.length)) return giveUp('memory', chunk)
      chunks.push(chunk)
      size += chunk.length
    }
    const onEnd = () => {
      cleanup()
      resolve({
        ok: true,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
        reserved: size,
      })
    }
    const onError = (err: Error) => {
      cleanup()
      budget.release(size)
      reject(err)
    }
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
  })
}

/** The chunks already read followed by the rest of `rest`, as one stream. */
function prepend(chunks: Buffer[], rest: Readable): Readable {
  return Readable.from(
    (async function* () {
      yield* chunks
      yield* rest
    })(),
    { objectMode: false },
  )
}
