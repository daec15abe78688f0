import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { CompressionTypes, Partitioners } from 'kafkajs'
import {
  IGNORED_PROPERTIES,
  type KafkaPropertyValue,
  mapKafkaProperties,
  REJECTED_PROPERTIES,
  SUPPORTED_PROPERTIES,
} from '../../src/publish/kafka-properties.ts'

const BASE = { 'bootstrap.servers': 'k1:9092' }

function map(props: Record<string, KafkaPropertyValue>) {
  return mapKafkaProperties({ ...BASE, ...props })
}

/** Asserts a MIFFY_ERR_KAFKA_PROPERTY error whose message contains every fragment. */
function assertRejects(props: Record<string, KafkaPropertyValue>, ...fragments: string[]) {
  assert.throws(
    () => mapKafkaProperties(props),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'MIFFY_ERR_KAFKA_PROPERTY')
      for (const f of fragments)
        assert.ok(err.message.includes(f), `expected ${JSON.stringify(f)} in: ${err.message}`)
      return true
    },
  )
}

function pemDir(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'miffy-pem-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = (name: string, text: string) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
  return { dir, file }
}

describe('brokers and client id', () => {
  test('bootstrap.servers: comma list, trimmed, default port 9092, scheme stripped', () => {
    const { kafka } = mapKafkaProperties({
      'bootstrap.servers': ' k1:9093, k2 ,PLAINTEXT://k3:19092,[::1]:9094,',
    })
    assert.deepEqual(kafka.brokers, ['k1:9093', 'k2:9092', 'k3:19092', '[::1]:9094'])
  })

  test('legacy `brokers` array from the Rust miffy config', () => {
    const { kafka } = mapKafkaProperties({ brokers: ['a:1', 'b:2'] })
    assert.deepEqual(kafka.brokers, ['a:1', 'b:2'])
  })

  test('metadata.broker.list is an alias', () => {
    assert.deepEqual(mapKafkaProperties({ 'metadata.broker.list': 'a:1' }).kafka.brokers, ['a:1'])
  })

  test('both bootstrap.servers and brokers: error naming both', () => {
    assertRejects(
      { 'bootstrap.servers': 'a:1', brokers: ['b:2'] },
      'bootstrap.servers',
      'brokers',
      'set only one',
    )
  })

  test('missing, empty or malformed broker lists are errors', () => {
    assertRejects({}, 'bootstrap.servers is required')
    assertRejects({ 'bootstrap.servers': ' , ' }, 'bootstrap.servers lists no broker')
    assertRejects({ 'bootstrap.servers': 'a:99999' }, 'invalid broker address "a:99999"')
    assertRejects({ 'bootstrap.servers': 'a b:1' }, 'invalid broker address')
    assertRejects({ 'bootstrap.servers': true }, 'bootstrap.servers: invalid value true')
  })

  test('client.id, default miffy', () => {
    assert.equal(map({}).kafka.clientId, 'miffy')
    assert.equal(map({ 'client.id': 'shadow-1' }).kafka.clientId, 'shadow-1')
  })
})

describe('security.protocol and SASL', () => {
  test('plaintext (default, any case): no ssl, no sasl', () => {
    for (const props of [{}, { 'security.protocol': 'PLAINTEXT' }] as Record<string, KafkaPropertyValue>[]) {
      const { kafka } = map(props)
      assert.equal(kafka.ssl, undefined)
      assert.equal(kafka.sasl, undefined)
    }
  })

  test('sasl_plaintext + PLAIN', () => {
    const { kafka } = map({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': 'u',
      'sasl.password': 'p',
    })
    assert.deepEqual(kafka.sasl, { mechanism: 'plain', username: 'u', password: 'p' })
    assert.equal(kafka.ssl, undefined)
  })

  test('sasl_ssl + SCRAM-SHA-256 / SCRAM-SHA-512 (sasl.mechanism alias, any case)', () => {
    const a = map({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanism': 'scram-sha-256',
      'sasl.username': 'u',
      'sasl.password': 'p',
    })
    assert.deepEqual(a.kafka.sasl, { mechanism: 'scram-sha-256', username: 'u', password: 'p' })
    assert.deepEqual(a.kafka.ssl, { rejectUnauthorized: true })
    const b = map({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'u',
      'sasl.password': 'p',
    })
    assert.equal((b.kafka.sasl as { mechanism: string }).mechanism, 'scram-sha-512')
  })

  test('GSSAPI and OAUTHBEARER are errors naming the property', () => {
    const sasl = { 'security.protocol': 'sasl_ssl', 'sasl.username': 'u', 'sasl.password': 'p' }
    assertRejects(
      { ...BASE, ...sasl, 'sasl.mechanisms': 'GSSAPI' },
      'sasl.mechanisms',
      'not supported by kafkajs',
    )
    assertRejects({ ...BASE, ...sasl, 'sasl.mechanisms': 'OAUTHBEARER' }, 'sasl.mechanisms', 'not supported')
    assertRejects({ ...BASE, ...sasl, 'sasl.mechanisms': 'DIGEST' }, 'sasl.mechanisms', 'unknown mechanism')
  })

  test('sasl_* without mechanism (librdkafka would use GSSAPI), username or password: errors', () => {
    assertRejects(
      { ...BASE, 'security.protocol': 'sasl_plaintext' },
      'sasl.mechanisms is required',
      'sasl.username is required',
      'sasl.password is required',
      'KAFKA_SASL_PASSWORD',
    )
  })

  test('SASL credentials with a protocol that does not use them: error (they would be ignored)', () => {
    assertRejects(
      { ...BASE, 'sasl.username': 'u', 'sasl.password': 'p' },
      'sasl.username is set but security.protocol=plaintext',
    )
  })

  test('unknown security.protocol: error', () => {
    assertRejects({ ...BASE, 'security.protocol': 'sasl_tls' }, 'security.protocol', '"sasl_tls"')
  })

  test('sasl.kerberos.* and sasl.oauthbearer.*: errors', () => {
    assertRejects(
      { ...BASE, 'sasl.kerberos.service.name': 'kafka' },
      'sasl.kerberos.service.name',
      'Kerberos',
    )
    assertRejects({ ...BASE, 'sasl.oauthbearer.config': 'x' }, 'sasl.oauthbearer.config')
  })
})

describe('TLS', () => {
  test('ssl with CA, client certificate and key read from PEM files, passphrase, ciphers', (t) => {
    const { file } = pemDir(t)
    const { kafka } = map({
      'security.protocol': 'ssl',
      'ssl.ca.location': file('ca.pem', 'CA PEM'),
      'ssl.certificate.location': file('cert.pem', 'CERT PEM'),
      'ssl.key.location': file('key.pem', 'KEY PEM'),
      'ssl.key.password': 'secret',
      'ssl.cipher.suites': 'ECDHE-RSA-AES128-GCM-SHA256',
    })
    assert.deepEqual(kafka.ssl, {
      rejectUnauthorized: true,
      ca: 'CA PEM',
      cert: 'CERT PEM',
      key: 'KEY PEM',
      passphrase: 'secret',
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
    })
  })

  test('inline PEM', () => {
    const { kafka } = map({ 'security.protocol': 'ssl', 'ssl.ca.pem': 'CA' })
    assert.deepEqual(kafka.ssl, { rejectUnauthorized: true, ca: 'CA' })
  })

  test('a missing PEM file is an error naming the property and the path', () => {
    assertRejects(
      { ...BASE, 'security.protocol': 'ssl', 'ssl.ca.location': '/nonexistent/ca.pem' },
      'ssl.ca.location',
      '/nonexistent/ca.pem',
      'no such file',
    )
  })

  test('certificate without key: error', (t) => {
    const { file } = pemDir(t)
    assertRejects(
      { ...BASE, 'security.protocol': 'ssl', 'ssl.certificate.location': file('c.pem', 'C') },
      'go together',
    )
  })

  test('enable.ssl.certificate.verification=false turns rejectUnauthorized off (string or boolean)', () => {
    for (const v of [false, 'false', 'FALSE']) {
      const { kafka } = map({ 'security.protocol': 'ssl', 'enable.ssl.certificate.verification': v })
      assert.deepEqual(kafka.ssl, { rejectUnauthorized: false })
    }
    assertRejects(
      { ...BASE, 'security.protocol': 'ssl', 'enable.ssl.certificate.verification': 'nope' },
      'enable.ssl.certificate.verification: invalid value "nope"',
    )
  })

  test('TLS settings with a protocol that does not use TLS: error', () => {
    assertRejects({ ...BASE, 'ssl.ca.pem': 'CA' }, 'ssl.ca.pem is set but security.protocol=plaintext')
  })

  test('keystores, CRLs, engines: errors', () => {
    assertRejects({ ...BASE, 'ssl.keystore.location': '/k.p12' }, 'ssl.keystore.location', 'PKCS#12')
    assertRejects({ ...BASE, 'ssl.crl.location': '/crl' }, 'ssl.crl.location')
  })

  test('ssl.endpoint.identification.algorithm: accepted with a warning', () => {
    const { warnings } = map({ 'security.protocol': 'ssl', 'ssl.endpoint.identification.algorithm': 'none' })
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /ssl\.endpoint\.identification\.algorithm/)
  })
})

describe('delivery', () => {
  test('defaults: acks all, 30 s timeout, no compression, 1,000,000-byte cap', () => {
    const m = map({})
    assert.deepEqual(m.send, { acks: -1, timeout: 30_000, compression: CompressionTypes.None })
    assert.equal(m.maxMessageBytes, 1_000_000)
    assert.deepEqual(m.warnings, [])
    assert.equal(m.producer.idempotent, false)
  })

  test('acks: all, -1, 0, 1 (strings or numbers); request.required.acks alias', () => {
    assert.equal(map({ acks: 'all' }).send.acks, -1)
    assert.equal(map({ acks: 'ALL' }).send.acks, -1)
    assert.equal(map({ acks: -1 }).send.acks, -1)
    assert.equal(map({ acks: '0' }).send.acks, 0)
    assert.equal(map({ acks: 1 }).send.acks, 1)
    assert.equal(map({ 'request.required.acks': 0 }).send.acks, 0)
    assertRejects({ ...BASE, acks: 2 }, 'acks: invalid value 2')
  })

  test('compression.codec / compression.type: none, gzip; snappy, lz4, zstd are errors', () => {
    assert.equal(map({ 'compression.codec': 'gzip' }).send.compression, CompressionTypes.GZIP)
    assert.equal(map({ 'compression.type': 'NONE' }).send.compression, CompressionTypes.None)
    for (const codec of ['snappy', 'lz4', 'zstd']) {
      assertRejects(
        { ...BASE, 'compression.type': codec },
        `compression.type=${codec}`,
        'not built into kafkajs',
      )
    }
    assertRejects({ ...BASE, 'compression.codec': 'brotli' }, 'compression.codec: invalid value "brotli"')
  })

  test('timeouts', () => {
    const m = map({
      'request.timeout.ms': 5000,
      'socket.timeout.ms': '7000',
      'socket.connection.setup.timeout.ms': 1500,
    })
    assert.equal(m.send.timeout, 5000)
    assert.equal(m.kafka.requestTimeout, 7000)
    assert.equal(m.kafka.connectionTimeout, 1500)
    assertRejects({ ...BASE, 'socket.timeout.ms': 'soon' }, 'socket.timeout.ms: invalid value "soon"')
    assertRejects({ ...BASE, 'request.timeout.ms': 0 }, 'request.timeout.ms', 'from 1 to 86400000')
  })

  test('retries (message.send.max.retries alias) and backoff', () => {
    const m = map({ retries: 3, 'retry.backoff.ms': 100, 'retry.backoff.max.ms': '2000' })
    assert.deepEqual(m.kafka.retry, { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 })
    assert.deepEqual(map({ 'message.send.max.retries': 0 }).kafka.retry, { retries: 0 })
    assert.equal(map({}).kafka.retry, undefined)
    assertRejects(
      { ...BASE, 'retry.backoff.ms': 500, 'retry.backoff.max.ms': 100 },
      'retry.backoff.max.ms (100) is below retry.backoff.ms (500)',
    )
  })

  test('message.max.bytes', () => {
    assert.equal(map({ 'message.max.bytes': 2_000_000 }).maxMessageBytes, 2_000_000)
    assertRejects({ ...BASE, 'message.max.bytes': -5 }, 'message.max.bytes')
  })

  test('producer options: allow.auto.create.topics, topic.metadata.refresh.interval.ms, max.in.flight', () => {
    const m = map({
      'allow.auto.create.topics': 'false',
      'topic.metadata.refresh.interval.ms': 60_000,
      'max.in.flight.requests.per.connection': 1,
    })
    assert.equal(m.producer.allowAutoTopicCreation, false)
    assert.equal(m.producer.metadataMaxAge, 60_000)
    assert.equal(m.producer.maxInFlightRequests, 1)
  })

  test('partitioner: consistent_random by default (librdkafka, the Rust miffy); murmur2 is kafkajs default', () => {
    const partition = (name: KafkaPropertyValue | undefined, key: string, count = 6) => {
      const m = name === undefined ? map({}) : map({ partitioner: name })
      const partitionMetadata = Array.from({ length: count }, (_, i) => ({
        partitionId: i,
        leader: 1,
        replicas: [1],
        isr: [1],
        partitionErrorCode: 0,
      }))
      return m.producer.createPartitioner!()({ topic: 't', partitionMetadata, message: { key, value: null } })
    }
    // CRC-32 (IEEE) of "key-1" is 250396538, and 250396538 % 6 = 2. That this is the partition
    // librdkafka picks is checked against kcat in kafka-sink.test.ts.
    assert.equal(partition(undefined, 'key-1'), 2)
    assert.equal(partition('consistent', 'key-1'), 2)
    assert.equal(partition('consistent', ''), 0)
    assert.equal(
      map({ partitioner: 'murmur2_random' }).producer.createPartitioner,
      Partitioners.DefaultPartitioner,
    )
    assertRejects({ ...BASE, partitioner: 'fnv1a' }, 'partitioner: unsupported value "fnv1a"')
  })

  test('enable.idempotence: false accepted, true is an error; transactional.id is an error', () => {
    assert.equal(map({ 'enable.idempotence': false }).producer.idempotent, false)
    assertRejects({ ...BASE, 'enable.idempotence': 'true' }, 'enable.idempotence=true')
    assertRejects(
      { ...BASE, 'transactional.id': 'tx-1' },
      'transactional.id',
      'transactions are not supported',
    )
    assertRejects({ ...BASE, 'enable.gapless.guarantee': true }, 'enable.gapless.guarantee')
    map({ 'enable.gapless.guarantee': false })
  })
})

describe('tuning properties without a kafkajs equivalent', () => {
  const tuning = [
    'linger.ms',
    'queue.buffering.max.ms',
    'batch.num.messages',
    'batch.size',
    'queue.buffering.max.messages',
    'queue.buffering.max.kbytes',
    'message.timeout.ms',
    'delivery.timeout.ms',
    'compression.level',
    'statistics.interval.ms',
    'debug',
    'socket.keepalive.enable',
    'ssl.endpoint.identification.algorithm',
  ]
  test('each is accepted with one warning naming it', () => {
    for (const name of tuning) {
      const props: Record<string, KafkaPropertyValue> = { ...BASE, [name]: '5' }
      if (name.startsWith('ssl.')) props['security.protocol'] = 'ssl'
      const { warnings } = mapKafkaProperties(props)
      assert.equal(warnings.length, 1, name)
      assert.ok(warnings[0]!.includes(name), warnings[0])
    }
  })

  test('several at once: one warning each', () => {
    const { warnings } = map({ 'linger.ms': 5, 'batch.num.messages': 100, debug: 'all' })
    assert.equal(warnings.length, 3)
  })
})

describe('unknown properties', () => {
  test('a typo is an error naming it, with a suggestion', () => {
    assertRejects(
      { ...BASE, 'sasl.passwrod': 'x' },
      'unknown kafka property sasl.passwrod',
      'did you mean sasl.password',
    )
    assertRejects({ ...BASE, 'bootstrap.server': 'x' }, 'unknown kafka property bootstrap.server')
  })

  test('every problem is reported at once', () => {
    assertRejects(
      { ...BASE, foo: 1, bar: 2, acks: 'many' },
      'unknown kafka property foo',
      'unknown kafka property bar',
      'acks: invalid value',
    )
  })
})

describe('the property tables', () => {
  test('names are unique across supported, ignored and rejected', () => {
    const names = [
      ...SUPPORTED_PROPERTIES.flatMap((p) => [p.name, ...(p.aliases ?? [])]),
      ...Object.keys(IGNORED_PROPERTIES),
      ...Object.keys(REJECTED_PROPERTIES),
    ]
    assert.equal(new Set(names).size, names.length)
  })

  test('every supported property maps without error', (t) => {
    const { file } = pemDir(t)
    const values: Record<string, KafkaPropertyValue> = {
      'bootstrap.servers': 'a:1',
      'client.id': 'x',
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': 'u',
      'sasl.password': 'p',
      'ssl.ca.location': file('ca.pem', 'CA'),
      'ssl.certificate.location': file('cert.pem', 'C'),
      'ssl.key.location': file('key.pem', 'K'),
      'ssl.key.password': 'k',
      'ssl.cipher.suites': 'HIGH',
      'enable.ssl.certificate.verification': true,
      acks: 'all',
      'compression.codec': 'gzip',
      'request.timeout.ms': 1,
      'socket.timeout.ms': 1,
      'socket.connection.setup.timeout.ms': 1,
      retries: 1,
      'retry.backoff.ms': 1,
      'retry.backoff.max.ms': 1,
      'message.max.bytes': 1,
      partitioner: 'consistent',
      'allow.auto.create.topics': true,
      'topic.metadata.refresh.interval.ms': 1,
      'max.in.flight': 1,
      'enable.idempotence': false,
    }
    const inline = new Set(['ssl.ca.pem', 'ssl.certificate.pem', 'ssl.key.pem'])
    for (const p of SUPPORTED_PROPERTIES) {
      if (!inline.has(p.name)) assert.ok(p.name in values, `test covers ${p.name}`)
    }
    assert.deepEqual(mapKafkaProperties(values).warnings, [])
  })
})

test('millisecond properties are at most a day, like miffy durations (kafkajs timers would overflow)', () => {
  for (const name of [
    'request.timeout.ms',
    'socket.timeout.ms',
    'socket.connection.setup.timeout.ms',
    'retry.backoff.ms',
    'topic.metadata.refresh.interval.ms',
  ])
    assertRejects({ ...BASE, [name]: 2_160_000_000 }, name, 'an integer from 1 to 86400000')
  assert.equal(map({ ...BASE, 'request.timeout.ms': 86_400_000 }).send.timeout, 86_400_000)
})

test('without bootstrap.servers the table is still checked when asked not to require brokers', () => {
  assert.throws(
    () => mapKafkaProperties({ 'bootstrap.server': 'k:9092' }, { requireBrokers: false }),
    /unknown kafka property bootstrap\.server \(did you mean bootstrap\.servers\?\)/,
  )
  assert.deepEqual(mapKafkaProperties({ 'client.id': 'x' }, { requireBrokers: false }).kafka.brokers, [])
  assert.throws(() => mapKafkaProperties({ 'client.id': 'x' }), /bootstrap\.servers is required/)
})
