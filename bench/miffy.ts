/**
 * miffy under test, started as `npm start` starts it (the node flags and the compiled entry point
 * read from package.json's `start` script, `dist/` built once per run by `npm run build`), or
 * from its TypeScript sources by type stripping (`entry: 'ts'`, to measure what that costs).
 * Configured through MIFFY_* variables, on ports chosen up
 * front (so that workers sharing the port need no discovery), with access logs off (log level
 * warn: an access line per request would be part of the measurement otherwise). Readiness is
 * the management port answering and the proxy port accepting.
 *
 * Also: reading its Prometheus metrics into the outcome counts the report shows.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { processTree } from './proc-stats.ts'
import { type Managed, startProcess, waitForPort } from './processes.ts'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/**
 * What `npm start` runs, from package.json's `start` script (`exec node FLAGS ENTRY ARGS`, e.g.
 * `node --max-semi-space-size=8 dist/cli/main.js start`), so the benchmark measures production's
 * settings; `tsEntry` is the same entry point in src/ (what type stripping would run).
 */
export function startCommand(): { flags: string[]; entry: string; args: string[]; tsEntry: string } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
  const words = pkg.scripts.start.split(/\s+/).filter((w) => w !== '' && w !== 'exec')
  const at = words.findIndex((w, i) => i > 0 && !w.startsWith('-'))
  if (words[0] !== 'node' || at < 0) {
    throw new Error(`package.json's start script is not "node [flags] entry [args]": ${pkg.scripts.start}`)
  }
  const entry = words[at]!
  return {
    flags: words.slice(1, at),
    entry: join(ROOT, entry),
    args: words.slice(at + 1),
    tsEntry: join(ROOT, entry.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')),
  }
}

let built = false

/**
 * `npm run build` (tsc emit to dist/), once per process, before a miffy starts from dist/
 * (startMiffy calls it when nothing has yet; a no-op build takes about a second).
 */
export function buildDist(): void {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const out = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`npm run build failed:\n${out.stdout}${out.stderr}`)
  built = true
}

/** Measure dist/ as it is, without building it first (bench/run.ts --no-build). */
export function useDistAsItIs(): void {
  built = true
}

/** The experiment route of every mirroring scenario; the load hits `/api/42`. */
export const ROUTE = '/api/{id}'

export interface MiffyOptions {
  port: number
  managementPort: number
  reference: string
  /** undefined: no experiment (plain passthrough) */
  candidate: string | undefined
  /** `host:port` of the broker, or undefined for the log sink */
  kafka: string | undefined
  topic: string
  workers: number
  dir: string
  /** extra MIFFY_* settings */
  env?: Record<string, string>
  /** extra node flags, e.g. --cpu-prof */
  nodeArgs?: string[]
  /** `dist` (default): as `npm start` runs it; `ts`: the same entry point in src/, same flags */
  entry?: 'dist' | 'ts'
}

export interface Miffy {
  proc: Managed
  url: string
  managementUrl: string
  /** processes in its tree once ready (1 + workers when node:cluster is in use) */
  processes: number
  metrics(): Promise<Metrics>
}

/**
 * The environment of the child: ours without any MIFFY_* or KAFKA_* variable (miffy reads both
 * prefixes: a KAFKA_BROKERS left by a test run would become the `brokers` property), plus its own.
 */
export function miffyEnv(o: MiffyOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MIFFY_') && !k.startsWith('KAFKA_')) env[k] = v
  }
  Object.assign(env, {
    MIFFY_HOST: '127.0.0.1',
    MIFFY_PORT: String(o.port),
    MIFFY_MANAGEMENT_PORT: String(o.managementPort),
    MIFFY_REFERENCE: o.reference,
    MIFFY_LOGGING: 'json',
    MIFFY_LOG_LEVEL: 'warn',
    MIFFY_WORKERS: String(o.workers),
    MIFFY_ROUTES: o.candidate ? `[{ path = "${ROUTE}", key = "id" }]` : '[]',
    MIFFY_KAFKA_TOPIC: o.topic,
    ...(o.candidate ? { MIFFY_CANDIDATE: o.candidate } : {}),
    ...(o.kafka ? { KAFKA_BOOTSTRAP_SERVERS: o.kafka } : {}),
    ...o.env,
  })
  return env
}

export async function startMiffy(o: MiffyOptions): Promise<Miffy> {
  const { flags, entry, args, tsEntry } = startCommand()
  if (o.entry !== 'ts' && !built) buildDist()
  const main = o.entry === 'ts' ? tsEntry : entry
  const proc = startProcess(
    `miffy-${o.port}`,
    process.execPath,
    [...flags, ...(o.nodeArgs ?? []), main, ...args],
    {
      dir: o.dir,
      env: miffyEnv(o),
      cwd: ROOT,
    },
  )
  const managementUrl = `http://127.0.0.1:${o.managementPort}`
  await waitForPort(o.managementPort, 30_000, proc)
  await waitForPort(o.port, 10_000, proc)
  const url = `http://127.0.0.1:${o.port}`
  // A few answers through the proxy before measuring anything (and before counting workers:
  // node:cluster forks them after the primary is up).
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${url}/api/42`, { signal: AbortSignal.timeout(10_000) })
    await res.arrayBuffer()
    if (res.status !== 200)
      throw new Error(`miffy answered ${res.status} to a first request:\n${proc.tail()}`)
  }
  let processes = processTree(proc.pid).length
  for (let waited = 0; o.workers > 1 && processes < o.workers + 1 && waited < 3_000; waited += 100) {
    await sleep(100)
    processes = processTree(proc.pid).length
  }
  return {
    proc,
    url,
    managementUrl,
    processes,
    async metrics() {
      const res = await fetch(`${managementUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })
      if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`)
      return parseMetrics(await res.text())
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export type Metrics = Sample[]

/** The Prometheus text format, enough of it for counters and gauges (no escapes in our labels). */
export function parseMetrics(text: string): Metrics {
  const out: Metrics = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    out.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return out
}

export function sum(metrics: Metrics, name: string, where: Record<string, string> = {}): number {
  let total = 0
  for (const s of metrics) {
    if (s.name !== name) continue
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value
  }
  return total
}

/** Outcome counts as the report shows them. */
export interface Outcomes {
  /** by outcome word, as counted by miffy_experiment_outcomes_total */
  outcomes: Record<string, number>
  /** a candidate call was made and finished: equal + diverged + candidate_timeout + candidate_error */
  mirrored: number
  /** dropped before or instead of a comparison, by reason */
  dropped: Record<string, number>
  /** miffy_publish_total by result */
  publish: Record<string, number>
  /** miffy_http_requests_total on the experiment route */
  routeRequests: number
  /** every request on the route ended in exactly one outcome */
  accounted: boolean
}

const DROPS = ['dropped_queue_full', 'dropped_oversize', 'dropped_memory', 'circuit_open']

export function outcomes(metrics: Metrics, route = ROUTE): Outcomes {
  const by: Record<string, number> = {}
  for (const s of metrics) {
    if (s.name === 'miffy_experiment_outcomes_total' && s.labels.route === route && s.value > 0) {
      const k = s.labels.outcome!
      by[k] = (by[k] ?? 0) + s.value
    }
  }
  const publish: Record<string, number> = {}
  for (const s of metrics) {
    if (s.name === 'miffy_publish_total' && s.value > 0) {
      publish[s.labels.result!] = (publish[s.labels.result!] ?? 0) + s.value
    }
  }
  const dropped: Record<string, number> = {}
  for (const d of DROPS) if (by[d]) dropped[d] = by[d]
  const total = Object.values(by).reduce((a, b) => a + b, 0)
  const routeRequests = sum(metrics, 'miffy_http_requests_total', { route })
  return {
    outcomes: by,
    mirrored: (by.equal ?? 0) + (by.diverged ?? 0) + (by.candidate_timeout ?? 0) + (by.candidate_error ?? 0),
    dropped,
    publish,
    routeRequests,
    accounted: total === routeRequests,
  }
}

/**
 * Waits until miffy has no candidate call running or queued, an empty outbox, and an outcome for
 * every request on the route (or `maxMs`).
 */
export async function settle(m: Miffy, maxMs: number): Promise<Metrics> {
  const deadline = Date.now() + maxMs
  for (;;) {
    const metrics = await m.metrics()
    const busy =
      sum(metrics, 'miffy_candidate_in_flight') +
      sum(metrics, 'miffy_candidate_queued') +
      sum(metrics, 'miffy_outbox_messages')
    if ((busy === 0 && outcomes(metrics).accounted) || Date.now() > deadline) return metrics
    await sleep(100)
  }
}
