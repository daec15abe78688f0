/**
 * What the management port reports, behind one interface: a single process answers from its
 * own state; a cluster primary asks its workers and merges (src/cluster/primary.ts).
 */
import type { Registry } from 'prom-client'
import type { NoiseReport } from '../diff/noise-report.ts'
import type { DivergenceFilter, DivergenceLog } from '../publish/divergence-log.ts'
import type { PairSummary, Sink, SinkState } from '../publish/sink.ts'
import type { Ledger, summarize } from '../shadow/ledger.ts'
import type { Control } from './control.ts'

export type { DivergenceFilter }

/** A stored divergence as the management port serves it: its published JSON, untouched. */
export interface StoredPair {
  summary: PairSummary
  json: string
}

/** GET /noise: what each route has learned of its own noise. */
export interface NoiseRoutes {
  routes: ({ route: string; secondary: string | null } & NoiseReport)[]
}

export interface ManagementSource {
  /** the most divergences /divergences can list */
  capacity: number
  metrics(): Promise<{ contentType: string; text: string }>
  sink(): Promise<{ kind: string; state: SinkState }>
  /** newest first */
  divergences(filter: DivergenceFilter & { limit: number }): Promise<StoredPair[]>
  summary(): Promise<ReturnType<typeof summarize>>
  noise(): Promise<NoiseRoutes>
  /** reload, pause, resume (src/management/control.ts); absent where nothing can be reconfigured */
  control?: Control
}

export function storedPairs(log: DivergenceLog, filter: DivergenceFilter): StoredPair[] {
  return log.list(filter).map((p) => ({ summary: p.summary, json: p.value.toString('utf8') }))
}

export function localSource(
  registry: Registry,
  sink: Sink,
  divergences: DivergenceLog,
  ledger: Ledger,
  noise: () => NoiseRoutes,
): ManagementSource {
  return {
    capacity: divergences.capacity,
    metrics: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
    sink: async () => ({ kind: sink.kind, state: sink.state() }),
    divergences: async (filter) => storedPairs(divergences, filter),
    summary: async () => ledger.summary(),
    noise: async () => noise(),
  }
}
