/**
 * The proxy server: one catch-all route on Fastify. A request whose path matches an experiment
 * is mirrored (src/shadow/mirror.ts); every other one is proxied to the default reference.
 * Bodies are never parsed: the content-type parser hands the raw stream through.
 */

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { MiffyError } from '../errors.ts'
import type { RouteTable } from '../routing/route-table.ts'
import type { Experiment } from '../shadow/experiment.ts'
import { handleExperiment, type ShadowContext } from '../shadow/mirror.ts'
import { passthrough } from './passthrough.ts'
import { normaliseTarget } from './request-target.ts'
import { sendError } from './respond.ts'
import type { Upstream } from './upstream.ts'
import { errorBody } from './upstream-errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** the route pattern of the matched experiment, '' outside experiments; set by the handler */
    miffyRoute: string
  }
}

export interface ProxyOptions {
  ctx: ShadowContext
  routes: RouteTable<Experiment>
  reference: Upstream
  /** called once per finished request: access log and request metrics */
  onDone: (request: FastifyRequest, statusCode: number, durationMs: number, completed: boolean) => void
}

const BAD_TARGET = Symbol('miffy.badTarget')

export function buildProxy(options: ProxyOptions): FastifyInstance {
  const { ctx, routes, reference, onDone } = options
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    // Requests arriving during shutdown get miffy's own 503 (below), in the error catalogue's shape.
    return503OnClosing: false,
    // Idle keep-alive connections are closed at shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    // Requests Node's HTTP parser refuses (bad request line, bad headers) get the same JSON shape.
    clientErrorHandler(err, socket) {
      if (!socket.writable) return socket.destroy()
      const body = errorBody(
        new MiffyError(
          'MIFFY_ERR_BAD_REQUEST',
          `malformed HTTP request (${(err as { code?: string }).code ?? 'parse error'})`,
        ),
      )
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      )
    },
    rewriteUrl(req) {
      const target = normaliseTarget(req.url ?? '')
      if (target.ok) return target.url
      ;(req as unknown as Record<symbol, string>)[BAD_TARGET] = target.reason
      return '/'
    },
  })

  app.decorateRequest('miffyRoute', '')

  // Bodies stay streams: plain proxying pipes them, experiments buffer them up to a cap.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  let closing = false
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })

  app.addHook('onRequest', (request, reply, done) => {
    const started = performance.now()
    reply.raw.once('close', () => {
      onDone(request, reply.raw.statusCode, performance.now() - started, reply.raw.writableFinished)
      // During shutdown a keep-alive connection that just finished its answer is idle: close it
      // now rather than let it wait out keepAliveTimeout (72 s) and hold shutdown that long.
      if (closing) setImmediate(() => app.server.closeIdleConnections())
    })
    done()
  })

  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    if (closing) {
      // A request on a connection kept open from before shutdown (Fastify has already set
      // `Connection: close` on the answer): the client should retry on another instance.
      reply.hijack()
      sendError(reply.raw, new MiffyError('MIFFY_ERR_SHUTTING_DOWN', 'miffy is shutting down'))
      return
    }
    // set by rewriteUrl, which runs before Fastify has a request object to decorate
    const bad = (request.raw as unknown as Record<symbol, string | undefined>)[BAD_TARGET]
    if (bad) {
      reply.hijack()
      sendError(reply.raw, new MiffyError('MIFFY_ERR_BAD_REQUEST', bad))
      return
    }
    const url = request.raw.url!
    const q = url.indexOf('?')
    const match = routes.match(q >= 0 ? url.slice(0, q) : url)
    if (!match) {
      reply.hijack()
      return passthrough(ctx.referenceDispatcher, request.raw, reply.raw, reference)
    }
    request.miffyRoute = match.pattern
    return handleExperiment(ctx, request, reply, match.value, match.params)
  }
  app.all('/', handler)
  app.all('/*', handler)

  app.setErrorHandler((err, request, reply) => {
    ctx.log.error({ err, url: request.raw.url }, 'unexpected error on the client path')
    if (!reply.sent) {
      reply.hijack()
      sendError(
        reply.raw,
        new MiffyError('MIFFY_ERR_REFERENCE_UNAVAILABLE', 'the request could not be proxied', { cause: err }),
      )
    }
  })
  return app
}
