/**
 * Round-robin over an experiment's candidate URLs, skipping one that failed within the last
 * `quarantineMs`. When every candidate failed recently, rotation goes on regardless: the
 * breaker, not the picker, decides when to stop mirroring.
 */
export class CandidatePicker {
  readonly urls: readonly string[]
  readonly quarantineMs: number
  #next = 0
  #failedAt: number[]

  constructor(urls: readonly string[], quarantineMs: number) {
    this.urls = urls
    this.quarantineMs = quarantineMs
    this.#failedAt = urls.map(() => 0)
  }

  pick(now = Date.now()): number {
    const n = this.urls.length
    for (let i = 0; i < n; i++) {
      const idx = (this.#next + i) % n
      if (now - this.#failedAt[idx]! >= this.quarantineMs) {
        this.#next = (idx + 1) % n
        return idx
      }
    }
    const idx = this.#next
    this.#next = (idx + 1) % n
    return idx
  }

  failed(idx: number, now = Date.now()): void {
    this.#failedAt[idx] = now
  }

  succeeded(idx: number): void {
    this.#failedAt[idx] = 0
  }
}
