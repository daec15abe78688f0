/**
 * ACCURACY.md: the figures of one run, with what is needed to trust and reproduce them
 * (command, date, machine, N), a table per endpoint so a reader sees which kinds fail, and every
 * false report and missed regression with its route.
 */
import { spawnSync } from 'node:child_process'
import { cpus, release, totalmem } from 'node:os'
import type { AccuracyRun, VariantResult } from './harness.ts'
import { ROOT, summariseRefusal } from './miffy-process.ts'
import type { Rate, RouteScore } from './score.ts'

function pct(rate: number | undefined): string {
  if (rate === undefined) return '—'
  const p = rate * 100
  return `${Number.isInteger(p) ? p.toFixed(0) : p.toFixed(1)} %`
}

function rateCell(r: Rate): string {
  return `${pct(r.rate)} (${r.reported} of ${r.compared})`
}

/** Markdown table cells: no pipes, no line breaks. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : ''
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** One line from a divergence as miffy summarised it: status pair, header names, body paths. */
export function describeDivergence(d: unknown): string {
  if (!isRecord(d)) return ''
  const parts: string[] = []
  if (isRecord(d.status)) parts.push(`status ${d.status.reference}→${d.status.candidate}`)
  if (Array.isArray(d.headers)) parts.push(`headers ${d.headers.join(', ')}`)
  else if (isRecord(d.headers)) parts.push(`headers ${Object.keys(d.headers).join(', ')}`)
  if (isRecord(d.body)) {
    const paths = Array.isArray(d.body.paths)
      ? d.body.paths.map((p) => (isRecord(p) ? String(p.path) : String(p)))
      : []
    if (paths.length > 0) {
      const shown = paths.slice(0, 6).join(', ')
      parts.push(`body ${shown}${paths.length > 6 ? ` (+${paths.length - 6} more)` : ''}`)
    } else parts.push(`body (${String(d.body.kind ?? 'differs')})`)
  }
  if (d.error !== undefined && d.error !== null) parts.push(`error ${JSON.stringify(d.error)}`)
  return parts.length > 0 ? parts.join('; ') : JSON.stringify(d).slice(0, 200)
}

function verdict(v: VariantResult): string {
  if (!v.variant.goal) return '—'
  const g = v.variant.goal
  const goal = `≤ ${pct(g.maxFalseRate)} false, ≥ ${pct(g.minRecall)} recall`
  if (v.status !== 'measured') return `${goal}: not measured`
  return v.shortfalls && v.shortfalls.length === 0
    ? `${goal}: **met**`
    : `${goal}: **not met** (${v.shortfalls?.join(', ')})`
}

function resultRow(v: VariantResult): string {
  if (v.status !== 'measured') {
    const why =
      v.status === 'rejected'
        ? `**not run**: miffy refused the config (exit 2): \`${cell(summariseRefusal(v.message ?? ''))}\``
        : `**failed**: ${cell(v.message ?? '')}`
    return `| ${v.variant.title} | ${why} | | | | ${verdict(v)} |`
  }
  const t = v.totals!
  const secondary = v.variant.secondary ? `${v.secondaryCalls} of ${v.sent}` : '—'
  return `| ${v.variant.title} | ${rateCell(t.equal)} | ${rateCell(t.regressed)} | ${t.drops} · ${t.errors} · ${t.unsettled}${t.other > 0 ? ` · ${t.other} other` : ''} | ${secondary} | ${verdict(v)} |`
}

/**
 * A catch on a regressed endpoint proves little when the same kind's equal endpoint was reported
 * too: the catch may be the same noise. Such catches are marked, and counted per configuration.
 */
function doubtfulCatch(r: RouteScore, equal: RouteScore | undefined): boolean {
  return r.bug !== undefined && r.reported > 0 && (equal?.reported ?? 0) > 0
}

function endpointCell(r: RouteScore | undefined, equal: RouteScore | undefined): string {
  if (!r) return ''
  const bad = r.bug === undefined ? r.reported > 0 : r.reported < r.compared
  const extra =
    r.drops + r.errors + r.unsettled > 0 ? ` (+${r.drops + r.errors + r.unsettled} not compared)` : ''
  return `${r.reported}/${r.compared}${bad ? ' ✗' : ''}${doubtfulCatch(r, equal) ? ' ⚠' : ''}${extra}`
}

/** The one-line result of a configuration, for the terminal. */
export function summaryLine(v: VariantResult): string {
  if (!v.totals)
    return `${v.variant.name}: ${v.status}${v.status === 'rejected' ? ' (miffy refused the config)' : ''}`
  const t = v.totals
  return `${v.variant.name}: false ${rateCell(t.equal)}, recall ${rateCell(t.regressed)}, drops ${t.drops}, errors ${t.errors}, unsettled ${t.unsettled}`
}

export interface ReportContext {
  command: string
  /** which corpus ran, when not the main one (e.g. the holdout) */
  corpus?: string
}

export function renderReport(run: AccuracyRun, ctx: ReportContext): string {
  const measured = run.variants.filter((v) => v.status === 'measured')
  const kinds = run.endpoints.filter((e) => e.bug === undefined)
  const regressions = run.endpoints.filter((e) => e.bug !== undefined)
  const cpu = cpus()
  const commit = git(['rev-parse', '--short', 'HEAD'])
  const dirty = git(['status', '--porcelain', '--', 'src']) !== '' ? ' (src/ modified)' : ''
  const out: string[] = []
  out.push(
    '# Accuracy of divergence reports',
    '',
    'Written by `npm run accuracy` (accuracy/run.ts) from one run; do not edit by hand. How often miffy',
    'reports a functionally equal candidate (false divergences) and how often it reports a regressed one',
    '(recall), on a corpus of real HTTP servers that are non-deterministic the way services are (issue 9).',
    '',
    `- command: \`${ctx.command}\``,
    ...(ctx.corpus ? [`- corpus: ${ctx.corpus}`] : []),
    `- date: ${run.startedAt} · miffy at ${commit || 'unknown commit'}${dirty}`,
    `- machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`,
    `- N = ${run.n} requests per endpoint variant; ${run.endpoints.length} endpoint variants (${kinds.length} kinds with an equal candidate, ${regressions.length} regressions); ${run.concurrency} concurrent client connections; ${run.n * run.endpoints.length} requests per configuration; run time ${(run.elapsedMs / 1000).toFixed(0)} s`,
    `- corpus check: every regressed answer was replayed without its bug and must differ: ${run.violations.length === 0 ? 'no violation' : `**${run.violations.length} violations** (below)`}`,
    '',
    'Every endpoint variant is its own miffy route, so per-route outcome counts are per-request truth.',
    '*compared* = outcomes `equal` + `diverged` + `noise`; *reported* = `diverged`. False-divergence',
    'rate = reported / compared on equal endpoints; recall = reported / compared on regressed ones. Drops',
    '(sampling, queue, size, memory, breaker, timeout), errors (a failed leg) and requests still without',
    'an outcome when the run stopped waiting are counted apart: none of them is a pass, and a goal counts',
    'as met only when there are none.',
    '',
    '## Results',
    '',
    '| configuration | false divergences (equal pairs reported) | recall (regressed pairs reported) | drops · errors · unsettled | calls to the secondary | issue 9 goal |',
    '|---|---|---|---|---|---|',
    ...run.variants.map(resultRow),
    '',
    'What each configuration sets besides the routes (`path`, `reference`, `candidate`):',
    '',
    ...run.variants.map((v) => `- ${v.variant.title}: ${v.settings.join('; ')}`),
    '',
  )
  const doubtful = measured
    .map((v) => {
      const eq = new Map(v.routes.map((r) => [r.endpoint, r]))
      const n = v.routes.filter((r) => doubtfulCatch(r, eq.get(`eq/${r.kind}`))).length
      return { v, n }
    })
    .filter(({ n }) => n > 0)
  if (doubtful.length > 0) {
    out.push(
      'Recall counts a regressed pair as caught when miffy reported it, whatever it named; on kinds whose equal endpoint was also reported, a catch may be that noise (⚠ below):',
      '',
      ...doubtful.map(
        ({ v, n }) => `- ${v.variant.title}: ${n} of ${regressions.length} regressions are on such kinds`,
      ),
      '',
    )
  }

  if (measured.length > 0) {
    out.push(
      '## Per endpoint',
      '',
      'Cells: reported / compared. ✗ marks a false report on an equal endpoint or a miss on a regressed one;',
      "⚠ a catch on a regressed endpoint whose kind's equal endpoint was reported too (the catch may be noise).",
      '',
      `| kind | family | endpoint | ${measured.map((v) => v.variant.name).join(' | ')} |`,
      `|---|---|---|${measured.map(() => '---').join('|')}|`,
    )
    const byVariant = measured.map((v) => new Map(v.routes.map((r) => [r.endpoint, r])))
    for (const e of run.endpoints) {
      const label = e.bug === undefined ? 'equal' : `regression: ${e.bug}`
      out.push(
        `| ${e.kind.name} | ${e.kind.family} | ${label} | ${byVariant.map((m) => endpointCell(m.get(e.id), m.get(`eq/${e.kind.name}`))).join(' | ')} |`,
      )
    }
    out.push('')

    out.push(
      '## False reports',
      '',
      'Equal endpoints miffy reported, with the most frequent difference it named.',
      '',
    )
    for (const v of measured) {
      const rows = v.routes.filter((r) => r.bug === undefined && r.reported > 0)
      out.push(`### ${v.variant.title}: ${rows.length} of ${kinds.length} equal endpoints`, '')
      if (rows.length === 0) {
        out.push('None.', '')
        continue
      }
      out.push('| route | reported | what differed (most frequent divergence) |', '|---|---|---|')
      for (const r of rows)
        out.push(
          `| \`${r.route}\` | ${r.reported} of ${r.compared} | ${cell(describeDivergence(r.example))} |`,
        )
      out.push('')
    }

    out.push('## Missed regressions', '', 'Regressed endpoints where some requests were not reported.', '')
    for (const v of measured) {
      const rows = v.routes.filter((r) => r.bug !== undefined && r.reported < r.compared)
      out.push(`### ${v.variant.title}: ${rows.length} of ${regressions.length} regressions`, '')
      if (rows.length === 0) {
        out.push('None.', '')
        continue
      }
      out.push('| route | missed | the regression |', '|---|---|---|')
      for (const r of rows)
        out.push(`| \`${r.route}\` | ${r.compared - r.reported} of ${r.compared} | ${cell(r.what)} |`)
      out.push('')
    }

    const incomplete = measured.flatMap((v) =>
      v.routes.filter((r) => r.drops + r.errors + r.unsettled > 0).map((r) => ({ v, r })),
    )
    if (incomplete.length > 0) {
      out.push(
        '## Not compared',
        '',
        'Requests that ended in a drop or an error, or had no outcome yet when the run stopped waiting.',
        '',
        '| configuration | route | outcomes | unsettled |',
        '|---|---|---|---|',
      )
      for (const { v, r } of incomplete) {
        const outcomes = Object.entries(r.notCompared).map(([k, n]) => `${k} ${n}`)
        out.push(`| ${v.variant.name} | \`${r.route}\` | ${outcomes.join(', ') || '—'} | ${r.unsettled} |`)
      }
      out.push('')
    }
  }

  if (run.violations.length > 0) {
    out.push('## Corpus violations', '', '| endpoint | path | problem |', '|---|---|---|')
    for (const x of run.violations.slice(0, 50))
      out.push(`| ${x.endpoint} | \`${cell(x.path)}\` | ${cell(x.problem)} |`)
    out.push('')
  }

  out.push(
    '## The corpus',
    '',
    'Each kind is answered by the same reference code on four real servers (reference, secondary, equal',
    'candidate, regressed candidate) with different node identities, never seeded to agree. Every node',
    'also adds per-node headers (X-Served-By, X-Request-Id, Server version, ETag, Cache-Control max-age,',
    'X-Cache/Age, Server-Timing, charset spelling, gzip or not, Content-Length or chunked). The reference',
    'and the secondary are two pods of one production rollout (started about a day ago, minutes apart);',
    'the candidates started minutes before the run, as a fresh deployment does. Counters (views, likes,',
    'rate limits) are shared by all nodes, like a database, and tick on every call. Every third route',
    'has its upstreams under a base path of their own. Requests of all routes are interleaved, half',
    'of them accept gzip.',
    '',
    '| kind | family | noise in its answers | regressions |',
    '|---|---|---|---|',
  )
  for (const e of kinds) {
    const regs = Object.entries(e.kind.regressions).map(([name, what]) => `\`${name}\`: ${what}`)
    out.push(
      `| ${e.kind.name} | ${e.kind.family} | ${cell(e.kind.noise)} | ${cell(regs.join('; ') || '—')} |`,
    )
  }
  out.push(
    '',
    '## Reproduce, debug',
    '',
    '```sh',
    'npm run accuracy                                   # all configurations, writes ACCURACY.md',
    'npm run accuracy -- --n 20 --variants zero-config  # smaller, one configuration',
    'npm run accuracy -- --sample rg/product/tag-renamed  # one request: reference, secondary, candidate answers',
    'npm run accuracy -- --list                         # every endpoint variant',
    'npm run accuracy -- --print-config secondary       # the config.toml of a configuration',
    '```',
    '',
  )
  return out.join('\n')
}
