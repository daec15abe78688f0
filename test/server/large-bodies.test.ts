import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

test('a large response streams to the client whole; above max_body_bytes it is compared by a streamed digest', async (t) => {
  const big = randomBytes(5 * 1024 * 1024)
  const reference = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    // in pieces, so it really streams
    let i = 0
    const step = () => {
      while (i < big.length) {
        const ok = res.write(big.subarray(i, i + 65536))
        i += 65536
        if (!ok) return res.once('drain', step)
      }
      res.end()
    }
    step()
  })
  const candidate = await startUpstream(t, json(200, {}))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    max_body_bytes: '1MiB',
    routes: [{ path: '/files/{*rest}' }],
  })
  for (const path of ['/files/a.bin', '/outside.bin']) {
    const res = await request(`${proxy.url}${path}`)
    assert.equal(res.statusCode, 200)
    const got = Buffer.from(await res.body.arrayBuffer())
    assert.equal(got.length, big.length)
    assert.equal(sha(got), sha(big))
  }
  await proxy.settled()
  assert.equal(proxy.outcomes('/files/{*rest}').diverged, 1)
  const [d] = proxy.divergences()
  assert.equal(d!.divergence!.body!.kind, 'digest')
  assert.deepEqual(d!.divergence!.body!.digest!.reference, { sha256: sha(big), bytes: big.length })
  // the body itself is not in the message, only its digest
  const reference2 = d!.reference.response as { body: unknown; body_digest?: unknown }
  assert.equal(reference2.body, null)
  assert.deepEqual(reference2.body_digest, { sha256: sha(big), bytes: big.length })
  assert.equal(proxy.app.ctx.budget.used, 0, 'every buffered byte is released')
})

test('two large responses with the same bytes are equal, compared in constant memory', async (t) => {
  const big = randomBytes(3 * 1024 * 1024)
  const serve = (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    res.end(big)
  }
  const reference = await startUpstream(t, serve)
  const candidate = await startUpstream(t, serve)
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    max_body_bytes: '256KiB',
    memory_budget: '1MiB',
    routes: [{ path: '/files/{*rest}' }],
  })
  const res = await request(`${proxy.url}/files/a.bin`)
  assert.equal(sha(Buffer.from(await res.body.arrayBuffer())), sha(big))
  await proxy.settled()
  assert.equal(proxy.outcomes('/files/{*rest}').equal, 1)
  assert.equal(proxy.app.ctx.budget.used, 0)
})

test('a request body above max_body_bytes reaches the reference whole and the mirror is dropped', async (t) => {
  const upload = randomBytes(3 * 1024 * 1024)
  const reference = await startUpstream(t, (_req, res, body) => {
    json(200, { sha: sha(body), length: body.length })(_req, res, body)
  })
  const candidate = await startUpstream(t, json(200, {}))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    max_body_bytes: '1MiB',
    routes: [{ path: '/upload' }],
  })
  // with a content-length (known up front) and chunked (discovered while reading)
  const bodies = [
    upload,
    Readable.from(
      (function* () {
        for (let i = 0; i < upload.length; i += 100_000) yield upload.subarray(i, i + 100_000)
      })(),
    ),
  ]
  for (const body of bodies) {
    const res = await request(`${proxy.url}/upload`, { method: 'PUT', body })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(await res.body.json(), { sha: sha(upload), length: upload.length })
  }
  await proxy.settled()
  assert.equal(proxy.outcomes('/upload').dropped_oversize, 2)
  assert.equal(candidate.received.length, 0)
  assert.equal(
    reference.received.every((r) => r.headers['x-shadow-test-role'] === 'upstream'),
    true,
  )
  assert.equal(proxy.app.ctx.budget.used, 0)
})

test('a request body under the cap is mirrored to both', async (t) => {
  const upload = randomBytes(200 * 1024)
  const echo = (_req: unknown, res: import('node:http').ServerResponse, body: Buffer) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ sha: sha(body) }))
  }
  const reference = await startUpstream(t, echo)
  const candidate = await startUpstream(t, echo)
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/upload' }],
  })
  const res = await request(`${proxy.url}/upload`, { method: 'POST', body: upload })
  assert.deepEqual(await res.body.json(), { sha: sha(upload) })
  await proxy.settled()
  assert.equal(proxy.outcomes('/upload').equal, 1)
  assert.equal(sha(candidate.received[0]!.body), sha(upload))
})
