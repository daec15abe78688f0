import assert from 'node:assert/strict'
import { test } from 'node:test'
import { load } from './fixture.ts'

test('config.toml overrides the defaults; keys it does not name keep their defaults', (t) => {
  const { config } = load(t, { toml: 'port = 1000\nsample = 0.25\n' })
  assert.equal(config.port, 1000)
  assert.equal(config.sample, 0.25)
  assert.equal(config.management_port, 9000)
  assert.equal(config.host, '0.0.0.0')
})

test('tables merge key by key: one [outbox] key in the file leaves the others at their defaults', (t) => {
  const { config } = load(t, { toml: '[outbox]\nbatch_size = 5\n' })
  assert.deepEqual(config.outbox, {
    max_messages: 10_000,
    max_bytes: 64 * 1024 * 1024,
    batch_size: 5,
    linger: 20,
  })
})

test('MIFFY_* variables override config.toml', (t) => {
  const { config } = load(t, {
    toml: 'port = 1000\nhost = "127.0.0.1"\n[outbox]\nmax_messages = 7\n',
    env: { MIFFY_PORT: '2000', MIFFY_OUTBOX_MAX_MESSAGES: '9' },
  })
  assert.equal(config.port, 2000)
  assert.equal(config.outbox.max_messages, 9)
  assert.equal(config.host, '127.0.0.1', 'a key the environment does not set keeps the file value')
})

test('arrays are replaced, not concatenated, by a later layer', (t) => {
  const { config } = load(t, {
    toml: 'methods = ["GET", "HEAD"]\nroutes = [{ path = "/from-file" }]\n',
    env: { MIFFY_METHODS: 'POST', MIFFY_ROUTES: '[{ path = "/from-env" }]' },
  })
  assert.deepEqual(config.methods, ['POST'])
  assert.deepEqual(
    config.routes.map((r) => r.path),
    ['/from-env'],
  )
})

test('KAFKA_* variables override the [kafka] table; properties they do not name are kept', (t) => {
  const { config } = load(t, {
    toml: '[kafka]\ntopic = "from-file"\n"bootstrap.servers" = "file:9092"\n"client.id" = "from-file"\n',
    env: { KAFKA_BOOTSTRAP_SERVERS: 'env-a:9092,env-b:9092', KAFKA_SASL_PASSWORD: 's3cret' },
  })
  assert.deepEqual(config.kafka, {
    topic: 'from-file',
    'bootstrap.servers': 'env-a:9092,env-b:9092',
    'client.id': 'from-file',
    'sasl.password': 's3cret',
  })
})

test('MIFFY_KAFKA_TOPIC overrides the topic in the [kafka] table', (t) => {
  const { config } = load(t, {
    toml: '[kafka]\ntopic = "from-file"\n',
    env: { MIFFY_KAFKA_TOPIC: 'from-env' },
  })
  assert.equal(config.kafka.topic, 'from-env')
})
