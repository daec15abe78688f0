/**
 * A generation: everything requests are routed by under one configuration (the route table of
 * experiments, the reference and its dispatcher), built whole before it replaces the previous
 * one, so a request sees either the old settings or the new, never a mix.
 *
 * An experiment whose effective settings did not change is carried into the new generation as
 * the same object, with all its live state: limiter, breaker, candidate rotation, pause, and
 * whatever state an experiment gains later. A route whose settings changed gets a new
 * experiment, which still takes over the parts whose own settings are the same (the limiter
 * when max_in_flight and queue are, the breaker when its thresholds are, the rotation when the
 * candidates are), so changing a sample rate does not close an open breaker.
 */
import type { MiffyConfig, RouteConfig } from '../config/schema.ts'
import { configSchema } from '../config/schema.ts'
import { ownHostOrigins, sameOwnHost } from '../config/upstream-hosts.ts'
import type { RouteChanges } from '../management/control.ts'
import { parseUpstream, upstreamAgent } from '../proxy/upstream.ts'
import { RouteTable } from '../routing/route-table.ts'
import type { Routing } from '../server.ts'
import { type BreakerListener, buildExperiments, type Experiment } from '../shadow/experiment.ts'
import { type ConfigIdentity, configIdentity, stableJson } from './config-identity.ts'

export interface Generation {
  /** 1 for the configuration miffy started with, then one more per applied reload */
  readonly number: number
  readonly config: MiffyConfig
  readonly identity: ConfigIdentity
  readonly routing: Routing
  /** by route pattern, in configuration order */
  readonly experiments: ReadonlyMap<string, Experiment>
  /** per route pattern, the effective settings the experiment was built from */
  readonly settings: ReadonlyMap<string, string>
  /** the longest candidate deadline of any route: the shadow dispatcher's backstop timeout */
  readonly maxCandidateTimeout: number
}

/** What a new generation did to the routes of the one before. */
export type { RouteChanges }

/** The keys a route may set; each falls back to the top-level key of the same name. */
const ROUTE_KEYS = Object.keys(
  (configSchema.shape.routes.element as unknown as { shape: Record<string, unknown> }).shape,
)

/** A route's settings after inheritance, as comparable text. */
function effectiveSettings(config: MiffyConfig, route: RouteConfig): string {
  const top = config as unknown as Record<string, unknown>
  const own = route as unknown as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const k of ROUTE_KEYS) out[k] = own[k] ?? top[k]
  return stableJson(out)
}

/**
 * Builds the generation for `config`, reusing what `previous` had where the settings are equal.
 * Throws the configuration's MiffyError (a route conflict, a bad ignore pattern) before anything
 * is shared with a running generation.
 */
export function buildGeneration(
  config: MiffyConfig,
  previous: Generation | undefined,
  onBreaker: BreakerListener,
  loadedAt: Date,
): { generation: Generation; changes: RouteChanges } {
  // Compiles and validates every route; the experiments of unchanged routes are then dropped.
  const { list } = buildExperiments(config, onBreaker)
  const changes: RouteChanges = { added: [], removed: [], changed: [], unchanged: [] }
  const table = new RouteTable<Experiment>()
  const experiments = new Map<string, Experiment>()
  const settings = new Map<string, string>()
  config.routes.forEach((route, i) => {
    const fresh = list[i]!
    const wanted = effectiveSettings(config, route)
    const old = previous?.experiments.get(route.path)
    let exp = fresh
    if (!old) changes.added.push(route.path)
    else if (previous!.settings.get(route.path) === wanted) {
      exp = old
      changes.unchanged.push(route.path)
    } else {
      carryOver(old, fresh)
      changes.changed.push(route.path)
    }
    table.insert(route.path, exp)
    experiments.set(route.path, exp)
    settings.set(route.path, wanted)
  })
  for (const path of previous?.experiments.keys() ?? []) {
    if (!experiments.has(path)) changes.removed.push(path)
  }
  const sameReference =
    previous &&
    previous.config.reference_timeout === config.reference_timeout &&
    sameOwnHost(previous.config, config, 'reference')
  const generation: Generation = {
    number: (previous?.number ?? 0) + 1,
    config,
    identity: configIdentity(config, loadedAt),
    routing: {
      routes: table,
      reference: parseUpstream(config.reference, config.host_header),
      referenceDispatcher: sameReference
        ? previous.routing.referenceDispatcher
        : upstreamAgent(config.reference_timeout, ownHostOrigins(config, 'reference')),
    },
    experiments,
    settings,
    maxCandidateTimeout: maxCandidateTimeout(config),
  }
  return { generation, changes }
}

/** The longest candidate deadline of any route: the shadow dispatcher's backstop timeout. */
export function maxCandidateTimeout(config: MiffyConfig): number {
  return Math.max(config.candidate_timeout, ...config.routes.map((r) => r.candidate_timeout ?? 0))
}

/**
 * Live state a changed route keeps: each part whose own settings are the same, and the pause.
 * Whatever per-experiment state is added later belongs here too when it should survive a
 * change of the route's other settings.
 */
function carryOver(old: Experiment, fresh: Experiment): void {
  if (
    old.limiter.maxInFlight === fresh.limiter.maxInFlight &&
    old.limiter.maxQueue === fresh.limiter.maxQueue
  )
    fresh.limiter = old.limiter
  if (old.breaker.failures === fresh.breaker.failures && old.breaker.coolDownMs === fresh.breaker.coolDownMs)
    fresh.breaker = old.breaker
  if (
    old.picker.quarantineMs === fresh.picker.quarantineMs &&
    stableJson(old.picker.urls) === stableJson(fresh.picker.urls)
  )
    fresh.picker = old.picker
  fresh.paused = old.paused
  // What the route learned of its noise still holds while the secondary it learned from does.
  if (old.secondary?.url === fresh.secondary?.url && old.noise.maxPlaces === fresh.noise.maxPlaces) {
    fresh.noise = old.noise
    fresh.warmup = old.warmup
    if (
      old.noiseSampler.rate === fresh.noiseSampler.rate &&
      old.noiseSampler.warmup === fresh.noiseSampler.warmup
    )
      fresh.noiseSampler = old.noiseSampler
  }
}
