/**
 * The benchmark, in one command (`npm run bench`, `just bench`): origin servers, miffy, nginx
 * with its `mirror` module, a real Kafka broker and a load generator, all on loopback, every
 * scenario for a fixed time, then BENCHMARKS.md and bench/latency.svg.
 *
 *   npm run bench                                   # full run, writes BENCHMARKS.md
 *   npm run bench -- --seconds 5 --only mirror-equal,nginx-mirror-equal
 *   npm run bench -- --smoke                        # 2 s per scenario, writes nothing
 *
 * Options:
 *   --seconds N          measured seconds per scenario (default 10)
 *   --slow-seconds N     measured seconds of the slow-candidate scenarios (default 60: the RSS
 *                        flatness target is over the last half of 60 s)
 *   --warmup N           unmeasured seconds before each (default 2; 0: none)
 *   --connections N      client connections (default 32)
 *   --rounds N           runs of each scenario, interleaved; the median by req/s is reported
 *                        (default 3; 1 in --smoke; the slow-candidate, idle and Kafka-recovery
 *                        scenarios run once)
 *   --recovery-rate N    requests per second of the Kafka-recovery scenarios (default 500)
 *   --recovery-backlog N undelivered messages to wait for before the broker comes back
 *                        (default 10000, the outbox's max_messages; 500 in --smoke)
 *   --smoke              2 s per scenario, 1 s warm-up; writes no report unless --out is given
 *   --only a,b           only these scenarios (names in bench/scenarios.ts), in the usual order
 *   --out FILE           the report (default BENCHMARKS.md; none in --smoke)
 *   --svg FILE           the chart (default bench/latency.svg, or latency.svg next to --out)
 *   --json FILE          the raw results (default bench/results/latest.json, unless --out or
 *                        --smoke is given)
 *   --load wrk|autocannon  load generator (default: wrk when installed)
 *   --kafka-brokers H:P  use this broker instead of starting one (Kafka-down then points miffy
 *                        at a closed port instead of killing the broker)
 *   --kafka-version V    the broker started by default (4.1)
 *   --no-kafka           no broker: miffy uses its log sink; Kafka-down still runs (closed port)
 *   --miffy-node-args S  extra node flags for miffy, after npm start's (e.g. V8 heap settings to try)
 *   --no-build           measure dist/ as it is, without `npm run build` first (to compare builds)
 *   --no-rust-build      run the Rust miffy only if its binary is already built (else skip it)
 *   --cpu-prof DIR       run miffy and the Node floor under `node --cpu-prof`, profiles into DIR
 *                        (summarise them with `node bench/profile-summary.ts DIR`)
 *   --render FILE        run nothing: write the report again from a results file (--json)
 *   --soak-seconds N     length of the soak (bench/soak.ts; default 600), which runs after the
 *                        scenarios in a full run, or alone with --only soak; it writes its own
 *                        section of the report
 *
 * Everything started is killed at the end, on an error, on Ctrl-C, and by a watchdog when the
 * run overruns twice its planned time.
 */

import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, release, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type LoadResult, type LoadTool, runLoad, wrkAvailable, wrkVersion } from './load.ts'
import {
  buildDist,
  type Metrics,
  type Miffy,
  outcomes,
  ROOT,
  settle,
  startMiffy,
  sum,
  useDistAsItIs,
} from './miffy.ts'
import { NGINX_MISSING, nginxBinary, nginxVersion, startNginx } from './nginx.ts'
import { startNodeFloor } from './node-floor.ts'
import { type Origin, startOrigin } from './origin.ts'
import { type PacedSamples, windowQuantile } from './paced-load.ts'
import {
  processTree,
  type RssSample,
  RssSampler,
  rssBytes,
  summariseRss,
  threadCpu,
  treeCpu,
} from './proc-stats.ts'
import { freePorts, killAllSync, type Managed, startProcess, stopAll } from './processes.ts'
import { type Code, type RunResult, renderTable, type ScenarioResult, writeReport } from './report.ts'
import {
  RUST_MIFFY_VERSION,
  type RustMiffy,
  rustMiffyBinary,
  settleCount,
  startRustMiffy,
} from './rust-miffy.ts'
import { SCENARIOS, type Scenario } from './scenarios.ts'
import { renderSoak, runSoak, type SoakResult } from './soak.ts'
import { replaceSoakSection } from './soak-section.ts'
import { TopicOffsets } from './topic-offsets.ts'

export interface BenchOptions {
  seconds: number
  slowSeconds: number
  warmupSeconds: number
  connections: number
  rounds: number
  smoke: boolean
  only: string[] | undefined
  out: string | undefined
  svg: string | undefined
  json: string | undefined
  load: LoadTool
  kafkaBrokers: string | undefined
  kafkaVersion: string
  noKafka: boolean
  cpuProf: string | undefined
  rustBuild: boolean
  /** false: run dist/ as it is */
  build: boolean
  /** extra node flags for miffy, split on spaces */
  miffyNodeArgs: string[]
  recoveryRate: number
  recoveryBacklog: number
  /** re-render the report from this results file instead of running */
  render: string | undefined
  /** run the soak (bench/soak.ts) for this many seconds; undefined: no soak */
  soakSeconds: number | undefined
}

const PATH = '/api/42'
/** the run's temp dir, for the signal handler to remove */
let runDir: string | undefined
/** miffy's default candidate_timeout; nginx's mirror gets the same */
const CANDIDATE_TIMEOUT_S = 5

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string' },
      'slow-seconds': { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      svg: { type: 'string' },
      json: { type: 'string' },
      load: { type: 'string' },
      'kafka-brokers': { type: 'string' },
      'kafka-version': { type: 'string', default: '4.1' },
      'no-kafka': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'no-rust-build': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'miffy-node-args': { type: 'string' },
      'recovery-rate': { type: 'string' },
      'recovery-backlog': { type: 'string' },
      render: { type: 'string' },
      'soak-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench -- [--seconds N] [--slow-seconds N] [--warmup N] [--connections N] [--smoke]\n' +
        '         [--rounds N] [--only a,b] [--out FILE] [--svg FILE] [--json FILE] [--load wrk|autocannon]\n' +
        '         [--kafka-brokers H:P | --no-kafka] [--kafka-version 4.1] [--cpu-prof DIR] [--soak-seconds N]\n' +
        '         [--no-rust-build] [--no-build] [--miffy-node-args "--max-semi-space-size=2 ..."]\n' +
        '         [--recovery-rate 500] [--recovery-backlog 10000]\n' +
        '       npm run bench -- --render bench/results/latest.json [--out FILE] [--svg FILE]\n' +
        `scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}, soak\n`,
    )
    process.exit(0)
  }
  const smoke = values.smoke
  const number = (name: string, v: string | undefined, fallback: number, min = 1) => {
    if (v === undefined) return fallback
    const n = Number(v)
    if (!(n >= min)) throw new Error(`--${name} must be a number ≥ ${min}, got ${JSON.stringify(v)}`)
    return n
  }
  const seconds = number('seconds', values.seconds, smoke ? 2 : 10)
  const only = values.only?.split(',').map((s) => s.trim())
  for (const name of only ?? []) {
    if (name !== 'soak' && !SCENARIOS.some((s) => s.name === name)) {
      throw new Error(
        `--only: no scenario ${JSON.stringify(name)}; one of ${SCENARIOS.map((s) => s.name).join(', ')}, soak`,
      )
    }
  }
  // the soak runs in a full run and when asked for by name, never in a smoke run
  const soak = only ? only.includes('soak') : !smoke
  const load = (values.load ?? (wrkAvailable() ? 'wrk' : 'autocannon')) as LoadTool
  if (load !== 'wrk' && load !== 'autocannon') throw new Error('--load must be wrk or autocannon')
  if (load === 'wrk' && !wrkAvailable()) {
    throw new Error(
      'wrk not found: install the Debian package (apt-get install -y wrk) or pass --load autocannon',
    )
  }
  // The project's report only from a full run with no --out; any other run writes where it is told.
  const official = values.out === undefined && !smoke
  const out =
    values.out !== undefined ? resolve(values.out) : official ? join(ROOT, 'BENCHMARKS.md') : undefined
  return {
    seconds,
    slowSeconds: number('slow-seconds', values['slow-seconds'], smoke ? seconds : 60),
    warmupSeconds: number('warmup', values.warmup, smoke ? 1 : 2, 0),
    connections: number('connections', values.connections, 32),
    rounds: Math.round(number('rounds', values.rounds, smoke ? 1 : 3)),
    smoke,
    only,
    out,
    svg: values.svg
      ? resolve(values.svg)
      : official
        ? join(ROOT, 'bench', 'latency.svg')
        : out && join(dirname(out), 'latency.svg'),
    json: values.json
      ? resolve(values.json)
      : official
        ? join(ROOT, 'bench', 'results', 'latest.json')
        : undefined,
    load,
    kafkaBrokers: values['kafka-brokers'] ?? process.env.KAFKA_BROKERS,
    kafkaVersion: values['kafka-version'],
    noKafka: values['no-kafka'],
    cpuProf: values['cpu-prof'] && resolve(values['cpu-prof']),
    rustBuild: !values['no-rust-build'],
    build: !values['no-build'],
    miffyNodeArgs: (values['miffy-node-args'] ?? '').split(/\s+/).filter((a) => a !== ''),
    recoveryRate: number('recovery-rate', values['recovery-rate'], 500),
    recoveryBacklog: number('recovery-backlog', values['recovery-backlog'], smoke ? 500 : 10_000),
    render: values.render && resolve(values.render),
    soakSeconds: soak ? number('soak-seconds', values['soak-seconds'], 600, 10) : undefined,
  }
}

// ---------------------------------------------------------------------------------------------
// Kafka

interface KafkaHandle {
  /** `host:port` */
  brokers: string
  version: string
  /** true when this run owns the broker and can kill and restart it */
  controllable: boolean
  isUp: boolean
  /** message counts of topics (the Rust miffy's publishing) */
  offsets: TopicOffsets
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

async function setUpKafka(o: BenchOptions, log: (s: string) => void): Promise<KafkaHandle | undefined> {
  if (o.noKafka) return undefined
  const helper = await import('../test/helpers/kafka-broker.ts')
  if (o.kafkaBrokers) {
    log(`Kafka: using ${o.kafkaBrokers}`)
    const offsets = new TopicOffsets(o.kafkaBrokers)
    return {
      brokers: o.kafkaBrokers,
      version: 'external',
      controllable: false,
      isUp: true,
      offsets,
      async down() {},
      async up() {},
      async close() {
        await offsets.close()
      },
    }
  }
  log(`Kafka: starting a ${o.kafkaVersion} broker (test/helpers/kafka-broker.ts)...`)
  const broker = await helper.startKafka(undefined, { version: o.kafkaVersion })
  log(`Kafka ${broker.version} on ${broker.brokers}`)
  const handle: KafkaHandle = {
    brokers: broker.brokers,
    version: broker.version,
    controllable: true,
    isUp: true,
    offsets: new TopicOffsets(broker.brokers),
    async down() {
      await broker.kill()
      handle.isUp = false
    },
    async up() {
      if (handle.isUp) return
      await broker.restart()
      handle.isUp = true
    },
    async close() {
      await handle.offsets.close()
      await broker.kill()
    },
  }
  return handle
}

// ---------------------------------------------------------------------------------------------
// One scenario

interface RunContext {
  o: BenchOptions
  dir: string
  kafka: KafkaHandle | undefined
  topic: string
  log: (s: string) => void
}

/** The proxy a scenario measures, started and ready. */
interface Started {
  /** where the load goes */
  target: string
  /** the process tree measured (none for `direct`) */
  rootPid: number | undefined
  miffy?: Miffy
  rust?: RustMiffy
  note?: string
  code?: Code
  /** set when the scenario cannot be measured (a feature not there yet) */
  pending?: string
}

async function startProxy(
  s: Scenario,
  ctx: RunContext,
  ports: { proxy: number; management: number; dead: number },
  reference: Origin,
  candidateUrl: string | undefined,
  dir: string,
  procs: Managed[],
  secondaryUrl?: string,
): Promise<Started> {
  const { o } = ctx
  const cpuProf = (name: string) =>
    o.cpuProf ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(o.cpuProf, name)}`] } : {}
  const profArgs = (name: string) => cpuProf(name).nodeArgs ?? []
  if (s.proxy === 'nginx') {
    const nginx = await startNginx({
      port: ports.proxy,
      reference: reference.url,
      candidate: candidateUrl,
      workers: s.workers,
      candidateTimeoutSeconds: CANDIDATE_TIMEOUT_S,
      dir,
    })
    procs.unshift(nginx.proc)
    return { target: nginx.url, rootPid: nginx.proc.pid }
  }
  if (s.proxy === 'node') {
    const floor = await startNodeFloor({
      port: ports.proxy,
      reference: reference.url,
      candidate: candidateUrl,
      dir,
      ...cpuProf(s.name),
    })
    procs.unshift(floor.proc)
    return { target: floor.url, rootPid: floor.proc.pid }
  }
  if (s.proxy === 'rust') {
    let kafka = `127.0.0.1:${ports.dead}`
    let note: string | undefined
    if (ctx.kafka && s.kafka !== 'none') {
      await ctx.kafka.up()
      kafka = ctx.kafka.brokers
    } else note = 'no broker: its producer points at a closed port'
    const rust = await startRustMiffy({
      port: ports.proxy,
      managementPort: ports.management,
      reference: reference.url,
      candidate: candidateUrl,
      kafka,
      topic: ctx.topic,
      dir,
    })
    procs.unshift(rust.proc)
    return { target: rust.url, rootPid: rust.proc.pid, rust, ...(note ? { note } : {}) }
  }
  if (s.proxy === 'miffy') {
    let kafka: string | undefined
    let note: string | undefined
    if (s.kafka !== 'none') {
      if (ctx.kafka && (s.kafka === 'up' || ctx.kafka.controllable)) {
        await ctx.kafka.up()
        kafka = ctx.kafka.brokers
      } else if (s.kafka === 'down') {
        // No broker we may kill: Kafka configured but nothing listening is the same outage
        // seen from miffy, only starting before miffy does.
        kafka = `127.0.0.1:${ports.dead}`
        note = 'Kafka configured, nothing listening from the start'
      } else note = 'no Kafka: log sink'
    }
    const code = codeVersion()
    // The recovery scenario also records the main thread's event-loop delay (bench/loop-probe.mjs).
    const probe = s.kind === 'kafka-recovery' ? [`--import=${LOOP_PROBE}`] : []
    if (probe.length > 0) process.env.LOOP_PROBE_OUT = join(dir, 'event-loop.jsonl')
    const miffy = await startMiffy({
      port: ports.proxy,
      managementPort: ports.management,
      reference: reference.url,
      candidate: candidateUrl,
      kafka,
      topic: ctx.topic,
      workers: s.workers,
      dir,
      nodeArgs: [...o.miffyNodeArgs, ...probe, ...profArgs(s.name)],
      ...(s.entry ? { entry: s.entry } : {}),
      ...(secondaryUrl ? { env: { MIFFY_SECONDARY: secondaryUrl } } : {}),
    })
    delete process.env.LOOP_PROBE_OUT
    procs.unshift(miffy.proc)
    const started: Started = {
      target: miffy.url,
      rootPid: miffy.proc.pid,
      miffy,
      code,
      ...(note ? { note } : {}),
    }
    if (s.workers > 1 && miffy.processes < s.workers + 1) {
      started.pending = `MIFFY_WORKERS=${s.workers} ran ${miffy.processes} process: the workers setting is not implemented yet`
    }
    return started
  }
  return { target: reference.url, rootPid: undefined }
}

async function runScenario(s: Scenario, ctx: RunContext): Promise<ScenarioResult> {
  const { o } = ctx
  const kind = s.kind ?? 'load'
  const seconds = s.long ? o.slowSeconds : o.seconds
  if (kind === 'kafka-recovery' && !ctx.kafka?.controllable) {
    return {
      scenario: s,
      status: 'skipped',
      note: ctx.kafka
        ? `needs a broker the run can kill and restart, not ${ctx.kafka.brokers} (--kafka-brokers)`
        : 'needs a Kafka broker',
      seconds: 0,
    }
  }
  const dir = join(ctx.dir, s.name)
  mkdirSync(dir, { recursive: true })
  const [refPort, candPort, proxyPort, mgmtPort, deadPort, secondaryPort] = await freePorts(6)
  const procs: Managed[] = []
  try {
    const reference = await startOrigin('reference', refPort!, { dir })
    procs.push(reference.proc)
    let candidate: Origin | undefined
    let candidateUrl: string | undefined
    if (s.candidate === 'down') candidateUrl = `http://127.0.0.1:${deadPort}`
    else if (s.candidate !== 'none') {
      candidate = await startOrigin(s.candidate, candPort!, { dir, delayMs: 500 })
      procs.push(candidate.proc)
      candidateUrl = candidate.url
    }
    let secondaryUrl: string | undefined
    if (s.secondary) {
      const secondary = await startOrigin('reference', secondaryPort!, { dir })
      procs.push(secondary.proc)
      secondaryUrl = secondary.url
    }
    const started = await startProxy(
      s,
      ctx,
      { proxy: proxyPort!, management: mgmtPort!, dead: deadPort! },
      reference,
      candidateUrl,
      dir,
      procs,
      secondaryUrl,
    )
    if (started.pending) {
      return {
        scenario: s,
        status: 'pending',
        note: started.pending,
        seconds,
        ...(started.miffy ? { processes: started.miffy.processes } : {}),
      }
    }
    if (kind === 'idle') return await measureIdle(s, started, ctx)
    if (kind === 'kafka-recovery') return await measureRecovery(s, started, candidate, ctx, dir)
    return await measureLoad(s, started, candidate, ctx, dir)
  } finally {
    // With --cpu-prof the profile is written at a graceful exit: give it time.
    await Promise.all(procs.map((p) => p.stop(o.cpuProf ? 30_000 : 3_000)))
  }
}

/** The fields every measured scenario shares: CPU, RSS, code, processes. */
function common(
  s: Scenario,
  started: Started,
  seconds: number,
  cpu: { user: number; sys: number } | undefined,
  samples: RssSample[] | undefined,
  requests: number | undefined,
): ScenarioResult {
  const cpuSeconds = cpu ? cpu.user + cpu.sys : undefined
  return {
    scenario: s,
    status: 'ok',
    seconds,
    ...(started.note ? { note: started.note } : {}),
    ...(cpu && cpuSeconds !== undefined
      ? {
          cpuSeconds,
          cpuSysShare: cpuSeconds > 0 ? cpu.sys / cpuSeconds : 0,
          ...(requests !== undefined
            ? { cpuUsPerRequest: requests > 0 ? (cpuSeconds * 1e6) / requests : undefined }
            : {}),
        }
      : {}),
    ...(samples ? { rss: summariseRss(samples) } : {}),
    ...(started.code ? { code: started.code } : {}),
    ...(started.miffy ? { processes: started.miffy.processes } : {}),
  }
}

const cpuDelta = (a: { user: number; sys: number }, b: { user: number; sys: number }) => ({
  user: (b.user - a.user) / 1e6,
  sys: (b.sys - a.sys) / 1e6,
})

/** What the Rust miffy's topic holds, or undefined when the broker does not answer. */
async function topicEnd(ctx: RunContext): Promise<number | undefined> {
  if (!ctx.kafka?.isUp) return undefined
  return ctx.kafka.offsets.end(ctx.topic).catch(() => undefined)
}

async function measureLoad(
  s: Scenario,
  started: Started,
  candidate: Origin | undefined,
  ctx: RunContext,
  dir: string,
): Promise<ScenarioResult> {
  const { o } = ctx
  const { miffy, rust, rootPid } = started
  const seconds = s.long ? o.slowSeconds : o.seconds
  let note = started.note
  const url = `${started.target}${PATH}`
  const loadOpts = { url, connections: o.connections, timeoutSeconds: 10, dir }
  if (o.warmupSeconds > 0) await runLoad(o.load, { ...loadOpts, seconds: o.warmupSeconds })
  if (s.kafka === 'down' && ctx.kafka?.controllable && miffy) {
    await ctx.kafka.down()
    note = 'broker killed (SIGKILL) after the warm-up'
    // Let the sink notice before measuring: the outage, not its first second, is the scenario.
    await sleep(500)
  }

  const before = miffy ? await miffy.metrics() : undefined
  const candBefore = candidate ? await candidate.stats() : undefined
  const topicBefore = rust ? await topicEnd(ctx) : undefined
  const cpu0 = rootPid ? treeCpu(rootPid) : undefined
  const sampler = rootPid ? new RssSampler(rootPid) : undefined
  sampler?.start()
  const load = await runLoad(o.load, { ...loadOpts, seconds })
  const cpu1 = rootPid ? treeCpu(rootPid) : undefined
  const samples = sampler?.stop()

  let after: Metrics | undefined
  const settleMs = s.kafka === 'down' ? 1_000 : s.candidate === 'sleep' ? 8_000 : 5_000
  if (miffy) after = await settle(miffy, settleMs)
  let published: number | undefined
  if (rust) {
    // No metrics: settled when the candidate has nothing in flight and the topic stops growing.
    const deadline = Date.now() + settleMs
    while (candidate && Date.now() < deadline && (await candidate.stats()).inFlight > 0) await sleep(100)
    if (topicBefore !== undefined && s.candidate !== 'none') {
      const end = await settleCount(
        async () => (await topicEnd(ctx)) ?? Number.NaN,
        500,
        Math.max(500, deadline - Date.now()),
      )
      if (Number.isFinite(end)) published = end - topicBefore
    }
  }
  const candAfter = candidate ? await candidate.stats() : undefined
  const result: ScenarioResult = {
    ...common(
      s,
      { ...started, ...(note ? { note } : {}) },
      seconds,
      cpu0 && cpu1 && cpuDelta(cpu0, cpu1),
      samples,
      load.requests,
    ),
    load,
    ...(candBefore && candAfter ? { candidateRequests: candAfter.requests - candBefore.requests } : {}),
    ...(published !== undefined ? { topicMessages: published } : {}),
  }
  if (before && after) {
    const whole = outcomes(after)
    const delta = outcomes(subtract(after, before))
    // The counts shown are the window's; "every request accounted for" is over miffy's lifetime.
    result.miffy = { ...delta, accounted: whole.accounted }
    if (!whole.accounted) {
      const counted = Object.values(whole.outcomes).reduce((a, b) => a + b, 0)
      result.note = `${result.note ? `${result.note}; ` : ''}over miffy's lifetime ${counted} outcomes for ${whole.routeRequests} requests on the route`
    }
    if (sum(after, 'miffy_http_requests_total') === 0) throw new Error('miffy /metrics counted no request')
  }
  return result
}

/** No load: the memory (and CPU) of a started proxy that has served its first 20 requests. */
async function measureIdle(s: Scenario, started: Started, ctx: RunContext): Promise<ScenarioResult> {
  const seconds = ctx.o.seconds
  const rootPid = started.rootPid!
  // The first requests' garbage is collected on V8's schedule, not ours: the window shows it.
  const cpu0 = treeCpu(rootPid)
  const sampler = new RssSampler(rootPid)
  sampler.start()
  await sleep(seconds * 1000)
  const cpu1 = treeCpu(rootPid)
  return common(s, started, seconds, cpuDelta(cpu0, cpu1), sampler.stop(), undefined)
}

const PACED = fileURLToPath(new URL('./paced-load.ts', import.meta.url))
const LOOP_PROBE = fileURLToPath(new URL('./loop-probe.mjs', import.meta.url))

/** The largest event-loop delay (ms) bench/loop-probe.mjs saw in [fromMs, toMs), if it ran. */
function loopDelay(file: string, fromMs: number, toMs: number): number | undefined {
  if (!existsSync(file)) return undefined
  let max = 0
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue
    const { t, max: m } = JSON.parse(line) as { t: number; max: number }
    if (t >= fromMs && t < toMs) max = Math.max(max, m)
  }
  return max
}

/**
 * A paced load at --recovery-rate through the whole scenario; `normal` seconds with Kafka up, the
 * broker killed until the proxy holds --recovery-backlog undelivered messages, the broker
 * restarted, and the load kept on until the backlog is delivered. The client p99 of the requests
 * due while the backlog drained, against the p99 before the outage.
 */
async function measureRecovery(
  s: Scenario,
  started: Started,
  candidate: Origin | undefined,
  ctx: RunContext,
  dir: string,
): Promise<ScenarioResult> {
  const { o, log } = ctx
  const kafka = ctx.kafka!
  const { miffy, rust, rootPid } = started
  const rate = o.recoveryRate
  const wanted = o.recoveryBacklog
  const publishedSoFar = async (): Promise<number | undefined> => {
    if (miffy) return sum(await miffy.metrics(), 'miffy_publish_total', { result: 'published' })
    return topicEnd(ctx)
  }
  const candidateSoFar = async () => (candidate ? (await candidate.stats()).requests : 0)
  /** messages the proxy holds undelivered: miffy's outbox; for the Rust miffy, divergences since the outage */
  let candidateAtOutage = 0
  const backlog = async (): Promise<number> => {
    if (miffy) return sum(await miffy.metrics(), 'miffy_outbox_messages')
    return (await candidateSoFar()) - candidateAtOutage
  }

  const outFile = join(dir, 'paced.json')
  const loadProc = startProcess(
    'paced-load',
    process.execPath,
    [
      PACED,
      '--url',
      `${started.target}${PATH}`,
      '--rate',
      String(rate),
      '--connections',
      '16',
      '--out',
      outFile,
    ],
    { dir, cwd: ROOT },
  )
  const rss = (at: string) => ({ at, bytes: rssBytes(processTree(rootPid!)) })
  const events: Record<string, number> = {}
  /** the main thread's CPU time (µs) at some of the events */
  const mainCpu: Record<string, number> = {}
  const mark = (name: string) => {
    events[name] = Date.now()
    mainCpu[name] = threadCpu(rootPid!)
  }
  const marks: { at: string; bytes: number }[] = []
  const before = miffy ? await miffy.metrics() : undefined
  const cpu0 = treeCpu(rootPid!)
  const sampler = new RssSampler(rootPid!)
  sampler.start()
  let drained = false
  let backlogReached = 0
  try {
    // Unmeasured: JIT and connection pools warm up at the paced rate.
    await sleep(Math.max(1, o.warmupSeconds) * 1000)
    mark('start')
    await sleep(o.seconds * 1000)
    const published0 = (await publishedSoFar()) ?? 0
    candidateAtOutage = await candidateSoFar()
    marks.push(rss('outage'))
    mark('outage')
    await kafka.down()
    log(`  broker killed; filling a backlog of ${wanted} at ${rate} req/s`)
    const fillDeadline = Date.now() + (wanted / rate) * 2_000 + 10_000
    while (Date.now() < fillDeadline) {
      backlogReached = await backlog()
      if (backlogReached >= wanted) break
      await sleep(250)
    }
    events.backlog = Date.now()
    marks.push(rss('backlog'))
    await kafka.up()
    events.brokerUp = Date.now()
    log(
      `  backlog ${backlogReached}; broker back after ${((events.brokerUp - events.backlog) / 1000).toFixed(1)} s`,
    )
    const drainDeadline = Date.now() + 120_000
    while (Date.now() < drainDeadline) {
      const p = (await publishedSoFar()) ?? published0
      if (events.drainStart === undefined && p > published0) mark('drainStart')
      if (p - published0 >= backlogReached) {
        mark('drained')
        drained = true
        break
      }
      await sleep(200)
    }
    marks.push(rss('drained'))
    await sleep(2_000)
  } finally {
    await loadProc.stop(15_000)
  }
  const cpu1 = treeCpu(rootPid!)
  const samples = sampler.stop()
  const paced = JSON.parse(readFileSync(outFile, 'utf8')) as PacedSamples
  const after = miffy ? await settle(miffy, 5_000) : undefined

  const normal = windowQuantile(paced, events.start!, events.outage!)
  const outage = windowQuantile(paced, events.outage!, events.brokerUp!)
  const drainFrom = (events.drainStart ?? events.brokerUp!) - 500
  const drainTo = (events.drained ?? Date.now()) + 1_000
  const drain = windowQuantile(paced, drainFrom, drainTo)
  const load = loadResultOf(paced)
  const loopFile = join(dir, 'event-loop.jsonl')
  const loopNormal = loopDelay(loopFile, events.start!, events.outage!)
  const loopDrain = loopDelay(loopFile, drainFrom, drainTo)
  /** the main thread's CPU, ms per second, between two events */
  const share = (a: string, b: string) =>
    mainCpu[a] !== undefined && mainCpu[b] !== undefined && events[b]! > events[a]!
      ? (mainCpu[b]! - mainCpu[a]!) / 1000 / ((events[b]! - events[a]!) / 1000)
      : undefined
  const cpuNormal = share('start', 'outage')
  const cpuDrain = share('drainStart', 'drained')
  const result: ScenarioResult = {
    ...common(s, started, load.durationSeconds, cpuDelta(cpu0, cpu1), samples, load.requests),
    load,
    recovery: {
      rate,
      backlog: backlogReached,
      drained,
      drainMs: events.drainStart && events.drained ? events.drained - events.drainStart : undefined,
      brokerDownMs: events.brokerUp! - events.outage!,
      p99Us: { normal: normal.value, outage: outage.value, drain: drain.value },
      requests: { normal: normal.count, outage: outage.count, drain: drain.count },
      errors: { normal: normal.errors, outage: outage.errors, drain: drain.errors },
      rss: marks,
      ...(loopNormal !== undefined && loopDrain !== undefined
        ? { loopDelayMs: { normal: loopNormal, drain: loopDrain } }
        : {}),
      ...(cpuNormal !== undefined && cpuDrain !== undefined
        ? { mainThreadCpuMsPerS: { normal: cpuNormal, drain: cpuDrain } }
        : {}),
    },
  }
  if (before && after) {
    const whole = outcomes(after)
    result.miffy = { ...outcomes(subtract(after, before)), accounted: whole.accounted }
  }
  if (rust && candidate) result.candidateRequests = (await candidateSoFar()) - candidateAtOutage
  return result
}

/** The whole paced run as one load result (open loop: latencies from when each request was due). */
function loadResultOf(p: PacedSamples): LoadResult {
  const xs = [...p.latencyUs].sort((a, b) => a - b)
  const q = (f: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(f * xs.length) - 1))] ?? 0
  const durationSeconds = (p.due.at(-1) ?? 0) / 1000
  const errors = p.ok.filter((ok) => !ok).length
  return {
    tool: 'paced',
    requests: xs.length,
    durationSeconds,
    rps: durationSeconds > 0 ? xs.length / durationSeconds : 0,
    non2xx: 0,
    errors,
    timeouts: 0,
    latencyUs: {
      mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length),
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      p999: q(0.999),
      max: xs.at(-1) ?? 0,
    },
  }
}

/** Runs a scenario; once more if it failed (a shared machine: another user's kill, a port taken). */
async function attempt(s: Scenario, ctx: RunContext): Promise<ScenarioResult> {
  let first: Error | undefined
  for (let i = 0; i < 2; i++) {
    try {
      return await runScenario(s, ctx)
    } catch (err) {
      if (first) {
        return {
          scenario: s,
          status: 'failed',
          note: (err as Error).message.split('\n')[0],
          seconds: 0,
        }
      }
      first = err as Error
      ctx.log(`  failed, trying once more: ${first.message}`)
    }
  }
  throw new Error('unreachable')
}

function oneLine(r: ScenarioResult): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`
  const rss = r.rss ? `, RSS peak ${mib(r.rss.peak)} end ${mib(r.rss.end)}` : ''
  const l = r.load
  if (!l) return `idle${rss}, CPU ${((r.cpuSeconds ?? 0) * 1000).toFixed(0)} ms in ${r.seconds} s`
  const rec = r.recovery
  return (
    `${Math.round(l.rps)} req/s, p50 ${(l.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(l.latencyUs.p99 / 1000).toFixed(2)} ms` +
    `${r.cpuUsPerRequest !== undefined ? `, ${Math.round(r.cpuUsPerRequest)} µs CPU/req` : ''}${rss}` +
    `${r.miffy ? `, outcomes ${JSON.stringify(r.miffy.outcomes)}, publish ${JSON.stringify(r.miffy.publish)}` : ''}` +
    `${r.candidateRequests !== undefined ? `, candidate got ${r.candidateRequests}` : ''}` +
    `${r.topicMessages !== undefined ? `, topic gained ${r.topicMessages}` : ''}` +
    `${rec ? `; backlog ${rec.backlog}, drained in ${rec.drainMs ?? '?'} ms, p99 normal ${(rec.p99Us.normal / 1000).toFixed(2)} ms, outage ${(rec.p99Us.outage / 1000).toFixed(2)} ms, drain ${(rec.p99Us.drain / 1000).toFixed(2)} ms${rec.loopDelayMs ? `; event-loop delay max ${rec.loopDelayMs.normal.toFixed(1)} ms before, ${rec.loopDelayMs.drain.toFixed(1)} ms draining` : ''}${rec.mainThreadCpuMsPerS ? `; main thread CPU ${Math.round(rec.mainThreadCpuMsPerS.normal)} ms/s before, ${Math.round(rec.mainThreadCpuMsPerS.drain)} ms/s draining` : ''}` : ''}`
  )
}

/** The round with the median req/s (the lower one of the middle two), with every round's figures. */
export function median(rs: ScenarioResult[]): ScenarioResult {
  const good = rs.filter((r) => r.status === 'ok' && r.load)
  if (good.length === 0) return rs.find((r) => r.status === 'pending') ?? rs.at(-1)!
  const sorted = [...good].sort((a, b) => a.load!.rps - b.load!.rps)
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!
  if (rs.length === 1) return mid
  const failed = rs.length - good.length
  return {
    ...mid,
    ...(failed > 0
      ? { note: `${failed} of ${rs.length} rounds failed${mid.note ? `; ${mid.note}` : ''}` }
      : {}),
    rounds: {
      rps: good.map((r) => r.load!.rps),
      p99Us: good.map((r) => r.load!.latencyUs.p99),
      cpuUsPerRequest: good.flatMap((r) => (r.cpuUsPerRequest === undefined ? [] : [r.cpuUsPerRequest])),
    },
  }
}

/** `after - before` for every sample of `after` (counters over a window). */
function subtract(after: Metrics, before: Metrics): Metrics {
  const key = (s: Metrics[number]) => `${s.name}${JSON.stringify(s.labels)}`
  const prev = new Map(before.map((s) => [key(s), s.value]))
  return after.map((s) => ({
    ...s,
    value: s.name.endsWith('_total') ? s.value - (prev.get(key(s)) ?? 0) : s.value,
  }))
}

// ---------------------------------------------------------------------------------------------
// The run

/** The commit measured, and the files under src/ that differ from it (others edit as we run). */
function codeVersion(): Code {
  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }).stdout?.trimEnd() ?? ''
  const dirty = git('status', '--porcelain', '--', 'src')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.slice(3))
  // What the uncommitted changes are, so a change made during the run shows (not only which files).
  const hash = createHash('sha256').update(git('diff', 'HEAD', '--', 'src'))
  for (const f of dirty) {
    try {
      hash.update(readFileSync(join(ROOT, f)))
    } catch {}
  }
  return {
    commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
    dirty,
    diff: hash.digest('hex').slice(0, 12),
  }
}

function commandLine(argv: string[]): string {
  const args = argv.map((a) => (/^[\w./,:=-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`
  return `node bench/run.ts${args ? ` ${args}` : ''}`
}

export async function runBench(
  argv: string[],
  log: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
) {
  const major = Number(process.versions.node.split('.')[0])
  if (major < 24) {
    throw new Error(
      `Node ${process.versions.node}: the benchmark runs TypeScript directly and needs Node 24; use npm run bench (the project's pinned node)`,
    )
  }
  const o = parseOptions(argv)
  if (o.render) {
    // Only the rendering, from the raw results of an earlier run (its command and machine kept).
    const run = JSON.parse(readFileSync(o.render, 'utf8')) as RunResult
    const out = o.out ?? join(ROOT, 'BENCHMARKS.md')
    const svg = o.svg ?? join(ROOT, 'bench', 'latency.svg')
    writeReport(run, out, svg)
    log(`wrote ${out} and ${svg} from ${o.render}`)
    return run
  }
  const chosen = SCENARIOS.filter((s) => !o.only || o.only.includes(s.name))
  if (chosen.some((s) => s.proxy === 'nginx') && !nginxBinary()) throw new Error(NGINX_MISSING)

  const runsOf = (s: Scenario) => (s.once ? 1 : o.rounds)
  const secondsOf = (s: Scenario) =>
    s.kind === 'kafka-recovery'
      ? o.seconds + (2 * o.recoveryBacklog) / o.recoveryRate + 60
      : o.warmupSeconds + (s.long ? o.slowSeconds : o.seconds) + 8
  let planned = chosen.reduce(
    (t, s) => t + runsOf(s) * secondsOf(s),
    60 + (o.soakSeconds === undefined ? 0 : o.soakSeconds + 120),
  )
  // Built on first use (minutes); when it cannot be, its scenarios are skipped with the reason.
  const rust = chosen.some((s) => s.proxy === 'rust') ? rustMiffyBinary(o.rustBuild) : undefined
  if (rust && 'error' in rust) log(`the Rust miffy's scenarios are skipped: ${rust.error}`)
  if (rust) planned += 60
  // Before the watchdog and the broker: dist/ is what miffy runs (startMiffy would build it anyway).
  if (!o.build) useDistAsItIs()
  else if (chosen.some((s) => s.proxy === 'miffy') || o.soakSeconds !== undefined) buildDist()
  const watchdog = setTimeout(
    () => {
      log(`benchmark overran twice its planned ${planned} s: killing everything`)
      killAllSync()
      process.exit(1)
    },
    planned * 2 * 1000,
  )
  watchdog.unref()

  const dir = mkdtempSync(join(tmpdir(), 'miffy-bench-'))
  runDir = dir
  const codeAtStart = codeVersion()
  const startedAt = new Date()
  let kafka: KafkaHandle | undefined
  const byScenario = new Map<string, ScenarioResult[]>()
  try {
    const needsKafka = chosen.some((s) => s.kafka !== 'none')
    if (needsKafka) {
      try {
        kafka = await setUpKafka(o, log)
      } catch (err) {
        log(`Kafka broker unavailable, Kafka scenarios use the log sink: ${(err as Error).message}`)
      }
    }
    const topic = `miffy-bench-${Date.now()}`
    if (kafka?.isUp) {
      const { createTopic } = await import('../test/helpers/kafka-broker.ts')
      await createTopic(kafka.brokers, topic)
    }
    const ctx: RunContext = { o, dir, kafka, topic, log }
    log(
      `${chosen.length} scenarios × ${o.rounds} round(s), ${o.seconds} s each (${o.slowSeconds} s slow candidate; it, idle and Kafka recovery once), ` +
        `${o.warmupSeconds} s warm-up, ${o.connections} connections, ${o.load}; about ${Math.round(planned / 60)} min`,
    )
    // Rounds interleave the scenarios, so slow drift of a shared machine spreads over all of them;
    // the long, idle and recovery scenarios run once, in the last round.
    for (let round = 1; round <= o.rounds; round++) {
      if (o.rounds > 1) log(`round ${round} of ${o.rounds}`)
      for (const s of chosen) {
        if (s.once && round < o.rounds) continue
        // Pending does not change from one round to the next.
        if (byScenario.get(s.name)?.some((r) => r.status === 'pending' || r.status === 'skipped')) continue
        log(`- ${s.name}: ${s.title}`)
        const r =
          s.proxy === 'rust' && rust && 'error' in rust
            ? ({ scenario: s, status: 'skipped', note: rust.error, seconds: 0 } satisfies ScenarioResult)
            : await attempt(s, ctx)
        if (r.status === 'ok') log(`  ${oneLine(r)}`)
        else log(`  ${r.status}: ${r.note}`)
        byScenario.set(s.name, [...(byScenario.get(s.name) ?? []), r])
      }
    }
  } finally {
    await stopAll()
    await kafka?.close().catch(() => {})
    if (process.env.MIFFY_BENCH_KEEP) log(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
    runDir = undefined
    clearTimeout(watchdog)
  }
  const results = chosen.flatMap((s) => {
    const rs = byScenario.get(s.name)
    return rs ? [median(rs)] : []
  })

  let soak: SoakResult | undefined
  if (o.soakSeconds !== undefined) {
    log(`- soak: ${o.soakSeconds} s (bench/soak.ts)`)
    soak = await runSoak({
      seconds: o.soakSeconds,
      rate: 200,
      slowClients: 8,
      kafkaBrokers: o.kafkaBrokers,
      kafkaVersion: o.kafkaVersion,
      noKafka: o.noKafka,
      log: (s) => log(`  ${s}`),
    })
    soak.command = commandLine(argv)
    log(`  soak ${soak.passed ? 'passed' : 'FAILED'}: ${JSON.stringify(soak.verdict)}`)
  }

  const run: RunResult = {
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    finishedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: commandLine(argv),
    code: { ...codeVersion(), atStart: codeAtStart },
    machine: {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.versions.node,
      nginx: nginxVersion(),
      ...(chosen.some((s) => s.proxy === 'rust') ? { rustMiffy: RUST_MIFFY_VERSION } : {}),
      loadTool:
        o.load === 'wrk' ? `${wrkVersion()}, 1 thread` : 'autocannon (in-process, 1 ms latency resolution)',
      kafka: kafka
        ? `${kafka.version} (${kafka.controllable ? 'started by the run' : 'external'})`
        : 'none (log sink)',
    },
    settings: {
      seconds: o.seconds,
      slowSeconds: o.slowSeconds,
      warmupSeconds: o.warmupSeconds,
      connections: o.connections,
      rounds: o.rounds,
      smoke: o.smoke,
    },
    results,
  }
  if (o.json) {
    mkdirSync(dirname(o.json), { recursive: true })
    writeFileSync(o.json, `${JSON.stringify(run, null, 2)}\n`)
  }
  if (o.out && o.svg && chosen.length > 0) {
    mkdirSync(dirname(o.out), { recursive: true })
    writeReport(run, o.out, o.svg)
    log(`wrote ${o.out} and ${o.svg}`)
  }
  if (o.out && soak) {
    const md = existsSync(o.out) ? readFileSync(o.out, 'utf8') : ''
    writeFileSync(o.out, replaceSoakSection(md, renderSoak(soak)))
    log(`wrote the soak section of ${o.out}`)
  }
  if (soak && !soak.passed)
    run.results.push({
      scenario: SOAK_SCENARIO,
      status: 'failed',
      note: 'the soak failed',
      seconds: soak.seconds,
    })
  return run
}

/** How a failed soak shows among the results (the exit code is 1 then). */
const SOAK_SCENARIO: Scenario = {
  name: 'soak',
  title: 'soak (bench/soak.ts)',
  proxy: 'miffy',
  candidate: 'sleep',
  kafka: 'up',
  workers: 1,
}

if (import.meta.main) {
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping everything\n`)
    killAllSync()
    if (runDir) rmSync(runDir, { recursive: true, force: true })
    process.exit(130)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  process.once('exit', killAllSync)
  try {
    const run = await runBench(process.argv.slice(2))
    if (run.results.some((r) => r.scenario.name !== 'soak')) process.stdout.write(`\n${renderTable(run)}\n`)
    process.exit(run.results.some((r) => r.status === 'failed') ? 1 : 0)
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`)
    killAllSync()
    process.exit(1)
  }
}
