/**
 * What each part of miffy costs in resident memory before it serves anything: one fresh Node
 * process per trial loads miffy's dependencies one after the other, in the order miffy loads
 * them, and reads its RSS and V8 heap after each (after a full GC, so only what stays counts).
 * The last steps load miffy's own compiled modules (dist/, `npm run build`) and then build the
 * app from a config, as `npm start` does, without listening.
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
  { label: 'kafkajs (Kafka sink, loaded only with brokers)', load: "import('kafkajs')" },
  { label: "miffy's own modules (dist/)", load: `import(${dist('main.js')})` },
  {
    label: 'the app built from a config with one experiment and Kafka (not listening)',
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
]

/** env of the last step: an experiment, and a broker address nobody listens on (no connection needed) */
const PROBE_ENV = {
  MIFFY_LOGGING: 'json',
  MIFFY_LOG_LEVEL: 'error',
  MIFFY_ROUTES: '[{ path = "/api/{id}", key = "id" }]',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9',
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
  return JSON.parse(r.stdout) as { rss: number; heap: number }[]
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
(one experiment, Kafka configured; not listening, no request served). RSS and V8 heap used after
a full GC, MiB; each step's cost is the difference to the step before.

    node bench/startup-memory.ts --trials ${values.trials}

**Machine:** ${cpus().length} cores (${cpus()[0]?.model.trim()}); Node ${process.versions.node}; ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}.

| Step | RSS | RSS cost | Heap used | Heap cost |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`
  writeFileSync(values.out, md)
  process.stdout.write(md)
}
