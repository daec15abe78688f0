/**
 * Real HTTP servers on 127.0.0.1:0 standing in for a reference or a candidate. Each records what
 * it received (whole requests only: one whose body was cut off is not recorded); the handler
 * decides what it answers (or whether it answers at all).
 */
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import type { TestContext } from 'node:test'

export interface Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => unknown

export interface Upstream {
  url: string
  port: number
  received: Received[]
  /** resolves with the next request this server receives */
  nextRequest(): Promise<Received>
  close(): Promise<void>
}

export async function startUpstream(t: TestContext, handler: Handler): Promise<Upstream> {
  const received: Received[] = []
  const waiters: ((r: Received) => void)[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    try {
      for await (const c of req) chunks.push(c as Buffer)
    } catch {
      // the request never arrived whole (the proxy aborted it): it is not a received request
      return
    }
    const r = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) }
    received.push(r)
    for (const w of waiters.splice(0)) w(r)
    try {
      await handler(req, res, r.body)
    } catch {
      res.destroy()
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  t.after(close)
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close,
  }
}

/** Answers JSON with the given status. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    })
    res.end(text)
  }
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer()
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/**
 * A port that is taken for the whole test but never answers: every connection is reset as soon
 * as it is accepted. Unlike `closedPort()`, no other process can start listening on it meanwhile.
 */
export async function resettingPort(t: TestContext): Promise<number> {
  const s = createNetServer((socket) => socket.resetAndDestroy())
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  t.after(() => new Promise<void>((resolve) => s.close(() => resolve())))
  return (s.address() as AddressInfo).port
}
