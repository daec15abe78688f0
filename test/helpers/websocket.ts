/**
 * A minimal WebSocket echo server (RFC 6455) for tests: the handshake, and text frames up to
 * 125 bytes echoed back prefixed with `echo: `. Enough to prove bytes flow both ways through a
 * proxy, with Node's own WebSocket client on the other end.
 */
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TestContext } from 'node:test'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11' // RFC 6455 §1.3

export interface EchoServer {
  url: string
  server: Server
  /** the headers of every upgrade request received */
  upgrades: IncomingHttpHeaders[]
  /** plain (not upgrade) requests received */
  plain: number
}

export async function startEchoServer(t: TestContext): Promise<EchoServer> {
  const sockets = new Set<Socket>()
  const echo: EchoServer = { url: '', server: createServer(), upgrades: [], plain: 0 }
  echo.server.on('request', (_req, res) => {
    echo.plain++
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no websocket here')
  })
  echo.server.on('upgrade', (req, socket: Socket) => {
    echo.upgrades.push(req.headers)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    if (req.url?.startsWith('/refuse')) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\n\r\nrefused')
      return
    }
    // a server that does not speak WebSocket answers as if Upgrade were not there
    if (req.url?.startsWith('/ignore')) {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain')
      return
    }
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64')
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    )
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      while (buffered.length >= 6) {
        const opcode = buffered[0]! & 0x0f
        const length = buffered[1]! & 0x7f
        if (length > 125 || buffered.length < 6 + length) return
        const mask = buffered.subarray(2, 6)
        const payload = Buffer.from(buffered.subarray(6, 6 + length).map((b, i) => b ^ mask[i % 4]!))
        buffered = buffered.subarray(6 + length)
        if (opcode === 0x8) return void socket.end(Buffer.from([0x88, 0]))
        const reply = Buffer.from(`echo: ${payload.toString()}`)
        socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]))
      }
    })
  })
  echo.server.listen(0, '127.0.0.1')
  await once(echo.server, 'listening')
  echo.url = `http://127.0.0.1:${(echo.server.address() as AddressInfo).port}`
  t.after(() => {
    for (const s of sockets) s.destroy()
    echo.server.closeAllConnections()
    return new Promise<void>((resolve) => echo.server.close(() => resolve()))
  })
  return echo
}

/** Opens a WebSocket (Node's global client), sends `text`, resolves with the first message back. */
export async function echoThrough(url: string, text: string): Promise<{ reply: string; ws: WebSocket }> {
  const ws = new WebSocket(url)
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true })
    ws.addEventListener('error', () => reject(new Error(`WebSocket to ${url} failed`)), { once: true })
  })
  const reply = new Promise<string>((resolve) =>
    ws.addEventListener('message', (e) => resolve(String(e.data)), { once: true }),
  )
  ws.send(text)
  return { reply: await reply, ws }
}
