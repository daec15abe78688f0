/** The messages a cluster primary and its workers exchange over IPC. */
import type { DivergenceFilter, NoiseRoutes, StoredPair } from '../management/source.ts'
import type { SinkState } from '../publish/sink.ts'
import type { LedgerSnapshot } from '../shadow/ledger.ts'

export type Question =
  | { what: 'sink' }
  | { what: 'divergences'; filter: DivergenceFilter }
  | { what: 'snapshot' }
  | { what: 'noise' }

export interface Answers {
  sink: { kind: string; state: SinkState }
  divergences: StoredPair[]
  snapshot: LedgerSnapshot
  noise: NoiseRoutes
}

export interface Ask {
  type: 'miffy:ask'
  id: number
  question: Question
}

export interface Answer {
  type: 'miffy:answer'
  id: number
  data: unknown
}

export interface Listening {
  type: 'miffy:listening'
  proxy: string
}

export function isMessage<T extends { type: string }>(m: unknown, type: T['type']): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type
}
