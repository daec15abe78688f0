/**
 * One node of a service: its identity (pod name, host, how it spells a charset, its own
 * Cache-Control max-age, compression, signing key) and the platform layer every answer passes
 * through, which adds the headers a real deployment adds per node (X-Served-By, X-Request-Id,
 * Server, ETag, X-Cache, Server-Timing). Nothing here is shared between nodes, and nothing is
 * seeded to agree: two nodes running the same code differ exactly as two pods do.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { alnum, hex, int, pick, type Rand, uuid } from './random.ts'
import { tick } from './store.ts'

/** reference, secondary (a second reference), candidate (equal), regressed (a candidate with bugs) */
export type Role = 'reference' | 'secondary' | 'candidate' | 'regressed'

export interface NodeIdentity {
  role: Role
  /** Kubernetes-style pod name, e.g. `shop-api-7d9f8c6b5-x2k4q` */
  name: string
  /** internal host name, leaked in links and metrics as real services do */
  host: string
  zone: string
  /** the Server header: a rolling upgrade leaves nodes on different patch versions */
  server: string
  /** how this node spells the charset of text types: not at all, `utf-8` or `UTF-8` */
  charset: string
  /** this node's CDN lifetime for cacheable answers */
  maxAge: number
  /** whether this node gzips when asked */
  gzip: boolean
  /** Content-Length, or chunked transfer */
  contentLength: boolean
  /** this node's signing key (JWTs, signed URLs, CSRF tokens) */
  secret: Buffer
  /** when this node started: see `bootTime` */
  bootMs: number
}

/**
 * The reference and the secondary are two pods of the deployment in production: started a day
 * or so ago, within minutes of each other. Candidates are the fresh deployment under test,
 * started minutes ago. So anything derived from the start time (uptime, start time, a
 * Last-Modified) differs between reference and candidate far more than between reference and
 * secondary, every time: as it does in a real shadow test.
 */
const PRODUCTION_ROLLOUT = Date.now() - (20 + Math.random() * 10) * 3_600_000

function bootTime(role: Role, r: Rand): number {
  if (role === 'reference' || role === 'secondary') return PRODUCTION_ROLLOUT + int(r, 0, 15 * 60_000)
  return Date.now() - int(r, 60_000, 300_000)
}

export function createNode(role: Role, r: Rand): NodeIdentity {
  const octet = () => int(r, 1, 254)
  return {
    role,
    name: `shop-api-${hex(r, 9)}-${alnum(r, 5).toLowerCase()}`,
    host: `ip-10-${octet()}-${octet()}-${octet()}.eu-west-1.compute.internal`,
    zone: pick(r, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']),
    server: `nginx/1.${pick(r, ['24.0', '25.3', '25.4', '26.1'])}`,
    charset: pick(r, ['', '; charset=utf-8', '; charset=UTF-8', ';charset=utf-8']),
    maxAge: pick(r, [30, 60, 60, 120, 300]),
    gzip: r() < 0.5,
    contentLength: r() < 0.5,
    secret: randomBytes(32),
    bootMs: bootTime(role, r),
  }
}

/** A request as a kind sees it: the route prefix (`/eq/<kind>`) already removed. */
export interface Incoming {
  method: string
  /** the path after the route prefix, without the query */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
}

export function jsonBody<T>(req: Incoming): T {
  return JSON.parse(req.body.toString('utf8')) as T
}

export function formBody(req: Incoming): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'))
}

/** What a kind answers; the node adds its own headers (`finish`). */
export interface Reply {
  status: number
  /** media type without parameters; the node adds its charset to text types */
  type?: string
  headers?: Record<string, string | string[]>
  body?: string | Buffer
  /** a CDN may keep it: the node adds Cache-Control max-age, ETag, X-Cache. Default: a GET 200. */
  cache?: boolean
}

/** Everything a kind may draw on for one answer. */
export interface Ctx {
  node: NodeIdentity
  /** this answer's noise */
  noise: Rand
  /** this answer's clock reading, ms */
  now: number
  /** a shared counter that ticks on every read (memoised per answer, so a replay reads the same) */
  counter(key: string, start: number): number
}

export function createCtx(node: NodeIdentity, noise: Rand, now: number, memo: Map<string, number>): Ctx {
  return {
    node,
    noise,
    now,
    counter(key, start) {
      let v = memo.get(key)
      if (v === undefined) {
        v = tick(key, start)
        memo.set(key, v)
      }
      return v
    },
  }
}

/** An answer as it leaves the node (before compression). */
export interface Final {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
}

const TEXTUAL =
  /^(text\/|application\/(json|xml|x-ndjson|javascript|graphql-response\+json|[a-z.+-]+\+(json|xml)))/

/**
 * The platform layer: headers that differ per node and per answer on every endpoint. `frame` is
 * its own noise stream, so a kind drawing more or less noise does not move these values.
 */
export function finish(reply: Reply, req: Incoming, node: NodeIdentity, frame: Rand): Final {
  const body = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body ?? '', 'utf8')
  const headers: Record<string, string | string[]> = {}
  if (reply.type) headers['content-type'] = TEXTUAL.test(reply.type) ? reply.type + node.charset : reply.type
  Object.assign(headers, reply.headers)
  const cacheable = reply.cache ?? (req.method === 'GET' && reply.status === 200)
  if (cacheable) {
    headers['cache-control'] ??= `public, max-age=${node.maxAge}`
    const tag = createHash('sha1').update(node.name).update(body).digest('hex').slice(0, 16)
    headers.etag ??= `W/"${tag}"`
    const hit = frame() < 0.4
    headers['x-cache'] = hit ? 'HIT' : 'MISS'
    if (hit) headers.age = String(Math.floor(frame() * node.maxAge))
  }
  headers['x-served-by'] = node.name
  headers['x-request-id'] = uuid(frame)
  headers.server = node.server
  headers['server-timing'] = `app;dur=${(frame() * 40 + 0.5).toFixed(2)}, db;dur=${(frame() * 12).toFixed(2)}`
  headers['x-envoy-upstream-service-time'] = String(Math.floor(frame() * 50))
  if (node.gzip) headers.vary = 'Accept-Encoding'
  return { status: reply.status, headers, body }
}

/** Whether two answers are the same bytes, status and headers: a regression must never be. */
export function sameFinal(a: Final, b: Final): boolean {
  const sorted = (h: Final['headers']) =>
    JSON.stringify(Object.entries(h).sort(([x], [y]) => (x < y ? -1 : 1)))
  return a.status === b.status && a.body.equals(b.body) && sorted(a.headers) === sorted(b.headers)
}
