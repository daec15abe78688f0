/**
 * What the legs need of a memory budget: reserve bytes before keeping a chunk, release them
 * when done. The orchestration owns the budget itself (src/shadow/memory-budget.ts) and decides
 * what a refusal means; a leg only stops keeping a copy.
 */
export interface ByteBudget {
  /** false when `bytes` more would exceed the budget; nothing is reserved then */
  tryReserve(bytes: number): boolean
  release(bytes: number): void
}
