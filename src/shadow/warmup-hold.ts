/**
 * The warm-up hold: while a route has learned its noise from fewer pairs than `noise_warmup`,
 * a pair that diverges is not judged at once. It waits (its bodies still reserved in the memory
 * budget) until the route has learned from enough pairs, or `MAX_WAIT_MS` has passed, or miffy
 * shuts down, and is then judged with what the route has learned by then.
 *
 * Why: noise that shows in only some pairs (a cache flag, an A/B bucket, a set that happens to
 * come in the same order twice) has often not shown yet when the first candidates arrive; judged
 * at once, those first pairs would be reported. Held, they are judged with twenty samples
 * instead of one. The hold is bounded in count (the warm-up) and in time.
 */

/** The longest a pair waits for the warm-up to end. */
export const MAX_WAIT_MS = 10_000

export class WarmupHold {
  readonly maxHeld: number
  readonly maxWaitMs: number
  #held: (() => void)[] = []
  #timer: NodeJS.Timeout | undefined

  constructor(maxHeld: number, maxWaitMs = MAX_WAIT_MS) {
    this.maxHeld = maxHeld
    this.maxWaitMs = maxWaitMs
  }

  get size(): number {
    return this.#held.length
  }

  /** Keeps `judge` for later; false when the hold is full (judge now). */
  hold(judge: () => void): boolean {
    if (this.#held.length >= this.maxHeld) return false
    this.#held.push(judge)
    if (!this.#timer) {
      this.#timer = setTimeout(() => this.release(), this.maxWaitMs)
      this.#timer.unref()
    }
    return true
  }

  /** Judges every held pair now, in the order they were held. */
  release(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const held = this.#held
    this.#held = []
    for (const judge of held) judge()
  }
}
