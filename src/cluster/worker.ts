/**
 * The worker side of `workers > 1`: answers the primary's questions about this process's sink,
 * divergence log and books, and lets prom-client's cluster aggregation read its registry.
 */
import { AggregatorRegistry } from 'prom-client'
import type { App } from '../app.ts'
import { storedPairs } from '../management/source.ts'
import { type Answer, type Ask, isMessage, type Listening } from './messages.ts'

export function serveWorker(app: App, proxyAddress: string): void {
  // Constructing one installs prom-client's worker-side IPC listener (lib/cluster.js addListeners).
  new AggregatorRegistry()
  AggregatorRegistry.setRegistries([app.registry])
  process.on('message', (m: unknown) => {
    if (!isMessage<Ask>(m, 'miffy:ask')) return
    const q = m.question
    let data: unknown
    if (q.what === 'sink') data = { kind: app.sink.kind, state: app.sink.state() }
    else if (q.what === 'divergences') data = storedPairs(app.ctx.divergences, q.filter)
    else if (q.what === 'noise') data = app.noise()
    else data = app.ctx.ledger.snapshot()
    const answer: Answer = { type: 'miffy:answer', id: m.id, data }
    process.send?.(answer)
  })
  const listening: Listening = { type: 'miffy:listening', proxy: proxyAddress }
  process.send?.(listening)
}
