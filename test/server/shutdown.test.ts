/**
 * Shutdown on the proxy port: the request in flight is answered whole, a request that arrives on
 * a connection kept open from before is turned away with 503 and `Connection: close`, and no
 * keep-alive connection outlives the shutdown by waiting out its idle timeout (72 s).
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startProxy } from '../helpers/proxy.ts'
import { startUpstream } from '../helpers/upstream.ts'

const SLOW_MS = 300

test('close(): the request in flight is answered, a pipelined one gets 503, the connection ends', async (t) => {
  const reference = await startUpstream(t, async (req, res) => {
    if (req.url === '/slow') await sleep(SLOW_MS)
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(`answer for ${req.url}`)
  })
  const p = await startProxy(t, { reference: reference.url })
  const { port } = new URL(p.url)

  const socket = connect(Number(port), '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.on('data', (c: Buffer) => {
    received += c.toString('latin1')
  })
  const ended = once(socket, 'close')
  socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await reference.nextRequest()
  const started = Date.now()
  const closed = p.app.proxy.close()
  // A second request on the same connection (pipelined: the first is still being answered)
  // arrives after shutdown began; Node answers the two in order.
  socket.write('GET /second HTTP/1.1\r\nHost: x\r\n\r\n')

  await Promise.race([
    ended,
    sleep(5_000).then(() => {
      throw new Error(`the connection was still open 5 s after shutdown began; received:\n${received}`)
    }),
  ])
  await closed
  assert.ok(Date.now() - started < 5_000)

  const answers = received.split(/(?=HTTP\/1\.1 )/)
  assert.equal(answers.length, 2, received)
  assert.match(answers[0]!, /^HTTP\/1\.1 200 /)
  assert.match(answers[0]!, /answer for \/slow/)
  assert.match(answers[1]!, /^HTTP\/1\.1 503 /)
  assert.match(answers[1]!, /\r\nconnection: close\r\n/i)
  assert.match(answers[1]!, /"error":"MIFFY_ERR_SHUTTING_DOWN"/)
  // only /slow reached the reference
  assert.deepEqual(
    reference.received.map((r) => r.url),
    ['/slow'],
  )
})

test('close(): an idle keep-alive connection is closed at once, one busy is closed after its answer', async (t) => {
  const reference = await startUpstream(t, async (req, res) => {
    if (req.url === '/slow') await sleep(SLOW_MS)
    res.end('ok')
  })
  const p = await startProxy(t, { reference: reference.url })
  const { port } = new URL(p.url)
  const open = async () => {
    const s = connect(Number(port), '127.0.0.1')
    await once(s, 'connect')
    s.resume()
    return s
  }
  const idle = await open()
  idle.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n')
  await once(idle, 'data')
  const busy = await open()
  let busyAnswer = ''
  busy.on('data', (c: Buffer) => {
    busyAnswer += c.toString('latin1')
  })
  busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await reference.nextRequest()

  const t0 = Date.now()
  const closed = p.app.proxy.close()
  await once(idle, 'close')
  const idleClosedAfter = Date.now() - t0
  await once(busy, 'close')
  const busyClosedAfter = Date.now() - t0
  await closed
  assert.ok(idleClosedAfter < SLOW_MS, `idle connection closed after ${idleClosedAfter} ms`)
  assert.match(busyAnswer, /^HTTP\/1\.1 200 [\s\S]*ok/)
  assert.ok(busyClosedAfter < 2_000, `busy connection closed after ${busyClosedAfter} ms`)
})
