/**
 * `miffy diffs` against a real broker, reading what two miffy processes (two replicas of one
 * deployment, one topic) published, plus a message in the Rust miffy 1.0 shape: the summary
 * adds the replicas up per route and per fingerprint, groups the Rust message by status pair,
 * stops at the end of the topic, follows, honours --group, and leaves no consumer group behind.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { type TestContext, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { request } from 'undici'
import type { KindSummary, Summary } from '../../src/cli/divergence-summary.ts'
import { runCli, startCli, waitForOutput } from '../helpers/cli.ts'
import { createTopic, kafkaVersions, sharedKafka } from '../helpers/kafka-broker.ts'
import { startMiffy } from '../helpers/process.ts'
import { closedPort, json, startUpstream } from '../helpers/upstream.ts'

type Output = Summary & { topic: string }

function admin(brokers: string) {
  return new Kafka({ brokers: [brokers], clientId: 'cli-diffs-test', logLevel: logLevel.NOTHING }).admin()
}

/** Waits until the topic holds `n` messages (the replicas publish in the background). */
async function topicHolds(brokers: string, topic: string, n: number): Promise<void> {
  const a = admin(brokers)
  await a.connect()
  try {
    for (;;) {
      const offsets = await a.fetchTopicOffsets(topic)
      if (offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0) >= n) return
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    await a.disconnect()
  }
}

async function diffsGroups(brokers: string): Promise<string[]> {
  const a = admin(brokers)
  await a.connect()
  try {
    return (await a.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('miffy-diffs-'))
  } finally {
    await a.disconnect()
  }
}

/** A message as the Rust miffy 1.0 published it: no id, timestamp nor divergence. */
const RUST_MESSAGE = JSON.stringify({
  request: { method: 'GET', uri: '/a/9', route: '/a/{id}', params: { id: '9' }, body: null },
  reference: { url: 'http://ref/a/9', response: { status: 200, headers: {}, body: null } },
  candidate: { url: 'http://cand/a/9', response: { status: 404, headers: {}, body: null } },
})

async function twoReplicas(t: TestContext) {
  const broker = await sharedKafka(kafkaVersions().at(-1)!)
  const topic = `cli-diffs-${randomUUID()}`
  await createTopic(broker.brokers, topic, 2)
  const reference = await startUpstream(t, (req, res) => json(200, { v: 1 })(req, res, Buffer.alloc(0)))
  const candidate = await startUpstream(t, (req, res) =>
    req.url!.startsWith('/b/')
      ? json(500, { v: 1 })(req, res, Buffer.alloc(0))
      : json(200, { v: 2 })(req, res, Buffer.alloc(0)),
  )
  const env = {
    MIFFY_REFERENCE: reference.url,
    MIFFY_CANDIDATE: candidate.url,
    MIFFY_ROUTES: '[{ path = "/a/{id}", key = "id" }, { path = "/b/{id}", key = "id" }]',
    MIFFY_OUTBOX_LINGER: '5ms',
    MIFFY_KAFKA_TOPIC: topic,
    KAFKA_BOOTSTRAP_SERVERS: broker.brokers,
  }
  const replicas = [await startMiffy(t, env), await startMiffy(t, env)]
  const send = async (replica: number, path: string) =>
    (await request(`${replicas[replica]!.proxyUrl}${path}`)).body.text()
  return { brokers: broker.brokers, topic, send }
}

const kind = (o: Output, route: string) => o.routes.find((r) => r.route === route)?.kinds ?? []
const byFingerprint = (kinds: KindSummary[]) => kinds.find((k) => k.fingerprint !== null)!

test('two replicas, one topic: counts add up per route and fingerprint; a Rust message groups by status', async (t) => {
  const { brokers, topic, send } = await twoReplicas(t)
  for (const p of ['/a/1', '/a/2', '/b/1']) await send(0, p)
  for (const p of ['/a/3', '/b/2', '/b/3']) await send(1, p)
  const kafka = new Kafka({ brokers: [brokers], clientId: 'cli-diffs-test', logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ key: '9', value: RUST_MESSAGE }] })
  await producer.disconnect()
  await topicHolds(brokers, topic, 7)

  const run = await runCli(t, ['diffs', '--brokers', brokers, '--topic', topic, '--from-beginning', '--json'])
  assert.equal(run.code, 0, run.stderr)
  const out = JSON.parse(run.stdout) as Output
  assert.equal(out.topic, topic)
  assert.equal(out.messages, 7)
  assert.equal(out.unreadable, 0)
  assert.deepEqual(
    out.routes.map((r) => [r.route, r.count]),
    [
      ['/a/{id}', 4],
      ['/b/{id}', 3],
    ],
  )
  // /a/{id}: the same body difference from both replicas under one fingerprint, plus the Rust pair
  const a = kind(out, '/a/{id}')
  assert.equal(a.length, 2)
  const body = byFingerprint(a)
  assert.equal(body.count, 3)
  assert.equal(body.status, '200→200')
  assert.deepEqual(body.differs, ['$.v'])
  assert.match(body.example_id, /^[0-9a-f-]{36}$/)
  assert.ok(body.first_seen <= body.last_seen)
  const rust = a.find((k) => k.fingerprint === null)!
  assert.deepEqual(
    { count: rust.count, status: rust.status, differs: rust.differs },
    { count: 1, status: '200→404', differs: ['status'] },
  )
  assert.match(rust.example_id, /^[01]:\d+$/)
  // /b/{id}: a status difference, three times, from both replicas
  const b = kind(out, '/b/{id}')
  assert.equal(b.length, 1)
  assert.deepEqual([b[0]!.count, b[0]!.status, b[0]!.differs[0]], [3, '200→500', 'status'])

  // the same, as a table
  const text = await runCli(t, ['diffs', '--brokers', brokers, '--topic', topic, '--from-beginning'])
  assert.equal(text.code, 0, text.stderr)
  assert.match(text.stdout, new RegExp(`^topic ${topic}: 7 divergences on 2 routes$`, 'm'))
  assert.match(text.stdout, /^\/a\/\{id\} {2}\(4, 2 kinds\)$/m)
  assert.match(
    text.stdout,
    new RegExp(`^ +3 .* 200→200 +${body.fingerprint} +${body.example_id} +\\$\\.v$`, 'm'),
  )
  assert.match(text.stdout, /^ +1 .* 200→404 +\(rust\) +[01]:\d+ +status$/m)

  assert.deepEqual(await diffsGroups(brokers), [], 'a random consumer group was left behind')
})

test('--group commits: the next run reads only what is new', async (t) => {
  const { brokers, topic, send } = await twoReplicas(t)
  await send(0, '/a/1')
  await send(1, '/a/2')
  await topicHolds(brokers, topic, 2)
  const group = `cli-diffs-test-${randomUUID()}`
  const args = ['diffs', '--brokers', brokers, '--topic', topic, '--group', group, '--json']
  const first = await runCli(t, [...args, '--from-beginning'])
  assert.equal(first.code, 0, first.stderr)
  assert.equal((JSON.parse(first.stdout) as Output).messages, 2)
  const again = await runCli(t, args)
  assert.equal(again.code, 0, again.stderr)
  assert.equal((JSON.parse(again.stdout) as Output).messages, 0)
  await send(1, '/b/1')
  await topicHolds(brokers, topic, 3)
  const third = await runCli(t, args)
  const out = JSON.parse(third.stdout) as Output
  assert.deepEqual([out.messages, out.routes[0]?.route], [1, '/b/{id}'])
})

test('--follow prints a new summary when divergences arrive, and exits 0 on SIGTERM', async (t) => {
  const { brokers, topic, send } = await twoReplicas(t)
  await send(0, '/a/1')
  await topicHolds(brokers, topic, 1)
  const cli = startCli(t, [
    'diffs',
    ...[
      '--brokers',
      brokers,
      '--topic',
      topic,
      '--from-beginning',
      '--follow',
      '--json',
      '--interval',
      '100',
    ],
  ])
  const counts = () =>
    cli
      .stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as Output).messages)
  await waitForOutput(cli, () => counts().includes(1))
  await send(1, '/a/2')
  await send(0, '/b/1')
  await waitForOutput(cli, () => counts().includes(3))
  cli.child.kill('SIGTERM')
  const end = await cli.exited
  assert.equal(end.code, 0, end.stderr)
  // each line is one complete summary; the counts only grow
  assert.deepEqual(
    counts(),
    [...counts()].sort((x, y) => x - y),
  )
  assert.deepEqual(await diffsGroups(brokers), [], 'a random consumer group was left behind')
})

test('a topic that does not exist, or a broker that does not answer: exit 1, MIFFY_ERR_KAFKA', async (t) => {
  const broker = await sharedKafka(kafkaVersions().at(-1)!)
  const missing = await runCli(t, [
    'diffs',
    '--brokers',
    broker.brokers,
    '--topic',
    `nope-${randomUUID()}`,
    '--from-beginning',
  ])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /^miffy: MIFFY_ERR_KAFKA: topic nope-\S+ on \S+: the topic does not exist$/m)
  const dead = await runCli(t, [
    'diffs',
    '--brokers',
    `127.0.0.1:${await closedPort()}`,
    '--topic',
    't',
    '--from-beginning',
  ])
  assert.equal(dead.code, 1)
  assert.match(dead.stderr, /^miffy: MIFFY_ERR_KAFKA: topic t on 127\.0\.0\.1:\d+: /m)
})
