/**
 * Builds miffy from a validated config: the proxy server and the management server, not yet
 * listening (tests build, only main listens). `close()` shuts down in order: stop taking
 * requests, let in-flight ones and their mirrors finish, flush the sink, all within
 * `shutdown_timeout`.
 */
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { Registry } from 'prom-client'
import type { MiffyConfig } from './config/schema.ts'
import { ownHostOrigins } from './config/upstream-hosts.ts'
import { noiseReport } from './diff/noise-report.ts'
import { managementToken } from './management/access.ts'
import { createMetrics } from './management/metrics.ts'
import { buildManagement } from './management/server.ts'
import { localSource, type NoiseRoutes } from './management/source.ts'
import { traceIdOf } from './proxy/trace-context.ts'
import { upstreamAgent } from './proxy/upstream.ts'
import { createSink } from './publish/create-sink.ts'
import { DivergenceLog } from './publish/divergence-log.ts'
import type { DeliveryListener, Sink } from './publish/sink.ts'
import { isSecretPlace } from './redact/places.ts'
import { redactUrl } from './redact/query.ts'
import { Redactor } from './redact/redactor.ts'
import { type Generation, maxCandidateTimeout } from './reload/generation.ts'
import { localControl, runtimeTarget } from './reload/local-control.ts'
import { loadLayers, Reloader } from './reload/reloader.ts'
import { Runtime } from './reload/runtime.ts'
import { buildProxy } from './server.ts'
import { Ledger } from './shadow/ledger.ts'
import { MemoryBudget, memoryShares } from './shadow/memory-budget.ts'
import type { ShadowContext } from './shadow/mirror.ts'
import { ThrottledWarning } from './throttled-log.ts'

export interface App {
  proxy: FastifyInstance
  management: FastifyInstance
  ctx: ShadowContext
  /** GET /noise's answer for this process */
  noise: () => NoiseRoutes
  sink: Sink
  registry: Registry
  /** the running configuration: routing, experiments, pauses */
  runtime: Runtime
  /** reloads the configuration layers; undefined in a cluster worker (its primary reloads it) */
  reloader: Reloader | undefined
  /** graceful shutdown within `deadlineMs` (default: shutdown_timeout) */
  close(deadlineMs?: number): Promise<void>
}

export interface BuildOptions {
  logger: Logger
  /** use this sink instead of the one the config asks for (it is given the delivery listener) */
  sink?: Sink | ((onDelivery: DeliveryListener) => Sink)
  registry?: Registry
  /**
   * How a reload reads the configuration again; default: the layers miffy starts from
   * (`loadConfig()`, with the process's environment). `null` in a cluster worker, which its
   * primary reconfigures over IPC: no reloader, no reload metrics, no control endpoints.
   */
  load?: (() => MiffyConfig) | null
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the generation this request reads, until its answer is done (src/reload/runtime.ts) */
    miffyGeneration: Generation | null
  }
}

export async function buildApp(config: MiffyConfig, options: BuildOptions): Promise<App> {
  const log = options.logger
  // read first: a token file that cannot be read stops start-up before anything is built
  const token = managementToken(config)
  const registry = options.registry ?? new Registry()
  const metrics = createMetrics(registry)
  const ledger = new Ledger((route, role) => metrics.upstreamDuration.labels(route, role))
  // miffy_experiment_outcomes_total is read from the ledger's books when scraped
  metrics.sources.outcomes = () => ledger.counts()
  const onDelivery: DeliveryListener = (route, result) => ledger.publication(route, result)
  const sink =
    typeof options.sink === 'function'
      ? options.sink(onDelivery)
      : (options.sink ?? (await createSink(config, log, registry, onDelivery)))
  // memory_budget covers everything kept of captured traffic (issue 10): the divergence log's
  // share is carved out of it, and bodies buffered for comparison get the rest.
  const shares = memoryShares(config)
  const ctx: ShadowContext = {
    shadowDispatcher: upstreamAgent(maxCandidateTimeout(config), ownHostOrigins(config, 'shadow')),
    budget: new MemoryBudget(shares.bodies),
    ledger,
    sink,
    divergences: new DivergenceLog(config.divergence_log, shares.divergenceLog),
    redactor: new Redactor(config),
    log,
    pending: new Set(),
    notQueued: new ThrottledWarning(log, 'divergence not queued for publishing'),
  }

  const runtime = new Runtime(config, {
    ctx,
    log,
    onBreaker(route, state) {
      metrics.circuitOpen.labels(route).set(state === 'closed' ? 0 : 1)
      if (state === 'open') metrics.circuitOpened.labels(route).inc()
    },
    onApplied(changes) {
      // Removed routes keep their counts (the books are by route) until a restart.
      for (const route of changes.added) ledger.declare(route)
      for (const route of changes.removed) {
        metrics.circuitOpen.remove(route)
        metrics.inFlight.remove(route)
        metrics.queued.remove(route)
      }
    },
  })
  metrics.sources.limiters = () =>
    [...runtime.current.experiments.values()].map((e) => ({
      route: e.route,
      inFlight: e.limiter.inFlight,
      queued: e.limiter.queued,
    }))
  metrics.sources.bufferedBytes = () => ctx.budget.used
  metrics.sources.noise = () =>
    [...runtime.current.experiments.values()]
      .filter((e) => e.secondary !== undefined)
      .map((e) => ({
        route: e.route,
        samples: e.noise.samples,
        skipped: e.noise.skipped,
        places: e.noise.size,
        overflow: e.noise.overflow,
      }))
  metrics.sources.divergenceLogBytes = () => ctx.divergences.bytes
  const requestCounts = new Map<string, { route: string; status: number; count: number }>()
  metrics.sources.requests = () => requestCounts.values()
  const accessLog = log.child({ component: 'access' })
  const proxy = buildProxy({
    ctx,
    client: {
      headersTimeout: config.headers_timeout,
      requestTimeout: config.request_timeout,
      bodyTimeout: config.body_timeout,
      forwardedHeaders: config.forwarded_headers,
      upgradeTimeout: config.reference_timeout,
    },
    // upgrades are tunnelled outside the generation's dispatchers: no lease needed
    peekRouting: () => runtime.routing,
    routing(request) {
      const generation = runtime.enter()
      request.miffyGeneration = generation
      return generation.routing
    },
    onDone(request, status, durationMs, completed) {
      const generation = request.miffyGeneration
      if (generation) {
        request.miffyGeneration = null
        runtime.leave(generation)
      }
      const key = `${status} ${request.miffyRoute}`
      const known = requestCounts.get(key)
      if (known) known.count++
      else requestCounts.set(key, { route: request.miffyRoute, status, count: 1 })
      if (!accessLog.isLevelEnabled('info')) return
      accessLog.info(
        {
          method: request.raw.method,
          // a secret in the query (`?token=…`) never reaches the log
          url: redactUrl(request.raw.url ?? '', ctx.redactor),
          route: request.miffyRoute || undefined,
          role: request.miffyRoute ? 'reference' : 'upstream',
          status,
          duration_ms: Math.round(durationMs * 100) / 100,
          completed,
          trace_id: request.miffyTraceId || traceIdOf(request.raw.headers.traceparent),
        },
        'request',
      )
    },
  })
  proxy.decorateRequest('miffyGeneration', null)
  const load = options.load === undefined ? loadLayers(log) : options.load
  const reloader = load ? new Reloader({ load, target: runtimeTarget(runtime), registry, log }) : undefined
  const noise = (): NoiseRoutes => ({
    routes: [...runtime.current.experiments.values()].map((e) => ({
      route: e.route,
      secondary: e.secondary?.url ?? null,
      ...noiseReport(e.noise, 200, (key) => isSecretPlace(key, ctx.redactor)),
    })),
  })
  const source = localSource(registry, sink, ctx.divergences, ledger, noise)
  if (reloader) source.control = localControl(runtime, reloader)
  const management = buildManagement(source, { token })

  let closing: Promise<void> | undefined
  const close = (deadlineMs = config.shutdown_timeout) => {
    closing ??= (async () => {
      const deadline = Date.now() + deadlineMs
      const left = () => Math.max(0, deadline - Date.now())
      await withDeadline(proxy.close(), left())
      // pairs held for a route's noise warm-up are judged now with what was learned
      for (const e of runtime.current.experiments.values()) e.warmup.release()
      await withDeadline(Promise.allSettled([...ctx.pending]), left())
      const { sent, lost } = await sink.close(Math.max(left(), 100))
      if (lost > 0) log.warn({ sent, lost }, 'divergences not published before shutdown')
      // Whatever is still running now has had its time: destroy rather than wait.
      await Promise.allSettled([management.close(), runtime.close()])
    })()
    return closing
  }
  return { proxy, management, ctx, noise, sink, registry, runtime, reloader, close }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}
