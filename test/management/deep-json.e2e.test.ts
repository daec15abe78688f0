/**
 * Deeply nested JSON (issue 10: a 100 000-deep body made /divergences and /divergences/summary
 * answer 500 until the entry aged out, and its Kafka message was dropped). Whatever the nesting,
 * in the request or either answer, on one side or both, the pair is published to the topic (read
 * back with kcat), listed by GET /divergences and summarised by GET /divergences/summary.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { request } from 'undici'
import { createTopic, kafkaVersions, kcatRead, sharedKafka } from '../helpers/kafka-broker.ts'
import { startProxy } from '../helpers/proxy.ts'
import { startUpstream } from '../helpers/upstream.ts'

const DEPTH = 100_000

/** `{"v":[[[…{"leaf":<leaf>}…]]],"n":<n>}` nested `depth` arrays deep. */
function deep(depth: number, leaf: number, n = 1): string {
  return `{"v":${'['.repeat(depth)}{"leaf":${leaf}}${']'.repeat(depth)},"n":${n}}`
}

/** The same with objects: `{"a":{"a":…{"leaf":<leaf>}…}}`. */
function deepObject(depth: number, leaf: number | string): string {
  return `${'{"a":'.repeat(depth)}{"leaf":${leaf}}${'}'.repeat(depth)}`
}

/** What each answer is, by the request's last path segment. */
const CASES: Record<string, { reference: string; candidate: string; request?: string }> = {
  // both answers too deep to walk, differing at the bottom
  'both-deep': { reference: deep(DEPTH, 1), candidate: deep(DEPTH, 2) },
  // one side shallow, the other too deep: the differing "subtree" is the whole deep value
  'one-deep': { reference: '{"v":[],"n":1}', candidate: deep(DEPTH, 2) },
  // deep, but within what can be walked: the differing subtree sits 120 levels down
  walkable: { reference: deep(120, 1), candidate: deep(120, 2) },
  // objects rather than arrays, with an integer beyond 2^53 (parsed the exact, slower way); on
  // one side only, so that the message stays under Kafka's 1 MB (both sides would be 1.6 MB and
  // be dropped as dropped_oversize, whatever their depth)
  'deep-objects': { reference: '{"a":1}', candidate: deepObject(DEPTH, '12345678901234567890') },
  // a shallow reference against a candidate whose differing value is as deep as can be walked
  'deep-value': { reference: '{"v":1}', candidate: `{"v":${deepObject(126, 2)}}` },
  // a deep request body, plain answers that differ
  'deep-request': { reference: '{"n":1}', candidate: '{"n":2}', request: deep(DEPTH, 0) },
}

test('a 100 000-deep JSON body cannot break /divergences, the summary or the Kafka message', async (t) => {
  const broker = await sharedKafka(kafkaVersions()[0]!)
  const topic = `deep-json-${randomUUID()}`
  await createTopic(broker.brokers, topic)
  const answer = (role: 'reference' | 'candidate') =>
    startUpstream(t, (req, res) => {
      const body = CASES[req.url!.split('/')[2]!]![role]
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  const reference = await answer('reference')
  const candidate = await answer('candidate')
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    max_body_bytes: '4MiB',
    outbox: { linger: 5 },
    kafka: { topic, 'bootstrap.servers': broker.brokers },
    routes: [{ path: '/deep/{case}', key: 'case' }],
  })
  for (const [name, c] of Object.entries(CASES)) {
    const res = await request(`${proxy.url}/deep/${name}`, {
      method: c.request ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json' },
      body: c.request,
    })
    assert.equal(res.statusCode, 200, name)
    assert.equal(await res.body.text(), c.reference, `${name}: the client gets the reference's bytes`)
  }
  await proxy.settled()
  const names = Object.keys(CASES)
  assert.equal(proxy.outcomes('/deep/{case}').diverged, names.length)

  const problems = proxy.logs.filter((l) => (l.level as number) >= 40)
  assert.deepEqual(problems, [], 'nothing went wrong on the way')
  const listed = await request(`${proxy.managementUrl}/divergences`)
  const listedText = await listed.body.text()
  assert.equal(listed.statusCode, 200, listedText.slice(0, 300))
  const messages = (JSON.parse(listedText) as { divergences: { request: { uri: string } }[] }).divergences
  assert.deepEqual(messages.map((m) => m.request.uri.split('/')[2]).sort(), [...names].sort())

  const summary = await request(`${proxy.managementUrl}/divergences/summary`)
  const summaryText = await summary.body.text()
  assert.equal(summary.statusCode, 200, summaryText.slice(0, 300))
  assert.equal(
    (JSON.parse(summaryText) as { routes: { diverged: number }[] }).routes[0]!.diverged,
    names.length,
  )

  const published = await kcatRead(broker.brokers, topic)
  assert.deepEqual(published.map((m) => m.key).sort(), [...names].sort())
  for (const m of published) assert.doesNotThrow(() => JSON.parse(m.payload ?? ''), m.key ?? '')
  assert.equal(proxy.outcomes('/deep/{case}').diverged, names.length)
  const books = proxy.app.ctx.ledger.summary().routes[0]!.publishing
  assert.equal(books.not_published, 0)
})
