/**
 * Reload, pause and resume with `workers > 1`. The primary serves the management port and
 * receives SIGHUP; it loads and validates the configuration once, then sends the validated
 * result to every worker over IPC, so all workers apply the same configuration (not each its
 * own reading of a file that may be changing), and answers with what each one did.
 *
 * The primary remembers the configuration and the pauses it last distributed, and hands both
 * to a worker that replaces one that died.
 */
import type { Worker } from 'node:cluster'
import type { MiffyConfig } from '../config/schema.ts'
import { MiffyError } from '../errors.ts'
import type { Control, ControlStatus, PauseReport } from '../management/control.ts'
import { type ConfigIdentity, configIdentity } from '../reload/config-identity.ts'
import { unknownExperiment } from '../reload/local-control.ts'
import type { Reloader, ReloadTarget, WorkerResult } from '../reload/reloader.ts'
import { WorkersError } from '../reload/reloader.ts'
import { formatChanges, restartOnlyChanges } from '../reload/restart-only.ts'
import type { Applied } from '../reload/runtime.ts'
import { buildExperiments } from '../shadow/experiment.ts'
import type { Answers, Question } from './messages.ts'

/** Asks every live worker; `undefined` for a worker that did not answer in time. */
export type AskAll = <K extends Question['what']>(
  question: Extract<Question, { what: K }>,
) => Promise<{ worker: number; answer: Answers[K] | undefined }[]>

export type AskOne = <K extends Question['what']>(
  worker: Worker,
  question: Extract<Question, { what: K }>,
) => Promise<Answers[K] | undefined>

export class ClusterControl implements ReloadTarget {
  readonly #askAll: AskAll
  readonly #askOne: AskOne
  #config: MiffyConfig
  #identity: ConfigIdentity
  readonly #paused = new Set<string>()
  /** whether workers started from the configuration file may differ from what was distributed */
  #reconfigured = false

  constructor(config: MiffyConfig, askAll: AskAll, askOne: AskOne, startedAt = new Date()) {
    this.#config = config
    this.#identity = configIdentity(config, startedAt)
    this.#askAll = askAll
    this.#askOne = askOne
  }

  identity(): ConfigIdentity {
    return this.#identity
  }

  async apply(config: MiffyConfig, loadedAt: Date): Promise<Applied & { workers: WorkerResult[] }> {
    const restart = restartOnlyChanges(this.#config, config)
    if (restart.length > 0) {
      throw new MiffyError(
        'MIFFY_ERR_RESTART_REQUIRED',
        `only a restart can change ${formatChanges(restart)}; nothing was reloaded`,
      )
    }
    // Route conflicts and bad ignore patterns surface here, before any worker is asked.
    buildExperiments(config)
    // Sent even when the hash is the primary's: a worker left behind by an earlier incomplete
    // reload catches up, and the others answer "unchanged".
    const answers = await this.#askAll({ what: 'apply', config, loadedAt: loadedAt.toISOString() })
    const workers: WorkerResult[] = answers.map(({ worker, answer }) =>
      !answer
        ? { worker, ok: false, error: 'MIFFY_ERR_RELOAD_INCOMPLETE', message: 'no answer in time' }
        : answer.ok
          ? { worker, ok: true, config: answer.applied.config }
          : { worker, ok: false, error: answer.error, message: answer.message },
    )
    const failed = workers.filter((w) => !w.ok)
    if (workers.length === 0 || failed.length > 0) {
      this.#reconfigured = true
      throw new WorkersError(
        'MIFFY_ERR_RELOAD_INCOMPLETE',
        workers.length === 0
          ? 'no worker is running'
          : `${failed.length} of ${workers.length} workers did not apply the configuration (${failed
              .map((w) => `worker ${w.worker}: ${w.message}`)
              .join('; ')}); the others did`,
        workers,
      )
    }
    const applied = answers
      .map(({ answer }) => answer)
      .filter((a): a is Extract<Answers['apply'], { ok: true }> => a?.ok === true)
      .map((a) => a.applied)
    const changed = applied.find((a) => a.result === 'applied')
    const previous = this.#identity
    if (changed) {
      this.#config = config
      this.#identity = changed.config
      this.#reconfigured = true
      for (const route of changed.routes.removed) this.#paused.delete(route)
    }
    return {
      result: changed ? 'applied' : 'unchanged',
      config: this.#identity,
      previous,
      routes: (changed ?? applied[0]!).routes,
      workers,
    }
  }

  async setPaused(route: string, paused: boolean): Promise<PauseReport> {
    const answers = await this.#askAll({ what: 'pause', route, paused })
    const known = answers.filter(({ answer }) => answer?.known)
    if (answers.length > 0 && known.length === 0 && answers.every(({ answer }) => answer)) {
      throw unknownExperiment(
        route,
        this.#config.routes.map((r) => r.path),
      )
    }
    const workers: WorkerResult[] = answers.map(({ worker, answer }) =>
      answer?.known
        ? { worker, ok: true }
        : {
            worker,
            ok: false,
            error: answer ? 'MIFFY_ERR_UNKNOWN_EXPERIMENT' : 'MIFFY_ERR_RELOAD_INCOMPLETE',
            message: answer ? 'the worker has no such experiment' : 'no answer in time',
          },
    )
    if (paused) this.#paused.add(route)
    else this.#paused.delete(route)
    this.#reconfigured = true
    if (workers.length === 0 || workers.some((w) => !w.ok)) {
      throw new WorkersError(
        'MIFFY_ERR_RELOAD_INCOMPLETE',
        `not every worker confirmed ${paused ? 'pausing' : 'resuming'} ${JSON.stringify(route)}`,
        workers,
      )
    }
    return {
      route,
      paused,
      changed: answers.some(({ answer }) => answer?.changed),
      workers,
    }
  }

  async status(): Promise<ControlStatus> {
    const answers = await this.#askAll({ what: 'config' })
    const status: ControlStatus = { ...this.#identity, paused: [...this.#paused] }
    const others = answers
      .filter(({ answer }) => answer && answer.hash !== this.#identity.hash)
      .map(({ worker, answer }) => ({ worker, hash: answer!.hash, loaded_at: answer!.loaded_at }))
    if (others.length > 0) status.workers = others
    return status
  }

  /** A worker that replaced one that died gets the distributed configuration and pauses. */
  async adopt(worker: Worker): Promise<void> {
    if (!this.#reconfigured) return
    await this.#askOne(worker, {
      what: 'apply',
      config: this.#config,
      loadedAt: this.#identity.loaded_at,
    })
    for (const route of this.#paused) await this.#askOne(worker, { what: 'pause', route, paused: true })
  }

  /** The management port's endpoints over this cluster. */
  control(reloader: Reloader): Control {
    return {
      reload: () => reloader.reload('POST /config/reload'),
      pause: (route) => this.setPaused(route, true),
      resume: (route) => this.setPaused(route, false),
      status: () => this.status(),
    }
  }
}
