/** A config written for the Rust miffy 1.0 loads unchanged. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { load } from './fixture.ts'

const RUST_CONFIG = `port = 8080
log_json = true
reference = "http://127.0.0.1:3000"
candidate = "http://127.0.0.1:3001"
routes = [ { path = "/api/{value}" }, { path = "/api/13", candidate = "http://localhost:1337" } ]
[kafka]
topic = "miffy"
brokers = ["localhost:9092"]
`

test('a Rust miffy 1.0 config loads unchanged', (t) => {
  const { config, warnings } = load(t, { toml: RUST_CONFIG })
  assert.deepEqual(warnings, [])
  assert.equal(config.port, 8080)
  assert.deepEqual(config.reference, { url: 'http://127.0.0.1:3000' })
  assert.deepEqual(config.candidate, [{ url: 'http://127.0.0.1:3001' }])
  assert.deepEqual(config.routes, [
    { path: '/api/{value}' },
    { path: '/api/13', candidate: [{ url: 'http://localhost:1337' }] },
  ])
  assert.deepEqual(config.kafka, { topic: 'miffy', brokers: ['localhost:9092'] })
})

test('log_json = true means logging = "json"', (t) => {
  assert.equal(load(t, { toml: RUST_CONFIG }).config.logging, 'json')
})

test('log_json = false leaves the default logging', (t) => {
  assert.equal(load(t, { toml: 'log_json = false\n' }).config.logging, 'human')
})

test('an explicit logging in the same file wins over log_json', (t) => {
  assert.equal(load(t, { toml: 'log_json = true\nlogging = "stackdriver"\n' }).config.logging, 'stackdriver')
})

test('MIFFY_LOGGING wins over log_json in the file', (t) => {
  assert.equal(load(t, { toml: RUST_CONFIG, env: { MIFFY_LOGGING: 'human' } }).config.logging, 'human')
})

test('MIFFY_LOG_JSON=true means logging = "json"', (t) => {
  assert.equal(load(t, { env: { MIFFY_LOG_JSON: 'true' } }).config.logging, 'json')
})
