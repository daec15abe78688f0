/**
 * Each experiment control, through the whole proxy with real upstreams.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { json, resettingPort, startUpstream } from '../helpers/upstream.ts'

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await request(url, { headers })
  const body = await res.body.text()
  return { status: res.statusCode, body }
}

test('sample = 0: every matching request is sampled_out and the candidate never called', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 1 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/x/{id}', sample: 0 }],
  })
  for (let i = 0; i < 5; i++) assert.equal((await get(`${proxy.url}/x/${i}`)).status, 200)
  assert.equal(proxy.outcomes('/x/{id}').sampled_out, 5)
  assert.equal(candidate.received.length, 0)
  assert.ok(reference.received.every((r) => r.headers['x-shadow-test-role'] === 'upstream'))
})

test('sample_by a header is sticky: two proxy instances make the same choice for each user', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 1 }))
  const config = {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/x/{id}', sample: 0.5, sample_by: 'header:X-User' }],
  }
  const one = await startProxy(t, config)
  const two = await startProxy(t, config)
  const chosen = async (proxy: typeof one) => {
    const inSet: string[] = []
    for (let u = 0; u < 40; u++) {
      const before = proxy.outcomes('/x/{id}').sampled_out
      await get(`${proxy.url}/x/1`, { 'x-user': `user-${u}` })
      if (proxy.outcomes('/x/{id}').sampled_out === before) inSet.push(`user-${u}`)
    }
    return inSet
  }
  const a = await chosen(one)
  const b = await chosen(two)
  assert.deepEqual(a, b)
  assert.ok(a.length > 5 && a.length < 35, `about half are in: ${a.length}`)
  // and again on the same instance: the same users
  assert.deepEqual(await chosen(one), a)
})

test('methods = ["GET"]: a POST is method_skipped and goes to the reference alone', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 1 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/x/{id}', methods: ['get'] }],
  })
  const res = await request(`${proxy.url}/x/1`, { method: 'POST', body: 'payload' })
  await res.body.text()
  await get(`${proxy.url}/x/2`)
  await proxy.settled()
  assert.equal(proxy.outcomes('/x/{id}').method_skipped, 1)
  assert.equal(proxy.outcomes('/x/{id}').equal, 1)
  assert.deepEqual(
    candidate.received.map((r) => r.method),
    ['GET'],
  )
  assert.equal(reference.received[0]!.body.toString(), 'payload')
})

test('a burst against a slow candidate: every client answered while the candidate is blocked, drops counted', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  t.after(() => release())
  const candidate = await startUpstream(t, async (req, res) => {
    await gate
    json(200, { a: 1 })(req, res, Buffer.alloc(0))
  })
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    candidate_timeout: '30s',
    routes: [{ path: '/x/{id}', max_in_flight: 2, queue: 3 }],
  })
  const N = 20
  const answers = await Promise.all(Array.from({ length: N }, (_, i) => get(`${proxy.url}/x/${i}`)))
  // all 20 answered, although the candidate has not answered a single mirror yet
  assert.ok(answers.every((a) => a.status === 200 && a.body === '{"a":1}'))
  assert.equal(proxy.outcomes('/x/{id}').dropped_queue_full, N - 5)
  release()
  await proxy.settled()
  const o = proxy.outcomes('/x/{id}')
  assert.equal(o.equal, 5)
  assert.equal(
    Object.values(o).reduce((a, b) => a + b, 0),
    N,
  )
  assert.equal(proxy.app.ctx.budget.used, 0)
})

test('memory_budget: a mirror that cannot buffer within the budget is dropped_memory', async (t) => {
  const big = { data: 'x'.repeat(8000) }
  const reference = await startUpstream(t, json(200, big))
  const candidate = await startUpstream(t, json(200, big))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    memory_budget: 4096,
    routes: [{ path: '/x/{id}' }],
  })
  const res = await get(`${proxy.url}/x/1`)
  assert.equal(res.body, JSON.stringify(big))
  await proxy.settled()
  assert.equal(proxy.outcomes('/x/{id}').dropped_memory, 1)
  assert.equal(proxy.app.ctx.budget.used, 0)
})

test('circuit breaker: opens after N failures, stops mirroring, then one probe closes it again', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  let healthy = false
  const candidate = await startUpstream(t, (req, res) => {
    if (!healthy) return req.socket.destroy()
    json(200, { a: 1 })(req, res, Buffer.alloc(0))
  })
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/x/{id}', breaker_failures: 3, breaker_cool_down: 300 }],
  })
  const route = '/x/{id}'
  for (let i = 0; i < 3; i++) {
    await get(`${proxy.url}/x/${i}`)
    await proxy.settled()
  }
  assert.equal(proxy.outcomes(route).candidate_error, 3)
  for (let i = 0; i < 4; i++) await get(`${proxy.url}/x/${i}`)
  assert.equal(proxy.outcomes(route).circuit_open, 4)
  const metrics = await (await request(`${proxy.managementUrl}/metrics`)).body.text()
  assert.match(metrics, /miffy_circuit_open\{route="\/x\/\{id\}"\} 1/)
  healthy = true
  await new Promise((r) => setTimeout(r, 350))
  await get(`${proxy.url}/x/probe`)
  await proxy.settled()
  assert.equal(proxy.outcomes(route).equal, 1)
  await get(`${proxy.url}/x/after`)
  await proxy.settled()
  assert.equal(proxy.outcomes(route).equal, 2)
  assert.equal(proxy.app.ctx.ledger.summary().routes[0]!.outcomes.circuit_open, 4)
})

test('a candidate list is used round-robin, and one that failed is skipped for a while', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const c1 = await startUpstream(t, json(200, { a: 1 }))
  const c2 = await startUpstream(t, json(200, { a: 1 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: [c1.url, c2.url],
    routes: [{ path: '/x/{id}' }],
  })
  for (let i = 0; i < 4; i++) {
    await get(`${proxy.url}/x/${i}`)
    await proxy.settled()
  }
  assert.equal(c1.received.length, 2)
  assert.equal(c2.received.length, 2)

  const down = `http://127.0.0.1:${await resettingPort(t)}`
  const rotating = await startProxy(t, {
    reference: reference.url,
    candidate: [down, c1.url],
    breaker_cool_down: '30s',
    routes: [{ path: '/x/{id}' }],
  })
  const before = c1.received.length
  for (let i = 0; i < 5; i++) {
    await get(`${rotating.url}/x/${i}`)
    await rotating.settled()
  }
  // the first request tried the dead one; after that it is skipped
  assert.equal(rotating.outcomes('/x/{id}').candidate_error, 1)
  assert.equal(c1.received.length - before, 4)
})

test('gzip from one side and identity from the other with the same JSON are equal', async (t) => {
  const body = JSON.stringify({ items: [1, 2, 3], name: 'same' })
  const reference = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    res.end(gzipSync(body))
  })
  const candidate = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ name: 'same', items: [1, 2, 3] }))
  })
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/x/{id}' }],
  })
  const res = await request(`${proxy.url}/x/1`)
  // the client gets the reference's bytes untouched
  assert.equal(res.headers['content-encoding'], 'gzip')
  assert.deepEqual(Buffer.from(await res.body.arrayBuffer()), gzipSync(body))
  await proxy.settled()
  assert.equal(proxy.outcomes('/x/{id}').equal, 1)
})

test('ignore paths with wildcards, compare_headers and ignore_status', async (t) => {
  const reference = await startUpstream(
    t,
    json(200, { meta: { ts: 1 }, items: [{ id: 'a', v: 1 }], requestId: 'r1' }, { 'x-version': '1' }),
  )
  const candidate = await startUpstream(
    t,
    json(201, { meta: { ts: 2 }, items: [{ id: 'b', v: 1 }], requestId: 'r2' }, { 'x-version': '2' }),
  )
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [
      {
        path: '/ignored/{id}',
        ignore: ['$.meta.ts', '$.items[*].id', '$..requestId'],
        ignore_headers: ['x-version'],
        ignore_status: true,
      },
      {
        path: '/headers/{id}',
        ignore: ['$.meta.ts', '$.items[*].id', '$..requestId'],
        ignore_status: true,
        compare_headers: ['X-Version'],
      },
      { path: '/plain/{id}' },
    ],
  })
  for (const p of ['/ignored/1', '/headers/1', '/plain/1']) await get(`${proxy.url}${p}`)
  await proxy.settled()
  assert.equal(proxy.outcomes('/ignored/{id}').equal, 1)
  assert.equal(proxy.outcomes('/headers/{id}').diverged, 1)
  assert.equal(proxy.outcomes('/plain/{id}').diverged, 1)
  const byRoute = (route: string) => proxy.divergences({ route })[0]!.divergence!
  assert.deepEqual(byRoute('/headers/{id}').headers, ['x-version'])
  const plain = byRoute('/plain/{id}')
  assert.deepEqual(plain.status, { reference: 200, candidate: 201 })
  assert.deepEqual(plain.body!.paths.map((p) => p.path).sort(), ['$.items[0].id', '$.meta.ts', '$.requestId'])
})
