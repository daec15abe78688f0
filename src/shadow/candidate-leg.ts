/**
 * The candidate leg: one of the experiment's candidates (round-robin, skipping one that failed
 * recently), called on the shadow dispatcher with what is left of the mirror's deadline. The
 * slot in the experiment's limiter is held by the mirror, not here (src/shadow/mirror.ts).
 */
import type { Dispatcher } from 'undici'
import type { ByteBudget } from '../proxy/byte-budget.ts'
import { type Captured, type CaptureRequest, capture } from '../proxy/capture.ts'
import type { Experiment } from './experiment.ts'

export async function runCandidate(
  dispatcher: Dispatcher,
  exp: Experiment,
  request: CaptureRequest,
  budget: ByteBudget,
  remainingMs: number,
  started: number,
): Promise<Captured> {
  const idx = exp.picker.pick()
  const result = await capture(
    dispatcher,
    exp.candidates[idx]!,
    request,
    { maxBytes: exp.maxBodyBytes, budget, timeoutMs: remainingMs },
    started,
  )
  // our memory budget running out is not the candidate's fault
  if (result.leg.ok) exp.picker.succeeded(idx)
  else if (result.leg.error !== 'memory') exp.picker.failed(idx)
  return result
}
