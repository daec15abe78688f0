/**
 * The front end: the proxy server clients talk to, and the owner of every request's path. One
 * catch-all route on Fastify; the handler decides, in this order:
 *
 * - requests miffy cannot forward safely get their 4xx here;
 * - a path outside every experiment is proxied to the reference (src/proxy/passthrough.ts);
 * - an experiment request is offered to the orchestration (src/shadow/mirror.ts `admit`); when
 *   it is mirrored, its body is read once (src/proxy/request-body.ts), the shadow legs start,
 *   and the reference leg (src/proxy/forward.ts) answers the client while keeping a copy for
 *   the comparison, which the mirror settles off the client's path.
 *
 * The client's answer never waits for anything on the shadow side. Bodies are never parsed:
 * the content-type parser hands the raw stream through.
 */
import type { ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { MiffyError } from './errors.ts'
import { forwardToClient } from './proxy/forward.ts'
import { ROLE_HEADER, upstreamRequestHeaders } from './proxy/headers.ts'
import { hasBody, passthrough } from './proxy/passthrough.ts'
import { readCapped } from './proxy/request-body.ts'
import { normaliseTarget } from './proxy/request-target.ts'
import { sendError } from './proxy/respond.ts'
import { propagateTrace } from './proxy/trace-context.ts'
import type { Upstream } from './proxy/upstream.ts'
import { errorBody } from './proxy/upstream-errors.ts'
import type { RouteTable } from './routing/route-table.ts'
import type { Experiment } from './shadow/experiment.ts'
import { admit, type ShadowContext } from './shadow/mirror.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** the route pattern of the matched experiment, '' outside experiments; set by the handler */
    miffyRoute: string
    /** the trace-id both legs of a mirrored request were sent, '' when not mirrored */
    miffyTraceId: string
  }
}

/**
 * What a request is routed by. Read once per request, so a new one (a reload) applies to new
 * requests while those in flight finish with the one they started with. The getter is given
 * the request so it can hold what it hands out until `onDone` (src/reload/runtime.ts).
 */
export interface Routing {
  routes: RouteTable<Experiment>
  /** where requests outside every experiment go */
  reference: Upstream
  /** the reference's dispatcher: the client's path only, never a shadow leg */
  referenceDispatcher: Dispatcher
}

export interface ProxyOptions {
  ctx: ShadowContext
  routing: (request: FastifyRequest) => Routing
  /** called once per finished request: access log and request metrics */
  onDone: (request: FastifyRequest, statusCode: number, durationMs: number, completed: boolean) => void
}

const BAD_TARGET = Symbol('miffy.badTarget')

export function buildProxy(options: ProxyOptions): FastifyInstance {
  const { ctx, routing, onDone } = options
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
  app.decorateRequest('miffyTraceId', '')

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
    const r = routing(request)
    const match = r.routes.match(q >= 0 ? url.slice(0, q) : url)
    reply.hijack()
    if (!match) return passthrough(r.referenceDispatcher, request.raw, reply.raw, r.reference)
    request.miffyRoute = match.pattern
    const body = request.body as Readable | undefined
    return mirrored(ctx, r.referenceDispatcher, match.value, match.params, request, reply.raw, body)
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

/** An experiment request: the reference answers the client; the mirror runs beside it. */
async function mirrored(
  ctx: ShadowContext,
  referenceDispatcher: Dispatcher,
  exp: Experiment,
  params: Record<string, string>,
  request: FastifyRequest,
  res: ServerResponse,
  bodyStream: Readable | undefined,
): Promise<void> {
  const req = request.raw
  const mirror = admit(ctx, exp, { method: req.method!, url: req.url!, headers: req.headers, params })
  if (!mirror) return void (await passthrough(referenceDispatcher, req, res, exp.reference))

  const headers = upstreamRequestHeaders(req.headers, 'reference')
  // Every leg gets the same trace context (src/proxy/trace-context.ts), so the pair's message
  // leads to the traces of both calls.
  request.miffyTraceId = propagateTrace(headers)
  let body: Buffer | Readable | undefined
  let reserved = 0
  if (hasBody(req)) {
    let read: Awaited<ReturnType<typeof readCapped>>
    try {
      read = await readCapped(bodyStream ?? req, exp.maxBodyBytes, ctx.budget)
    } catch {
      // The client went away while sending its body: nobody is waiting for an answer.
      mirror.drop('client_aborted')
      req.destroy()
      return
    }
    if (read.ok) {
      body = read.body
      reserved = read.reserved
      headers['content-length'] = String(read.body.length)
    } else {
      // Too large to keep: the reference still gets the whole body, streamed.
      mirror.drop(read.reason === 'memory' ? 'dropped_memory' : 'dropped_oversize')
      body = read.body
      if (req.headers['content-length']) headers['content-length'] = req.headers['content-length']
    }
  }
  mirror.start(headers, Buffer.isBuffer(body) ? body : undefined, reserved)
  // A mirror given up before it was sent: the reference serves this request alone.
  if (!mirror.capture) headers[ROLE_HEADER] = 'upstream'
  const answered = await forwardToClient(
    referenceDispatcher,
    req,
    res,
    exp.reference,
    headers,
    body,
    mirror.capture,
  )
  mirror.settle(answered)
}
