/**
 * The user's whole loop against a real broker: requests through miffy, differing pairs on the
 * topic, read back with kcat as an operator would. Runs against every Kafka version of the
 * harness (3.9 and 4.1).
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { request } from 'undici'
import {
  canControlBrokers,
  createTopic,
  kafkaVersions,
  kcatRead,
  readAll,
  sharedKafka,
  startKafka,
} from '../helpers/kafka-broker.ts'
import { startMiffy } from '../helpers/process.ts'
import { startProxy } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

const parse = (m: { payload: string | null }) => JSON.parse(m.payload ?? 'null')

for (const version of kafkaVersions()) {
  describe(`miffy → Kafka ${version}`, () => {
    test('keys by param, static and default; equal pairs not published; secrets redacted', async (t) => {
      const broker = await sharedKafka(version)
      const topic = `e2e-${randomUUID()}`
      await createTopic(broker.brokers, topic)
      const reference = await startUpstream(t, (req, res) => {
        json(200, { v: 1 }, { 'set-cookie': 'session=abc', 'x-secret': 'ref-secret' })(
          req,
          res,
          Buffer.alloc(0),
        )
      })
      const candidate = await startUpstream(t, (req, res) => {
        json(200, { v: req.url!.startsWith('/same/') ? 1 : 2 }, { 'set-cookie': 'session=def' })(
          req,
          res,
          Buffer.alloc(0),
        )
      })
      const proxy = await startProxy(t, {
        reference: reference.url,
        candidate: candidate.url,
        redact_headers: ['X-Secret'],
        // headers differ on purpose (to be redacted); only bodies are compared here
        compare_headers: [],
        outbox: { linger: 5 },
        kafka: { topic, 'bootstrap.servers': broker.brokers },
        routes: [
          { path: '/param/{id}', key: 'id' },
          { path: '/static/{id}', key: 'fixed-key' },
          { path: '/default/{id}' },
          { path: '/same/{id}' },
        ],
      })
      const headers = {
        authorization: 'Bearer top-secret',
        cookie: 'a=b',
        'x-secret': 'client-secret',
        'x-visible': 'yes',
      }
      for (const path of ['/param/42', '/static/7', '/default/9', '/same/1']) {
        const res = await request(`${proxy.url}${path}`, { headers })
        assert.deepEqual(await res.body.json(), { v: 1 })
      }
      await proxy.settled()
      assert.equal(proxy.outcomes('/same/{id}').equal, 1)

      const messages = await kcatRead(broker.brokers, topic)
      assert.deepEqual(messages.map((m) => m.key).sort(), ['/default/{id}', '42', 'fixed-key'])
      for (const m of messages) {
        const pair = parse(m)
        assert.equal(pair.request.headers.authorization, '[REDACTED]')
        assert.equal(pair.request.headers.cookie, '[REDACTED]')
        assert.equal(pair.request.headers['x-secret'], '[REDACTED]')
        assert.equal(pair.request.headers['x-visible'], 'yes')
        assert.equal(pair.reference.response.headers['set-cookie'], '[REDACTED]')
        assert.equal(pair.reference.response.headers['x-secret'], '[REDACTED]')
        assert.equal(pair.candidate.response.headers['set-cookie'], '[REDACTED]')
        assert.deepEqual(pair.reference.response.body, { type: 'json', value: { v: 1 } })
        assert.deepEqual(pair.candidate.response.body, { type: 'json', value: { v: 2 } })
        assert.deepEqual(pair.divergence.body.paths, [
          { path: '$.v', reference: 1, candidate: 2, change: 'value' },
        ])
        assert.ok(!JSON.stringify(pair).includes('top-secret'))
      }
      // and the same through a kafkajs consumer
      const consumed = await readAll(broker.brokers, topic, { expect: 3 })
      assert.equal(consumed.length, 3)
    })

    test('a hung broker adds nothing to the client path; the pairs are published once it is back', async (t) => {
      if (!canControlBrokers()) return t.skip('needs a broker it can pause (KAFKA_BROKERS is external)')
      const broker = await startKafka(t, { version })
      const topic = `e2e-${randomUUID()}`
      await createTopic(broker.brokers, topic)
      const reference = await startUpstream(t, json(200, { v: 1 }))
      const candidate = await startUpstream(t, json(200, { v: 2 }))
      const proxy = await startProxy(t, {
        reference: reference.url,
        candidate: candidate.url,
        outbox: { linger: 5 },
        kafka: { topic, 'bootstrap.servers': broker.brokers, 'request.timeout.ms': 30000 },
        routes: [{ path: '/x/{id}' }],
      })
      await broker.pause()
      const N = 20
      // every client answered while the broker does not answer at all
      const answers = await Promise.all(
        Array.from({ length: N }, (_, i) => request(`${proxy.url}/x/${i}`).then((r) => r.body.json())),
      )
      assert.ok(answers.every((a) => (a as { v: number }).v === 1))
      await proxy.settled()
      assert.equal(proxy.outcomes('/x/{id}').diverged, N)
      await broker.resume()
      const messages = await readAll(broker.brokers, topic, { expect: N, timeoutMs: 60_000 })
      assert.equal(messages.length, N)
    })
  })
}

describe('the real process with Kafka', () => {
  const version = kafkaVersions().at(-1)!

  test('Kafka down at start: miffy serves anyway, reports the sink, publishes once the broker is up; SIGTERM flushes', async (t) => {
    if (!canControlBrokers()) return t.skip('needs a broker it can start late (KAFKA_BROKERS is external)')
    const broker = await startKafka(t, { version, start: false })
    const topic = `e2e-${randomUUID()}`
    const reference = await startUpstream(t, json(200, { v: 1 }))
    const candidate = await startUpstream(t, json(200, { v: 2 }))
    const miffy = await startMiffy(
      t,
      {
        MIFFY_REFERENCE: reference.url,
        MIFFY_CANDIDATE: candidate.url,
        MIFFY_ROUTES: '[{ path = "/x/{id}", key = "id" }]',
        MIFFY_OUTBOX_LINGER: '5ms',
        MIFFY_KAFKA_TOPIC: topic,
        KAFKA_BOOTSTRAP_SERVERS: broker.brokers,
        KAFKA_ALLOW_AUTO_CREATE_TOPICS: 'true',
      },
      [process.execPath, 'src/main.ts'],
    )
    const before = await request(`${miffy.proxyUrl}/x/1`)
    assert.deepEqual(await before.body.json(), { v: 1 })
    const ready = (await (await request(`${miffy.managementUrl}/readyz`)).body.json()) as {
      sink: { state: string }
    }
    assert.notEqual(ready.sink.state, 'ready')
    const strict = await request(`${miffy.managementUrl}/readyz?strict`)
    assert.equal(strict.statusCode, 503)
    await strict.body.text()

    await broker.restart()
    await createTopic(broker.brokers, topic)
    for (let i = 2; i <= 5; i++) {
      const res = await request(`${miffy.proxyUrl}/x/${i}`).catch((err: Error) => {
        throw new Error(
          `request ${i} failed (${err.message}); miffy exit ${miffy.child.exitCode}; stderr:\n${miffy.stderr()}\nlast log lines:\n${miffy.lines
            .slice(-5)
            .map((l) => JSON.stringify(l))
            .join('\n')}`,
        )
      })
      await res.body.text()
    }
    miffy.child.kill('SIGTERM')
    assert.equal(await miffy.exited, 0, miffy.stderr())
    // everything queued before SIGTERM is on the topic: the one from before the broker was up too
    const messages = await kcatRead(broker.brokers, topic)
    assert.deepEqual(messages.map((m) => m.key).sort(), ['1', '2', '3', '4', '5'])
  })
})
