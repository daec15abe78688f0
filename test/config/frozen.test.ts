import assert from 'node:assert/strict'
import { test } from 'node:test'
import { load } from './fixture.ts'

test('the loaded config is deep-frozen: no layer of it can be changed after start-up', (t) => {
  const { config } = load(t, {
    toml: 'sample_by = "header:x-user"\nroutes = [{ path = "/a", candidate = ["http://c1.internal"], ignore = ["$.ts"] }]\n',
  })
  const reachable = [
    config,
    config.outbox,
    config.kafka,
    config.candidate,
    config.methods,
    config.sample_by,
    config.routes,
    config.routes[0],
    config.routes[0]!.candidate,
    config.routes[0]!.ignore,
  ]
  for (const value of reachable) assert.ok(Object.isFrozen(value), JSON.stringify(value))
})

test('writing to it throws (ES modules run in strict mode)', (t) => {
  const { config } = load(t, { toml: 'routes = [{ path = "/a" }]\n' })
  const writable = config as unknown as { port: number; outbox: { linger: number }; routes: unknown[] }
  assert.throws(() => {
    writable.port = 1
  }, TypeError)
  assert.throws(() => {
    writable.outbox.linger = 1
  }, TypeError)
  assert.throws(() => writable.routes.push({ path: '/b' }), TypeError)
  assert.equal(config.port, 8080)
})
