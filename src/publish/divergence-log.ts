/**
 * The most recent divergences, newest first, for GET /divergences: a fixed-size ring of the
 * published bytes, so memory is bounded by `divergence_log` messages (and by `maxBytes`, when
 * set) whatever the traffic, and listing them never serialises anything again.
 */
import type { PairSummary } from './sink.ts'

export interface LoggedPair {
  summary: PairSummary
  /** the message as published (UTF-8 JSON) */
  value: Buffer
}

export interface DivergenceFilter {
  route?: string
  fingerprint?: string
  id?: string
  traceId?: string
  limit?: number
}

export class DivergenceLog {
  readonly capacity: number
  #maxBytes: number
  #ring: (LoggedPair | undefined)[]
  #next = 0
  #size = 0
  #bytes = 0

  constructor(capacity: number, maxBytes = Number.POSITIVE_INFINITY) {
    this.capacity = capacity
    this.#maxBytes = maxBytes
    this.#ring = new Array(capacity)
  }

  /** bytes of messages held */
  get bytes(): number {
    return this.#bytes
  }

  /** the most bytes of messages held */
  get maxBytes(): number {
    return this.#maxBytes
  }

  /** A new byte cap (a reload of memory_budget or divergence_log_share): the oldest go first. */
  resize(maxBytes: number): void {
    this.#maxBytes = maxBytes
    while (this.#size > 0 && this.#bytes > maxBytes) this.#dropOldest()
  }

  add(pair: LoggedPair): void {
    if (this.capacity === 0 || pair.value.length > this.#maxBytes) return
    // Make room by bytes: the oldest go first.
    while (this.#size > 0 && this.#bytes + pair.value.length > this.#maxBytes) this.#dropOldest()
    const old = this.#ring[this.#next]
    if (old) {
      this.#bytes -= old.value.length
      this.#size--
    }
    this.#ring[this.#next] = pair
    this.#bytes += pair.value.length
    this.#next = (this.#next + 1) % this.capacity
    this.#size++
  }

  #dropOldest(): void {
    const oldest = (this.#next - this.#size + this.capacity) % this.capacity
    this.#bytes -= this.#ring[oldest]!.value.length
    this.#ring[oldest] = undefined
    this.#size--
  }

  /** Newest first, optionally filtered by route pattern, fingerprint, id or trace-id. */
  list(filter: DivergenceFilter = {}): LoggedPair[] {
    const out: LoggedPair[] = []
    const limit = filter.limit ?? this.capacity
    for (let i = 1; i <= this.#size && out.length < limit; i++) {
      const m = this.#ring[(this.#next - i + this.capacity) % this.capacity]!
      if (filter.route !== undefined && m.summary.route !== filter.route) continue
      if (filter.fingerprint !== undefined && m.summary.fingerprint !== filter.fingerprint) continue
      if (filter.id !== undefined && m.summary.id !== filter.id) continue
      if (filter.traceId !== undefined && m.summary.traceId !== filter.traceId) continue
      out.push(m)
    }
    return out
  }
}
