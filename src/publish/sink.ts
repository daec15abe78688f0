import type { PairMessage } from '../diff/model.ts'

/** What a sink says synchronously when handed a pair; it never blocks the caller. */
export type Accepted = 'queued' | 'dropped_full' | 'dropped_oversize' | 'dropped_closed'

export type SinkState = 'ready' | 'connecting' | 'unavailable' | 'closed'

/**
 * Where divergences go. Implementations keep all I/O off the caller's path: `publish` only
 * enqueues (or drops, and says why), delivery happens in the background.
 */
export interface Sink {
  readonly kind: string
  publish(key: string, message: PairMessage): Accepted
  state(): SinkState
  /** Flush what is queued within `deadlineMs`, then release resources. */
  close(deadlineMs: number): Promise<{ sent: number; lost: number }>
}
