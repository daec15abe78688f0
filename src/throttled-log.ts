/**
 * A warning that may fire thousands of times a second (every divergence while Kafka is down)
 * is logged at most once per interval, with the count of what was left out. The counts that
 * matter are on /metrics; the log only has to say that it is happening.
 */
import type { Logger } from 'pino'

export class ThrottledWarning {
  readonly #log: Logger
  readonly #message: string
  readonly #intervalMs: number
  #last = Number.NEGATIVE_INFINITY
  #suppressed = 0

  constructor(log: Logger, message: string, intervalMs = 10_000) {
    this.#log = log
    this.#message = message
    this.#intervalMs = intervalMs
  }

  warn(fields: Record<string, unknown>, now = Date.now()): void {
    if (now - this.#last < this.#intervalMs) {
      this.#suppressed++
      return
    }
    this.#last = now
    const suppressed = this.#suppressed
    this.#suppressed = 0
    this.#log.warn(suppressed > 0 ? { ...fields, suppressed } : fields, this.#message)
  }
}
