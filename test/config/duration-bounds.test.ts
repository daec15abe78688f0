/**
 * Every duration has an upper bound, and a deadline cannot be 0 (issue 10): Node's timers
 * overflow past 2^31 - 1 ms and then fire after 1 ms, and undici and node:http read 0 as "no
 * timeout at all". Both used to start silently.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineFor, load, loadError } from './fixture.ts'

const DEADLINES = [
  'reference_timeout',
  'candidate_timeout',
  'headers_timeout',
  'request_timeout',
  'body_timeout',
]

test('600h is refused for every duration, naming the bound', (t) => {
  for (const key of [...DEADLINES, 'shutdown_timeout', 'breaker_cool_down']) {
    const line = lineFor(loadError(t, { toml: `${key} = "600h"\n` }), key)
    assert.match(line, new RegExp(`${key} = "600h": expected a duration from (0|1ms) to 24h`))
  }
})

test('a duration one millisecond over a day is refused; a day is accepted', (t) => {
  assert.match(lineFor(loadError(t, { toml: 'shutdown_timeout = 86400001\n' }), 'shutdown_timeout'), /to 24h/)
  assert.equal(load(t, { toml: 'shutdown_timeout = "24h"\n' }).config.shutdown_timeout, 86_400_000)
})

test('0 is refused for every deadline, saying why', (t) => {
  for (const key of DEADLINES) {
    const line = lineFor(loadError(t, { toml: `${key} = 0\n` }), key)
    assert.match(line, /expected a duration from 1ms to 24h \(0 is not a usable deadline here\)/, key)
  }
})

test('0 is accepted where it means "at once": shutdown, cool-down, linger', (t) => {
  const { config } = load(t, {
    toml: 'shutdown_timeout = 0\nbreaker_cool_down = 0\n[outbox]\nlinger = 0\n',
  })
  assert.equal(config.shutdown_timeout, 0)
  assert.equal(config.breaker_cool_down, 0)
  assert.equal(config.outbox.linger, 0)
})

test('the bound applies per route too', (t) => {
  const failure = loadError(t, { toml: 'routes = [{ path = "/a", candidate_timeout = "600h" }]\n' })
  assert.match(lineFor(failure, 'routes[0].candidate_timeout'), /to 24h/)
})

test('the outbox linger is at most a minute', (t) => {
  assert.match(lineFor(loadError(t, { toml: '[outbox]\nlinger = "2m"\n' }), 'outbox.linger'), /to 1m/)
})

test('from the environment too', (t) => {
  const failure = loadError(t, { env: { MIFFY_CANDIDATE_TIMEOUT: '600h' } })
  assert.match(lineFor(failure, 'candidate_timeout'), /"600h" \(from MIFFY_CANDIDATE_TIMEOUT\): .*to 24h/)
})

test('headers_timeout longer than request_timeout is refused (node:http would throw)', (t) => {
  const line = lineFor(loadError(t, { toml: 'headers_timeout = "10m"\n' }), 'headers_timeout')
  assert.match(line, /expected at most request_timeout/)
})
