/**
 * A chunked request body that turns malformed after its first chunk (issue 10: plain proxying
 * starts the upstream request before the body has been parsed). Whatever was already streamed,
 * the reference never receives a complete request: its connection is closed before the last
 * chunk, so it cannot act on a request the client never finished; the client gets 400. The
 * upstream is a raw TCP server that records the bytes it was sent.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { type TestContext, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startProxy } from '../helpers/proxy.ts'
import { rawRequest } from '../helpers/raw-http.ts'

interface Recorder {
  url: string
  /** bytes received per connection, and whether that connection has closed */
  connections: { bytes: string; closed: boolean }[]
}

async function recordingUpstream(t: TestContext): Promise<Recorder> {
  const connections: Recorder['connections'] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    const c = { bytes: '', closed: false }
    connections.push(c)
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      c.bytes += chunk.toString('latin1')
    })
    socket.on('close', () => {
      c.closed = true
      sockets.delete(socket)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections }
}

for (const [name, path] of [
  ['plain proxying', '/plain'],
  ['a mirrored request', '/api/1'],
] as const) {
  test(`${name}: a malformed chunk never completes a request upstream`, async (t) => {
    const reference = await recordingUpstream(t)
    const candidate = await recordingUpstream(t)
    const proxy = await startProxy(t, {
      reference: reference.url,
      candidate: candidate.url,
      routes: [{ path: '/api/{id}' }],
    })
    const res = await rawRequest(
      proxy.url,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nbad\r\n0\r\n\r\n`,
    )
    assert.equal(res.status, 400)
    assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_BAD_REQUEST')
    await proxy.settled()
    // give a connection that was opened the time to see its close
    for (let i = 0; i < 50 && reference.connections.some((c) => !c.closed); i++) await sleep(20)
    for (const c of [...reference.connections, ...candidate.connections]) {
      assert.ok(c.closed, `an upstream connection left open after: ${JSON.stringify(c.bytes)}`)
      // a chunked body ends with the zero-size chunk: it never came
      assert.ok(!/\r\n0\r\n\r\n$/.test(c.bytes), `a complete request upstream: ${JSON.stringify(c.bytes)}`)
      assert.ok(!c.bytes.includes('bad'), JSON.stringify(c.bytes))
    }
    assert.equal(candidate.connections.length, 0, 'a mirror never starts before its body is whole')
  })
}
