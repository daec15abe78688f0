/**
 * The origin servers of the benchmark: plain node:http answering a small JSON body (~300 bytes),
 * each in its own process so its CPU is not the proxy's.
 *
 *   node bench/origin.ts --mode reference|equal|differ|sleep [--port 0] [--delay-ms 500]
 *
 * - reference: the answer clients get
 * - equal:     the same body as the reference (every mirrored pair compares equal)
 * - differ:    a different price, so every pair diverges and is published
 * - sleep:     the reference's body after `--delay-ms` (a slow candidate)
 *
 * `GET /__stats` answers `{requests, inFlight, maxInFlight}` (itself not counted): the number of
 * requests a candidate received is how many were mirrored, for nginx as for miffy.
 * Prints `{"msg":"origin listening","port":N}` when ready.
 */
import { createServer } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type Managed, serveUntilSignalled, startProcess, waitForPort } from './processes.ts'

export type OriginMode = 'reference' | 'equal' | 'differ' | 'sleep'
export const ORIGIN_MODES: readonly OriginMode[] = ['reference', 'equal', 'differ', 'sleep']

export interface OriginStats {
  requests: number
  inFlight: number
  maxInFlight: number
}

/** The document for `/api/{id}`; `differ` changes one number, the rest is identical. */
export function document(id: string, mode: OriginMode): string {
  return JSON.stringify({
    id,
    name: `Widget ${id}`,
    price: { amount: mode === 'differ' ? 2099 : 1999, currency: 'EUR' },
    tags: ['blue', 'small', 'sale'],
    stock: { warehouse: 'ams-1', count: 12, reserved: 3 },
    dimensions: { width_mm: 120, height_mm: 45, depth_mm: 30, weight_g: 210 },
    updated_at: '2024-05-01T12:00:00Z',
  })
}

function serve(mode: OriginMode, port: number, delayMs: number): void {
  const stats: OriginStats = { requests: 0, inFlight: 0, maxInFlight: 0 }
  // Bodies by URL: the benchmark hits one or a few URLs; a real service would not cache, but the
  // point here is an origin that costs as little CPU as possible.
  const bodies = new Map<string, Buffer>()
  const bodyFor = (url: string) => {
    let body = bodies.get(url)
    if (!body) {
      const id = url.split('?')[0]!.split('/').pop() || 'root'
      body = Buffer.from(document(id, mode))
      if (bodies.size < 10_000) bodies.set(url, body)
    }
    return body
  }
  const server = createServer((req, res) => {
    if (req.url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(stats))
      return
    }
    stats.requests++
    stats.inFlight++
    if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight
    const answer = () => {
      stats.inFlight--
      const body = bodyFor(req.url ?? '/')
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      res.end(body)
    }
    // Drain a request body, if any, before answering.
    req.resume()
    if (mode === 'sleep') {
      const timer = setTimeout(answer, delayMs)
      res.once('close', () => {
        if (!res.writableFinished) {
          clearTimeout(timer)
          stats.inFlight--
        }
      })
    } else if (req.complete) answer()
    else req.once('end', answer)
  })
  server.keepAliveTimeout = 60_000
  server.headersTimeout = 65_000
  serveUntilSignalled(server, port, { msg: 'origin listening', mode })
}

export interface Origin {
  mode: OriginMode
  port: number
  url: string
  proc: Managed
  stats(): Promise<OriginStats>
}

const SELF = fileURLToPath(import.meta.url)

/** Starts an origin in its own process on `port` (chosen by the caller, so it is known up front). */
export async function startOrigin(
  mode: OriginMode,
  port: number,
  opts: { dir: string; delayMs?: number },
): Promise<Origin> {
  const proc = startProcess(
    `origin-${mode}-${port}`,
    process.execPath,
    [SELF, '--mode', mode, '--port', String(port), '--delay-ms', String(opts.delayMs ?? 500)],
    { dir: opts.dir, cwd: join(SELF, '..', '..') },
  )
  await waitForPort(port, 10_000, proc)
  const url = `http://127.0.0.1:${port}`
  return {
    mode,
    port,
    url,
    proc,
    async stats() {
      const res = await fetch(`${url}/__stats`, { signal: AbortSignal.timeout(5_000) })
      return (await res.json()) as OriginStats
    },
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'reference' },
      port: { type: 'string', default: '0' },
      'delay-ms': { type: 'string', default: '500' },
    },
  })
  const mode = values.mode as OriginMode
  if (!ORIGIN_MODES.includes(mode)) {
    process.stderr.write(`origin: --mode must be one of ${ORIGIN_MODES.join(', ')}\n`)
    process.exit(2)
  }
  serve(mode, Number(values.port), Number(values['delay-ms']))
}
