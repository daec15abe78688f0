/**
 * For debugging a miss or a false report: one request of an endpoint, sent straight to a fresh
 * reference, secondary and candidate (the regressed one on `rg/...` endpoints), and the three
 * answers printed one after the other, gzip decoded.
 *
 *   npm run accuracy -- --sample rg/product/tag-renamed
 */
import { gunzipSync } from 'node:zlib'
import { request } from 'undici'
import { KINDS } from './corpus/index.ts'
import type { Kind } from './corpus/kind.ts'
import { freshSeed, seededRandom } from './corpus/random.ts'
import { startNode } from './corpus/server.ts'
import { allEndpoints, findEndpoint } from './endpoints.ts'

export async function sampleTriple(
  name: string,
  write: (s: string) => void,
  kinds: readonly Kind[] = KINDS,
): Promise<void> {
  const ep = findEndpoint(name, kinds)
  if (!ep) {
    const ids = allEndpoints(kinds).map((e) => e.id)
    throw new Error(`no endpoint "${name}"; endpoints are:\n  ${ids.join('\n  ')}`)
  }
  const nodes = await Promise.all([
    startNode('reference'),
    startNode('secondary'),
    startNode(ep.bug === undefined ? 'candidate' : 'regressed'),
  ])
  try {
    const req = ep.kind.request(0, seededRandom(freshSeed()))
    const path = ep.prefix + req.path
    write(`${req.method} ${path}\n`)
    for (const [h, v] of Object.entries(req.headers ?? {})) write(`${h}: ${v}\n`)
    if (req.body) write(`\n${req.body}\n`)
    for (const node of nodes) {
      const res = await request(node.url + path, {
        method: req.method as 'GET',
        headers: { 'accept-encoding': 'gzip', ...req.headers },
        body: req.body,
      })
      let body = Buffer.from(await res.body.arrayBuffer())
      if (res.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
      write(`\n===== ${node.role} (${node.identity.name}) =====\n${res.statusCode}\n`)
      for (const [h, v] of Object.entries(res.headers))
        write(`${h}: ${Array.isArray(v) ? v.join(' | ') : v}\n`)
      write(`\n${body.toString('utf8')}\n`)
    }
    const violations = nodes.flatMap((n) => n.violations)
    if (violations.length > 0) write(`\ncorpus violations: ${JSON.stringify(violations)}\n`)
  } finally {
    await Promise.all(nodes.map((n) => n.close()))
  }
}
