import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { startUpstream } from '../helpers/upstream.ts'

// The client always gets the reference's status, headers and body, whatever the candidate says.
const CASES = [
  { status: 200, body: '{"from":"reference"}', type: 'application/json' },
  { status: 404, body: 'no such thing', type: 'text/plain' },
  { status: 500, body: '{"error":"boom"}', type: 'application/json' },
  { status: 204, body: '', type: undefined },
]

for (const path of ['/api/1', '/outside']) {
  const where = path === '/api/1' ? 'in an experiment' : 'outside experiments'
  for (const c of CASES) {
    test(`${where}: the client gets the reference's ${c.status}`, async (t) => {
      const reference = await startUpstream(t, (_req, res) => {
        const headers: Record<string, string> = { 'x-from': 'reference' }
        if (c.type) headers['content-type'] = c.type
        res.writeHead(c.status, headers)
        res.end(c.body)
      })
      const candidate = await startUpstream(t, (_req, res) => {
        res.writeHead(c.status === 200 ? 503 : 200, { 'x-from': 'candidate', 'content-type': 'text/plain' })
        res.end('candidate body')
      })
      const proxy = await startProxy(t, {
        reference: reference.url,
        candidate: candidate.url,
        routes: [{ path: '/api/{id}' }],
      })
      const res = await request(`${proxy.url}${path}`)
      assert.equal(res.statusCode, c.status)
      assert.equal(res.headers['x-from'], 'reference')
      assert.equal(res.headers['content-type'], c.type)
      assert.equal(await res.body.text(), c.body)
      await proxy.settled()
      if (path === '/api/1') {
        const o = proxy.outcomes('/api/{id}')
        assert.equal(o.diverged, 1, JSON.stringify(o))
      }
    })
  }

  test(`${where}: HEAD gets the reference's status and headers and no body`, async (t) => {
    // (headers are not compared here: the reference's own x-from would be a divergence)
    const reference = await startUpstream(t, (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': '17',
        'x-from': 'reference',
      })
      res.end()
    })
    const candidate = await startUpstream(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '17' })
      res.end()
    })
    const proxy = await startProxy(t, {
      reference: reference.url,
      candidate: candidate.url,
      routes: [{ path: '/api/{id}' }],
      compare_headers: [],
    })
    const res = await request(`${proxy.url}${path}`, { method: 'HEAD' })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['x-from'], 'reference')
    assert.equal(res.headers['content-length'], '17')
    assert.equal(await res.body.text(), '')
    assert.equal(reference.received[0]!.method, 'HEAD')
    await proxy.settled()
    if (path === '/api/1') assert.equal(proxy.outcomes('/api/{id}').equal, 1)
  })
}
