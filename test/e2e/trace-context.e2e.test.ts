/**
 * W3C trace context end to end, with the real process and a real broker: both upstreams see
 * the same `traceparent` (the client's, or one miffy starts), and the trace id is in the message
 * on the topic (read with kcat), in GET /divergences (also as a filter) and in the access log.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { createTopic, kafkaVersions, kcatRead, sharedKafka } from '../helpers/kafka-broker.ts'
import { startMiffy } from '../helpers/process.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

const TRACE = '0af7651916cd43dd8448eb211c80319c'
const CLIENT = `00-${TRACE}-b7ad6b7169203331-01`
const STATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'

test('both legs share the trace; the message, /divergences and the access log carry its id', async (t) => {
  const broker = await sharedKafka(kafkaVersions()[0]!)
  const topic = `trace-${randomUUID()}`
  await createTopic(broker.brokers, topic)
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const candidate = await startUpstream(t, json(200, { v: 2 }))
  const miffy = await startMiffy(
    t,
    {
      MIFFY_REFERENCE: reference.url,
      MIFFY_CANDIDATE: candidate.url,
      MIFFY_ROUTES: '[{ path = "/api/{id}", key = "id" }]',
      MIFFY_OUTBOX_LINGER: '5ms',
      MIFFY_KAFKA_TOPIC: topic,
      KAFKA_BOOTSTRAP_SERVERS: broker.brokers,
    },
    [process.execPath, 'src/main.ts'],
  )
  const send = async (path: string, headers: Record<string, string>) => {
    const res = await request(`${miffy.proxyUrl}${path}`, { headers })
    assert.deepEqual(await res.body.json(), { v: 1 })
  }
  await send('/api/incoming', { traceparent: CLIENT, tracestate: STATE })
  await send('/api/started', {})
  await send('/api/invalid', { traceparent: CLIENT.toUpperCase(), tracestate: STATE })
  await send('/outside', {})
  while (candidate.received.length < 3) await sleep(20)

  const legs = (path: string) => {
    const ref = reference.received.find((r) => r.url === path)!.headers
    const cand = candidate.received.find((r) => r.url === path)!.headers
    return { ref, cand }
  }
  // a valid traceparent and its tracestate go to both legs unchanged (a proxy that records no span)
  const incoming = legs('/api/incoming')
  assert.equal(incoming.ref.traceparent, CLIENT)
  assert.equal(incoming.cand.traceparent, CLIENT)
  assert.equal(incoming.ref.tracestate, STATE)
  assert.equal(incoming.cand.tracestate, STATE)
  // without one, both legs get the same new sampled trace
  const started = legs('/api/started')
  assert.match(String(started.ref.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
  assert.equal(started.cand.traceparent, started.ref.traceparent)
  const startedTrace = String(started.ref.traceparent).slice(3, 35)
  // an invalid one is restarted, and its tracestate dropped
  const invalid = legs('/api/invalid')
  assert.notEqual(invalid.ref.traceparent, CLIENT.toUpperCase())
  assert.equal(invalid.cand.traceparent, invalid.ref.traceparent)
  assert.equal(invalid.ref.tracestate, undefined)
  assert.equal(invalid.cand.tracestate, undefined)
  const restartedTrace = String(invalid.ref.traceparent).slice(3, 35)
  // requests outside experiments are proxied as they are
  assert.equal(reference.received.find((r) => r.url === '/outside')!.headers.traceparent, undefined)

  const expected = { incoming: TRACE, started: startedTrace, invalid: restartedTrace }
  let messages = await kcatRead(broker.brokers, topic)
  for (let i = 0; i < 50 && messages.length < 3; i++) {
    await sleep(100)
    messages = await kcatRead(broker.brokers, topic)
  }
  assert.deepEqual(
    Object.fromEntries(
      messages.map((m) => {
        const pair = JSON.parse(m.payload!) as { trace_id: string }
        return [m.key, pair.trace_id]
      }),
    ),
    expected,
  )

  const filtered = (await (
    await request(`${miffy.managementUrl}/divergences?trace_id=${startedTrace}`)
  ).body.json()) as {
    divergences: { request: { uri: string }; trace_id: string }[]
  }
  assert.deepEqual(
    filtered.divergences.map((d) => [d.request.uri, d.trace_id]),
    [['/api/started', startedTrace]],
  )

  while (miffy.lines.filter((l) => l.component === 'access').length < 4) await sleep(20)
  const access = Object.fromEntries(
    miffy.lines.filter((l) => l.component === 'access').map((l) => [l.url, l.trace_id]),
  )
  assert.deepEqual(access, {
    '/api/incoming': TRACE,
    '/api/started': startedTrace,
    '/api/invalid': restartedTrace,
    '/outside': undefined,
  })
  miffy.child.kill('SIGTERM')
  assert.equal(await miffy.exited, 0, miffy.stderr())
})
