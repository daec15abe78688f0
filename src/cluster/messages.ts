/** The messages a cluster primary and its workers exchange over IPC. */
import type { MiffyConfig } from '../config/schema.ts'
import type { ErrorCode } from '../errors.ts'
import type { ControlStatus } from '../management/control.ts'
import type { DivergenceFilter, NoiseRoutes, StoredPair } from '../management/source.ts'
import type { SinkState } from '../publish/sink.ts'
import type { Applied } from '../reload/runtime.ts'
import type { LedgerSnapshot } from '../shadow/ledger.ts'

export type Question =
  | { what: 'sink' }
  | { what: 'divergences'; filter: DivergenceFilter }
  | { what: 'snapshot' }
  | { what: 'noise' }
  /** make this validated configuration the worker's (a reload); `loadedAt` is ISO-8601 */
  | { what: 'apply'; config: MiffyConfig; loadedAt: string }
  | { what: 'pause'; route: string; paused: boolean }
  | { what: 'config' }

export interface Answers {
  sink: { kind: string; state: SinkState }
  divergences: StoredPair[]
  snapshot: LedgerSnapshot
  noise: NoiseRoutes
  apply: { ok: true; applied: Applied } | { ok: false; error: ErrorCode; message: string }
  /** `known`: the worker has an experiment with that route pattern */
  pause: { known: boolean; changed: boolean }
  config: ControlStatus
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
