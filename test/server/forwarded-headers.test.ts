/**
 * X-Forwarded-For / -Proto / -Host on the way up (issue 10), on plain proxying and on both legs
 * of a mirror; `forwarded_headers = false` sends the client's headers exactly (the Rust miffy).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

async function setup(t: import('node:test').TestContext, overrides: Record<string, unknown> = {}) {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 1 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
    ...overrides,
  })
  return { reference, candidate, proxy }
}

test('added on both legs of a mirror and on plain proxying', async (t) => {
  const { reference, candidate, proxy } = await setup(t)
  await (await request(`${proxy.url}/api/1`, { headers: { host: 'shop.example' } })).body.text()
  await (await request(`${proxy.url}/plain`, { headers: { host: 'shop.example' } })).body.text()
  await proxy.settled()
  for (const r of [...reference.received, ...candidate.received]) {
    assert.equal(r.headers['x-forwarded-for'], '127.0.0.1', r.url)
    assert.equal(r.headers['x-forwarded-proto'], 'http', r.url)
    assert.equal(r.headers['x-forwarded-host'], 'shop.example', r.url)
  }
  assert.equal(reference.received.length, 2)
  assert.equal(candidate.received.length, 1)
})

test("the client's X-Forwarded-For is appended to; its -Proto and -Host are kept", async (t) => {
  const { reference, candidate, proxy } = await setup(t)
  await (
    await request(`${proxy.url}/api/1`, {
      headers: {
        'x-forwarded-for': '203.0.113.7, 10.0.0.2',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'www.example',
      },
    })
  ).body.text()
  await proxy.settled()
  for (const r of [reference.received[0]!, candidate.received[0]!]) {
    assert.equal(r.headers['x-forwarded-for'], '203.0.113.7, 10.0.0.2, 127.0.0.1')
    assert.equal(r.headers['x-forwarded-proto'], 'https')
    assert.equal(r.headers['x-forwarded-host'], 'www.example')
  }
})

test('forwarded_headers = false: exactly what the client sent', async (t) => {
  const { reference, candidate, proxy } = await setup(t, { forwarded_headers: false })
  await (await request(`${proxy.url}/api/1`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).body.text()
  await (await request(`${proxy.url}/plain`)).body.text()
  await proxy.settled()
  assert.equal(reference.received[0]!.headers['x-forwarded-for'], '203.0.113.7')
  assert.equal(candidate.received[0]!.headers['x-forwarded-for'], '203.0.113.7')
  for (const r of [...reference.received, ...candidate.received]) {
    assert.equal(r.headers['x-forwarded-proto'], undefined)
    assert.equal(r.headers['x-forwarded-host'], undefined)
  }
  assert.equal(reference.received[1]!.headers['x-forwarded-for'], undefined)
})
