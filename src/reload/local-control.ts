/**
 * The management port's control endpoints for a single process: reloads go through the
 * reloader (which counts them), pauses straight to the runtime.
 */

import { MiffyError } from '../errors.ts'
import type { Control, PauseReport } from '../management/control.ts'
import type { Reloader, ReloadTarget } from './reloader.ts'
import type { Runtime } from './runtime.ts'

/** A runtime as what a reloader applies configurations to. */
export function runtimeTarget(runtime: Runtime): ReloadTarget {
  return {
    apply: async (config, loadedAt) => runtime.apply(config, loadedAt),
    identity: () => runtime.identity,
  }
}

export function unknownExperiment(route: string, known: readonly string[]): MiffyError {
  const list = known.length > 0 ? known.map((r) => `"${r}"`).join(', ') : 'none'
  return new MiffyError(
    'MIFFY_ERR_UNKNOWN_EXPERIMENT',
    `no experiment has the route pattern ${JSON.stringify(route)} (the experiments: ${list})`,
  )
}

export function localControl(runtime: Runtime, reloader: Reloader): Control {
  const toggle = async (route: string, paused: boolean): Promise<PauseReport> => {
    const done = paused ? runtime.pause(route) : runtime.resume(route)
    if (!done) throw unknownExperiment(route, [...runtime.current.experiments.keys()])
    return { route, paused, changed: done.changed }
  }
  return {
    reload: () => reloader.reload('POST /config/reload'),
    pause: (route) => toggle(route, true),
    resume: (route) => toggle(route, false),
    status: async () => ({ ...runtime.identity, paused: runtime.paused }),
  }
}
