/**
 * An experiment is a route of the config, compiled once at start-up: its upstreams, its
 * controls (top-level defaults overridden per route), and its live state (limiter, breaker,
 * candidate rotation).
 */
import type { MiffyConfig, RouteConfig, SampleBy } from '../config/schema.ts'
import type { CompareOptions } from '../diff/compare.ts'
import { compileIgnore } from '../diff/json-path.ts'
import { MiffyError } from '../errors.ts'
import { parseUpstream, type Upstream } from '../proxy/upstream.ts'
import { RouteError, RouteTable } from '../routing/route-table.ts'
import { Breaker, type BreakerState } from './breaker.ts'
import { CandidatePicker } from './candidate-picker.ts'
import { Limiter } from './limiter.ts'

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
  compare: CompareOptions
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
  const ignorePatterns = pick('ignore')
  let ignore: CompareOptions['ignore']
  try {
    ignore = compileIgnore([...ignorePatterns])
  } catch (err) {
    const where = route.ignore ? `routes[${i}].ignore` : 'ignore'
    throw new MiffyError('MIFFY_ERR_CONFIG', `invalid configuration: ${where}: ${(err as Error).message}`, {
      cause: err,
    })
  }
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
    compare: {
      route: route.path,
      ignore,
      compareHeaders: [...pick('compare_headers')],
      ignoreStatus: pick('ignore_status'),
      maxDecodedBytes: pick('max_body_bytes'),
      maxPaths: 20,
    },
  }
}
