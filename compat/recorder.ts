/**
 * The recording upstreams: real HTTP servers on 127.0.0.1 that stand in for the reference and the
 * candidate (and a route's own pair). Each records every request exactly as it arrived (header
 * lines in order, repeats kept, the body's bytes) under the scenario named by its
 * `x-compat-case` header, and answers what that scenario says.
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type Answer,
  type AnswerSpec,
  type Role,
  type Scenario,
  SENTINEL,
  type UpstreamName,
  type UpstreamPorts,
} from './scenarios.ts'

export const CASE_HEADER = 'x-compat-case'

export interface Received {
  upstream: UpstreamName
  method: string
  /** the request target as received */
  url: string
  httpVersion: string
  /** header lines as received: [name, value][] (names as sent, repeats kept) */
  headers: [string, string][]
  body: Buffer
}

export interface Recorders {
  ports: UpstreamPorts
  /** requests by scenario id, in arrival order */
  received: Map<string, Received[]>
  /** requests that named no known scenario */
  strays: Received[]
  /** forget everything recorded (between the two runs) */
  reset(): void
  close(): Promise<void>
}

const ROLE: Record<UpstreamName, Role> = {
  reference: 'reference',
  candidate: 'candidate',
  'route-reference': 'reference',
  'route-candidate': 'candidate',
}

/** Recorders that know `scenarios` (and the sentinel, which every run ends with). */
export async function startRecorders(scenarios: readonly Scenario[]): Promise<Recorders> {
  const byId = new Map([...scenarios, SENTINEL].map((s) => [s.id, s]))
  const received = new Map<string, Received[]>()
  const strays: Received[] = []
  const servers: Server[] = []
  const ports: Partial<UpstreamPorts> = {}
  for (const name of Object.keys(ROLE) as UpstreamName[]) {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const record: Received = {
          upstream: name,
          method: req.method ?? '',
          url: req.url ?? '',
          httpVersion: req.httpVersion,
          headers: pairs(req.rawHeaders),
          body: Buffer.concat(chunks),
        }
        const id = req.headers[CASE_HEADER]
        const scenario = typeof id === 'string' ? byId.get(id) : undefined
        if (!scenario) {
          strays.push(record)
          res.writeHead(404, { 'content-type': 'text/plain' }).end('no such scenario')
          return
        }
        const list = received.get(scenario.id) ?? []
        list.push(record)
        received.set(scenario.id, list)
        const spec = scenario[ROLE[name]] ?? defaultAnswer(scenario)
        answer(req, res, resolve(spec, req))
      })
    })
    // Node answers `Expect: 100-continue` itself (no checkContinue listener), and keeps idle
    // connections 5 s: both implementations reuse their upstream connections within a run.
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    ports[name] = (server.address() as AddressInfo).port
    servers.push(server)
  }
  ports.dead = await closedPort()
  return {
    ports: ports as UpstreamPorts,
    received,
    strays,
    reset() {
      received.clear()
      strays.length = 0
    },
    async close() {
      for (const s of servers) s.closeAllConnections()
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
    },
  }
}

function defaultAnswer(scenario: Scenario): Answer {
  return {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: JSON.stringify({ case: scenario.id }),
  }
}

function resolve(spec: AnswerSpec, req: IncomingMessage): Answer {
  return typeof spec === 'function' ? spec({ headers: req.headers }) : spec
}

function answer(req: IncomingMessage, res: ServerResponse, a: Answer): void {
  const framing = a.framing ?? 'length'
  if (framing === 'reset') {
    req.socket.destroy()
    return
  }
  const body = a.body === undefined ? Buffer.alloc(0) : Buffer.from(a.body)
  const status = a.status ?? 200
  const lines: string[] = []
  for (const [name, value] of a.headers ?? []) lines.push(name, value)
  const noBody = status === 204 || status === 304 || req.method === 'HEAD'
  if (framing === 'chunked') lines.push('transfer-encoding', 'chunked')
  else if (status !== 204 && status !== 304) lines.push('content-length', String(body.length))
  res.writeHead(status, lines)
  if (noBody) {
    res.end()
    return
  }
  if (framing === 'cut') {
    res.write(body.subarray(0, body.length >> 1), () => req.socket.destroy())
    return
  }
  res.end(body)
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!])
  return out
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer()
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}
