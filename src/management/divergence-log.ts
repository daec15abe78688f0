/**
 * The last N divergences, newest first, for GET /divergences. A fixed-size ring: memory is
 * bounded by `divergence_log` messages whatever the traffic.
 */
import type { PairMessage } from '../diff/model.ts'

export class DivergenceLog {
  readonly capacity: number
  #ring: (PairMessage | undefined)[]
  #next = 0
  #size = 0

  constructor(capacity: number) {
    this.capacity = capacity
    this.#ring = new Array(capacity)
  }

  add(message: PairMessage): void {
    if (this.capacity === 0) return
    this.#ring[this.#next] = message
    this.#next = (this.#next + 1) % this.capacity
    if (this.#size < this.capacity) this.#size++
  }

  /** Newest first, optionally filtered by route pattern and fingerprint. */
  list(filter: { id?: string; route?: string; fingerprint?: string; limit?: number } = {}): PairMessage[] {
    const out: PairMessage[] = []
    const limit = filter.limit ?? this.capacity
    for (let i = 1; i <= this.#size && out.length < limit; i++) {
      const m = this.#ring[(this.#next - i + this.capacity) % this.capacity]!
      if (filter.id !== undefined && m.id !== filter.id) continue
      if (filter.route !== undefined && m.request.route !== filter.route) continue
      if (filter.fingerprint !== undefined && m.divergence?.fingerprint !== filter.fingerprint) continue
      out.push(m)
    }
    return out
  }
}
