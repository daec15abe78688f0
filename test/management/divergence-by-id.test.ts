/**
 * GET /divergences/:id on the management port: one stored pair by its id (what `miffy replay`
 * fetches), 404 `not_found` for an id the log does not hold, also with workers (the primary asks
 * them).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import type { PairMessage } from '../../src/diff/model.ts'
import { startMiffy } from '../helpers/process.ts'
import { startProxy } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

async function getJson(url: string) {
  const res = await request(url)
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
}

test('a stored divergence by its id; an unknown id is 404 not_found', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 2 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/a/{id}' }],
  })
  for (const p of ['/a/1', '/a/2']) {
    await (await request(`${proxy.url}${p}`)).body.text()
    await proxy.settled()
  }
  const { divergences } = (await getJson(`${proxy.managementUrl}/divergences`)).body as {
    divergences: PairMessage[]
  }
  const older = divergences[1]!
  const found = await getJson(`${proxy.managementUrl}/divergences/${older.id}`)
  assert.equal(found.status, 200)
  assert.deepEqual(found.body, JSON.parse(JSON.stringify(older)))
  assert.equal((found.body as unknown as PairMessage).request.uri, '/a/1')

  const missing = await getJson(`${proxy.managementUrl}/divergences/no-such-id`)
  assert.equal(missing.status, 404)
  assert.equal(missing.body.error, 'not_found')
  // the summary keeps its own route
  assert.equal((await getJson(`${proxy.managementUrl}/divergences/summary`)).status, 200)
})

test('with two workers, the primary finds the pair in whichever worker holds it', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 2 }))
  const miffy = await startMiffy(t, {
    MIFFY_WORKERS: '2',
    MIFFY_REFERENCE: reference.url,
    MIFFY_CANDIDATE: candidate.url,
    MIFFY_ROUTES: '[{ path = "/a/{id}" }]',
  })
  // separate connections, so that both workers get some
  for (let i = 0; i < 6; i++) await (await request(`${miffy.proxyUrl}/a/${i}`, { reset: true })).body.text()
  let listed: PairMessage[] = []
  while (listed.length < 6) {
    listed = ((await getJson(`${miffy.managementUrl}/divergences`)).body as { divergences: PairMessage[] })
      .divergences
    if (listed.length < 6) await new Promise((r) => setTimeout(r, 50))
  }
  for (const d of listed) {
    const found = await getJson(`${miffy.managementUrl}/divergences/${d.id}`)
    assert.equal(found.status, 200)
    assert.equal((found.body as unknown as PairMessage).id, d.id)
  }
})
