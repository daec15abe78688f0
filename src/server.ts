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
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex, Readable } from 'node:stream'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { MiffyError } from './errors.ts'
import { forwardToClient } from './proxy/forward.ts'
import { addForwardedHeaders, keepClientHeaders } from './proxy/forwarded.ts'
import { ROLE_HEADER, upstreamRequestHeaders } from './proxy/headers.ts'
import { hasBody, passthrough } from './proxy/passthrough.ts'
import { BodyTimeoutError, readCapped } from './proxy/request-body.ts'
import { normaliseTarget } from './proxy/request-target.ts'
import { sendError } from './proxy/respond.ts'
import { propagateTrace } from './proxy/trace-context.ts'
import { refuseOnSocket, tunnel } from './proxy/tunnel.ts'
import type { Upstream } from './proxy/upstream.ts'
import { errorBody } from './proxy/upstream-errors.ts'
import { redactUrl } from './redact/query.ts'
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
  /** the current routing without holding it for a request (upgrades: their tunnel is not on its dispatchers) */
  peekRouting: () => Routing
  /** called once per finished request: access log and request metrics */
  onDone: (request: FastifyRequest, statusCode: number, durationMs: number, completed: boolean) => void
  /** deadlines on what clients send, and what is added to what they sent */
  client: ClientLimits
}

/** The edge's limits on clients (config keys of the same names, in ms). */
export interface ClientLimits {
  headersTimeout: number
  requestTimeout: number
  bodyTimeout: number
  forwardedHeaders: boolean
  /** the deadline for an upgrade handshake at the reference (reference_timeout) */
  upgradeTimeout: number
}

/** Node's parser errors that are not "400 Bad Request". */
const CLIENT_ERRORS: Record<string, MiffyError['code']> = {
  // RFC 9110 §15.5.9: the client took too long to send its request (headers_timeout, request_timeout)
  ERR_HTTP_REQUEST_TIMEOUT: 'MIFFY_ERR_REQUEST_TIMEOUT',
  // RFC 6585 §5: Request Header Fields Too Large
  HPE_HEADER_OVERFLOW: 'MIFFY_ERR_HEADERS_TOO_LARGE',
}
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}

const BAD_TARGET = Symbol('miffy.badTarget')

export function buildProxy(options: ProxyOptions): FastifyInstance {
  const { ctx, routing, peekRouting, onDone, client } = options
  const forwarded = client.forwardedHeaders ? addForwardedHeaders : keepClientHeaders
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    // Requests arriving during shutdown get miffy's own 503 (below), in the error catalogue's shape.
    return503OnClosing: false,
    // Idle keep-alive connections are closed at shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    // Fastify switches node:http's request deadline off (0); a client trickling its request
    // would hold a connection and its upstream request for ever (issue 10).
    requestTimeout: client.requestTimeout,
    http: {
      headersTimeout: client.headersTimeout,
      // how often node:http looks for expired requests (default 30 s, which would let a
      // 1 s headers_timeout run for 31 s)
      connectionsCheckingInterval: Math.min(1000, client.headersTimeout),
      // Upgrades go to the tunnel below; one that carries a body is served as a plain request
      // (its Upgrade header dropped as hop-by-hop), since a tunnel could not mirror or frame it.
      shouldUpgradeCallback: (req: IncomingMessage) => !hasBody(req),
    },
    // Requests Node's HTTP parser refuses (bad request line, bad headers, too slow, too large)
    // get the catalogue's JSON shape and the status RFC 9110 gives them.
    clientErrorHandler(err, socket) {
      const code = (err as { code?: string }).code
      const inFlight = (socket as { _httpMessage?: ServerResponse })._httpMessage
      // Answer only if nothing of an answer is on the wire yet (as node:http itself does);
      // otherwise the peer would read our bytes as part of the reference's answer.
      if (code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return socket.destroy()
      const error = new MiffyError(
        CLIENT_ERRORS[code ?? ''] ?? 'MIFFY_ERR_BAD_REQUEST',
        `malformed HTTP request (${code ?? 'parse error'})`,
      )
      if (error.code === 'MIFFY_ERR_REQUEST_TIMEOUT') error.message = 'the request did not arrive in time'
      if (error.code === 'MIFFY_ERR_HEADERS_TOO_LARGE') error.message = 'the request headers are too large'
      const body = errorBody(error)
      const status = error.status ?? 400
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      )
      socket.destroySoon()
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
    const bad =
      (request.raw as unknown as Record<symbol, string | undefined>)[BAD_TARGET] ??
      duplicateHost(request.raw.rawHeaders)
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
    if (!match) return passthrough(r.referenceDispatcher, request.raw, reply.raw, r.reference, forwarded)
    request.miffyRoute = match.pattern
    const body = request.body as Readable | undefined
    const edge = { forwarded, bodyTimeout: client.bodyTimeout }
    return mirrored(ctx, r.referenceDispatcher, match.value, match.params, request, reply.raw, body, edge)
  }
  app.all('/', handler)
  app.all('/*', handler)

  // `Upgrade` requests (WebSocket): tunnelled to the reference, never mirrored. Node hands them
  // over before Fastify sees them, so the checks the handler makes are made here too.
  const tunnels = new Set<Duplex>()
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if (closing)
      return refuseOnSocket(socket, new MiffyError('MIFFY_ERR_SHUTTING_DOWN', 'miffy is shutting down'))
    const target = normaliseTarget(req.url ?? '')
    const bad = target.ok ? duplicateHost(req.rawHeaders) : target.reason
    if (bad || !target.ok) return refuseOnSocket(socket, new MiffyError('MIFFY_ERR_BAD_REQUEST', bad!))
    req.url = target.url
    const q = target.url.indexOf('?')
    const r = peekRouting()
    const match = r.routes.match(q >= 0 ? target.url.slice(0, q) : target.url)
    // inside an experiment: counted as its own outcome, so that every matched request has one
    if (match) ctx.ledger.outcome(match.value.route, 'upgrade_not_mirrored')
    const headers = upstreamRequestHeaders(req.headers, match ? 'reference' : 'upstream')
    forwarded(headers, req)
    tunnels.add(socket)
    socket.once('close', () => tunnels.delete(socket))
    tunnel(req, socket, head, {
      upstream: match ? match.value.reference : r.reference,
      headers,
      timeoutMs: client.upgradeTimeout,
      onDone: (status) =>
        ctx.log.debug(
          { method: req.method, url: redactUrl(target.url, ctx.redactor), route: match?.pattern, status },
          'upgrade',
        ),
    })
  })
  // An open tunnel has no request to finish: shutdown closes it rather than wait for it (the
  // server's close would wait for its socket).
  app.addHook('preClose', (done) => {
    for (const socket of tunnels) socket.destroy()
    done()
  })

  app.setErrorHandler((err, request, reply) => {
    ctx.log.error(
      { err, url: redactUrl(request.raw.url ?? '', ctx.redactor) },
      'unexpected error on the client path',
    )
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

/**
 * RFC 9112 §3.2: a server MUST answer 400 to a request with more than one Host field line.
 * node:http keeps the first and drops the others, so upstreams behind miffy could disagree with
 * a front proxy that read the last one (a classic cache-poisoning and routing confusion).
 */
function duplicateHost(raw: string[]): string | undefined {
  let seen = false
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue
    if (seen) return 'the request has more than one Host header'
    seen = true
  }
  return undefined
}

interface Edge {
  forwarded: typeof addForwardedHeaders
  bodyTimeout: number
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
  edge: Edge,
): Promise<void> {
  const req = request.raw
  const mirror = admit(ctx, exp, { method: req.method!, url: req.url!, headers: req.headers, params })
  if (!mirror) return void (await passthrough(referenceDispatcher, req, res, exp.reference, edge.forwarded))

  const headers = upstreamRequestHeaders(req.headers, 'reference')
  edge.forwarded(headers, req)
  // Every leg gets the same trace context (src/proxy/trace-context.ts), so the pair's message
  // leads to the traces of both calls.
  request.miffyTraceId = propagateTrace(headers)
  let body: Buffer | Readable | undefined
  let reserved = 0
  if (hasBody(req)) {
    let read: Awaited<ReturnType<typeof readCapped>>
    try {
      read = await readCapped(bodyStream ?? req, exp.maxBodyBytes, ctx.budget, edge.bodyTimeout)
    } catch (err) {
      if (err instanceof BodyTimeoutError) {
        // Neither leg was sent: the client is told, and the connection closed (the rest of its
        // body is never read).
        mirror.drop('dropped_body_timeout')
        res.setHeader('connection', 'close')
        sendError(res, new MiffyError('MIFFY_ERR_REQUEST_TIMEOUT', err.message))
        res.once('finish', () => req.destroy())
        return
      }
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
