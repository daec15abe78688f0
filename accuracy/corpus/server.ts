/**
 * A node of the corpus service: one real HTTP server on 127.0.0.1:0 that answers every endpoint
 * kind, as its role dictates. Paths name the endpoint: `/eq/<kind>/<rest>` and
 * `/rg/<kind>/<bug>/<rest>` (anything before them, such as an upstream path prefix, is ignored).
 * Only the `regressed` role applies `<bug>`; every other role runs the reference code.
 *
 * Ground truth per request: a regressed node computes each answer twice from the same noise
 * (same seeds, clock reading and counter values), with and without its bug, and records a
 * violation when the two are identical. A run with violations meets no goal and makes
 * `npm run accuracy` exit 1: "every request to a regressed candidate exhibits its regression" is
 * checked, not assumed.
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { HOLDOUT } from './holdout.ts'
import { KINDS } from './index.ts'
import type { Kind } from './kind.ts'
import {
  createCtx,
  createNode,
  type Final,
  finish,
  type Incoming,
  type NodeIdentity,
  type Role,
  sameFinal,
} from './node.ts'
import { freshSeed, seededRandom } from './random.ts'

export interface Violation {
  endpoint: string
  path: string
  problem: string
}

export interface CorpusNode {
  role: Role
  identity: NodeIdentity
  url: string
  /** requests served per endpoint (`eq/product`, `rg/product/price-as-string`) since the last reset */
  served: Map<string, number>
  violations: Violation[]
  close(): Promise<void>
}

/** `eq/<kind>` or `rg/<kind>/<bug>`, and the kind's own path and query. */
export interface Target {
  endpoint: string
  kind: Kind
  bug: string | undefined
  rest: string
}

// the holdout kinds (corpus/holdout.ts) are served too; only `--holdout` sends them traffic
const BY_NAME = new Map([...KINDS, ...HOLDOUT].map((k) => [k.name, k]))

export function parseTarget(pathAndQuery: string): Target | undefined {
  const q = pathAndQuery.indexOf('?')
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q)
  // the first /eq/ or /rg/ segment: a path prefix in an upstream URL comes before it
  const at = path.search(/\/(eq|rg)\//)
  if (at < 0) return undefined
  const [mode, name, ...more] = path.slice(at + 1).split('/')
  const kind = BY_NAME.get(name ?? '')
  if (!kind) return undefined
  const bug = mode === 'rg' ? more.shift() : undefined
  if (mode === 'rg' && (bug === undefined || !Object.hasOwn(kind.regressions, bug))) return undefined
  const rest = `/${more.join('/')}${q < 0 ? '' : pathAndQuery.slice(q)}`
  return { endpoint: bug === undefined ? `eq/${kind.name}` : `rg/${kind.name}/${bug}`, kind, bug, rest }
}

function incoming(req: IncomingMessage, rest: string, body: Buffer): Incoming {
  const url = new URL(rest, 'http://corpus.invalid')
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
  }
}

/** One answer: the reply, finished by the node's platform layer, from one pair of seeds. */
function answer(
  target: Target,
  inc: Incoming,
  node: NodeIdentity,
  bug: string | undefined,
  seed: number,
  now: number,
  memo: Map<string, number>,
): Final {
  const ctx = createCtx(node, seededRandom(seed), now, memo)
  const reply = target.kind.respond(inc, ctx, bug)
  return finish(reply, inc, node, seededRandom(seed ^ 0x5bd1e995))
}

const COMPRESSIBLE = /^(text\/|application\/(json|xml|x-ndjson|[a-z.+-]+\+(json|xml)))/

function send(res: ServerResponse, node: NodeIdentity, final: Final, acceptsGzip: boolean): void {
  let body = final.body
  const headers = { ...final.headers }
  const type = String(headers['content-type'] ?? '')
  if (node.gzip && acceptsGzip && body.length > 256 && COMPRESSIBLE.test(type)) {
    body = gzipSync(body)
    headers['content-encoding'] = 'gzip'
  }
  const bodiless = final.status === 204 || final.status === 304
  if (node.contentLength && !bodiless) headers['content-length'] = String(body.length)
  res.writeHead(final.status, headers)
  res.end(bodiless ? undefined : body)
}

export async function startNode(role: Role): Promise<CorpusNode> {
  const identity = createNode(role, seededRandom(freshSeed()))
  const served = new Map<string, number>()
  const violations: Violation[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const target = parseTarget(req.url ?? '/')
    if (!target) {
      violations.push({ endpoint: '?', path: req.url ?? '', problem: 'no such endpoint' })
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such corpus endpoint\n')
      return
    }
    served.set(target.endpoint, (served.get(target.endpoint) ?? 0) + 1)
    const inc = incoming(req, target.rest, Buffer.concat(chunks))
    const bug = role === 'regressed' ? target.bug : undefined
    const seed = freshSeed()
    const now = Date.now()
    const memo = new Map<string, number>()
    let final: Final
    try {
      final = answer(target, inc, identity, bug, seed, now, memo)
      if (bug !== undefined && sameFinal(final, answer(target, inc, identity, undefined, seed, now, memo))) {
        violations.push({
          endpoint: target.endpoint,
          path: req.url ?? '',
          problem: 'the answer does not show the regression',
        })
      }
    } catch (err) {
      violations.push({
        endpoint: target.endpoint,
        path: req.url ?? '',
        problem: `the kind threw: ${(err as Error).message}`,
      })
      res.writeHead(599, { 'content-type': 'text/plain' }).end('corpus error\n')
      return
    }
    send(res, identity, final, /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')))
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    role,
    identity,
    url: `http://127.0.0.1:${port}`,
    served,
    violations,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
