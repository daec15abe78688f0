/**
 * Kubernetes injects `<SERVICE>_PORT=tcp://10.0.0.1:8080`, `<SERVICE>_SERVICE_HOST`,
 * `<SERVICE>_PORT_<N>_TCP...` for every Service in the namespace
 * (https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables). A
 * Service named `miffy` or `kafka` must not set miffy's port or a Kafka property.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { load } from './fixture.ts'

test('MIFFY_PORT=tcp://... is a service link: ignored with a warning, the file value stands', (t) => {
  const { config, warnings } = load(t, { toml: 'port = 8181\n', env: { MIFFY_PORT: 'tcp://10.0.0.1:8080' } })
  assert.equal(config.port, 8181)
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /MIFFY_PORT.*service link/)
})

test('the other variables of a Service named miffy are ignored', (t) => {
  const { config } = load(t, {
    env: {
      MIFFY_SERVICE_HOST: '10.0.0.1',
      MIFFY_SERVICE_PORT: '8080',
      MIFFY_PORT_8080_TCP: 'tcp://10.0.0.1:8080',
      MIFFY_PORT_8080_TCP_ADDR: '10.0.0.1',
      MIFFY_PORT_8080_TCP_PORT: '8080',
      MIFFY_PORT_8080_TCP_PROTO: 'tcp',
    },
  })
  assert.equal(config.port, 8080)
  assert.equal(config.host, '0.0.0.0')
})

test('a Service named kafka sets no Kafka property', (t) => {
  const { config, warnings } = load(t, {
    env: {
      KAFKA_SERVICE_HOST: '10.0.0.2',
      KAFKA_SERVICE_PORT: '9092',
      KAFKA_SERVICE_PORT_CLIENT: '9092',
      KAFKA_PORT: 'tcp://10.0.0.2:9092',
      KAFKA_PORT_9092_TCP: 'tcp://10.0.0.2:9092',
      KAFKA_PORT_9092_TCP_ADDR: '10.0.0.2',
      KAFKA_PORT_9092_TCP_PORT: '9092',
      KAFKA_PORT_9092_TCP_PROTO: 'tcp',
    },
  })
  assert.deepEqual(config.kafka, { topic: 'miffy' })
  assert.deepEqual(warnings, [])
})

test('a real KAFKA_ property next to service links is still applied', (t) => {
  const { config } = load(t, {
    env: { KAFKA_SERVICE_HOST: '10.0.0.2', KAFKA_BOOTSTRAP_SERVERS: 'kafka:9092' },
  })
  assert.deepEqual(config.kafka, { topic: 'miffy', 'bootstrap.servers': 'kafka:9092' })
})

// BUG: only the exact prefixes KAFKA_SERVICE_* / KAFKA_PORT_<N>_* are recognised. A Service named
// `kafka-headless` (what the common Kafka Helm charts create) injects
// KAFKA_HEADLESS_SERVICE_HOST and friends, which become properties such as
// "headless.service.host"; src/publish/kafka-properties.ts rejects unknown names, so start-up stops.
test('the variables of a Service named kafka-<anything> set no Kafka property', (t) => {
  const { config } = load(t, {
    env: {
      KAFKA_HEADLESS_SERVICE_HOST: '10.0.0.3',
      KAFKA_HEADLESS_SERVICE_PORT: '9092',
      KAFKA_HEADLESS_SERVICE_PORT_TCP_CLIENT: '9092',
      KAFKA_HEADLESS_PORT: 'tcp://10.0.0.3:9092',
      KAFKA_HEADLESS_PORT_9092_TCP: 'tcp://10.0.0.3:9092',
      KAFKA_HEADLESS_PORT_9092_TCP_ADDR: '10.0.0.3',
      KAFKA_HEADLESS_PORT_9092_TCP_PORT: '9092',
      KAFKA_HEADLESS_PORT_9092_TCP_PROTO: 'tcp',
    },
  })
  assert.deepEqual(config.kafka, { topic: 'miffy' })
})
