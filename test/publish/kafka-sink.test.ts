/**
 * KafkaSink against real brokers, every Kafka version in kafkaVersions() (3.9 and 4.1), in one run.
 * Shared brokers come from the runner (see test/helpers/kafka-broker.ts); the tests that stop
 * and kill a broker start their own.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import pino from 'pino'
import { Registry } from 'prom-client'
import type { PairMessage } from '../../src/diff/model.ts'
import type { KafkaPropertyValue } from '../../src/publish/kafka-properties.ts'
import { KafkaSink, type KafkaSinkOptions } from '../../src/publish/kafka-sink.ts'
import {
  canControlBrokers,
  createTopic,
  type KafkaBroker,
  kafkaVersions,
  kcatProduce,
  kcatRead,
  readAll,
  sharedKafka,
  startKafka,
} from '../helpers/kafka-broker.ts'
import { pairMessage, publication } from '../helpers/pair-fixture.ts'

// kafkajs has leaked rejections before (tulios/kafkajs#418, #1686): any during this file fails it.
const unhandled: unknown[] = []
process.on('unhandledRejection', (reason) => {
  unhandled.push(reason)
})
after(() => {
  assert.deepEqual(unhandled, [], 'no unhandled rejection during the Kafka sink tests')
})

interface TestContextLike {
  after(fn: () => unknown): void
}

interface Harness {
  sink: KafkaSink
  registry: Registry
  logs: Array<{ level: number; msg: string; [k: string]: unknown }>
  count(result: string): Promise<number>
  gauge(name: string): Promise<number>
}

function makeSink(
  t: TestContextLike,
  topic: string,
  properties: Record<string, KafkaPropertyValue>,
  outbox: Partial<KafkaSinkOptions['outbox']> = {},
): Harness {
  const registry = new Registry()
  const logs: Harness['logs'] = []
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        const entry = JSON.parse(line)
        logs.push(entry)
        if (process.env.TEST_LOG) process.stderr.write(line)
      },
    },
  )
  const sink = new KafkaSink({
    topic,
    properties,
    outbox: { maxMessages: 10_000, maxBytes: 64 << 20, batchSize: 200, lingerMs: 5, ...outbox },
    logger,
    registry,
  })
  t.after(() => sink.close(0))
  const value = async (name: string, labels?: Record<string, string>) => {
    const metric = registry.getSingleMetric(name)
    if (!metric) throw new Error(`no metric ${name}`)
    const { values } = await metric.get()
    const found = values.find((v) => !labels || Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    return found?.value ?? 0
  }
  return {
    sink,
    registry,
    logs,
    count: (result) => value('miffy_publish_total', { result }),
    gauge: (name) => value(name),
  }
}

/** Polls `check` every 50 ms until it is true, or fails naming `what` after `timeoutMs`. */
async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(50)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`)
}

const topicName = (what: string) => `miffy-${what}-${randomUUID().slice(0, 8)}`

for (const version of kafkaVersions()) {
  describe(`KafkaSink on Kafka ${version}`, () => {
    let broker: KafkaBroker
    before(async () => {
      broker = await sharedKafka(version)
    })

    test('publishes key, JSON value and a content-type header; a kafkajs consumer and kcat agree', async (t) => {
      const topic = topicName('basic')
      await createTopic(broker.brokers, topic)
      const h = makeSink(t, topic, { 'bootstrap.servers': broker.brokers })
      const sent: PairMessage[] = [
        pairMessage({ value: '1' }),
        pairMessage({ value: '2' }),
        pairMessage({ value: 'zoë' }),
      ]
      for (const [i, m] of sent.entries()) assert.equal(h.sink.publish(publication(`key-${i}`, m)), 'queued')
      await waitFor('3 published', async () => (await h.count('published')) === 3)
      assert.equal(h.sink.state(), 'ready')
      assert.equal(await h.gauge('miffy_sink_up'), 1)
      assert.equal(await h.gauge('miffy_outbox_messages'), 0)
      assert.equal(await h.gauge('miffy_outbox_bytes'), 0)

      const consumed = await readAll(broker.brokers, topic, { expect: 3 })
      assert.deepEqual(
        consumed.map((m) => m.key),
        ['key-0', 'key-1', 'key-2'],
      )
      assert.deepEqual(
        consumed.map((m) => JSON.parse(m.value!)),
        sent,
      )
      for (const m of consumed) assert.deepEqual(m.headers, { 'content-type': 'application/json' })

      const viaKcat = await kcatRead(broker.brokers, topic)
      assert.deepEqual(
        viaKcat.map((m) => m.key),
        ['key-0', 'key-1', 'key-2'],
      )
      assert.deepEqual(
        viaKcat.map((m) => JSON.parse(m.payload!)),
        sent,
      )
      assert.deepEqual(viaKcat[0]!.headers, ['content-type', 'application/json'])
    })

    test('keys land on the partition librdkafka (the Rust miffy, kcat) picks', async (t) => {
      const topic = topicName('partitions')
      await createTopic(broker.brokers, topic, 6)
      const keys = Array.from({ length: 24 }, (_, i) => `fingerprint-${i}`)
      await kcatProduce(
        broker.brokers,
        topic,
        keys.map((k) => [k, 'from-kcat']),
      )
      const h = makeSink(t, topic, { 'bootstrap.servers': broker.brokers })
      for (const k of keys) h.sink.publish(publication(k, pairMessage()))
      assert.deepEqual(await h.sink.close(10_000), { sent: keys.length, lost: 0 })

      const all = await kcatRead(broker.brokers, topic)
      assert.equal(all.length, keys.length * 2)
      const partitionOf = (key: string, fromKcat: boolean) =>
        all.find((m) => m.key === key && (m.payload === 'from-kcat') === fromKcat)?.partition
      for (const k of keys) assert.equal(partitionOf(k, false), partitionOf(k, true), `partition of ${k}`)
      assert.ok(new Set(all.map((m) => m.partition)).size > 1, 'keys spread over several partitions')
    })

    test('close() delivers what was queued before it resolves; publish after close is dropped_closed', async (t) => {
      const topic = topicName('close')
      await createTopic(broker.brokers, topic)
      // A long linger: nothing leaves before close() asks for it.
      const h = makeSink(
        t,
        topic,
        { 'bootstrap.servers': broker.brokers },
        { lingerMs: 60_000, batchSize: 1000 },
      )
      await waitFor('ready', () => h.sink.state() === 'ready')
      for (let i = 0; i < 50; i++)
        assert.equal(h.sink.publish(publication(`k${i}`, pairMessage({ value: String(i) }))), 'queued')
      assert.equal(await h.count('published'), 0)
      assert.equal(await h.gauge('miffy_outbox_messages'), 50)

      assert.deepEqual(await h.sink.close(10_000), { sent: 50, lost: 0 })
      assert.equal(h.sink.state(), 'closed')
      const onTopic = await kcatRead(broker.brokers, topic)
      assert.equal(onTopic.length, 50)
      assert.deepEqual(
        onTopic.map((m) => m.key),
        Array.from({ length: 50 }, (_, i) => `k${i}`),
      )
      assert.equal(h.sink.publish(publication('late', pairMessage())), 'dropped_closed')
      assert.equal(await h.count('dropped_closed'), 1)
    })

    test('a full outbox (by count, then by bytes) answers dropped_full and counts it', async (t) => {
      const topic = topicName('full')
      await createTopic(broker.brokers, topic)
      const byCount = makeSink(
        t,
        topic,
        { 'bootstrap.servers': broker.brokers },
        { maxMessages: 5, lingerMs: 60_000, batchSize: 1000 },
      )
      const answers = Array.from({ length: 8 }, (_, i) =>
        byCount.sink.publish(publication(`c${i}`, pairMessage())),
      )
      assert.deepEqual(answers, [...Array(5).fill('queued'), ...Array(3).fill('dropped_full')])
      assert.equal(await byCount.count('dropped_full'), 3)
      assert.equal(await byCount.gauge('miffy_outbox_messages'), 5)
      assert.deepEqual(await byCount.sink.close(10_000), { sent: 5, lost: 0 })

      const one = pairMessage()
      const size = Buffer.byteLength(JSON.stringify(one)) + 2
      const byBytes = makeSink(
        t,
        topic,
        { 'bootstrap.servers': broker.brokers },
        { maxBytes: Math.floor(size * 2.5), lingerMs: 60_000, batchSize: 1000 },
      )
      assert.deepEqual(
        [
          byBytes.sink.publish(publication('b0', one)),
          byBytes.sink.publish(publication('b1', one)),
          byBytes.sink.publish(publication('b2', one)),
        ],
        ['queued', 'queued', 'dropped_full'],
      )
      assert.equal(await byBytes.gauge('miffy_outbox_bytes'), size * 2)
      assert.equal(await byBytes.count('dropped_full'), 1)
      assert.deepEqual(await byBytes.sink.close(10_000), { sent: 2, lost: 0 })
      assert.equal((await kcatRead(broker.brokers, topic)).length, 7)
    })

    test('a message over message.max.bytes is dropped whole and counted; the others still go', async (t) => {
      const topic = topicName('oversize')
      await createTopic(broker.brokers, topic)
      const h = makeSink(t, topic, { 'bootstrap.servers': broker.brokers, 'message.max.bytes': 4096 })
      assert.equal(
        h.sink.publish(publication('big', pairMessage({ bodyPadding: 10_000 }))),
        'dropped_oversize',
      )
      const small = pairMessage()
      assert.equal(h.sink.publish(publication('small', small)), 'queued')
      assert.deepEqual(await h.sink.close(10_000), { sent: 1, lost: 0 })
      assert.equal(await h.count('dropped_oversize'), 1)
      assert.equal(h.logs.filter((l) => l.msg.includes('larger than message.max.bytes')).length, 1)
      const onTopic = await kcatRead(broker.brokers, topic)
      assert.equal(onTopic.length, 1)
      assert.deepEqual(JSON.parse(onTopic[0]!.payload!), small)
    })

    test('SASL/PLAIN end to end over the SASL_PLAINTEXT listener', async (t) => {
      const topic = topicName('sasl')
      await createTopic(broker.brokers, topic)
      const h = makeSink(t, topic, {
        'bootstrap.servers': broker.saslBrokers,
        'security.protocol': 'sasl_plaintext',
        'sasl.mechanisms': 'PLAIN',
        'sasl.username': broker.sasl.username,
        'sasl.password': broker.sasl.password,
      })
      h.sink.publish(publication('s1', pairMessage({ value: 's1' })))
      h.sink.publish(publication('s2', pairMessage({ value: 's2' })))
      await waitFor('2 published over SASL', async () => (await h.count('published')) === 2)
      assert.equal(h.sink.state(), 'ready')
      const onTopic = await kcatRead(broker.brokers, topic)
      assert.deepEqual(
        onTopic.map((m) => m.key),
        ['s1', 's2'],
      )
    })

    test('SASL with a wrong password: unavailable, logged once, no crash; queued messages lost at close', async (t) => {
      const topic = topicName('sasl-bad')
      const h = makeSink(
        t,
        topic,
        {
          'bootstrap.servers': broker.saslBrokers,
          'security.protocol': 'sasl_plaintext',
          'sasl.mechanisms': 'PLAIN',
          'sasl.username': broker.sasl.username,
          'sasl.password': 'not-the-password',
          'retry.backoff.ms': 50,
          'retry.backoff.max.ms': 200,
        },
        { maxAttempts: 1000 },
      )
      await waitFor('unavailable', () => h.sink.state() === 'unavailable')
      assert.equal(await h.gauge('miffy_sink_up'), 0)
      assert.equal(h.sink.publish(publication('k', pairMessage())), 'queued')
      // Let it fail a few more times: still one warning.
      await sleep(1000)
      assert.equal(h.sink.state(), 'unavailable')
      const warnings = h.logs.filter((l) => l.level === 40 && l.msg.startsWith('kafka unavailable'))
      assert.equal(warnings.length, 1)
      assert.match(JSON.stringify(warnings[0]), /SASL|[Aa]uthentication/)
      assert.equal(h.logs.filter((l) => l.level >= 50).length, 0, 'nothing logged at error')
      assert.deepEqual(await h.sink.close(300), { sent: 0, lost: 1 })
      assert.equal(await h.count('lost_on_shutdown'), 1)
    })

    test('broker down at start then up: delivered by the same sink; SIGKILLed mid-run: publish stays synchronous, failures counted, recovers', {
      skip: !canControlBrokers() && 'KAFKA_BROKERS is set: this test needs a broker it can start and kill',
    }, async (t) => {
      const own = await startKafka(t, { version, start: false })
      const topic = topicName('outage')
      const fast = {
        'bootstrap.servers': own.brokers,
        retries: 0,
        'retry.backoff.ms': 50,
        'retry.backoff.max.ms': 300,
        'socket.connection.setup.timeout.ms': 1000,
        'socket.timeout.ms': 3000,
        'request.timeout.ms': 3000,
      }

      // 1. Nothing listens yet.
      const early = makeSink(t, topic, fast, { maxAttempts: 10_000 })
      assert.equal(early.sink.publish(publication('early', pairMessage({ value: 'early' }))), 'queued')
      await waitFor('unavailable while the broker is down', () => early.sink.state() === 'unavailable')
      assert.equal(await early.gauge('miffy_sink_up'), 0)

      // 2. The broker comes up: the same sink connects and delivers.
      await own.restart()
      await waitFor('early message published', async () => (await early.count('published')) === 1, 30_000)
      assert.equal(early.sink.state(), 'ready')
      assert.equal(
        early.logs.filter((l) => l.msg.startsWith('kafka unavailable')).length,
        1,
        'outage logged once',
      )
      assert.equal(early.logs.filter((l) => l.msg === 'kafka reachable again').length, 1)
      assert.deepEqual(
        (await kcatRead(own.brokers, topic)).map((m) => m.key),
        ['early'],
      )

      // 3. A hung broker (SIGSTOP): requests time out instead of failing fast, the path of
      // tulios/kafkajs#1686's uncaught KafkaJSNumberOfRetriesExceeded.
      const crash = makeSink(
        t,
        topic,
        { ...fast, 'socket.timeout.ms': 1000, 'request.timeout.ms': 1000 },
        { maxAttempts: 3, maxMessages: 100, lingerMs: 5 },
      )
      crash.sink.publish(publication('before-crash', pairMessage()))
      await waitFor('before-crash published', async () => (await crash.count('published')) === 1)
      await own.pause()
      assert.equal(crash.sink.publish(publication('while-hung', pairMessage())), 'queued')
      await waitFor(
        'the hung send counted as failed',
        async () => (await crash.count('failed')) === 1,
        30_000,
      )
      assert.notEqual(crash.sink.state(), 'ready')
      assert.deepEqual(unhandled, [])
      await own.resume()

      // 4. A crash (SIGKILL).
      await own.kill()

      let slowest = 0
      const answers = new Set<string>()
      for (let i = 0; i < 300; i++) {
        const started = performance.now()
        answers.add(crash.sink.publish(publication(`during-${i}`, pairMessage())))
        slowest = Math.max(slowest, performance.now() - started)
        if (i % 50 === 0) await sleep(20)
      }
      // Synchronous (a string, not a promise) and far below the 1 s request timeout it would wait on.
      assert.ok(slowest < 100, `publish took ${slowest.toFixed(1)} ms while the broker was dead`)
      assert.deepEqual([...answers].sort(), ['dropped_full', 'queued'])
      await waitFor('failures counted', async () => (await crash.count('failed')) > 1, 30_000)
      assert.notEqual(crash.sink.state(), 'ready')
      assert.ok((await crash.count('dropped_full')) > 0)
      const warnings = crash.logs.filter(
        (l) => l.level === 40 && /^kafka (send failed|unavailable)/.test(l.msg),
      )
      assert.ok(
        warnings.length >= 1 && warnings.length <= 2,
        `outage warnings: ${warnings.map((w) => w.msg)}`,
      )
      assert.equal(crash.logs.filter((l) => l.level >= 50).length, 0, 'nothing logged at error')
      assert.deepEqual(unhandled, [])

      // 5. Back up: the same sinks deliver again. The patient sink goes first, so the topic is
      // known to be writable before the crash sink (3 tries) is asked to deliver.
      await own.restart()
      early.sink.publish(publication('after-restart-early', pairMessage()))
      await waitFor(
        'after-restart-early published',
        async () => (await early.count('published')) === 2,
        30_000,
      )
      crash.sink.publish(publication('after-restart', pairMessage()))
      await waitFor('after-restart published', async () => (await crash.count('published')) === 2, 30_000)
      assert.equal(crash.sink.state(), 'ready')
      // 'while-hung' may be there too: the stopped broker still had the request in its socket
      // buffer when it resumed (the client had given up: at-least-once, as with any Kafka client).
      const keys = (await kcatRead(own.brokers, topic)).map((m) => m.key).filter((k) => k !== 'while-hung')
      assert.deepEqual(keys, ['early', 'before-crash', 'after-restart-early', 'after-restart'])
      assert.equal((await crash.sink.close(10_000)).lost, 0)
      assert.equal((await early.sink.close(10_000)).lost, 0)
    })
  })
}
