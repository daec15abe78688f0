import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineFor, load, loadError } from './fixture.ts'

test('an unknown top-level key is an error with a did-you-mean', (t) => {
  const failure = loadError(t, { toml: 'refrence = "http://127.0.0.1:3000"\n' })
  assert.match(lineFor(failure, 'refrence'), /unknown key \(did you mean "reference"\?\)/)
})

test('an unknown route key is an error naming the route by index, with a did-you-mean', (t) => {
  const failure = loadError(t, { toml: 'routes = [{ path = "/a" }, { path = "/b", smaple = 0.5 }]\n' })
  assert.match(lineFor(failure, 'routes[1].smaple'), /unknown key \(did you mean "sample"\?\)/)
})

test('an unknown [outbox] key is an error with a did-you-mean from the outbox keys', (t) => {
  const failure = loadError(t, { toml: '[outbox]\nmax_message = 10\n' })
  assert.match(lineFor(failure, 'outbox.max_message'), /unknown key \(did you mean "max_messages"\?\)/)
})

test('no suggestion when nothing is close', (t) => {
  const failure = loadError(t, { toml: 'colour = "blue"\n' })
  const line = lineFor(failure, 'colour')
  assert.match(line, /unknown key/)
  assert.doesNotMatch(line, /did you mean/)
})

test('the [kafka] table takes any property name (they are checked by the publisher)', (t) => {
  const { config } = load(t, { toml: '[kafka]\n"linger.ms" = 5\n"enable.idempotence" = true\n' })
  assert.equal(config.kafka['linger.ms'], 5)
  assert.equal(config.kafka['enable.idempotence'], true)
})
