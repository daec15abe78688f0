import assert from 'node:assert/strict'
import { test } from 'node:test'
import { errors as undiciErrors } from 'undici'
import { ERRORS, MiffyError } from '../../src/errors.ts'
import { classify, errorBody, referenceFailure } from '../../src/proxy/upstream-errors.ts'

/** An error as Node and undici raise them: a message, a `code`, maybe a `cause`. */
function coded(code: string, cause?: unknown): Error & { code: string } {
  return Object.assign(new Error(code, cause === undefined ? undefined : { cause }), { code })
}

test('classify: undici error codes', () => {
  const table: Record<string, string> = {
    UND_ERR_HEADERS_TIMEOUT: 'timeout',
    UND_ERR_BODY_TIMEOUT: 'timeout',
    UND_ERR_CONNECT_TIMEOUT: 'timeout',
    UND_ERR_SOCKET: 'reset',
    UND_ERR_CLOSED: 'reset',
    UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'invalid_response',
    UND_ERR_INFO: 'invalid_response',
    UND_ERR_ABORTED: 'aborted',
  }
  for (const [code, kind] of Object.entries(table)) assert.equal(classify(coded(code)), kind, code)
})

test('classify: the real undici error classes', () => {
  assert.equal(classify(new undiciErrors.HeadersTimeoutError()), 'timeout')
  assert.equal(classify(new undiciErrors.BodyTimeoutError()), 'timeout')
  assert.equal(classify(new undiciErrors.ConnectTimeoutError()), 'timeout')
  assert.equal(classify(new undiciErrors.SocketError('other side closed')), 'reset')
  assert.equal(classify(new undiciErrors.RequestAbortedError()), 'aborted')
  assert.equal(classify(new undiciErrors.ResponseContentLengthMismatchError()), 'invalid_response')
})

test('classify: Node socket and DNS codes', () => {
  const table: Record<string, string> = {
    ETIMEDOUT: 'timeout',
    ECONNREFUSED: 'connection',
    ENOTFOUND: 'connection',
    EAI_AGAIN: 'connection',
    EHOSTUNREACH: 'connection',
    ENETUNREACH: 'connection',
    ECONNRESET: 'reset',
    EPIPE: 'reset',
    ABORT_ERR: 'aborted',
  }
  for (const [code, kind] of Object.entries(table)) assert.equal(classify(coded(code)), kind, code)
})

test('classify: any llhttp parse error is an invalid response', () => {
  for (const code of ['HPE_INVALID_CONSTANT', 'HPE_INVALID_HEADER_TOKEN', 'HPE_UNEXPECTED_CONTENT_LENGTH']) {
    assert.equal(classify(coded(code)), 'invalid_response', code)
  }
  assert.equal(classify(coded('UND_ERR_SOCKET', coded('HPE_INVALID_CHUNK_SIZE'))), 'invalid_response')
})

test('classify: the innermost specific cause wins', () => {
  assert.equal(classify(coded('UND_ERR_ABORTED', coded('ECONNRESET'))), 'reset')
  assert.equal(classify(coded('ECONNREFUSED', coded('UND_ERR_HEADERS_TIMEOUT'))), 'timeout')
  assert.equal(
    classify(new Error('fetch failed', { cause: coded('UND_ERR_SOCKET', coded('ECONNRESET')) })),
    'reset',
  )
  assert.equal(
    classify(new Error('wrap', { cause: new Error('wrap', { cause: coded('ECONNREFUSED') }) })),
    'connection',
  )
})

test('classify: an outer code is used when the causes say nothing specific', () => {
  assert.equal(classify(coded('ECONNREFUSED', new Error('no code here'))), 'connection')
  assert.equal(classify(coded('UND_ERR_HEADERS_TIMEOUT', coded('SOMETHING_UNKNOWN'))), 'timeout')
})

test('classify: nested causes are followed, and a cycle ends', () => {
  let deep: unknown = coded('ECONNRESET')
  for (let i = 0; i < 3; i++) deep = new Error('wrap', { cause: deep })
  assert.equal(classify(deep), 'reset', 'a realistic wrapping depth is followed')
  const cyclic = new Error('a') as Error & { cause?: unknown }
  cyclic.cause = cyclic
  assert.equal(classify(cyclic), 'error')
})

test('classify: TimeoutError and AbortError by name', () => {
  const timeout = Object.assign(new Error('t'), { name: 'TimeoutError' })
  const abort = Object.assign(new Error('a'), { name: 'AbortError' })
  assert.equal(classify(timeout), 'timeout')
  assert.equal(classify(abort), 'aborted')
})

test('classify: the DOMExceptions of AbortSignal (numeric code) by name', () => {
  // AbortSignal.timeout() rejects with DOMException "TimeoutError" (code 23), abort() with
  // "AbortError" (code 20): their `code` is a number, not a string.
  assert.equal(classify(new DOMException('timed out', 'TimeoutError')), 'timeout')
  assert.equal(classify(AbortSignal.abort().reason), 'aborted')
  assert.equal(
    classify(new Error('fetch failed', { cause: new DOMException('t', 'TimeoutError') })),
    'timeout',
  )
})

test('classify: anything else is a plain error', () => {
  for (const err of [undefined, null, 'a string', 42, {}, new Error('x'), coded('EUNKNOWN')]) {
    assert.equal(classify(err), 'error', String(err))
  }
})

test('referenceFailure: a timeout is 504 MIFFY_ERR_REFERENCE_TIMEOUT', () => {
  const cause = coded('UND_ERR_HEADERS_TIMEOUT')
  const err = referenceFailure(cause)
  assert.ok(err instanceof MiffyError)
  assert.equal(err.code, 'MIFFY_ERR_REFERENCE_TIMEOUT')
  assert.equal(err.status, 504)
  assert.equal(err.status, ERRORS.MIFFY_ERR_REFERENCE_TIMEOUT.status)
  assert.equal(err.cause, cause)
  assert.equal(err.message, 'the reference did not answer in time')
})

test('referenceFailure: every other failure is 502 MIFFY_ERR_REFERENCE_UNAVAILABLE, with its cause', () => {
  const cases: [unknown, string][] = [
    [coded('ECONNREFUSED'), 'the reference could not be reached'],
    [coded('ECONNRESET'), 'the reference closed the connection'],
    [coded('HPE_INVALID_CONSTANT'), 'the reference sent an invalid response'],
    [coded('UND_ERR_ABORTED'), 'the request to the reference was aborted'],
    [new Error('odd'), 'the reference request failed'],
  ]
  for (const [cause, message] of cases) {
    const err = referenceFailure(cause)
    assert.equal(err.code, 'MIFFY_ERR_REFERENCE_UNAVAILABLE')
    assert.equal(err.status, 502)
    assert.equal(err.message, message)
    assert.equal(err.cause, cause)
  }
})

test('errorBody: {"error": code, "message": text} and nothing else', () => {
  const body = errorBody(referenceFailure(coded('ECONNREFUSED')))
  assert.deepEqual(JSON.parse(body), {
    error: 'MIFFY_ERR_REFERENCE_UNAVAILABLE',
    message: 'the reference could not be reached',
  })
  assert.deepEqual(Object.keys(JSON.parse(errorBody(referenceFailure(coded('ETIMEDOUT'))))), [
    'error',
    'message',
  ])
})
