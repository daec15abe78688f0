/**
 * Loaded into miffy by bench/heap-flags.ts (`--import`): adds up V8's garbage-collection pauses
 * (perf_hooks `gc` entries) and, at exit, appends one JSON line to the file named by
 * GC_PROBE_OUT: pauses by kind, total ms, and the process's uptime. Plain JavaScript, so that
 * loading it does not bring in the type-stripping runtime whose memory it would measure.
 */
import { appendFileSync } from 'node:fs'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'

const out = process.env.GC_PROBE_OUT
// The main thread only: --import runs in worker threads too (the Kafka sink's).
if (out && isMainThread) {
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
  }
  const stats = { pid: process.pid, gcMs: 0, count: {}, ms: {} }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[e.detail?.kind] ?? 'other'
      stats.gcMs += e.duration
      stats.count[kind] = (stats.count[kind] ?? 0) + 1
      stats.ms[kind] = (stats.ms[kind] ?? 0) + e.duration
    }
  }).observe({ entryTypes: ['gc'] })
  process.once('exit', () => {
    appendFileSync(out, `${JSON.stringify({ ...stats, uptimeMs: process.uptime() * 1000 })}\n`)
  })
}
