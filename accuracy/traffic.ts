/**
 * The client side of a run: N requests per endpoint variant, all interleaved in one random
 * order (as real traffic is: routes do not take turns), sent through miffy's proxy port by a
 * bounded number of concurrent connections. Half the requests accept gzip, as browsers do.
 */
import { Agent, request } from 'undici'
import type { ClientRequest } from './corpus/kind.ts'
import { pick, type Rand, shuffle } from './corpus/random.ts'
import type { Endpoint } from './endpoints.ts'

export interface Traffic {
  /** requests sent per endpoint id */
  sent: Map<string, number>
  /** answers the client got per endpoint id and status */
  statuses: Map<string, Map<number, number>>
  /** requests that got no answer at all */
  failed: number
  elapsedMs: number
}

interface Planned {
  endpoint: Endpoint
  req: ClientRequest
}

const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
  'okhttp/4.12.0',
  'shop-ios/5.2 CFNetwork',
  'curl/8.5.0',
]

export function plan(endpoints: readonly Endpoint[], n: number, r: Rand): Planned[] {
  const all: Planned[] = []
  for (const endpoint of endpoints) {
    for (let i = 0; i < n; i++) all.push({ endpoint, req: endpoint.kind.request(i, r) })
  }
  return shuffle(r, all)
}

export async function sendTraffic(
  proxyUrl: string,
  endpoints: readonly Endpoint[],
  n: number,
  concurrency: number,
  r: Rand,
): Promise<Traffic> {
  const planned = plan(endpoints, n, r)
  const agent = new Agent({
    connections: concurrency,
    pipelining: 1,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  })
  const sent = new Map<string, number>()
  const statuses = new Map<string, Map<number, number>>()
  let failed = 0
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < planned.length) {
      const { endpoint, req } = planned[next++]!
      sent.set(endpoint.id, (sent.get(endpoint.id) ?? 0) + 1)
      const headers: Record<string, string> = { 'user-agent': pick(r, AGENTS), accept: '*/*', ...req.headers }
      if (r() < 0.5) headers['accept-encoding'] = 'gzip, deflate, br'
      try {
        const res = await request(proxyUrl + endpoint.prefix + req.path, {
          dispatcher: agent,
          method: req.method as 'GET',
          headers,
          body: req.body,
        })
        await res.body.arrayBuffer()
        let byStatus = statuses.get(endpoint.id)
        if (!byStatus) {
          byStatus = new Map()
          statuses.set(endpoint.id, byStatus)
        }
        byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1)
      } catch {
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await agent.close()
  return { sent, statuses, failed, elapsedMs: performance.now() - started }
}
