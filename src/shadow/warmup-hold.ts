/**
 * The warm-up hold: while a route has learned its noise from fewer pairs than `noise_warmup`,
 * a pair that diverges is not judged at once. It waits (its bodies still reserved in the memory
 * budget) until the route has learned from enough pairs, or `noise_warmup_wait` has passed since
 * the first pair was held, or miffy shuts down, and is then judged with what the route has
 * learned by then.
 *
 * Why: noise that shows in only some pairs (a cache flag, an A/B bucket, a set that happens to
 * come in the same order twice) has often not shown yet when the first candidates arrive; judged
 * at once, those first pairs would be reported. Held, they are judged with twenty samples
 * instead of one. The hold is bounded in count (the warm-up) and in time. The time must cover a
 * quiet route's warm-up: at 10 s, a route receiving a request every half second (or a busy
 * machine spreading a burst) judged its first pairs with a handful of samples and reported
 * its cache flags.
 */

export class WarmupHold {
  readonly maxHeld: number
  readonly maxWaitMs: number
  #held: (() => void)[] = []
  #timer: NodeJS.Timeout | undefined

  /** `maxWaitMs` 0: nothing is held, every pair is judged at once. */
  constructor(maxHeld: number, maxWaitMs: number) {
    this.maxHeld = maxHeld
    this.maxWaitMs = maxWaitMs
  }

  get size(): number {
    return this.#held.length
  }

  /** Keeps `judge` for later; false when the hold is full (judge now). */
  hold(judge: () => void): boolean {
    if (this.#held.length >= this.maxHeld || this.maxWaitMs === 0) return false
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
