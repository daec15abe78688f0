/**
 * The secondary through the whole proxy: three real servers running the same noisy code (the
 * reference, its secondary, an equal candidate) and a regressed candidate. Noise alone is not
 * reported; a regression inside the noise is, each path saying whether noise explained it.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { startUpstream } from '../helpers/upstream.ts'

/** A service that stamps, numbers and shuffles every answer, as real ones do. */
function noisyService(node: string, bug?: 'price') {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const tags = ['new', 'sale', 'eco'].sort(() => Math.random() - 0.5)
    const body = JSON.stringify({
      id: Number(req.url!.split('/').pop()),
      price: bug === 'price' ? 13.5 : 12.5,
      tags,
      request_id: randomUUID(),
      served_by: `${node}-${Math.random().toString(36).slice(2, 7)}`,
      took_ms: 5 + Math.floor(Math.random() * 30),
    })
    res.writeHead(200, {
      'content-type': Math.random() < 0.5 ? 'application/json' : 'application/json; charset=utf-8',
      'x-request-id': randomUUID(),
      'x-node': `${node}-${Math.floor(Math.random() * 9)}`,
    })
    res.end(body)
  }
}

async function setup(t: import('node:test').TestContext, extra: Record<string, unknown> = {}) {
  const reference = await startUpstream(t, noisyService('ref'))
  const secondary = await startUpstream(t, noisyService('sec'))
  const candidate = await startUpstream(t, noisyService('cand'))
  const regressed = await startUpstream(t, noisyService('cand', 'price'))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    secondary: secondary.url,
    routes: [{ path: '/equal/{id}' }, { path: '/regressed/{id}', candidate: regressed.url }],
    ...extra,
  })
  return { proxy, secondary }
}

test('noise alone is counted as `noise`, not published; a regression in noise is, path by path', async (t) => {
  const { proxy, secondary } = await setup(t)
  for (let i = 0; i < 30; i++) {
    for (const route of ['equal', 'regressed']) {
      const res = await request(`${proxy.url}/${route}/${i}`)
      assert.equal(res.statusCode, 200)
      await res.body.json()
    }
  }
  await proxy.settled()
  const equal = proxy.outcomes('/equal/{id}')
  const regressed = proxy.outcomes('/regressed/{id}')
  assert.equal(equal.diverged, 0, JSON.stringify(proxy.divergences({ route: '/equal/{id}' })[0]?.divergence))
  assert.equal(equal.equal + equal.noise, 30)
  assert.equal(regressed.diverged, 30)
  assert.equal(proxy.divergences({ route: '/equal/{id}' }).length, 0)
  // the secondary got every mirrored request, with its own role
  assert.equal(secondary.received.length, 60)
  assert.ok(secondary.received.every((r) => r.headers['x-shadow-test-role'] === 'secondary'))
  const [d] = proxy.divergences({ route: '/regressed/{id}' })
  const unexplained = d!.divergence!.body!.paths.filter((p) => p.noise === false)
  assert.deepEqual(
    unexplained.map((p) => [p.path, p.reference, p.candidate]),
    [['$.price', 12.5, 13.5]],
  )
  assert.ok((d!.divergence!.explained ?? 0) > 0, 'the noise it explained is listed too')
})

test('GET /noise shows what each route learned, with counts and a rule to copy', async (t) => {
  // a warm-up of the 10 pairs sent: the held pairs are judged when the tenth is learned
  const { proxy } = await setup(t, { noise_warmup: 10 })
  for (let i = 0; i < 10; i++) await (await request(`${proxy.url}/equal/${i}`)).body.text()
  await proxy.settled()
  const res = await request(`${proxy.managementUrl}/noise?route=/equal/{id}`)
  assert.equal(res.statusCode, 200)
  const { routes } = (await res.body.json()) as {
    routes: { route: string; samples: number; noise: { key: string; count: number; suggestion: string }[] }[]
  }
  assert.equal(routes.length, 1)
  assert.equal(routes[0]!.samples, 10)
  const byKey = new Map(routes[0]!.noise.map((p) => [p.key, p]))
  assert.equal(byKey.get('json $.request_id')?.suggestion, 'ignore = ["$.request_id"]')
  assert.equal(byKey.get('json $.request_id')?.count, 10)
  assert.match(byKey.get('json $.took_ms')?.suggestion ?? '', /^tolerance = \{ "\$\.took_ms" = \d+ \}$/)
  assert.equal(byKey.get('header x-node')?.suggestion, 'ignore_headers = ["x-node"]')
  // the tags come shuffled (the same order in all 10 pairs: (1/6)^10)
  assert.equal(byKey.get('json $.tags')?.suggestion, 'unordered = ["$.tags"]')
  // and the same on /metrics
  const metrics = await (await request(`${proxy.managementUrl}/metrics`)).body.text()
  assert.match(metrics, /^miffy_noise_pairs_total\{route="\/equal\/\{id\}",result="learned"\} 10$/m)
  assert.match(
    metrics,
    new RegExp(`^miffy_noise_places\\{route="/equal/\\{id\\}"\\} ${routes[0]!.noise.length}$`, 'm'),
  )
})

test('noise_sample: after the warm-up only a fraction goes to the secondary; what was learned applies to all', async (t) => {
  const { proxy, secondary } = await setup(t, { noise_sample: 0, noise_warmup: 10 })
  for (let i = 0; i < 40; i++) await (await request(`${proxy.url}/equal/${i}`)).body.text()
  await proxy.settled()
  assert.equal(secondary.received.length, 10)
  const o = proxy.outcomes('/equal/{id}')
  assert.equal(o.equal + o.noise + o.diverged, 40)
  assert.ok(o.diverged <= 1, `at most a first-sighting of rare noise: ${JSON.stringify(o)}`)
})

test('publish_noise publishes the pairs noise explains, flagged noise_only', async (t) => {
  const { proxy } = await setup(t, { publish_noise: true, noise_warmup: 5 })
  for (let i = 0; i < 5; i++) await (await request(`${proxy.url}/equal/${i}`)).body.text()
  await proxy.settled()
  const o = proxy.outcomes('/equal/{id}')
  const published = proxy.divergences({ route: '/equal/{id}' })
  assert.equal(published.length, o.noise)
  assert.ok(published.every((m) => m.divergence?.noise_only === true))
})
