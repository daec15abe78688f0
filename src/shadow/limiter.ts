/**
 * Per-experiment cap on concurrent candidate calls, with a bounded queue in front. `enter()`
 * answers at once whether there is room (a slot or a queue place); it never makes the caller
 * wait for room, so the client path is never held back. The wait for a slot happens on the
 * mirror's own promise, bounded by the candidate deadline.
 */
export interface Ticket {
  /** Resolves true when a slot is held, false when the deadline passed first (place given up). */
  ready: Promise<boolean>
  /** Frees the slot (or the queue place). Idempotent. */
  release(): void
}

interface Waiter {
  grant: (ok: boolean) => void
  timer: NodeJS.Timeout | undefined
  done: boolean
}

export class Limiter {
  readonly maxInFlight: number
  readonly maxQueue: number
  #inFlight = 0
  #queue: Waiter[] = []

  constructor(maxInFlight: number, maxQueue: number) {
    this.maxInFlight = maxInFlight
    this.maxQueue = maxQueue
  }

  get inFlight(): number {
    return this.#inFlight
  }

  get queued(): number {
    return this.#queue.length
  }

  /** A ticket, or undefined when both the slots and the queue are full. */
  enter(deadlineMs: number): Ticket | undefined {
    if (this.#inFlight < this.maxInFlight) {
      this.#inFlight++
      return this.#held()
    }
    if (this.#queue.length >= this.maxQueue) return undefined
    let holding = false
    let released = false
    const waiter: Waiter = { grant: () => {}, timer: undefined, done: false }
    const ready = new Promise<boolean>((resolve) => {
      waiter.grant = (ok) => {
        if (waiter.done) return
        waiter.done = true
        if (waiter.timer) clearTimeout(waiter.timer)
        holding = ok
        resolve(ok)
      }
    })
    waiter.timer = setTimeout(() => {
      this.#remove(waiter)
      waiter.grant(false)
    }, deadlineMs)
    waiter.timer.unref()
    this.#queue.push(waiter)
    return {
      ready,
      release: () => {
        if (released) return
        released = true
        if (holding) this.#free()
        else {
          this.#remove(waiter)
          waiter.grant(false)
        }
      },
    }
  }

  #held(): Ticket {
    let released = false
    return {
      ready: Promise.resolve(true),
      release: () => {
        if (released) return
        released = true
        this.#free()
      },
    }
  }

  #free(): void {
    const next = this.#queue.shift()
    if (next) next.grant(true)
    else this.#inFlight--
  }

  #remove(waiter: Waiter): void {
    const i = this.#queue.indexOf(waiter)
    if (i >= 0) this.#queue.splice(i, 1)
  }
}
