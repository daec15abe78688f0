/**
 * The management port: health, readiness, Prometheus metrics, the divergence log, and the
 * control endpoints (reload, pause, resume: src/management/control.ts). It is a separate server
 * so none of it is reachable through the proxy port.
 *
 * /readyz answers 200 whenever the proxy can serve, whatever the sink's state, and reports that
 * state: a Kafka outage must not take miffy out of a load balancer, because the client's path
 * does not depend on Kafka. `/readyz?strict` answers 503 while the sink is not ready, for
 * those who want to gate on it.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { type AccessOptions, guardManagement } from './access.ts'
import { registerControl } from './control.ts'
import { registerDashboard } from './dashboard.ts'
import type { DivergenceFilter, ManagementSource } from './source.ts'

/**
 * Routes are closed unless they say `config: { access: 'open' }` (src/management/access.ts):
 * whatever shows captured traffic needs the token, or a loopback client without one.
 */
export function buildManagement(source: ManagementSource, access: AccessOptions): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: false, forceCloseConnections: true })
  guardManagement(app, access)

  const open = { config: { access: 'open' as const } }

  app.get('/healthz', open, async () => ({ status: 'healthy' }))

  app.get('/readyz', open, async (request, reply) => {
    const sink = await source.sink()
    const strict = Object.hasOwn(request.query as object, 'strict')
    if (strict && sink.state !== 'ready') reply.code(503)
    // which configuration is active: its hash and load time (changed by reloads)
    const config = await source.control?.status()
    return config ? { status: 'ready', sink, config } : { status: 'ready', sink }
  })

  app.get('/metrics', open, async (_request, reply) => {
    const { contentType, text } = await source.metrics()
    reply.type(contentType)
    return text
  })

  app.get('/divergences', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>
    const limit =
      q.limit === undefined ? 100 : Math.max(0, Math.min(Number.parseInt(q.limit, 10) || 0, source.capacity))
    const filter: DivergenceFilter & { limit: number } = { limit }
    if (q.route !== undefined) filter.route = q.route
    if (q.fingerprint !== undefined) filter.fingerprint = q.fingerprint
    if (q.trace_id !== undefined) filter.traceId = q.trace_id
    const pairs = await source.divergences(filter)
    // The messages as published, spliced in: never parsed or serialised again.
    reply.type('application/json; charset=utf-8')
    return `{"divergences":[${pairs.map((p) => p.json).join(',')}]}`
  })

  app.get('/divergences/summary', async () => source.summary())

  // What each route has learned of its own noise (with `secondary`), and a rule to copy for it.
  app.get('/noise', async (request) => {
    const { route } = request.query as Record<string, string | undefined>
    const all = await source.noise()
    return route === undefined ? all : { routes: all.routes.filter((r) => r.route === route) }
  })

  // one stored pair, for `miffy replay ID`
  app.get('/divergences/:id', async (request, reply) => {
    const { id } = request.params as { id: string }
    const [found] = await source.divergences({ id, limit: 1 })
    if (found) return reply.type('application/json; charset=utf-8').send(found.json)
    return reply.code(404).send({
      error: 'not_found',
      message: `no stored divergence with id ${id} (this management port keeps the last ${source.capacity})`,
    })
  })

  registerDashboard(app)
  if (source.control) registerControl(app, source.control)

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: 'not_found', message: `no management endpoint at ${request.method} ${request.url}` })
  })
  return app
}
