import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { closedPort, json, startUpstream } from '../helpers/upstream.ts'

for (const path of ['/api/1', '/outside']) {
  const where = path === '/api/1' ? 'in an experiment' : 'outside experiments'

  test(`${where}: reference down → 502 with a JSON error`, async (t) => {
    const candidate = await startUpstream(t, json(200, {}))
    const proxy = await startProxy(t, {
      reference: `http://127.0.0.1:${await closedPort()}`,
      candidate: candidate.url,
      routes: [{ path: '/api/{id}' }],
    })
    const res = await request(`${proxy.url}${path}`)
    assert.equal(res.statusCode, 502)
    assert.match(String(res.headers['content-type']), /application\/json/)
    const body = (await res.body.json()) as { error: string; message: string }
    assert.equal(body.error, 'MIFFY_ERR_REFERENCE_UNAVAILABLE')
    assert.match(body.message, /could not be reached/)
    await proxy.settled()
    if (path === '/api/1') assert.equal(proxy.outcomes('/api/{id}').reference_error, 1)
  })

  test(`${where}: reference resets the connection → 502`, async (t) => {
    const reference = await startUpstream(t, (req) => {
      req.socket.destroy()
    })
    const candidate = await startUpstream(t, json(200, {}))
    const proxy = await startProxy(t, {
      reference: reference.url,
      candidate: candidate.url,
      routes: [{ path: '/api/{id}' }],
    })
    const res = await request(`${proxy.url}${path}`)
    assert.equal(res.statusCode, 502)
    assert.equal(((await res.body.json()) as { error: string }).error, 'MIFFY_ERR_REFERENCE_UNAVAILABLE')
  })

  test(`${where}: reference slower than reference_timeout → 504`, async (t) => {
    const reference = await startUpstream(t, () => new Promise(() => {}))
    const candidate = await startUpstream(t, json(200, {}))
    const proxy = await startProxy(t, {
      reference: reference.url,
      candidate: candidate.url,
      reference_timeout: 200,
      routes: [{ path: '/api/{id}' }],
    })
    const res = await request(`${proxy.url}${path}`)
    assert.equal(res.statusCode, 504)
    assert.equal(((await res.body.json()) as { error: string }).error, 'MIFFY_ERR_REFERENCE_TIMEOUT')
  })
}
