/**
 * One budget for every body miffy buffers for comparison (request bodies, both responses),
 * across all experiments. A mirror that cannot reserve what it needs is dropped and counted;
 * the client's path never waits for memory.
 */
import type { MiffyConfig } from '../config/schema.ts'
import type { ByteBudget } from '../proxy/byte-budget.ts'

export class MemoryBudget implements ByteBudget {
  #limit: number
  #used = 0

  constructor(limit: number) {
    this.#limit = limit
  }

  get limit(): number {
    return this.#limit
  }

  /**
   * A reload's new `memory_budget`. What is reserved stays reserved; when the budget shrinks
   * below it, new reservations are refused until enough is released.
   */
  resize(limit: number): void {
    this.#limit = limit
  }

  get used(): number {
    return this.#used
  }

  tryReserve(bytes: number): boolean {
    if (this.#used + bytes > this.#limit) return false
    this.#used += bytes
    return true
  }

  release(bytes: number): void {
    this.#used -= bytes
    if (this.#used < 0) this.#used = 0
  }
}

/**
 * How memory_budget is shared (issue 10): the divergence log gets `divergence_log_share` of it as
 * its byte cap, bodies buffered for comparison the rest. At start-up and on every reload.
 */
export function memoryShares(config: Pick<MiffyConfig, 'memory_budget' | 'divergence_log_share'>): {
  bodies: number
  divergenceLog: number
} {
  const divergenceLog = Math.floor(config.memory_budget * config.divergence_log_share)
  return { bodies: config.memory_budget - divergenceLog, divergenceLog }
}
