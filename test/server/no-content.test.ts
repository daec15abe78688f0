/**
 * 204 and 304 answers that carry a Content-Length (RFC 9110 §8.6 allows it on a 304: the length
 * of the 200 it stands for). undici counts the bytes that never come as an error; miffy used to
 * send the client nothing and drop its connection, losing a request pipelined behind (issue 10).
 * The upstream is a raw TCP server, since Node's own server would not write such answers.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, connect, createServer, type Socket } from 'node:net'
import { type TestContext, test } from 'node:test'
import { startProxy } from '../helpers/proxy.ts'

/** Answers each request by the last segment of its path: 304 or 204 with a Content-Length, else 200. */
async function rawUpstream(t: TestContext): Promise<string> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buffered = ''
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1')
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const path = buffered.slice(0, end).split(' ')[1]!
        buffered = buffered.slice(end + 4)
        if (path.endsWith('/304'))
          socket.write('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 10\r\n\r\n')
        else if (path.endsWith('/204')) socket.write('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n')
        else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Sends three pipelined requests on one connection; returns what came back once the third is in. */
async function pipelined(base: string, prefix: string): Promise<{ text: string; open: boolean }> {
  const { hostname, port } = new URL(base)
  const socket = connect(Number(port), hostname)
  let text = ''
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (c) => {
      text += c.toString('latin1')
      if (text.endsWith('\r\n\r\nok')) resolve()
    })
    socket.on('close', () => reject(new Error(`connection closed after: ${JSON.stringify(text)}`)))
  })
  socket.write(
    [`${prefix}/304`, `${prefix}/204`, `${prefix}/ok`]
      .map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nIf-None-Match: "v1"\r\n\r\n`)
      .join(''),
  )
  await done
  const open = !socket.destroyed
  socket.destroy()
  return { text, open }
}

for (const [name, prefix] of [
  ['plain proxying', '/plain'],
  ['a mirrored request', '/api'],
] as const) {
  test(`${name}: 304 and 204 with a Content-Length reach the client, pipelining intact`, async (t) => {
    const upstream = await rawUpstream(t)
    const proxy = await startProxy(t, {
      reference: upstream,
      candidate: upstream,
      routes: [{ path: '/api/{x}' }],
    })
    const { text, open } = await pipelined(proxy.url, prefix)
    assert.ok(open, 'the connection stays open')
    const answers = text.split(/(?=HTTP\/1\.1 )/)
    assert.equal(answers.length, 3, text)
    assert.match(answers[0]!, /^HTTP\/1\.1 304 Not Modified\r\n/)
    assert.match(answers[0]!, /\r\netag: "v1"\r\n/i)
    // a 304 may keep the length of the 200 it stands for; a 204 must not carry one
    assert.match(answers[0]!, /\r\ncontent-length: 10\r\n/i)
    assert.match(answers[1]!, /^HTTP\/1\.1 204 No Content\r\n/)
    assert.doesNotMatch(answers[1]!, /content-length/i)
    assert.match(answers[2]!, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/)
    await proxy.settled()
    if (prefix === '/api') {
      // both legs answered alike: equal pairs, not failed legs
      assert.equal(proxy.outcomes('/api/{x}').equal, 3)
      assert.equal(proxy.outcomes('/api/{x}').reference_error, 0)
      assert.equal(proxy.outcomes('/api/{x}').candidate_error, 0)
    }
  })
}
