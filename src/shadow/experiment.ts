/**
 * An experiment is a route of the config, compiled at start-up and by each reload that changes
 * it (src/reload/generation.ts): its upstreams, its controls (top-level defaults overridden per
 * route), and its live state (limiter, breaker, candidate rotation, pause).
 */
import type { MiffyConfig, RouteConfig, SampleBy } from '../config/schema.ts'
import { NoiseModel } from '../diff/noise-model.ts'
import { type CompareRules, compileRules, RuleError } from '../diff/rules.ts'
import { MiffyError } from '../errors.ts'
import { parseUpstream, type Upstream } from '../proxy/upstream.ts'
import { RouteError, RouteTable } from '../routing/route-table.ts'
import { Breaker, type BreakerState } from './breaker.ts'
import { CandidatePicker } from './candidate-picker.ts'
import { Limiter } from './limiter.ts'
import { NoiseSampler } from './secondary-leg.ts'
import { WarmupHold } from './warmup-hold.ts'

export interface Experiment {
  route: string
  key: string | undefined
  reference: Upstream
  candidates: Upstream[]
  picker: CandidatePicker
  sample: number
  sampleBy: SampleBy | undefined
  /** upper-case method names, or null for all */
  methods: ReadonlySet<string> | null
  candidateTimeoutMs: number
  maxBodyBytes: number
  limiter: Limiter
  breaker: Breaker
  compare: CompareRules
  /** a second instance of the reference, for learning the noise; undefined: no learning */
  secondary: Upstream | undefined
  /** which mirrored requests also go to the secondary (`noise_sample`, `noise_warmup`) */
  noiseSampler: NoiseSampler
  publishNoise: boolean
  /** divergent pairs waiting for the route's noise warm-up to end */
  warmup: WarmupHold
  /** what this route has learned of its own noise */
  noise: NoiseModel
  /** set at runtime (POST /experiments/{route}/pause): requests are proxied plainly, counted `paused` */
  paused: boolean
}

/** Told when a route's circuit breaker changes state (the metrics read it). */
export type BreakerListener = (route: string, state: BreakerState) => void

export function buildExperiments(
  config: MiffyConfig,
  onBreaker: BreakerListener = () => {},
): { table: RouteTable<Experiment>; list: Experiment[] } {
  const table = new RouteTable<Experiment>()
  const list: Experiment[] = []
  config.routes.forEach((route, i) => {
    const exp = compile(config, route, i, onBreaker)
    list.push(exp)
    try {
      table.insert(route.path, exp)
    } catch (err) {
      if (err instanceof RouteError) {
        throw new MiffyError(
          'MIFFY_ERR_CONFIG',
          `invalid configuration: routes[${i}].path = "${route.path}": ${err.message}`,
          {
            cause: err,
          },
        )
      }
      throw err
    }
  })
  return { table, list }
}

function compile(config: MiffyConfig, route: RouteConfig, i: number, onBreaker: BreakerListener): Experiment {
  const pick = <K extends keyof RouteConfig & keyof MiffyConfig>(k: K) =>
    (route[k] ?? config[k]) as MiffyConfig[K]
  const sampleBy = route.sample_by ?? config.sample_by
  if (
    sampleBy?.kind === 'param' &&
    !route.path.includes(`{${sampleBy.name}}`) &&
    !route.path.includes(`{*${sampleBy.name}}`)
  ) {
    throw new MiffyError(
      'MIFFY_ERR_CONFIG',
      `invalid configuration: routes[${i}] ("${route.path}"): sample_by = "param:${sampleBy.name}" names no parameter of the route`,
    )
  }
  const methods = pick('methods')
  const coolDown = pick('breaker_cool_down')
  const candidates = (route.candidate ?? config.candidate).map((c) => parseUpstream(c, config.host_header))
  return {
    route: route.path,
    key: route.key,
    reference: parseUpstream(route.reference ?? config.reference, config.host_header),
    candidates,
    picker: new CandidatePicker(
      candidates.map((c) => c.url),
      coolDown,
    ),
    sample: pick('sample'),
    sampleBy,
    methods: methods.length > 0 ? new Set(methods) : null,
    candidateTimeoutMs: pick('candidate_timeout'),
    maxBodyBytes: pick('max_body_bytes'),
    limiter: new Limiter(pick('max_in_flight'), pick('queue')),
    breaker: new Breaker(pick('breaker_failures'), coolDown, (state) => onBreaker(route.path, state)),
    compare: rules(config, route, i),
    secondary:
      (route.secondary ?? config.secondary) === undefined
        ? undefined
        : parseUpstream({ url: (route.secondary ?? config.secondary)! }, config.host_header),
    noiseSampler: new NoiseSampler(pick('noise_sample'), pick('noise_warmup')),
    publishNoise: pick('publish_noise'),
    warmup: new WarmupHold(pick('noise_warmup'), pick('noise_warmup_wait')),
    noise: new NoiseModel(pick('max_noise_paths')),
    paused: false,
  }
}

/** Lists listed at most this many differing locations in a divergence. */
const MAX_LISTED_PATHS = 20

/**
 * The route's comparison rules: its lists and tables extend the global ones (a route's `ignore`
 * adds to the global `ignore`); its single values replace them.
 */
function rules(config: MiffyConfig, route: RouteConfig, i: number): CompareRules {
  const list = <
    K extends
      | 'ignore'
      | 'compare_headers'
      | 'ignore_headers'
      | 'presence_headers'
      | 'unordered'
      | 'text_masks',
  >(
    k: K,
  ) => [...new Set([...config[k], ...(route[k] ?? [])])]
  try {
    return compileRules({
      route: route.path,
      ignore: list('ignore'),
      unordered: list('unordered'),
      tolerance: { ...config.tolerance, ...route.tolerance },
      matchBy: { ...config.match_by, ...route.match_by },
      floatTolerance: route.float_tolerance ?? config.float_tolerance,
      compareHeaders: list('compare_headers'),
      ignoreHeaders: list('ignore_headers'),
      presenceHeaders: list('presence_headers'),
      ignoreStatus: route.ignore_status ?? config.ignore_status,
      textMasks: list('text_masks'),
      maxDecodedBytes: route.max_body_bytes ?? config.max_body_bytes,
      maxPaths: MAX_LISTED_PATHS,
    })
  } catch (err) {
    if (!(err instanceof RuleError)) throw err
    const key = err.key as keyof RouteConfig
    const where = route[key] !== undefined ? `routes[${i}].${err.key}` : err.key
    throw new MiffyError('MIFFY_ERR_CONFIG', `invalid configuration: ${where}: ${err.message}`, {
      cause: err,
    })
  }
}
