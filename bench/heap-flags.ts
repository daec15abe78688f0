/**
 * V8 heap settings against their CPU cost: the same miffy scenarios once per set of node flags,
 * the sets interleaved round by round, and a table of CPU per request and peak RSS per set
 * (medians over the rounds; ratios against the first set, measured in the same rounds).
 *
 *   node bench/heap-flags.ts [--seconds 8] [--rounds 2] [--kafka-brokers H:P] [--out FILE]
 *                            [--only mirror-equal,mirror-differ,idle] [--variant 'name=flags']...
 *
 * Without --variant: the defaults below. Each variant's flags come after npm start's own (the
 * last one given wins in V8), so `--variant 'none='` is what npm start runs today.
 * Writes FILE (default bench/heap-flags.md) with the command, the machine and the table.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT, startCommand } from './miffy.ts'
import type { ScenarioResult } from './report.ts'
import { runBench } from './run.ts'

const DEFAULT_VARIANTS = [
  'V8 defaults=--max-semi-space-size=0',
  'semi-space 1 MiB=--max-semi-space-size=1',
  'semi-space 2 MiB=--max-semi-space-size=2',
  'semi-space 4 MiB=--max-semi-space-size=4',
  'semi-space 8 MiB=--max-semi-space-size=8',
  'semi-space 2 MiB, optimize-for-size=--max-semi-space-size=2 --optimize-for-size',
]

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    'kafka-brokers': { type: 'string' },
    only: { type: 'string', default: 'mirror-equal,mirror-differ,idle' },
    variant: { type: 'string', multiple: true },
    out: { type: 'string', default: join(ROOT, 'bench', 'heap-flags.md') },
  },
})
const variants = (values.variant ?? DEFAULT_VARIANTS).map((v) => {
  const i = v.indexOf('=')
  if (i <= 0) throw new Error(`--variant wants 'name=flags', got ${JSON.stringify(v)}`)
  return { name: v.slice(0, i), flags: v.slice(i + 1).trim() }
})
const scenarios = values.only.split(',')
const rounds = Number(values.rounds)
const brokers = values['kafka-brokers'] ?? process.env.KAFKA_BROKERS
const log = (s: string) => process.stderr.write(`${s}\n`)

/** results[variant][scenario] = one result per round */
const results = variants.map(() => new Map<string, ScenarioResult[]>())
/** gc[variant][scenario] = the share of miffy's life spent in GC pauses, one per round */
const gc = variants.map(() => new Map<string, number[]>())
const PROBE = join(ROOT, 'bench', 'gc-probe.mjs')
const probeOut = join(tmpdir(), `miffy-gc-probe-${process.pid}.jsonl`)
process.env.GC_PROBE_OUT = probeOut
const startedAt = new Date()
for (let round = 1; round <= rounds; round++) {
  for (const [i, v] of variants.entries()) {
    log(`round ${round}/${rounds}: ${v.name} (${v.flags || 'no extra flags'})`)
    const run = await runBench(
      [
        '--only',
        values.only,
        '--rounds',
        '1',
        '--seconds',
        values.seconds,
        '--out',
        join(ROOT, 'bench', 'results', 'heap-flags-last.md'),
        ...(brokers ? ['--kafka-brokers', brokers] : []),
        `--miffy-node-args=--import=${PROBE} ${v.flags}`,
      ],
      () => {},
    )
    for (const r of run.results) {
      const m = results[i]!
      m.set(r.scenario.name, [...(m.get(r.scenario.name) ?? []), r])
    }
    // One line per miffy process, in the order the scenarios ran (none if it was SIGKILLed).
    const lines = existsSync(probeOut) ? readFileSync(probeOut, 'utf8').trim().split('\n') : []
    if (lines.length !== run.results.length)
      log(`  GC probe: ${lines.length} lines for ${run.results.length} scenarios`)
    rmSync(probeOut, { force: true })
    if (lines.length === run.results.length) {
      for (const [k, r] of run.results.entries()) {
        const { gcMs, uptimeMs } = JSON.parse(lines[k]!) as { gcMs: number; uptimeMs: number }
        const m = gc[i]!
        m.set(r.scenario.name, [...(m.get(r.scenario.name) ?? []), gcMs / uptimeMs])
      }
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const cpuOf = (i: number, name: string) =>
  median(
    (results[i]!.get(name) ?? []).flatMap((r) =>
      r.cpuUsPerRequest === undefined ? [] : [r.cpuUsPerRequest],
    ),
  )
const rssOf = (i: number, name: string) =>
  median((results[i]!.get(name) ?? []).flatMap((r) => (r.rss ? [r.rss.peak / 2 ** 20] : [])))
const rpsOf = (i: number, name: string) =>
  median((results[i]!.get(name) ?? []).flatMap((r) => (r.load ? [r.load.rps] : [])))
const gcOf = (i: number, name: string) => median(gc[i]!.get(name) ?? [])

const head = ['Flags (after npm start’s)']
for (const s of scenarios) {
  if (s === 'idle') head.push('idle: peak RSS')
  else head.push(`${s}: CPU/req`, `${s}: req/s`, `${s}: GC`, `${s}: peak RSS`)
}
const rows = variants.map((v, i) => {
  const cells = [`${v.name} (\`${v.flags || '—'}\`)`]
  for (const s of scenarios) {
    const rss = rssOf(i, s)
    const rssCell = `${rss.toFixed(1)} MiB (${(rss / rssOf(0, s)).toFixed(2)}×)`
    if (s === 'idle') {
      cells.push(rssCell)
      continue
    }
    const cpu = cpuOf(i, s)
    cells.push(
      `${Math.round(cpu)} µs (${(cpu / cpuOf(0, s)).toFixed(2)}×)`,
      `${Math.round(rpsOf(i, s))}`,
      `${(gcOf(i, s) * 100).toFixed(1)} %`,
      rssCell,
    )
  }
  return cells
})
const line = (cells: string[]) => `| ${cells.join(' | ')} |`
const table = [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
const args = process.argv
  .slice(2)
  .map((a) => (/^[\w./,:=-]+$/.test(a) ? a : JSON.stringify(a)))
  .join(' ')
const { flags } = startCommand()
const md = `# V8 heap settings against CPU

Written by \`bench/heap-flags.ts\`: the scenarios ${scenarios.map((s) => `\`${s}\``).join(', ')} of
\`bench/run.ts\`, ${values.seconds} s each, once per set of flags per round, ${rounds} interleaved rounds
(medians; ratios against the first row, measured in the same rounds). npm start's own flags at the
time: \`${flags.join(' ')}\`. GC: the share of miffy's life (start to exit, load included) spent in
garbage-collection pauses on its main thread (\`bench/gc-probe.mjs\`, loaded into every variant).

    node bench/heap-flags.ts ${args}

**Machine:** ${cpus().length} cores (${cpus()[0]?.model.trim()}), shared; Node ${process.versions.node}.
**Run:** ${startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} → ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}.

${table}
`
writeFileSync(values.out, md)
process.stdout.write(`${md}\nwrote ${values.out}\n`)
process.exit(0)
