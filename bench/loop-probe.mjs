/**
 * Loaded into miffy by the Kafka-recovery scenarios (`--import`): the main thread's event-loop
 * delay (perf_hooks.monitorEventLoopDelay), one line per 100 ms appended to the file named by
 * LOOP_PROBE_OUT: `{ t, max, p99 }` (epoch ms, ms). How long the proxy's own thread was held up
 * while a backlog drained, which the client's latency shows only mixed with everything else
 * on the machine. Plain JavaScript: no type-stripping runtime in the process it measures.
 */
import { appendFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'

const out = process.env.LOOP_PROBE_OUT
if (out && isMainThread) {
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  let lines = []
  setInterval(() => {
    lines.push(JSON.stringify({ t: Date.now(), max: h.max / 1e6, p99: h.percentile(99) / 1e6 }))
    h.reset()
    if (lines.length >= 10) {
      appendFileSync(out, `${lines.join('\n')}\n`)
      lines = []
    }
  }, 100).unref()
  process.once('exit', () => {
    if (lines.length > 0) appendFileSync(out, `${lines.join('\n')}\n`)
  })
}
