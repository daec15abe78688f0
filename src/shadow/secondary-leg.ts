/**
 * The secondary leg: the same request sent to a second instance of the reference, so the route
 * can learn what varies between two calls of the same service (src/diff/noise-learn.ts). It runs
 * beside the candidate leg, in the same limiter slot and under the same deadline, on the shadow
 * dispatcher; the client never waits for it, and its failures change no outcome (the pair is
 * simply not learned from).
 *
 * Not every mirrored request needs it: after a warm-up (`noise_warmup` requests, so a route has
 * learned before it reports), only `noise_sample` of them go, and what was learned applies to all.
 */
import type { Dispatcher } from 'undici'
import type { ByteBudget } from '../proxy/byte-budget.ts'
import { type Captured, type CaptureRequest, capture } from '../proxy/capture.ts'
import { ROLE_HEADER } from '../proxy/headers.ts'
import type { Upstream } from '../proxy/upstream.ts'

/** Decides which mirrored requests also go to the secondary. */
export class NoiseSampler {
  readonly rate: number
  readonly warmup: number
  #sent = 0
  readonly #random: () => number

  constructor(rate: number, warmup: number, random: () => number = Math.random) {
    this.rate = rate
    this.warmup = warmup
    this.#random = random
  }

  take(): boolean {
    if (this.#sent < this.warmup || this.rate >= 1 || (this.rate > 0 && this.#random() < this.rate)) {
      this.#sent++
      return true
    }
    return false
  }
}

/** The role header the secondary gets: it may run dry, as a candidate would. */
export const SECONDARY_ROLE = 'secondary'

export function runSecondary(
  dispatcher: Dispatcher,
  secondary: Upstream,
  request: CaptureRequest,
  limits: { maxBytes: number; budget: ByteBudget; timeoutMs: number },
  started: number,
): Promise<Captured> {
  return capture(
    dispatcher,
    secondary,
    { ...request, headers: { ...request.headers, [ROLE_HEADER]: SECONDARY_ROLE } },
    limits,
    started,
  )
}
