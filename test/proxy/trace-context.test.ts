import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newTraceparent, propagateTrace, traceIdOf } from '../../src/proxy/trace-context.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const VALID = `00-${TRACE}-00f067aa0ba902b7-01`

test('a valid version-00 traceparent gives its trace-id, sampled or not', () => {
  assert.equal(traceIdOf(VALID), TRACE)
  assert.equal(traceIdOf(`00-${TRACE}-00f067aa0ba902b7-00`), TRACE)
  assert.equal(traceIdOf(`00-${TRACE}-00f067aa0ba902b7-09`), TRACE, 'unknown flags are not an error')
})

test('invalid traceparents are treated as absent (W3C Trace Context §3.2.2)', () => {
  const invalid = {
    missing: undefined,
    empty: '',
    short: VALID.slice(0, 54),
    'version 00 with more fields': `${VALID}-extra`,
    'version ff': VALID.replace(/^00/, 'ff'),
    'version not hex': VALID.replace(/^00/, '0g'),
    'upper-case hex': VALID.toUpperCase(),
    'all-zero trace-id': `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    'all-zero parent-id': `00-${TRACE}-${'0'.repeat(16)}-01`,
    'trace-id not hex': `00-${TRACE.replace('4', 'x')}-00f067aa0ba902b7-01`,
    'flags not hex': `00-${TRACE}-00f067aa0ba902b7-0z`,
    'wrong delimiter': VALID.replace(/-01$/, '_01'),
    'two fields joined by Node': `${VALID}, ${VALID}`,
    'an array': [VALID, VALID],
  }
  for (const [what, value] of Object.entries(invalid)) assert.equal(traceIdOf(value), undefined, what)
})

test('a higher version is parsed by the version-00 layout; later fields are ignored (§3.2.4)', () => {
  assert.equal(traceIdOf(`cc-${TRACE}-00f067aa0ba902b7-01`), TRACE)
  assert.equal(traceIdOf(`cc-${TRACE}-00f067aa0ba902b7-01-what-the-future-holds`), TRACE)
  assert.equal(traceIdOf(`cc-${TRACE}-00f067aa0ba902b7-01.what-the-future-holds`), undefined)
})

test('a new traceparent is version 00, sampled, with random non-zero ids', () => {
  const seen = new Set<string>()
  for (let i = 0; i < 1000; i++) {
    const tp = newTraceparent()
    assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    assert.equal(traceIdOf(tp), tp.slice(3, 35))
    seen.add(tp.slice(3, 35))
  }
  assert.equal(seen.size, 1000, 'every trace-id differs')
})

test('propagation keeps a valid traceparent and its tracestate unchanged', () => {
  const headers = { traceparent: VALID, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' }
  assert.equal(propagateTrace(headers), TRACE)
  assert.deepEqual(headers, { traceparent: VALID, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' })
})

test('propagation starts a trace without a traceparent, and restarts one for an invalid one', () => {
  const absent: Record<string, string> = { accept: '*/*' }
  const started = propagateTrace(absent)
  assert.equal(absent.traceparent?.slice(3, 35), started)
  assert.equal(absent.accept, '*/*')

  const invalid: Record<string, string> = {
    traceparent: VALID.toUpperCase(),
    tracestate: 'congo=t61rcWkgMzE',
  }
  const restarted = propagateTrace(invalid)
  assert.notEqual(restarted, TRACE.toUpperCase())
  assert.equal(traceIdOf(invalid.traceparent), restarted)
  assert.equal(invalid.tracestate, undefined, 'the tracestate of an invalid traceparent is not forwarded')
})
