/**
 * What the management port reports, behind one interface: a single process answers from its
 * own state; a cluster primary asks its workers and merges (src/cluster/primary.ts).
 */
import type { Registry } from 'prom-client'
import type { PairMessage } from '../diff/model.ts'
import type { Sink, SinkState } from '../publish/sink.ts'
import type { Ledger, summarize } from '../shadow/ledger.ts'
import type { DivergenceLog } from './divergence-log.ts'

export interface DivergenceFilter {
  /** one stored pair by its `id` (GET /divergences/:id, for `miffy replay`) */
  id?: string
  route?: string
  fingerprint?: string
  limit: number
}

export interface ManagementSource {
  /** the most divergences /divergences can list */
  capacity: number
  metrics(): Promise<{ contentType: string; text: string }>
  sink(): Promise<{ kind: string; state: SinkState }>
  divergences(filter: DivergenceFilter): Promise<PairMessage[]>
  summary(): Promise<ReturnType<typeof summarize>>
}

export function localSource(
  registry: Registry,
  sink: Sink,
  divergences: DivergenceLog,
  ledger: Ledger,
): ManagementSource {
  return {
    capacity: divergences.capacity,
    metrics: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
    sink: async () => ({ kind: sink.kind, state: sink.state() }),
    divergences: async (filter) => divergences.list(filter),
    summary: async () => ledger.summary(),
  }
}
