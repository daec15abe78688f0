/**
 * Circuit breaker on an experiment's candidate. After `failures` consecutive failures or
 * timeouts it opens: no mirrors for `coolDownMs`; then one probe goes through (half-open). A
 * good probe closes it, a bad one opens it again. `failures = 0` disables it.
 */
export type BreakerState = 'closed' | 'open' | 'half_open'

export class Breaker {
  readonly failures: number
  readonly coolDownMs: number
  #consecutive = 0
  #state: BreakerState = 'closed'
  #openUntil = 0
  #probing = false
  #onChange: (state: BreakerState) => void

  constructor(failures: number, coolDownMs: number, onChange: (state: BreakerState) => void = () => {}) {
    this.failures = failures
    this.coolDownMs = coolDownMs
    this.#onChange = onChange
  }

  get state(): BreakerState {
    return this.#state
  }

  /** May a mirror go out now? In half-open state only one probe at a time. */
  allow(now = Date.now()): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'open') {
      if (now < this.#openUntil) return false
      this.#set('half_open')
    }
    if (this.#probing) return false
    this.#probing = true
    return true
  }

  success(): void {
    this.#consecutive = 0
    // Only the probe decides: a mirror sent before the breaker opened and answering during the
    // cool-down does not close it early.
    if (this.#state === 'half_open' && this.#probing) this.#set('closed')
    this.#probing = false
  }

  failure(now = Date.now()): void {
    this.#probing = false
    this.#consecutive++
    if (this.failures === 0) return
    if (this.#state === 'half_open' || this.#consecutive >= this.failures) {
      this.#openUntil = now + this.coolDownMs
      if (this.#state !== 'open') this.#set('open')
    }
  }

  /** A mirror let through that ended without a verdict on the candidate (e.g. dropped). */
  abandon(): void {
    this.#probing = false
  }

  #set(state: BreakerState): void {
    this.#state = state
    this.#onChange(state)
  }
}
