/**
 * One table from upstream failures to what the client sees (reference) and to the short error
 * word recorded for the pair (both legs). Candidate failures never reach the client.
 */
import { MiffyError } from '../errors.ts'

export type FailureKind = 'timeout' | 'connection' | 'reset' | 'invalid_response' | 'aborted' | 'error'

/** undici and Node error codes → the kind of failure. */
const BY_CODE: Record<string, FailureKind> = {
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ECONNREFUSED: 'connection',
  ENOTFOUND: 'connection',
  EAI_AGAIN: 'connection',
  EHOSTUNREACH: 'connection',
  ENETUNREACH: 'connection',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'invalid_response',
  UND_ERR_INFO: 'invalid_response',
  HPE_INVALID_CONSTANT: 'invalid_response',
  UND_ERR_ABORTED: 'aborted',
  ABORT_ERR: 'aborted',
}

export function classify(err: unknown, depth = 0): FailureKind {
  const e = err as { code?: unknown; name?: string; cause?: unknown } | undefined
  if (!e || depth > 4) return 'error'
  // DOMException (AbortSignal reasons) has a numeric `code`.
  const code = typeof e.code === 'string' ? e.code : undefined
  if (code?.startsWith('HPE_')) return 'invalid_response'
  // The innermost specific code wins: undici wraps the socket error in its own.
  const inner = classify(e.cause, depth + 1)
  if (inner !== 'error') return inner
  if (code && BY_CODE[code]) return BY_CODE[code]!
  if (e.name === 'TimeoutError') return 'timeout'
  if (e.name === 'AbortError') return 'aborted'
  return 'error'
}

const MESSAGES: Record<FailureKind, string> = {
  timeout: 'the reference did not answer in time',
  connection: 'the reference could not be reached',
  reset: 'the reference closed the connection',
  invalid_response: 'the reference sent an invalid response',
  aborted: 'the request to the reference was aborted',
  error: 'the reference request failed',
}

/** The error a client gets when the reference fails: 504 on timeout, 502 otherwise. */
export function referenceFailure(err: unknown): MiffyError {
  const kind = classify(err)
  const code = kind === 'timeout' ? 'MIFFY_ERR_REFERENCE_TIMEOUT' : 'MIFFY_ERR_REFERENCE_UNAVAILABLE'
  return new MiffyError(code, MESSAGES[kind], { cause: err })
}

/** The JSON body of an error answer: `{ "error": code, "message": text }`. */
export function errorBody(err: MiffyError): string {
  return JSON.stringify({ error: err.code, message: err.message })
}
