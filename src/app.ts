/**
 * Builds miffy from a validated config: the proxy server and the management server, not yet
 * listening (tests build, only main listens). `close()` shuts down in order: stop taking
 * requests, let in-flight ones and their mirrors finish, flush the sink, all within
 * `shutdown_timeout`.
 */
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { Registry } from 'prom-client'
import type { Agent } from 'undici'
import type { MiffyConfig } from './config/schema.ts'
import { noiseReport } from './diff/noise-report.ts'
import { createMetrics } from './management/metrics.ts'
import { buildManagement } from './management/server.ts'
import { localSource, type NoiseRoutes } from './management/source.ts'
import { ALWAYS_REDACTED } from './proxy/headers.ts'
import { ownHostOrigins, parseUpstream, upstreamAgent } from './proxy/upstream.ts'
import { createSink } from './publish/create-sink.ts'
import { DivergenceLog } from './publish/divergence-log.ts'
import type { DeliveryListener, Sink } from './publish/sink.ts'
import { buildProxy, type Routing } from './server.ts'
import { buildExperiments } from './shadow/experiment.ts'
import { Ledger } from './shadow/ledger.ts'
import { MemoryBudget } from './shadow/memory-budget.ts'
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
  /** graceful shutdown within `deadlineMs` (default: shutdown_timeout) */
  close(deadlineMs?: number): Promise<void>
}

export interface BuildOptions {
  logger: Logger
  /** use this sink instead of the one the config asks for (it is given the delivery listener) */
  sink?: Sink | ((onDelivery: DeliveryListener) => Sink)
  registry?: Registry
}

export async function buildApp(config: MiffyConfig, options: BuildOptions): Promise<App> {
  const log = options.logger
  const registry = options.registry ?? new Registry()
  const metrics = createMetrics(registry)
  const { table: routes, list: experiments } = buildExperiments(config, (route, state) => {
    metrics.circuitOpen.labels(route).set(state === 'closed' ? 0 : 1)
    if (state === 'open') metrics.circuitOpened.labels(route).inc()
  })
  const ledger = new Ledger((route, role) => metrics.upstreamDuration.labels(route, role))
  // miffy_experiment_outcomes_total is read from the ledger's books when scraped
  metrics.sources.outcomes = () => ledger.counts()
  for (const r of config.routes) ledger.declare(r.path)
  const maxCandidateTimeout = Math.max(
    config.candidate_timeout,
    ...config.routes.map((r) => r.candidate_timeout ?? 0),
  )
  const reference = parseUpstream(config.reference, config.host_header)
  const referenceOwnHost = ownHostOrigins([reference, ...experiments.map((e) => e.reference)])
  const shadowOwnHost = ownHostOrigins(
    experiments.flatMap((e) => (e.secondary ? [...e.candidates, e.secondary] : e.candidates)),
  )
  const onDelivery: DeliveryListener = (route, result) => ledger.publication(route, result)
  const sink =
    typeof options.sink === 'function'
      ? options.sink(onDelivery)
      : (options.sink ?? (await createSink(config, log, registry, onDelivery)))
  const referenceDispatcher = upstreamAgent(config.reference_timeout, referenceOwnHost)
  const ctx: ShadowContext = {
    shadowDispatcher: upstreamAgent(maxCandidateTimeout, shadowOwnHost),
    budget: new MemoryBudget(config.memory_budget),
    ledger,
    sink,
    divergences: new DivergenceLog(config.divergence_log),
    redact: new Set([...ALWAYS_REDACTED, ...config.redact_headers]),
    log,
    pending: new Set(),
    notQueued: new ThrottledWarning(log, 'divergence not queued for publishing'),
  }

  metrics.sources.limiters = () =>
    experiments.map((e) => ({ route: e.route, inFlight: e.limiter.inFlight, queued: e.limiter.queued }))
  metrics.sources.bufferedBytes = () => ctx.budget.used
  const requestCounts = new Map<string, { route: string; status: number; count: number }>()
  metrics.sources.requests = () => requestCounts.values()
  const accessLog = log.child({ component: 'access' })
  const routing: Routing = { routes, reference, referenceDispatcher }
  const proxy = buildProxy({
    ctx,
    routing: () => routing,
    onDone(request, status, durationMs, completed) {
      const key = `${status} ${request.miffyRoute}`
      const known = requestCounts.get(key)
      if (known) known.count++
      else requestCounts.set(key, { route: request.miffyRoute, status, count: 1 })
      if (!accessLog.isLevelEnabled('info')) return
      accessLog.info(
        {
          method: request.raw.method,
          url: request.raw.url,
          route: request.miffyRoute || undefined,
          role: request.miffyRoute ? 'reference' : 'upstream',
          status,
          duration_ms: Math.round(durationMs * 100) / 100,
          completed,
        },
        'request',
      )
    },
  })
  const noise = (): NoiseRoutes => ({
    routes: experiments.map((e) => ({
      route: e.route,
      secondary: e.secondary?.url ?? null,
      ...noiseReport(e.noise),
    })),
  })
  const management = buildManagement(localSource(registry, sink, ctx.divergences, ledger, noise))

  let closing: Promise<void> | undefined
  const close = (deadlineMs = config.shutdown_timeout) => {
    closing ??= (async () => {
      const deadline = Date.now() + deadlineMs
      const left = () => Math.max(0, deadline - Date.now())
      await withDeadline(proxy.close(), left())
      // pairs held for a route's noise warm-up are judged now with what was learned
      for (const e of experiments) e.warmup.release()
      await withDeadline(Promise.allSettled([...ctx.pending]), left())
      const { sent, lost } = await sink.close(Math.max(left(), 100))
      if (lost > 0) log.warn({ sent, lost }, 'divergences not published before shutdown')
      // Whatever is still running now has had its time: destroy rather than wait.
      await Promise.allSettled([
        management.close(),
        referenceDispatcher.destroy(),
        (ctx.shadowDispatcher as Agent).destroy(),
      ])
    })()
    return closing
  }
  return { proxy, management, ctx, noise, sink, registry, close }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}
