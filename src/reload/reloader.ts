/**
 * A reload, from SIGHUP or POST /config/reload: read the configuration layers again (defaults,
 * the file, the environment), hand the result to what applies it (this process's runtime, or a
 * cluster primary's workers), and count and log what happened. A configuration that does not
 * load or apply changes nothing. Reloads run one at a time, in the order they were asked for.
 *
 * The environment is the process's own, fixed when it started: a SIGHUP re-reads the files
 * under the same MIFFY_* and KAFKA_* variables.
 */
import type { Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'
import { loadConfig } from '../config/load.ts'
import type { MiffyConfig } from '../config/schema.ts'
import { MiffyError } from '../errors.ts'
import {
  type ConfigIdentity,
  RELOAD_RESULTS,
  type ReloadReport,
  type ReloadResult,
  type WorkerResult,
  WorkersError,
} from '../management/control.ts'
import type { Applied } from './runtime.ts'

export type { ReloadReport, ReloadResult, WorkerResult }
export { RELOAD_RESULTS, WorkersError }

/** What applies a loaded configuration: one runtime, or every worker of a cluster. */
export interface ReloadTarget {
  /** throws a MiffyError when nothing was applied */
  apply(config: MiffyConfig, loadedAt: Date): Promise<Applied & { workers?: WorkerResult[] }>
  identity(): ConfigIdentity
}

export type ReloadTrigger = 'SIGHUP' | 'POST /config/reload'

/** The layers miffy starts from, read again (its own environment); their warnings logged. */
export function loadLayers(log: Logger): () => MiffyConfig {
  return () => {
    const { config, warnings } = loadConfig()
    for (const w of warnings) log.warn(w)
    return config
  }
}

export class Reloader {
  readonly #load: () => MiffyConfig
  readonly #target: ReloadTarget
  readonly #log: Logger
  readonly #counter: Counter<'result'>
  #queue: Promise<unknown> = Promise.resolve()

  /** `load` reads the layers and throws the catalogue's MiffyError when they are invalid. */
  constructor(options: { load: () => MiffyConfig; target: ReloadTarget; registry: Registry; log: Logger }) {
    this.#load = options.load
    this.#target = options.target
    this.#log = options.log
    const target = options.target
    this.#counter = new Counter({
      name: 'miffy_config_reloads_total',
      help: 'Configuration reloads (SIGHUP, POST /config/reload), by result',
      labelNames: ['result'] as const,
      registers: [options.registry],
    })
    for (const r of RELOAD_RESULTS) this.#counter.labels(r).inc(0)
    new Gauge({
      name: 'miffy_config_info',
      help: 'Always 1; `hash` labels the active configuration (as /readyz reports it)',
      labelNames: ['hash'] as const,
      registers: [options.registry],
      collect() {
        this.reset()
        this.labels(target.identity().hash).set(1)
      },
    })
    new Gauge({
      name: 'miffy_config_loaded_timestamp_seconds',
      help: 'When the active configuration was loaded (start-up or the last applied reload)',
      registers: [options.registry],
      collect() {
        this.set(Date.parse(target.identity().loaded_at) / 1000)
      },
    })
  }

  reload(trigger: ReloadTrigger): Promise<ReloadReport> {
    const run = this.#queue.then(() => this.#reload(trigger))
    this.#queue = run.catch(() => {})
    return run
  }

  async #reload(trigger: ReloadTrigger): Promise<ReloadReport> {
    const before = this.#target.identity()
    let report: ReloadReport
    try {
      const config = this.#load()
      const applied = await this.#target.apply(config, new Date())
      report = {
        result: applied.result,
        config: applied.config,
        previous: applied.previous,
        routes: applied.routes,
        ...(applied.workers ? { workers: applied.workers } : {}),
      }
    } catch (err) {
      const known = err instanceof MiffyError
      const result: ReloadResult =
        known && err.code === 'MIFFY_ERR_RESTART_REQUIRED'
          ? 'restart_required'
          : known && err.code !== 'MIFFY_ERR_RELOAD_INCOMPLETE'
            ? 'invalid'
            : 'failed'
      report = {
        result,
        config: this.#target.identity(),
        error: known ? err.code : undefined,
        message: known ? err.message : `reload failed unexpectedly: ${(err as Error).message}`,
        ...(err instanceof WorkersError ? { workers: err.workers } : {}),
      }
      if (!known) this.#log.error({ err, trigger }, 'configuration reload failed unexpectedly')
    }
    this.#counter.labels(report.result).inc()
    if (report.result === 'applied') {
      const { added, removed, changed } = report.routes!
      this.#log.info(
        { trigger, config: report.config, previous: before.hash, added, removed, changed },
        'configuration reloaded',
      )
    } else if (report.result === 'unchanged') {
      this.#log.info({ trigger, config: report.config }, 'configuration reloaded: nothing changed')
    } else {
      this.#log.error(
        { trigger, result: report.result, active: report.config.hash, workers: report.workers },
        `configuration not reloaded: ${report.error ?? 'error'}: ${report.message}`,
      )
    }
    return report
  }
}
