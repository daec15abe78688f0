import assert from 'node:assert/strict'
import { test } from 'node:test'
import { load } from './fixture.ts'

test('an unknown MIFFY_ variable is a warning naming it, not an error', (t) => {
  const { config, warnings } = load(t, { env: { MIFFY_PROT: '1234' } })
  assert.equal(config.port, 8080)
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /MIFFY_PROT/)
})

test('a variable naming a table rather than a key is a warning', (t) => {
  const { warnings } = load(t, { env: { MIFFY_OUTBOX: '5' } })
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /MIFFY_OUTBOX/)
})

test('variables of other programs are ignored silently', (t) => {
  const { warnings } = load(t, {
    env: { PATH: '/usr/bin', HOME: '/root', MIFFYPORT: '1', NODE_ENV: 'production' },
  })
  assert.deepEqual(warnings, [])
})

test('known variables produce no warning', (t) => {
  const { warnings } = load(t, { env: { MIFFY_PORT: '1', MIFFY_OUTBOX_LINGER: '5ms', KAFKA_CLIENT_ID: 'x' } })
  assert.deepEqual(warnings, [])
})
