/**
 * The benchmark's results, the headline ratios and their targets, and the two renderings:
 * BENCHMARKS.md (tables, command, machine) and an SVG chart of latency percentiles per scenario.
 * Pure functions of a `RunResult`, so the smoke test can render without running anything.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import type { LoadResult } from './load.ts'
import type { Outcomes } from './miffy.ts'
import type { RssSummary } from './proc-stats.ts'
import type { Scenario } from './scenarios.ts'
import { extractSoakSection, replaceSoakSection } from './soak-section.ts'

export interface ScenarioResult {
  scenario: Scenario
  /**
   * `pending`: the feature under test is not there yet; `skipped`: this run lacks what the
   * scenario needs (a broker it may kill, the Rust miffy's binary); nothing was measured
   */
  status: 'ok' | 'pending' | 'skipped' | 'failed'
  note?: string
  seconds: number
  load?: LoadResult
  /** user + sys of the proxy's process tree over the measured window */
  cpuSeconds?: number
  /** the kernel's part of cpuSeconds */
  cpuSysShare?: number
  cpuUsPerRequest?: number
  /** with --rounds > 1: this is the median round by req/s; these are every round's figures */
  rounds?: { rps: number[]; p99Us: number[]; cpuUsPerRequest: number[] }
  rss?: RssSummary
  /** miffy's code when this scenario started it */
  code?: Code
  /** processes in the proxy's tree (1 + workers with node:cluster) */
  processes?: number
  /** miffy's /metrics over the measured window */
  miffy?: Outcomes
  /** requests the candidate origin received during the window (nginx's "mirrored") */
  candidateRequests?: number
  /** messages the topic gained over the window and its settling (the Rust miffy's "published") */
  topicMessages?: number
  /** the Kafka-recovery scenarios */
  recovery?: Recovery
}

export interface Recovery {
  /** paced requests per second */
  rate: number
  /** undelivered messages held when the broker came back */
  backlog: number
  /** every one of them was delivered before the scenario gave up waiting (120 s) */
  drained: boolean
  /** from the first delivery after the outage to the last message of the backlog */
  drainMs: number | undefined
  brokerDownMs: number
  /**
   * client p99 (µs, from when each request was due) before the outage (after the warm-up),
   * during it, and while the backlog drained (from 0.5 s before the first delivery to 1 s after
   * the last)
   */
  p99Us: { normal: number; outage: number; drain: number }
  requests: { normal: number; outage: number; drain: number }
  errors: { normal: number; outage: number; drain: number }
  /** RSS when the outage began, when the backlog was full, when it was drained */
  rss: { at: string; bytes: number }[]
  /** miffy: the longest its main thread's event loop was held up, before and while draining */
  loopDelayMs?: { normal: number; drain: number }
  /** the proxy's main thread's CPU (ms per s) before the outage and while the backlog drained */
  mainThreadCpuMsPerS?: { normal: number; drain: number }
}

export interface Code {
  commit: string
  /** files under src/ that differ from the commit */
  dirty: string[]
  /** a hash of those differences */
  diff?: string
}

export interface RunResult {
  startedAt: string
  finishedAt: string
  command: string
  /** the commit measured; `dirty`: files under src/ that differed from it when the run ended */
  code?: Code & { atStart?: Code }
  machine: {
    cores: number
    cpuModel: string
    memoryGiB: number
    kernel: string
    node: string
    nginx: string
    /** when the Rust miffy ran */
    rustMiffy?: string
    loadTool: string
    kafka: string
  }
  settings: {
    seconds: number
    slowSeconds: number
    warmupSeconds: number
    connections: number
    rounds: number
    smoke: boolean
  }
  results: ScenarioResult[]
}

// ---------------------------------------------------------------------------------------------
// Headlines

export interface Headline {
  label: string
  /** the measured ratio or value, formatted */
  value: string
  target: string
  /** undefined: no target, or not measurable in this run */
  met: boolean | undefined
  detail: string
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN)
const x = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a')

const ok = (r: ScenarioResult | undefined): r is ScenarioResult & { load: LoadResult } =>
  r !== undefined && r.status === 'ok' && r.load !== undefined && r.load.requests > 0

export function headlines(run: RunResult): Headline[] {
  const get = (name: string) => run.results.find((r) => r.scenario.name === name)
  const out: Headline[] = []
  const missing = (label: string, target: string, ...names: string[]) =>
    out.push({
      label,
      value: 'not measured',
      target,
      met: undefined,
      detail: names
        .map((n) => {
          const r = get(n)
          return `${n}: ${r ? `${r.status}${r.note ? ` (${r.note})` : ''}` : 'not run'}`
        })
        .join('; '),
    })

  const direct = get('direct')
  const pass = get('passthrough')
  if (ok(direct) && ok(pass)) {
    out.push({
      label: 'miffy passthrough vs direct: throughput',
      value: x(ratio(pass.load.rps, direct.load.rps)),
      target: '(information)',
      met: undefined,
      detail: `${fmtRps(pass.load.rps)} vs ${fmtRps(direct.load.rps)} req/s; p99 ${x(ratio(pass.load.latencyUs.p99, direct.load.latencyUs.p99))}`,
    })
  } else missing('miffy passthrough vs direct: throughput', '(information)', 'passthrough', 'direct')

  const npass = get('nginx-passthrough')
  if (ok(npass) && ok(pass)) {
    out.push({
      label: 'miffy passthrough vs nginx passthrough: throughput',
      value: x(ratio(pass.load.rps, npass.load.rps)),
      target: '(information)',
      met: undefined,
      detail: `${fmtRps(pass.load.rps)} vs ${fmtRps(npass.load.rps)} req/s; CPU/req ${fmtUs(pass.cpuUsPerRequest)} vs ${fmtUs(npass.cpuUsPerRequest)}`,
    })
  }

  const eq = get('mirror-equal')
  const neq = get('nginx-mirror-equal')
  if (ok(eq) && ok(neq)) {
    const r = ratio(eq.load.rps, neq.load.rps)
    out.push({
      label: 'mirrored throughput, miffy vs nginx mirror',
      value: x(r),
      target: '≥ 1.20×',
      met: r >= 1.2,
      detail: `${fmtRps(eq.load.rps)} vs ${fmtRps(neq.load.rps)} req/s`,
    })
  } else
    missing('mirrored throughput, miffy vs nginx mirror', '≥ 1.20×', 'mirror-equal', 'nginx-mirror-equal')

  if (ok(eq) && eq.cpuUsPerRequest !== undefined) {
    const us = eq.cpuUsPerRequest
    out.push({
      label: 'CPU per mirrored-and-compared request (equal answers)',
      value: fmtUs(us),
      target: '≤ 150 µs',
      met: us <= 150,
      detail: `${eq.miffy ? `${eq.miffy.mirrored} mirrored of ${eq.load.requests} requests` : ''}`,
    })
  }
  if (ok(eq) && ok(neq) && eq.cpuUsPerRequest !== undefined && neq.cpuUsPerRequest !== undefined) {
    const r = ratio(eq.cpuUsPerRequest, neq.cpuUsPerRequest)
    out.push({
      label: 'CPU per mirrored request, miffy vs nginx mirror',
      value: x(r),
      target: '≤ 1.00×',
      met: r <= 1,
      detail: `${fmtUs(eq.cpuUsPerRequest)} vs ${fmtUs(neq.cpuUsPerRequest)} per request`,
    })
  }
  // The Node floor: what is left of a mirrored request with none of miffy's logic. miffy's cost
  // above it is what miffy's own code can still win; the floor's cost above nginx is the stack's.
  const feq = get('node-floor-mirror-equal')
  const fpass = get('node-floor-passthrough')
  /** an information row: CPU per request of `a` over `b`, with their throughput ratio */
  const cpuRatio = (label: string, a: ScenarioResult | undefined, b: ScenarioResult | undefined) => {
    if (!ok(a) || !ok(b) || a.cpuUsPerRequest === undefined || b.cpuUsPerRequest === undefined) return
    out.push({
      label,
      value: x(ratio(a.cpuUsPerRequest, b.cpuUsPerRequest)),
      target: '(information)',
      met: undefined,
      detail: `${fmtUs(a.cpuUsPerRequest)} vs ${fmtUs(b.cpuUsPerRequest)}; throughput ${x(ratio(a.load.rps, b.load.rps))}`,
    })
  }
  cpuRatio('CPU per mirrored request, miffy vs the Node floor', eq, feq)
  cpuRatio('CPU per mirrored request, the Node floor vs nginx mirror', feq, neq)
  cpuRatio('CPU per passthrough request, miffy vs the Node floor', pass, fpass)
  // Issue 9: what learning the noise costs, every mirrored request also sent to a secondary
  cpuRatio('CPU per mirrored request, with a secondary vs without', get('mirror-equal-secondary'), eq)
  const diff = get('mirror-differ')
  const ndiff = get('nginx-mirror-differ')
  if (ok(diff) && ok(ndiff) && diff.cpuUsPerRequest !== undefined && ndiff.cpuUsPerRequest !== undefined) {
    const r = ratio(diff.cpuUsPerRequest, ndiff.cpuUsPerRequest)
    out.push({
      label: 'CPU per request, every pair differs and is published, miffy vs nginx mirror',
      value: x(r),
      target: '(information)',
      met: undefined,
      detail: `${fmtUs(diff.cpuUsPerRequest)} vs ${fmtUs(ndiff.cpuUsPerRequest)}; throughput ${x(ratio(diff.load.rps, ndiff.load.rps))}`,
    })
  }

  const slow = get('candidate-slow')
  if (ok(slow) && ok(eq)) {
    const r = ratio(slow.load.latencyUs.p99, eq.load.latencyUs.p99)
    out.push({
      label: 'candidate sleeping 500 ms: client p99 vs healthy candidate',
      value: x(r),
      target: '≤ 1.20×',
      met: r <= 1.2,
      detail: `p99 ${fmtMs(slow.load.latencyUs.p99)} vs ${fmtMs(eq.load.latencyUs.p99)}`,
    })
  } else missing('candidate sleeping 500 ms: client p99 vs healthy candidate', '≤ 1.20×', 'candidate-slow')
  if (ok(slow) && slow.rss) {
    const g = slow.rss.growthLastHalf
    out.push({
      label: `candidate sleeping 500 ms: RSS growth over the last half of ${slow.seconds} s`,
      value: `${(g * 100).toFixed(1)} %`,
      target: '≤ 10 %',
      met: g <= 0.1,
      detail: `peak ${fmtMiB(slow.rss.peak)}, end ${fmtMiB(slow.rss.end)}${slow.rss.series?.length ? `; every ${slow.seconds / 10} s: ${slow.rss.series.join(', ')} MiB` : ''}${slow.seconds < 60 ? ' (shorter than the 60 s the target is set for)' : ''}`,
    })
  }
  if (ok(slow) && slow.miffy) {
    const drops =
      Object.values(slow.miffy.dropped).reduce((a, b) => a + b, 0) +
      (slow.miffy.outcomes.candidate_timeout ?? 0)
    out.push({
      label: 'candidate sleeping 500 ms: drops counted',
      value: `${drops} dropped or timed out, ${slow.miffy.mirrored} mirrored`,
      target: 'counted, every request accounted for',
      met: drops > 0 && slow.miffy.accounted,
      detail: `${fmtCounts(slow.miffy.outcomes)}; outcomes ${slow.miffy.accounted ? '=' : '≠'} requests on the route`,
    })
  }
  const nslow = get('nginx-candidate-slow')
  const nslowBase = get('nginx-mirror-equal')
  if (ok(nslow) && ok(nslowBase)) {
    out.push({
      label: 'nginx, candidate sleeping 500 ms: client p99 vs healthy candidate',
      value: x(ratio(nslow.load.latencyUs.p99, nslowBase.load.latencyUs.p99)),
      target: '(the peer)',
      met: undefined,
      detail: `p99 ${fmtMs(nslow.load.latencyUs.p99)} vs ${fmtMs(nslowBase.load.latencyUs.p99)}; ${fmtRps(nslow.load.rps)} req/s`,
    })
  }

  const down = get('kafka-down')
  if (ok(down) && ok(diff)) {
    const r = ratio(down.load.latencyUs.p99, diff.load.latencyUs.p99)
    out.push({
      label: 'Kafka down: client p99 vs Kafka up (every pair published)',
      value: x(r),
      target: '≤ 1.10×',
      met: r <= 1.1,
      detail: `p99 ${fmtMs(down.load.latencyUs.p99)} vs ${fmtMs(diff.load.latencyUs.p99)}; throughput ${x(ratio(down.load.rps, diff.load.rps))}`,
    })
  } else missing('Kafka down: client p99 vs Kafka up', '≤ 1.10×', 'kafka-down', 'mirror-differ')

  const w2 = get('mirror-equal-2w')
  if (ok(w2) && ok(eq)) {
    out.push({
      label: 'workers 1 → 2: mirrored throughput',
      value: x(ratio(w2.load.rps, eq.load.rps)),
      target: '(report)',
      met: undefined,
      detail: `${fmtRps(w2.load.rps)} vs ${fmtRps(eq.load.rps)} req/s, ${w2.processes} processes; p99 ${fmtMs(w2.load.latencyUs.p99)} vs ${fmtMs(eq.load.latencyUs.p99)}`,
    })
  } else missing('workers 1 → 2: mirrored throughput', '(report)', 'mirror-equal-2w')
  const nw2 = get('nginx-mirror-equal-2w')
  if (ok(nw2) && ok(neq)) {
    out.push({
      label: 'nginx workers 1 → 2: mirrored throughput',
      value: x(ratio(nw2.load.rps, neq.load.rps)),
      target: '(the peer)',
      met: undefined,
      detail: `${fmtRps(nw2.load.rps)} vs ${fmtRps(neq.load.rps)} req/s`,
    })
  }
  out.push(...rustHeadlines(run))
  return out
}

const MiB = 2 ** 20

/**
 * The targets of issue 13, against the Rust miffy 1.0.1 measured in the same run: CPU per
 * request as ratios, memory as MiB (the Rust miffy's figure beside it), the Kafka recovery as
 * miffy's own p99 ratio.
 */
export function rustHeadlines(run: RunResult): Headline[] {
  const get = (name: string) => run.results.find((r) => r.scenario.name === name)
  const out: Headline[] = []
  const status = (...names: string[]) =>
    names
      .map((n) => {
        const r = get(n)
        return `${n}: ${r ? `${r.status}${r.note ? ` (${r.note})` : ''}` : 'not run'}`
      })
      .join('; ')
  const cpu = (label: string, mine: string, peer: string, target: number | undefined, extra = '') => {
    const a = get(mine)
    const b = get(peer)
    const t = target === undefined ? '(information)' : `≤ ${target.toFixed(2)}×`
    if (!ok(a) || !ok(b) || a.cpuUsPerRequest === undefined || b.cpuUsPerRequest === undefined) {
      if (target !== undefined)
        out.push({ label, value: 'not measured', target: t, met: undefined, detail: status(mine, peer) })
      return
    }
    const r = ratio(a.cpuUsPerRequest, b.cpuUsPerRequest)
    out.push({
      label,
      value: x(r),
      target: t,
      met: target === undefined ? undefined : r <= target,
      detail: `${fmtUs(a.cpuUsPerRequest)} vs ${fmtUs(b.cpuUsPerRequest)}; throughput ${x(ratio(a.load.rps, b.load.rps))}${extra}`,
    })
  }
  const published = (r: ScenarioResult | undefined) =>
    r?.miffy?.publish.published ?? r?.topicMessages ?? undefined
  const diff = get('mirror-differ')
  const rdiff = get('rust-mirror-differ')
  cpu(
    'CPU per mirrored-and-compared request, miffy vs the Rust miffy',
    'mirror-equal',
    'rust-mirror-equal',
    1.3,
  )
  cpu(
    'CPU per published divergence, miffy vs the Rust miffy',
    'mirror-differ',
    'rust-mirror-differ',
    1.5,
    `; published ${published(diff) ?? '?'} vs ${published(rdiff) ?? '?'}`,
  )
  cpu('CPU per passthrough request, miffy vs the Rust miffy', 'passthrough', 'rust-passthrough', undefined)
  cpu(
    'CPU per request, candidate down, miffy vs the Rust miffy',
    'candidate-down',
    'rust-candidate-down',
    undefined,
  )

  /** `which`: the peak under load; at idle, the end of the window (after it has been idle a while) */
  const rss = (label: string, mine: string, peer: string, limitMiB: number, which: 'peak' | 'end') => {
    const a = get(mine)
    const b = get(peer)
    if (a?.status !== 'ok' || !a.rss) {
      out.push({
        label,
        value: 'not measured',
        target: `≤ ${limitMiB} MiB`,
        met: undefined,
        detail: status(mine),
      })
      return
    }
    const value = a.rss[which]
    const peerText =
      b?.status === 'ok' && b.rss
        ? `the Rust miffy ${fmtMiB(b.rss[which])} (${x(ratio(value, b.rss[which]))})`
        : status(peer)
    out.push({
      label,
      value: fmtMiB(value),
      target: `≤ ${limitMiB} MiB`,
      met: value <= limitMiB * MiB,
      detail: `${peerText}${which === 'end' ? `; peak ${fmtMiB(a.rss.peak)}` : ''}`,
    })
  }
  rss('peak RSS, mirrored load (equal answers)', 'mirror-equal', 'rust-mirror-equal', 150, 'peak')
  rss('peak RSS, every pair differs and is published', 'mirror-differ', 'rust-mirror-differ', 200, 'peak')
  rss('RSS at idle (after 10 s without a request)', 'idle', 'rust-idle', 80, 'end')
  const last = out.at(-1)
  for (const [name, what] of [
    ['idle-ts', 'miffy run from its .ts sources'],
    ['node-floor-idle', 'the Node floor'],
  ] as const) {
    const r = get(name)
    if (last?.label.startsWith('RSS at idle') && r?.status === 'ok' && r.rss) {
      last.detail += `; ${what} ${fmtMiB(r.rss.end)}`
    }
  }

  const slow = get('rust-candidate-slow')
  const req = get('rust-mirror-equal')
  if (ok(slow) && ok(req) && slow.rss) {
    out.push({
      label: 'the Rust miffy, candidate sleeping 500 ms: client p99 vs healthy candidate',
      value: x(ratio(slow.load.latencyUs.p99, req.load.latencyUs.p99)),
      target: '(the peer)',
      met: undefined,
      detail: `p99 ${fmtMs(slow.load.latencyUs.p99)} vs ${fmtMs(req.load.latencyUs.p99)}; ${fmtRps(slow.load.rps)} req/s; RSS growth over the last half ${(slow.rss.growthLastHalf * 100).toFixed(1)} %, peak ${fmtMiB(slow.rss.peak)}`,
    })
  }

  const rec = get('kafka-recovery')
  const rrec = get('rust-kafka-recovery')
  const recRatio = (r: ScenarioResult | undefined) =>
    r?.status === 'ok' && r.recovery ? ratio(r.recovery.p99Us.drain, r.recovery.p99Us.normal) : undefined
  const mine = recRatio(rec)
  if (mine !== undefined && rec?.recovery) {
    const v = rec.recovery
    const peer = recRatio(rrec)
    out.push({
      label: `Kafka back after an outage: client p99 while the backlog drains vs before the outage`,
      value: x(mine),
      target: '≤ 1.20×',
      met: mine <= 1.2 && v.drained,
      detail: `p99 ${fmtMs(v.p99Us.drain)} vs ${fmtMs(v.p99Us.normal)} at ${v.rate} req/s; backlog ${v.backlog}${v.drained ? `, drained in ${v.drainMs ?? '?'} ms` : ', **not drained**'}${peer !== undefined ? `; the Rust miffy ${x(peer)}` : ''}`,
    })
  } else {
    out.push({
      label: 'Kafka back after an outage: client p99 while the backlog drains vs before the outage',
      value: 'not measured',
      target: '≤ 1.20×',
      met: undefined,
      detail: status('kafka-recovery'),
    })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Formatting

export const fmtRps = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1))
export const fmtMs = (us: number) => {
  const ms = us / 1000
  return ms >= 100 ? `${Math.round(ms)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`
}
export const fmtUs = (us: number | undefined) => (us === undefined ? '—' : `${Math.round(us)} µs`)
export const fmtMiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const fmtRange = (xs: number[]) => `${fmtRps(Math.min(...xs))}–${fmtRps(Math.max(...xs))}`
const fmtCounts = (c: Record<string, number>) =>
  Object.entries(c)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '—'

const num = (us: number) => (us / 1000).toFixed(us >= 100_000 ? 0 : us >= 10_000 ? 1 : 2)

function proxyLabel(r: ScenarioResult): string {
  const s = r.scenario
  return s.proxy === 'direct' ? 'none' : `${s.proxy}${s.workers > 1 ? ` ×${s.workers}` : ''}`
}

/** The main table: one row per scenario. */
export function renderTable(run: RunResult): string {
  const head = [
    'Scenario',
    'Proxy',
    'Req/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'Errors',
    'CPU/req',
    'Peak RSS',
    'End RSS',
    'Mirrored',
    'Dropped (by reason)',
    'Published',
  ]
  const rows = run.results.map((r) => {
    const name = `\`${r.scenario.name}\``
    if (r.status === 'ok' && !r.load && r.rss) {
      // idle: no requests in the window; CPU is what it spent doing nothing
      const cpuMs =
        r.cpuSeconds === undefined ? '—' : `${Math.round((r.cpuSeconds * 1000) / r.seconds)} ms/s idle`
      return [
        name,
        proxyLabel(r),
        'idle',
        '',
        '',
        '',
        '',
        cpuMs,
        fmtMiB(r.rss.peak),
        fmtMiB(r.rss.end),
        '',
        '',
        '',
      ]
    }
    if (r.status !== 'ok' || !r.load) {
      return [name, proxyLabel(r), `**${r.status}**: ${r.note ?? ''}`, '', '', '', '', '', '', '', '', '', '']
    }
    const l = r.load
    const m = r.miffy
    const mirrored =
      r.scenario.candidate === 'none'
        ? '—'
        : m
          ? `${m.mirrored}`
          : r.candidateRequests !== undefined
            ? `${r.candidateRequests}†`
            : '—'
    const dropped = m && r.scenario.candidate !== 'none' ? fmtCounts(m.dropped) : '—'
    const published =
      m && r.scenario.kafka !== 'none' && r.scenario.candidate !== 'none'
        ? fmtCounts(m.publish)
        : r.topicMessages !== undefined
          ? `${r.topicMessages}‡`
          : '—'
    const range = r.rounds && r.rounds.rps.length > 1 ? ` (${fmtRange(r.rounds.rps)})` : ''
    return [
      name,
      proxyLabel(r),
      `${fmtRps(l.rps)}${range}`,
      num(l.latencyUs.p50),
      num(l.latencyUs.p99),
      num(l.latencyUs.max),
      String(l.errors + l.non2xx),
      r.cpuUsPerRequest === undefined
        ? '—'
        : `${fmtUs(r.cpuUsPerRequest)} (${Math.round((r.cpuSysShare ?? 0) * 100)} % sys)`,
      r.rss ? fmtMiB(r.rss.peak) : '—',
      r.rss ? fmtMiB(r.rss.end) : '—',
      mirrored,
      dropped,
      published,
    ]
  })
  return markdownTable(head, rows)
}

function markdownTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

export function renderHeadlines(run: RunResult): string {
  const rows = headlines(run).map((h) => [
    h.label,
    `**${h.value}**`,
    h.target,
    h.met === undefined ? '—' : h.met ? 'met' : '**missed**',
    h.detail,
  ])
  return markdownTable(['Ratio', 'Measured', 'Target', '', 'Detail'], rows)
}

export function renderOutcomes(run: RunResult): string {
  const rows = run.results
    .filter((r) => r.status === 'ok' && r.miffy)
    .map((r) => [
      `\`${r.scenario.name}\``,
      fmtCounts(r.miffy!.outcomes),
      fmtCounts(r.miffy!.publish),
      r.candidateRequests === undefined ? '—' : String(r.candidateRequests),
      r.scenario.candidate === 'none' ? '—' : r.miffy!.accounted ? 'yes' : '**no**',
    ])
  return markdownTable(
    [
      'Scenario',
      'Outcomes (miffy_experiment_outcomes_total)',
      'Publish (miffy_publish_total)',
      'Candidate received',
      'Outcomes = requests',
    ],
    rows,
  )
}

/**
 * Where miffy's cost comes from, told with this run's figures: the Node floor splits it into what
 * the stack costs (floor vs nginx) and what miffy's own code adds (miffy vs floor).
 */
export function renderFloor(run: RunResult): string {
  const get = (name: string) => run.results.find((r) => r.scenario.name === name)
  const cpu = (name: string) => {
    const r = get(name)
    return ok(r) ? r.cpuUsPerRequest : undefined
  }
  const floor = cpu('node-floor-mirror-equal')
  const miffy = cpu('mirror-equal')
  const nginx = cpu('nginx-mirror-equal')
  if (floor === undefined || miffy === undefined || nginx === undefined) return ''
  const floorPass = cpu('node-floor-passthrough')
  const nginxPass = cpu('nginx-passthrough')
  const pass =
    floorPass !== undefined && nginxPass !== undefined
      ? ` Passing a request through costs the floor ${fmtUs(floorPass)}, ${x(ratio(floorPass, nginxPass))} nginx's \`proxy_pass\`.`
      : ''
  return `
## Where the time goes

The Node floor (\`bench/node-floor.ts\`) is the least a proxy on miffy's stack can do: a bare
\`node:http\` server that sends each request to both origins with undici's \`Dispatcher.dispatch\`,
streams the reference's answer back and compares the two bodies as bytes, with no routing,
sampling, limits, budgets, metrics, header rules, JSON comparison or publishing. In this run a
mirrored request cost the floor ${fmtUs(floor)} of CPU, ${x(ratio(floor, nginx))} nginx's mirror (${fmtUs(nginx)}),
and miffy ${fmtUs(miffy)}, ${x(ratio(miffy, floor))} the floor.${pass} What miffy's own code can still win is
the difference to the floor; what separates the floor from nginx is Node's HTTP server, undici's
client and V8, which a CPU profile of either process shows
(\`npm run bench -- --only mirror-equal,node-floor-mirror-equal --rounds 1 --cpu-prof /tmp/prof\`,
then \`node bench/profile-summary.ts /tmp/prof/mirror-equal\`): most of the time is in the
\`writev\`/\`write\` system calls of the three sockets, undici's parser and request
bookkeeping, and Node's stream and event machinery, in much the same proportions for both.
nginx spends most of its CPU in the kernel (the sys share in the table), and opens and closes a
connection to the candidate for every mirror.
`
}

/** RSS of every measured scenario, one sample per tenth of its window. */
export function renderRssSeries(run: RunResult): string {
  const rows = run.results
    .filter((r) => r.status === 'ok' && r.rss && r.rss.series.length > 0)
    .map((r) => [
      `\`${r.scenario.name}\``,
      `${Math.round(r.load?.durationSeconds ?? r.seconds)} s`,
      ...r.rss!.series.map((v) => v.toFixed(1)),
      `${(r.rss!.growthLastHalf * 100).toFixed(1)} %`,
    ])
  return markdownTable(
    ['Scenario', 'Window', ...Array.from({ length: 10 }, (_, i) => `${(i + 1) * 10} %`), 'Growth, last half'],
    rows,
  )
}

/** The Kafka-recovery scenarios: p99 before, during and after the outage; what the backlog cost. */
export function renderRecovery(run: RunResult): string {
  const rs = run.results.filter((r) => r.status === 'ok' && r.recovery)
  if (rs.length === 0) return ''
  const rows = rs.map((r) => {
    const v = r.recovery!
    const pub = r.miffy ? fmtCounts(r.miffy.publish) : '—'
    return [
      `\`${r.scenario.name}\``,
      `${v.rate}`,
      `${v.backlog}`,
      `${(v.brokerDownMs / 1000).toFixed(1)} s`,
      v.drained ? `${v.drainMs ?? '?'} ms` : '**not drained**',
      `${fmtMs(v.p99Us.normal)} (${v.requests.normal})`,
      `${fmtMs(v.p99Us.outage)} (${v.requests.outage})`,
      `${fmtMs(v.p99Us.drain)} (${v.requests.drain})`,
      `**${x(ratio(v.p99Us.drain, v.p99Us.normal))}**`,
      v.loopDelayMs ? `${v.loopDelayMs.normal.toFixed(1)} / ${v.loopDelayMs.drain.toFixed(1)} ms` : '—',
      v.mainThreadCpuMsPerS
        ? `${Math.round(v.mainThreadCpuMsPerS.normal)} / ${Math.round(v.mainThreadCpuMsPerS.drain)} ms/s`
        : '—',
      `${v.errors.normal + v.errors.outage + v.errors.drain}`,
      v.rss.map((m) => `${m.at} ${fmtMiB(m.bytes)}`).join(', '),
      pub,
    ]
  })
  return `
## Kafka back after an outage

A paced, open-loop load (\`bench/paced-load.ts\`: request *i* is due at *i* / rate, its latency
counted from then, so a stall is not hidden by the requests it kept from being sent) runs through
the whole scenario, every answer differing. After ${run.settings.seconds} s the broker is killed; when the proxy
holds the backlog (miffy: \`miffy_outbox_messages\`; the Rust miffy: divergences since the outage,
held by librdkafka) the broker is restarted, and the load goes on until the backlog is
delivered. p99 *before*: the requests due before the outage (after the warm-up); *drain*: those due from
0.5 s before the first delivery after the outage to 1 s after the last message of the backlog.
Requests in each window in brackets. Event-loop delay: the longest miffy's main thread was held up
in each window (\`bench/loop-probe.mjs\`, 100 ms samples of \`monitorEventLoopDelay\`): the proxy's own
stall, apart from what the rest of the machine does to the client's latency. Main thread CPU: the
proxy's main thread's CPU time per second of each window (/proc/PID/task/PID/stat; for miffy,
the thread that serves clients, whatever its Kafka worker does).

${markdownTable(
  [
    'Scenario',
    'Req/s',
    'Backlog',
    'Broker down',
    'Drained in',
    'p99 before',
    'p99 outage',
    'p99 drain',
    'Drain / before',
    'Event-loop delay, max before / drain',
    'Main thread CPU before / drain',
    'Errors',
    'RSS',
    'Publish (miffy_publish_total)',
  ],
  rows,
)}
`
}

/**
 * What the separate measurements found (each file has its own command, machine and date): they
 * explain the memory rows and the choices behind the settings this run measured.
 */
export function renderMemoryNotes(): string {
  return `
## Memory, heap settings and the Kafka client

- \`bench/startup-memory.md\` (\`node bench/startup-memory.ts\`): what each dependency and miffy's
  own modules cost resident at start-up, in the order miffy loads them.
- \`bench/heap-flags.md\` (\`node bench/heap-flags.ts\`): V8 semi-space sizes against CPU per request,
  GC share and peak RSS; the choice in npm start's flags comes from it.
- \`bench/profiles.md\`: where miffy's CPU goes against the Rust miffy's on the same load.
- Kafka client: kafkajs stays. \`node bench/kafka-clients.ts\` measured @platformatic/kafka at about
  half kafkajs's CPU per message, but its module costs several times kafkajs's resident memory at
  start-up (it loads schema-registry code: ajv, protobufjs, avsc), against the sidecar memory targets;
  librdkafka-based clients cannot be installed here (their install downloads a prebuilt binary).
  kafkajs runs in a worker thread (\`src/publish/kafka-worker.ts\`): its encoding and CRC-32C no
  longer share the proxy's event loop (see the Kafka recovery rows).
`
}

function describeCode(run: RunResult): string {
  const one = (c: Code) =>
    `commit ${c.commit}${c.dirty.length > 0 ? ` with uncommitted changes in ${c.dirty.map((f) => `\`${f}\``).join(', ')}` : ''}`
  // What each miffy scenario ran (others commit while a run goes on): one line when all agree.
  const groups = new Map<string, { code: Code; names: string[] }>()
  for (const r of run.results) {
    if (!r.code) continue
    const key = `${r.code.commit} ${r.code.diff ?? r.code.dirty.join(',')}`
    const g = groups.get(key)
    if (g) g.names.push(r.scenario.name)
    else groups.set(key, { code: r.code, names: [r.scenario.name] })
  }
  if (groups.size === 1) return one([...groups.values()][0]!.code)
  if (groups.size > 1) {
    return `**src/ changed during the run**: ${[...groups.values()]
      .map((g) => `${one(g.code)} for ${g.names.map((n) => `\`${n}\``).join(', ')}`)
      .join('; ')}`
  }
  return run.code ? one(run.code) : 'unknown'
}

export function renderMarkdown(run: RunResult, opts: { svgPath?: string; mdPath?: string } = {}): string {
  const m = run.machine
  const s = run.settings
  const svgLink = opts.svgPath && opts.mdPath ? relative(dirname(opts.mdPath), opts.svgPath) : opts.svgPath
  const pending = run.results.filter((r) => r.status !== 'ok')
  return `# Benchmarks

Written by \`bench/run.ts\` from one run on the machine below; every ratio compares figures
measured in that same run. The machine is shared and noisy: the ratios are the result, the
absolute figures only describe this run.

    ${run.command}

**Machine:** ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}; Node ${m.node};
nginx ${m.nginx};${m.rustMiffy ? ` the Rust miffy ${m.rustMiffy};` : ''} load generator ${m.loadTool}; Kafka ${m.kafka}.
**Code:** ${describeCode(run)}.
**Run:** ${run.startedAt} → ${run.finishedAt}; ${s.seconds} s per scenario (${s.slowSeconds} s for
the slow candidate) after ${s.warmupSeconds} s of warm-up; ${s.connections} connections, closed loop,
\`GET /api/42\` answered with a ~250-byte JSON body.${s.smoke ? '\n\n**Smoke run**: too short for any conclusion.' : ''}

Everything runs on loopback on the same ${m.cores} cores: the load generator, the two origin
servers (plain \`node:http\`, one process each), the proxy under test and the Kafka broker. The
proxy's CPU is user + system time of its process tree from \`/proc\`, divided by the requests
completed in the window. In mirroring scenarios each client request is mirrored and compared, so
CPU/req is the cost of one mirrored-and-compared request. nginx mirrors but neither compares nor
publishes.

## Headline ratios

${renderHeadlines(run)}
${renderFloor(run)}${renderMemoryNotes()}
## All scenarios

${renderTable(run)}

${
  s.rounds > 1
    ? `Req/s: the median of ${s.rounds} interleaved rounds (all rounds' range in brackets; the other
figures of a row come from that median round), except the slow-candidate scenarios, run once.
`
    : ''
}CPU/req: user + system time of the proxy's process tree per request; on loopback the system part
includes delivering what the proxy sends to the origins and to the client.
Errors: connection errors, timeouts and non-2xx answers seen by the client. Mirrored: for miffy,
the outcomes \`equal + diverged + candidate_timeout + candidate_error\` from \`/metrics\`; †: for
nginx, the Node floor and the Rust miffy, the requests the candidate origin received. Dropped and
published come from miffy's \`/metrics\`, counted over the measured window; ‡: the messages the
topic gained while the Rust miffy ran (it has no metrics; it also publishes a candidate's
connection error as a difference). Idle rows: no load; CPU in ms per second of the window.
${pending.length > 0 ? `\nNot measured: ${pending.map((r) => `\`${r.scenario.name}\` (${r.status}: ${r.note ?? ''})`).join('; ')}.\n` : ''}
## Outcomes from /metrics

${renderOutcomes(run)}
${renderRecovery(run)}
## RSS over time

Resident memory of the proxy's process tree (MiB), sampled every 250 ms; one sample at each tenth
of the measured window. Growth: the mean of the last tenth against the mean around the middle.

${renderRssSeries(run)}

## Latency percentiles

${svgLink ? `![Latency percentiles per scenario](${svgLink})\n` : ''}
${markdownTable(
  ['Scenario', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'],
  run.results
    .filter((r) => r.status === 'ok' && r.load)
    .map((r) => {
      const l = r.load!.latencyUs
      return [`\`${r.scenario.name}\``, ...[l.mean, l.p50, l.p90, l.p99, l.p999, l.max].map(fmtMs)]
    }),
)}

## Scenarios

${run.results.map((r) => `- \`${r.scenario.name}\`: ${r.scenario.title}`).join('\n')}

## How the peer is set up

nginx runs one worker (\`master_process off\`; a master and two workers for the \`-2w\` row) with
\`proxy_pass\` to a \`keepalive 64\` upstream for the reference and, when mirroring,
\`mirror\` + \`mirror_request_body on\` to a location proxying to the candidate (also a keep-alive
upstream, HTTP/1.1, the same 5 s timeouts as miffy's \`candidate_timeout\`). Two properties of
nginx's mirror show in the table:

- nginx reads only the headers of the mirror's answer, so it cannot reuse the candidate
  connection: every mirrored request opens and closes one (seen in nginx's debug log: \`close http
  upstream connection\` right after \`http proxy header done\` for the mirror subrequest). The
  candidate origin pays for the extra connections on the same cores.
- The client's request is not complete until its mirror subrequest is: a candidate that sleeps
  500 ms holds every client connection for 500 ms (\`nginx-candidate-slow\`). miffy answers from
  the reference alone and drops what its queue cannot hold (\`candidate-slow\`).

The Rust miffy 1.0.1 (\`bench/rust-miffy.ts\`, the release build of \`scripts/rust-miffy.sh\`) runs
with a \`config.toml\` of the same route, origins and topic, \`RUST_LOG=warn\` (no per-request
log), its defaults otherwise: tokio on every core, hyper's client with no timeout and no cap on
concurrent mirrors, librdkafka's producer with its own queue (100,000 messages). It has no
metrics: what it mirrored is what the candidate received, what it published what the topic gained.

Run one scenario by hand: \`npm run bench -- --only mirror-equal,nginx-mirror-equal --rounds 1\`;
profile miffy under load: \`npm run bench -- --only mirror-equal --rounds 1 --out /tmp/b.md
--cpu-prof /tmp/prof\`, then \`node bench/profile-summary.ts /tmp/prof\`.
`
}

// ---------------------------------------------------------------------------------------------
// Chart

const PERCENTILES: { key: keyof LoadResult['latencyUs']; label: string; color: string }[] = [
  { key: 'p50', label: 'p50', color: '#1b9e77' },
  { key: 'p90', label: 'p90', color: '#7570b3' },
  { key: 'p99', label: 'p99', color: '#d95f02' },
  { key: 'p999', label: 'p99.9', color: '#e7298a' },
  { key: 'max', label: 'max', color: '#666666' },
]

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** One row per scenario, a marker per percentile on a log-scale millisecond axis. */
export function renderSvg(run: RunResult): string {
  const rows = run.results.filter((r) => r.status === 'ok' && r.load)
  const left = 220
  const right = 30
  const top = 50
  const rowH = 26
  const width = 900
  const plotW = width - left - right
  const height = top + rows.length * rowH + 60
  const all = rows
    .flatMap((r) => PERCENTILES.map((p) => r.load!.latencyUs[p.key] / 1000))
    .filter((v) => v > 0)
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all, 1)))
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, 10)))
  const xOf = (ms: number) => left + (Math.log10(Math.max(ms, lo) / lo) / Math.log10(hi / lo)) * plotW
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Client latency per scenario (ms, log scale)</text>`,
  )
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const x = xOf(d).toFixed(1)
    parts.push(
      `<line x1="${x}" y1="${top - 10}" x2="${x}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`,
      `<text x="${x}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#444">${d >= 1 ? d : d.toFixed(Math.round(-Math.log10(d)))}</text>`,
    )
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2
    const l = r.load!.latencyUs
    if (i % 2 === 0) {
      parts.push(`<rect x="0" y="${top + i * rowH}" width="${width}" height="${rowH}" fill="#f6f6f6"/>`)
    }
    parts.push(
      `<text x="${left - 8}" y="${y + 4}" text-anchor="end">${esc(r.scenario.name)}</text>`,
      `<line x1="${xOf(l.p50 / 1000).toFixed(1)}" y1="${y}" x2="${xOf(l.max / 1000).toFixed(1)}" y2="${y}" stroke="#999"/>`,
    )
    for (const p of PERCENTILES) {
      parts.push(
        `<circle cx="${xOf(l[p.key] / 1000).toFixed(1)}" cy="${y}" r="5" fill="${p.color}"><title>${esc(r.scenario.name)} ${p.label}: ${fmtMs(l[p.key])}</title></circle>`,
      )
    }
  })
  const ly = height - 18
  PERCENTILES.forEach((p, i) => {
    const x = left + i * 90
    parts.push(
      `<circle cx="${x}" cy="${ly - 4}" r="5" fill="${p.color}"/>`,
      `<text x="${x + 10}" y="${ly}">${p.label}</text>`,
    )
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

export function writeReport(run: RunResult, mdPath: string, svgPath: string): void {
  writeFileSync(svgPath, renderSvg(run))
  // the soak's section is written by its own run (bench/soak.ts): kept as it is
  let previous = ''
  try {
    previous = readFileSync(mdPath, 'utf8')
  } catch {}
  const soak = extractSoakSection(previous)
  const md = renderMarkdown(run, { svgPath, mdPath })
  writeFileSync(mdPath, soak === undefined ? md : replaceSoakSection(md, soak))
}
