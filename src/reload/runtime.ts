/**
 * The running configuration of one process: the current generation (src/reload/generation.ts)
 * and the shared parts of the shadow context a reload may change. `apply` swaps all of it at
 * once for new requests; a request keeps the generation it started with until its answer is
 * done, and so do its mirrors.
 *
 * Dispatchers are never destroyed under a request: a reference dispatcher replaced by a reload
 * (its timeouts changed) is closed once the last request that read its generation is finished,
 * and undici's `close()` itself waits for what is still queued; a replaced shadow dispatcher is
 * closed at once (a mirror reads the current one when it sends, so none is sent on the old one
 * afterwards), which lets its calls in flight finish.
 *
 * Pause is kept by route pattern, across reloads, for as long as the route exists.
 */
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import type { MiffyConfig } from '../config/schema.ts'
import { ownHostOrigins, sameOwnHost } from '../config/upstream-hosts.ts'
import { MiffyError } from '../errors.ts'
import { upstreamAgent } from '../proxy/upstream.ts'
import { Redactor } from '../redact/redactor.ts'
import type { Routing } from '../server.ts'
import type { BreakerListener, Experiment } from '../shadow/experiment.ts'
import { memoryShares } from '../shadow/memory-budget.ts'
import type { ShadowContext } from '../shadow/mirror.ts'
import { type ConfigIdentity, configHash } from './config-identity.ts'
import { buildGeneration, type Generation, type RouteChanges } from './generation.ts'
import { formatChanges, restartOnlyChanges } from './restart-only.ts'

/** What applying a configuration did. */
export interface Applied {
  /** `unchanged`: the configuration is the active one (same hash); nothing was rebuilt */
  result: 'applied' | 'unchanged'
  config: ConfigIdentity
  previous: ConfigIdentity
  routes: RouteChanges
}

export interface RuntimeOptions {
  ctx: ShadowContext
  log: Logger
  onBreaker: BreakerListener
  /** told after each generation is in place (the ledger declares new routes, metrics forget old ones) */
  onApplied?: (changes: RouteChanges, generation: Generation) => void
}

/** A generation still read by requests in flight, with the dispatcher to close after them. */
interface Retiring {
  generation: Generation
  leases: number
  dispatcher: Dispatcher | undefined
}

export class Runtime {
  readonly #ctx: ShadowContext
  readonly #log: Logger
  readonly #onBreaker: BreakerListener
  readonly #onApplied: (changes: RouteChanges, generation: Generation) => void
  #current: Generation
  #leases = 0
  /** generations replaced while requests still read them */
  readonly #retiring = new Set<Retiring>()
  /** dispatchers closing gracefully: destroyed if still open at shutdown */
  readonly #closing = new Set<Dispatcher>()
  readonly #paused = new Set<string>()

  constructor(config: MiffyConfig, options: RuntimeOptions, loadedAt = new Date()) {
    this.#ctx = options.ctx
    this.#log = options.log
    this.#onBreaker = options.onBreaker
    this.#onApplied = options.onApplied ?? (() => {})
    // the shadow context was built from the same config: only reloads change it
    const { generation, changes } = buildGeneration(config, undefined, this.#onBreaker, loadedAt)
    this.#current = generation
    this.#onApplied(changes, generation)
  }

  get current(): Generation {
    return this.#current
  }

  get config(): MiffyConfig {
    return this.#current.config
  }

  get identity(): ConfigIdentity {
    return this.#current.identity
  }

  /** Requests reading the current generation now. */
  get inFlight(): number {
    return this.#leases
  }

  /** Route patterns paused now. */
  get paused(): string[] {
    return [...this.#paused]
  }

  /**
   * The routing for one request, held until `leave` is called with the returned token (when the
   * request's answer is done). The token is the generation the request reads.
   */
  enter(): Generation {
    this.#leases++
    return this.#current
  }

  leave(generation: Generation): void {
    if (generation === this.#current) {
      this.#leases--
      return
    }
    for (const r of this.#retiring) {
      if (r.generation !== generation) continue
      if (--r.leases === 0) this.#retire(r)
      return
    }
  }

  /** The routing of the current generation, without a lease (for tools and tests). */
  get routing(): Routing {
    return this.#current.routing
  }

  /**
   * Makes `config` the configuration of new requests. Throws a MiffyError and changes nothing
   * when it changes a restart-only key or does not compile.
   */
  apply(config: MiffyConfig, loadedAt = new Date()): Applied {
    const previous = this.#current
    const restart = restartOnlyChanges(previous.config, config)
    if (restart.length > 0) {
      throw new MiffyError(
        'MIFFY_ERR_RESTART_REQUIRED',
        `only a restart can change ${formatChanges(restart)}; nothing was reloaded`,
      )
    }
    if (configHash(config) === previous.identity.hash) {
      // Nothing differs: the running generation stays, with its load time.
      const routes = [...previous.experiments.keys()]
      return {
        result: 'unchanged',
        config: previous.identity,
        previous: previous.identity,
        routes: { added: [], removed: [], changed: [], unchanged: routes },
      }
    }
    const { generation, changes } = buildGeneration(config, previous, this.#onBreaker, loadedAt)

    for (const exp of generation.experiments.values()) exp.paused = this.#paused.has(exp.route)
    for (const path of changes.removed) this.#paused.delete(path)
    for (const path of changes.changed) {
      // a fresh breaker starts closed: the gauge says so
      const exp = generation.experiments.get(path)!
      if (exp.breaker !== previous.experiments.get(path)?.breaker) this.#onBreaker(path, exp.breaker.state)
    }

    this.#current = generation
    this.#shareShadowSettings(generation, previous)
    const replaced =
      generation.routing.referenceDispatcher === previous.routing.referenceDispatcher
        ? undefined
        : previous.routing.referenceDispatcher
    const retiring: Retiring = { generation: previous, leases: this.#leases, dispatcher: replaced }
    this.#leases = 0
    if (retiring.leases === 0) this.#retire(retiring)
    else this.#retiring.add(retiring)

    this.#onApplied(changes, generation)
    return { result: 'applied', config: generation.identity, previous: previous.identity, routes: changes }
  }

  /** Stops mirroring one experiment. Undefined when no experiment has that route pattern. */
  pause(route: string): { changed: boolean } | undefined {
    return this.#setPaused(route, true)
  }

  resume(route: string): { changed: boolean } | undefined {
    return this.#setPaused(route, false)
  }

  #setPaused(route: string, paused: boolean): { changed: boolean } | undefined {
    const exp: Experiment | undefined = this.#current.experiments.get(route)
    if (!exp) return undefined
    const changed = exp.paused !== paused
    exp.paused = paused
    if (paused) this.#paused.add(route)
    else this.#paused.delete(route)
    if (changed) this.#log.info({ route }, paused ? 'experiment paused' : 'experiment resumed')
    return { changed }
  }

  /** Shutdown: every dispatcher this runtime made, destroyed (in-flight work has had its time). */
  async close(): Promise<void> {
    const all = new Set<Dispatcher>([
      this.#current.routing.referenceDispatcher,
      this.#ctx.shadowDispatcher,
      ...this.#closing,
    ])
    for (const r of this.#retiring) if (r.dispatcher) all.add(r.dispatcher)
    this.#retiring.clear()
    await Promise.allSettled([...all].map((d) => d.destroy()))
  }

  /** The parts of the shadow context a reload changes, for every mirror started from now on. */
  #shareShadowSettings(generation: Generation, previous: Generation): void {
    const ctx = this.#ctx
    const config = generation.config
    if (
      previous.maxCandidateTimeout !== generation.maxCandidateTimeout ||
      !sameOwnHost(previous.config, config, 'shadow')
    ) {
      const old = ctx.shadowDispatcher
      ctx.shadowDispatcher = upstreamAgent(generation.maxCandidateTimeout, ownHostOrigins(config, 'shadow'))
      this.#closeGracefully(old)
    }
    const shares = memoryShares(config)
    ctx.budget.resize(shares.bodies)
    ctx.divergences.resize(shares.divergenceLog)
    ctx.redactor = new Redactor(config)
  }

  #retire(r: Retiring): void {
    this.#retiring.delete(r)
    if (r.dispatcher) this.#closeGracefully(r.dispatcher)
  }

  #closeGracefully(dispatcher: Dispatcher): void {
    this.#closing.add(dispatcher)
    dispatcher
      .close()
      .catch((err: unknown) => this.#log.warn({ err }, 'closing a replaced upstream dispatcher failed'))
      .finally(() => this.#closing.delete(dispatcher))
  }
}
