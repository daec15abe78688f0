/**
 * `Upgrade` requests (WebSocket, RFC 6455; RFC 9110 §7.8), tunnelled to the reference as any
 * reverse proxy does: the handshake is forwarded, and once the reference answers 101 the bytes
 * flow both ways untouched until either side closes. miffy used to send them on as plain GETs
 * (hop-by-hop `Upgrade` stripped), which broke every WebSocket endpoint behind it (issue 10).
 *
 * Only a 101 opens the tunnel. Any other answer is relayed to the client and the connection is
 * closed: bytes after a refused upgrade are never passed on raw, so a client cannot use a
 * failed upgrade to talk to the reference past miffy's request checks.
 *
 * An upgrade is never mirrored: a stream of frames has no answer to compare. This is node:http's
 * client, not undici's: the tunnel runs for the life of a WebSocket, off any pool.
 */
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { MiffyError } from '../errors.ts'
import { downstreamResponseHeaders } from './headers.ts'
import { type Upstream, upstreamPath } from './upstream.ts'
import { errorBody, referenceFailure } from './upstream-errors.ts'

export interface TunnelOptions {
  upstream: Upstream
  /** the headers for the reference (hop-by-hop ones already removed) */
  headers: Record<string, string | string[]>
  /** the handshake's deadline (reference_timeout); an open tunnel has none */
  timeoutMs: number
  /** called once with the status the client got (0: none, the client left first) */
  onDone: (status: number) => void
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 502: 'Bad Gateway', 504: 'Gateway Timeout' }

/** Writes a catalogue error as a whole HTTP answer on a raw socket and closes it. */
export function refuseOnSocket(socket: Duplex, err: MiffyError): void {
  const status = err.status ?? 502
  const body = errorBody(err)
  if (socket.writable)
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  ;(socket as Partial<Socket>).destroySoon?.()
}

export function tunnel(req: IncomingMessage, socket: Duplex, head: Buffer, options: TunnelOptions): void {
  const { upstream, timeoutMs, onDone } = options
  const url = new URL(upstream.origin)
  const headers: Record<string, string | string[]> = {
    ...options.headers,
    connection: 'upgrade',
    upgrade: req.headers.upgrade!,
  }
  // host_header = "upstream": node:http then writes the upstream's own host:port (upstream.ts)
  if (upstream.hostHeader === 'upstream') delete headers.host
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  let finished = false
  const done = (status: number) => {
    if (finished) return
    finished = true
    onDone(status)
  }
  let upstreamReq: ClientRequest
  try {
    upstreamReq = send({
      host: url.hostname,
      port: url.port || undefined,
      method: req.method,
      path: upstreamPath(upstream, req.url!),
      headers,
      agent: false,
      timeout: timeoutMs,
    })
  } catch (err) {
    refuseOnSocket(
      socket,
      new MiffyError('MIFFY_ERR_BAD_REQUEST', 'the upgrade request cannot be forwarded', { cause: err }),
    )
    done(400)
    return
  }
  // the client leaving before the reference answered abandons the handshake
  const onClientGone = () => upstreamReq.destroy()
  socket.once('close', onClientGone)
  socket.on('error', () => socket.destroy())

  upstreamReq.on('timeout', () =>
    upstreamReq.destroy(Object.assign(new Error('handshake timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' })),
  )
  upstreamReq.on('error', (err) => {
    if (socket.destroyed) return done(0)
    const error = referenceFailure(err)
    refuseOnSocket(socket, error)
    done(error.status ?? 502)
  })

  upstreamReq.on('upgrade', (res, upstreamSocket, upstreamHead) => {
    socket.off('close', onClientGone)
    if (socket.destroyed) {
      upstreamSocket.destroy()
      return done(0)
    }
    // The reference's own 101, header lines as it wrote them (Sec-WebSocket-Accept and all).
    let text = `HTTP/1.1 101 ${res.statusMessage || 'Switching Protocols'}\r\n`
    for (let i = 0; i < res.rawHeaders.length; i += 2)
      text += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`
    socket.write(`${text}\r\n`)
    if (upstreamHead.length > 0) socket.write(upstreamHead)
    if (head.length > 0) upstreamSocket.write(head)
    upstreamSocket.on('error', () => socket.destroy())
    socket.on('close', () => upstreamSocket.destroy())
    upstreamSocket.on('close', () => socket.destroy())
    socket.pipe(upstreamSocket).pipe(socket)
    done(101)
  })

  // Not upgraded: the reference's answer, then the connection is closed.
  upstreamReq.on('response', (res) => {
    socket.off('close', onClientGone)
    const out = downstreamResponseHeaders(res.headers)
    let text = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`
    for (const [name, value] of Object.entries(out))
      for (const v of Array.isArray(value) ? value : [value]) text += `${name}: ${v}\r\n`
    socket.write(`${text}connection: close\r\n\r\n`)
    res.pipe(socket)
    res.on('error', () => socket.destroy())
    socket.on('close', () => res.destroy())
    done(res.statusCode ?? 0)
  })
  upstreamReq.end()
}
