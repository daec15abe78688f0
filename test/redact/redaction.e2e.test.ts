/**
 * Secrets in every shape a request or an answer carries them, through miffy to every place a
 * pair is shown (issue 10): the topic (read with kcat, as an operator would), GET /divergences,
 * the summary's examples, and the access log. Comparison still sees the real values: two
 * answers that differ only in a secret field are a divergence, with the values hidden.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { request } from 'undici'
import type { BodyRepr, PairMessage, ResponseRepr } from '../../src/diff/model.ts'
import { createTopic, kafkaVersions, kcatRead, sharedKafka } from '../helpers/kafka-broker.ts'
import { startProxy } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

/** Every secret below contains this, so one search finds any that leaked. */
const LEAK = 'LEAKED'

test('secrets are redacted on the topic, the management port and the log; comparison is unchanged', async (t) => {
  const broker = await sharedKafka(kafkaVersions()[0]!)
  const topic = `redaction-${randomUUID()}`
  await createTopic(broker.brokers, topic)
  const answer = (role: string) =>
    json(
      200,
      {
        role,
        user: { name: 'ada', password: `${LEAK}-pw-${role}` },
        access_token: `${LEAK}-at-${role}`,
        ssn: `${LEAK}-ssn-${role}`,
      },
      { 'x-session-id': `${LEAK}-s`, 'set-cookie': `sid=${LEAK}` },
    )
  const reference = await startUpstream(t, answer('reference'))
  const candidate = await startUpstream(t, answer('candidate'))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    redact_names: ['ssn'],
    redact_allow: ['author'],
    outbox: { linger: 5 },
    kafka: { topic, 'bootstrap.servers': broker.brokers },
    routes: [{ path: '/api/{id}' }, { path: '/form/{id}' }],
  })

  const jsonRes = await request(`${proxy.url}/api/1?token=${LEAK}-q&page=2`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': `${LEAK}-k`,
      'x-custom-auth': `${LEAK}-ca`,
      'x-visible': 'yes',
    },
    body: JSON.stringify({ login: 'ada', password: `${LEAK}-body`, author: 'ada' }),
  })
  // the client and both upstreams got the real values
  const got = (await jsonRes.body.json()) as { access_token: string }
  assert.equal(got.access_token, `${LEAK}-at-reference`)
  assert.equal(candidate.received[0]!.headers['x-api-key'], `${LEAK}-k`)
  assert.equal(candidate.received[0]!.url, `/api/1?token=${LEAK}-q&page=2`)

  const formRes = await request(`${proxy.url}/form/1`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `user=ada&session_key=${LEAK}-f&remember=1`,
  })
  await formRes.body.text()
  await proxy.settled()
  // the answers differ only in secret fields and `role`: still divergences, as before redaction
  assert.equal(proxy.outcomes('/api/{id}').diverged, 1)
  assert.equal(proxy.outcomes('/form/{id}').diverged, 1)

  // the management port
  const listed = await (await request(`${proxy.managementUrl}/divergences`)).body.text()
  const summary = await (await request(`${proxy.managementUrl}/divergences/summary`)).body.text()
  assert.ok(!listed.includes(LEAK), listed)
  assert.ok(!summary.includes(LEAK), summary)
  const [form, api] = (JSON.parse(listed) as { divergences: PairMessage[] }).divergences
  const body = (b: BodyRepr | undefined) => (b as { value: unknown }).value
  const response = (r: ResponseRepr) => r as Extract<ResponseRepr, { status: number }>
  assert.equal(api!.request.uri, '/api/1?token=[REDACTED]&page=2')
  assert.match(api!.reference.url, /\/api\/1\?token=\[REDACTED\]&page=2$/)
  assert.equal(api!.request.headers['x-api-key'], '[REDACTED]')
  assert.equal(api!.request.headers['x-custom-auth'], '[REDACTED]')
  assert.equal(api!.request.headers['x-visible'], 'yes')
  assert.deepEqual(body(api!.request.body), { login: 'ada', password: '[REDACTED]', author: 'ada' })
  assert.equal(response(api!.reference.response).headers['x-session-id'], '[REDACTED]')
  assert.equal(response(api!.candidate.response).headers['set-cookie'], '[REDACTED]')
  assert.deepEqual(body(response(api!.candidate.response).body), {
    role: 'candidate',
    user: { name: 'ada', password: '[REDACTED]' },
    access_token: '[REDACTED]',
    ssn: '[REDACTED]',
  })
  const paths = api!.divergence!.body!.paths
  const at = (path: string) => {
    const p = paths.find((x) => x.path === path)
    return [p?.reference, p?.candidate]
  }
  assert.deepEqual(at('$.access_token'), ['[REDACTED]', '[REDACTED]'])
  assert.deepEqual(at('$.role'), ['reference', 'candidate'])
  assert.equal(
    Buffer.from(body(form!.request.body) as string, 'base64').toString(),
    'user=ada&session_key=[REDACTED]&remember=1',
  )

  // the topic: the same bytes, read back with kcat
  const messages = await kcatRead(broker.brokers, topic)
  assert.equal(messages.length, 2)
  for (const m of messages) assert.ok(!(m.payload ?? '').includes(LEAK), m.payload ?? '')

  // the log, access lines included
  const lines = JSON.stringify(proxy.logs)
  assert.ok(!lines.includes(LEAK), lines)
  const access = proxy.logs.find((l) => l.msg === 'request' && String(l.url).startsWith('/api/1'))
  assert.equal(access?.url, '/api/1?token=[REDACTED]&page=2')
})
