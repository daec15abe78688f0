/**
 * The management port: health, readiness, Prometheus metrics and the divergence log. It is a
 * separate server so none of it is reachable through the proxy port.
 *
 * /readyz answers 200 whenever the proxy can serve, whatever the sink's state, and reports that
 * state: a Kafka outage must not take miffy out of a load balancer, because the client's path
 * does not depend on Kafka. `/readyz?strict` answers 503 while the sink is not ready, for
 * those who want to gate on it.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { Sink } from '../publish/sink.ts'
import type { Ledger } from '../shadow/ledger.ts'
import type { DivergenceLog } from './divergence-log.ts'

export interface ManagementOptions {
  registry: Registry
  sink: Sink
  divergences: DivergenceLog
  ledger: Ledger
  /** replaces the local registry's exposition, e.g. with metrics aggregated across workers */
  metricsText?: () => Promise<string>
}

export function buildManagement(options: ManagementOptions): FastifyInstance {
  const { registry, sink, divergences, ledger } = options
  const app = Fastify({ logger: false, return503OnClosing: false, forceCloseConnections: true })

  app.get('/healthz', async () => ({ status: 'healthy' }))

  app.get('/readyz', async (request, reply) => {
    const state = sink.state()
    const strict = Object.hasOwn(request.query as object, 'strict')
    if (strict && state !== 'ready') reply.code(503)
    return { status: 'ready', sink: { kind: sink.kind, state } }
  })

  app.get('/metrics', async (_request, reply) => {
    const text = options.metricsText ? await options.metricsText() : await registry.metrics()
    reply.type(registry.contentType)
    return text
  })

  app.get('/divergences', async (request) => {
    const q = request.query as Record<string, string | undefined>
    const limit =
      q.limit === undefined
        ? 100
        : Math.max(0, Math.min(Number.parseInt(q.limit, 10) || 0, divergences.capacity))
    const filter: { route?: string; fingerprint?: string; limit: number } = { limit }
    if (q.route !== undefined) filter.route = q.route
    if (q.fingerprint !== undefined) filter.fingerprint = q.fingerprint
    return { divergences: divergences.list(filter) }
  })

  app.get('/divergences/summary', async () => ledger.summary())

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: 'not_found', message: `no management endpoint at ${request.method} ${request.url}` })
  })
  return app
}
