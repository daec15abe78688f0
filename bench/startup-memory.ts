/**
 * What each part of miffy costs in resident memory before it serves anything: one fresh Node
 * process per trial loads miffy's dependencies one after the other, in the order miffy loads
 * them, and reads its RSS and V8 heap after each (after a full GC, so only what stays counts).
 * The last steps load miffy's own compiled modules (dist/, `npm run build`), build the app from a
 * config as `npm start` does (without listening), and start the Kafka sink, whose worker thread
 * loads kafkajs (the main thread never does).
 *
 *   node bench/startup-memory.ts [--trials 3] [--out bench/startup-memory.md]
 *
 * Figures are medians over the trials; each step's cost is its RSS minus the previous step's, so
 * a module shared by two packages (node:http for fastify and undici) is charged to the first.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildDist, ROOT } from './miffy.ts'

interface Step {
  label: string
  /** an expression awaited in the probe (ESM, top-level await) */
  load: string
}

const dist = (p: string) => JSON.stringify(join(ROOT, 'dist', p))

export const STEPS: readonly Step[] = [
  { label: 'bare Node (no module loaded)', load: 'undefined' },
  { label: 'pino (logging)', load: "import('pino')" },
  { label: 'smol-toml + zod (config)', load: "Promise.all([import('smol-toml'), import('zod')])" },
  { label: 'prom-client (metrics)', load: "import('prom-client')" },
  { label: 'undici (upstream client)', load: "import('undici')" },
  { label: 'fastify (servers)', load: "import('fastify')" },
  { label: "miffy's own modules (dist/)", load: `import(${dist('main.js')})` },
  {
    label: 'the app built from a config with one experiment, no Kafka (log sink; not listening)',
    load: `(async () => {
      const { loadConfig } = await import(${dist('config/load.js')})
      const { createLogger } = await import(${dist('logger.js')})
      const { buildApp } = await import(${dist('app.js')})
      const { config } = loadConfig()
      globalThis.app = await buildApp(config, { logger: createLogger(config) })
      await globalThis.app.proxy.ready()
      await globalThis.app.management.ready()
    })()`,
  },
  {
    label: 'the Kafka sink: its worker thread, with kafkajs (only when brokers are configured)',
    load: `(async () => {
      const { KafkaSink } = await import(${dist('publish/kafka-sink.js')})
      const { createLogger } = await import(${dist('logger.js')})
      const { Registry } = await import('prom-client')
      globalThis.sink = new KafkaSink({
        topic: 'miffy',
        properties: { 'bootstrap.servers': '127.0.0.1:9' },
        outbox: { maxMessages: 10000, maxBytes: 64 << 20, batchSize: 200, lingerMs: 20 },
        logger: createLogger({ logging: 'json', log_level: 'fatal' }),
        registry: new Registry(),
      })
      // until the worker has loaded kafkajs and tried to connect
      while (globalThis.sink.state() === 'connecting') await new Promise((r) => setTimeout(r, 50))
    })()`,
  },
]

/** env of the app's step: an experiment, no broker (the Kafka sink is its own step) */
const PROBE_ENV = {
  MIFFY_LOGGING: 'json',
  MIFFY_LOG_LEVEL: 'error',
  MIFFY_ROUTES: '[{ path = "/api/{id}", key = "id" }]',
}

function probe(): { rss: number; heap: number }[] {
  const lines = STEPS.map(
    (s) => `await ${s.load}
gc(); gc()
await new Promise((r) => setTimeout(r, 50))
gc()
{ const m = process.memoryUsage(); out.push({ rss: m.rss, heap: m.heapUsed }) }`,
  )
  const script = `const out = []\n${lines.join('\n')}\nprocess.stdout.write(JSON.stringify(out))\nprocess.exit(0)`
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MIFFY_') && !k.startsWith('KAFKA_')) env[k] = v
  }
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, ...PROBE_ENV },
    timeout: 60_000,
  })
  if (r.status !== 0) throw new Error(`probe failed (${r.status ?? r.signal}):\n${r.stderr}`)
  // the last line: what the app logs (at error level) comes before it
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rss: number; heap: number }[]
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '3' },
      out: { type: 'string', default: join(ROOT, 'bench', 'startup-memory.md') },
    },
  })
  buildDist()
  const trials = Array.from({ length: Number(values.trials) }, probe)
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
  const mib = (b: number) => (b / 2 ** 20).toFixed(1)
  const rows = STEPS.map((s, i) => {
    const rss = median(trials.map((t) => t[i]!.rss))
    const heap = median(trials.map((t) => t[i]!.heap))
    const prev =
      i === 0
        ? undefined
        : { rss: median(trials.map((t) => t[i - 1]!.rss)), heap: median(trials.map((t) => t[i - 1]!.heap)) }
    return `| ${s.label} | ${mib(rss)} | ${prev ? `+${mib(rss - prev.rss)}` : '—'} | ${mib(heap)} | ${prev ? `+${mib(heap - prev.heap)}` : '—'} |`
  })
  const md = `# What miffy's parts cost in memory at start-up

Written by \`bench/startup-memory.ts\`: ${values.trials} fresh processes (medians), each loading miffy's
dependencies in the order miffy loads them, then its compiled modules, then building the app
(one experiment; not listening, no request served), then the Kafka sink (its worker thread
loads kafkajs; the broker address is a closed port). RSS and V8 heap used (main thread) after a
full GC, MiB; each step's cost is the difference to the step before.

    node bench/startup-memory.ts --trials ${values.trials}

**Machine:** ${cpus().length} cores (${cpus()[0]?.model.trim()}); Node ${process.versions.node}; ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}.

| Step | RSS | RSS cost | Heap used | Heap cost |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`
  writeFileSync(values.out, md)
  process.stdout.write(md)
}
