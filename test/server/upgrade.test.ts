/**
 * `Upgrade` requests (WebSocket) are tunnelled to the reference, 101 and then bytes both ways
 * (issue 10: they reached it as plain GETs). Inside an experiment the tunnel goes to the
 * reference only and is counted as upgrade_not_mirrored. A real WebSocket client (Node's) talks
 * to a real echo server through miffy.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startProxy } from '../helpers/proxy.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { closedPort, json, startUpstream } from '../helpers/upstream.ts'
import { echoThrough, startEchoServer } from '../helpers/websocket.ts'

const handshake = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`

test('outside experiments: a WebSocket works through miffy, both ways, several messages', async (t) => {
  const reference = await startEchoServer(t)
  const proxy = await startProxy(t, { reference: reference.url })
  const { reply, ws } = await echoThrough(`${proxy.url.replace('http', 'ws')}/chat?room=1`, 'hello')
  assert.equal(reply, 'echo: hello')
  const second = new Promise<string>((resolve) =>
    ws.addEventListener('message', (e) => resolve(String(e.data)), { once: true }),
  )
  ws.send('again')
  assert.equal(await second, 'echo: again')
  ws.close()
  assert.equal(reference.upgrades.length, 1)
  assert.equal(reference.plain, 0)
  assert.equal(reference.upgrades[0]!['x-shadow-test-role'], 'upstream')
  assert.equal(reference.upgrades[0]!['x-forwarded-for'], '127.0.0.1')
})

test('inside an experiment: tunnelled to the reference only, counted as upgrade_not_mirrored', async (t) => {
  const reference = await startEchoServer(t)
  const candidate = await startUpstream(t, json(200, {}))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/ws/{room}' }],
  })
  const { reply, ws } = await echoThrough(`${proxy.url.replace('http', 'ws')}/ws/7`, 'hi')
  assert.equal(reply, 'echo: hi')
  ws.close()
  await proxy.settled()
  assert.equal(candidate.received.length, 0)
  const o = proxy.outcomes('/ws/{room}')
  assert.equal(o.upgrade_not_mirrored, 1)
  assert.equal(
    Object.values(o).reduce((a, b) => a + b, 0),
    1,
    'exactly one outcome',
  )
})

test('a refused upgrade: the reference answer, then the connection closes', async (t) => {
  const reference = await startEchoServer(t)
  const proxy = await startProxy(t, { reference: reference.url })
  const res = await rawRequest(proxy.url, handshake('/refuse'))
  assert.equal(res.status, 403)
  assert.equal(res.body, 'refused')
  assert.equal(res.headers.connection, 'close')
  // a plain answer to an upgrade request (a reference that ignores Upgrade) is relayed too
  const plain = await rawRequest(proxy.url, handshake('/ignore'))
  assert.equal(plain.status, 200)
  assert.equal(plain.body, 'plain')
  assert.equal(plain.headers.connection, 'close')
})

test('the reference down: 502 in the catalogue shape', async (t) => {
  const proxy = await startProxy(t, { reference: `http://127.0.0.1:${await closedPort()}` })
  const res = await rawRequest(proxy.url, handshake('/chat'))
  assert.equal(res.status, 502)
  assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_REFERENCE_UNAVAILABLE')
})

test('the edge checks apply to upgrades: a bad target or two Host headers get 400', async (t) => {
  const reference = await startEchoServer(t)
  const proxy = await startProxy(t, { reference: reference.url })
  assert.equal((await rawRequest(proxy.url, handshake('/a/../b'))).status, 400)
  const twoHosts = handshake('/chat').replace('Host: x\r\n', 'Host: x\r\nHost: y\r\n')
  assert.equal((await rawRequest(proxy.url, twoHosts)).status, 400)
  assert.equal(reference.upgrades.length, 0)
})

test('shutdown closes an open tunnel instead of waiting for it', async (t) => {
  const reference = await startEchoServer(t)
  const proxy = await startProxy(t, { reference: reference.url, shutdown_timeout: '30s' })
  const { ws } = await echoThrough(`${proxy.url.replace('http', 'ws')}/chat`, 'x')
  const closed = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve(), { once: true }))
  await proxy.app.close()
  await closed
  assert.equal(ws.readyState, WebSocket.CLOSED)
})

test('the tunnel sends the client\'s Host, or the reference\'s own with host_header = "upstream"', async (t) => {
  const reference = await startEchoServer(t)
  const proxy = await startProxy(t, { reference: reference.url })
  const { ws } = await echoThrough(`${proxy.url.replace('http', 'ws')}/chat`, 'x')
  ws.close()
  assert.equal(reference.upgrades[0]!.host, new URL(proxy.url).host)
  const own = await startProxy(t, { reference: { url: reference.url, host_header: 'upstream' } })
  const second = await echoThrough(`${own.url.replace('http', 'ws')}/chat`, 'y')
  second.ws.close()
  assert.equal(reference.upgrades[1]!.host, new URL(reference.url).host)
})
