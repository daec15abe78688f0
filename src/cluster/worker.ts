/**
 * The worker side of `workers > 1`: answers the primary's questions about this process's sink,
 * divergence log and books, applies the configurations and pauses the primary sends (a reload
 * reaches every worker this way), and lets prom-client's cluster aggregation read its registry.
 */
import { AggregatorRegistry } from 'prom-client'
import type { App } from '../app.ts'
import { MiffyError } from '../errors.ts'
import { storedPairs } from '../management/source.ts'
import { type Answer, type Answers, type Ask, isMessage, type Listening, type Question } from './messages.ts'

export function serveWorker(app: App, proxyAddress: string): void {
  // Constructing one installs prom-client's worker-side IPC listener (lib/cluster.js addListeners).
  new AggregatorRegistry()
  AggregatorRegistry.setRegistries([app.registry])
  process.on('message', (m: unknown) => {
    if (!isMessage<Ask>(m, 'miffy:ask')) return
    const answer: Answer = { type: 'miffy:answer', id: m.id, data: answerTo(app, m.question) }
    process.send?.(answer)
  })
  const listening: Listening = { type: 'miffy:listening', proxy: proxyAddress }
  process.send?.(listening)
}

function answerTo(app: App, q: Question): Answers[Question['what']] {
  const runtime = app.runtime
  switch (q.what) {
    case 'sink':
      return { kind: app.sink.kind, state: app.sink.state() }
    case 'divergences':
      return storedPairs(app.ctx.divergences, q.filter)
    case 'snapshot':
      return app.ctx.ledger.snapshot()
    case 'noise':
      return app.noise()
    case 'apply':
      try {
        // validated by the primary's loader; frozen like every config
        return { ok: true, applied: runtime.apply(deepFreeze(q.config), new Date(q.loadedAt)) }
      } catch (err) {
        if (!(err instanceof MiffyError)) throw err
        return { ok: false, error: err.code, message: err.message }
      }
    case 'pause': {
      const done = q.paused ? runtime.pause(q.route) : runtime.resume(q.route)
      return { known: done !== undefined, changed: done?.changed ?? false }
    }
    case 'config':
      return { ...runtime.identity, paused: runtime.paused }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
