/**
 * `workers > 1`: the primary forks N miffy processes that share the proxy port (node:cluster),
 * serves the management port itself with everything merged across workers (metrics through
 * prom-client's AggregatorRegistry, divergences and summaries through IPC), reloads every
 * worker on SIGHUP or POST /config/reload (src/cluster/cluster-control.ts), replaces a worker
 * that dies, and on SIGTERM/SIGINT lets every worker drain before exiting 0.
 */
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'
import { AggregatorRegistry, Registry } from 'prom-client'
import type { MiffyConfig } from '../config/schema.ts'
import { mergeNoiseReports, type NoiseReport } from '../diff/noise-report.ts'
import { addressOf, listenOrExplain } from '../listen.ts'
import { explainManagementAccess, managementAccess, managementToken } from '../management/access.ts'
import { buildManagement } from '../management/server.ts'
import type { ManagementSource, StoredPair } from '../management/source.ts'
import { loadLayers, Reloader } from '../reload/reloader.ts'
import { type LedgerSnapshot, summarize } from '../shadow/ledger.ts'
import { type AskAll, type AskOne, ClusterControl } from './cluster-control.ts'
import { type Answer, type Answers, type Ask, isMessage, type Listening, type Question } from './messages.ts'

/** How long the primary waits for a worker to answer a management question. */
const ASK_TIMEOUT_MS = 2000
/** Replacements allowed per minute before the primary gives up (a crash loop). */
const MAX_RESTARTS_PER_MINUTE = 10

/** A worker exited before it was serving: start-up fails with its exit code (2: it said why). */
export class WorkerStartFailed extends Error {
  readonly exitCode: number | null
  constructor(exitCode: number | null, signal: string | null) {
    super(`worker exited during start-up (${signal ?? exitCode})`)
    this.exitCode = exitCode
  }
}

export async function runPrimary(config: MiffyConfig, log: Logger): Promise<void> {
  // before any fork: a token file that cannot be read stops start-up once, not once per worker
  const token = managementToken(config)
  const aggregator = new AggregatorRegistry()
  let nextId = 1
  const pending = new Map<number, (data: unknown) => void>()
  let stopping = false
  const restarts: number[] = []
  let started = false
  // set below, once the workers are up; a replacement worker is handed what was reloaded since
  let adopt: (worker: Worker) => Promise<void> = async () => {}

  const onMessage = (m: unknown) => {
    if (!isMessage<Answer>(m, 'miffy:answer')) return
    pending.get(m.id)?.(m.data)
    pending.delete(m.id)
  }

  const fork = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork()
      worker.on('message', (m: unknown) => {
        if (!isMessage<Listening>(m, 'miffy:listening')) return onMessage(m)
        resolve(m.proxy)
        if (started) adopt(worker).catch((err) => log.error({ err }, 'could not reconfigure a new worker'))
      })
      worker.once('exit', (code, signal) => {
        reject(new WorkerStartFailed(code, signal))
        // During start-up a worker that fails (a busy port, say) fails them all: no replacements.
        if (stopping || !started) return
        log.error({ worker: worker.id, code, signal }, 'worker died; starting a replacement')
        const now = Date.now()
        restarts.push(now)
        while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift()
        if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
          log.fatal('workers keep dying; giving up')
          process.exit(1)
        }
        fork().catch((err) => log.error({ err }, 'replacement worker failed to start'))
      })
    })

  let addresses: string[]
  try {
    addresses = await Promise.all(Array.from({ length: config.workers }, fork))
  } catch (err) {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL')
    throw err
  }

  const askOne: AskOne = (w, question) =>
    new Promise((resolve) => {
      const id = nextId++
      const timer = setTimeout(() => {
        pending.delete(id)
        resolve(undefined)
      }, ASK_TIMEOUT_MS)
      pending.set(id, (data) => {
        clearTimeout(timer)
        resolve(data as Answers[typeof question.what])
      })
      const msg: Ask = { type: 'miffy:ask', id, question }
      w.send(msg)
    })
  const askAll: AskAll = (question) => {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected())
    return Promise.all(workers.map(async (w) => ({ worker: w.id, answer: await askOne(w, question) })))
  }
  const ask = async <K extends Question['what']>(
    question: Extract<Question, { what: K }>,
  ): Promise<Answers[K][]> =>
    (await askAll(question)).map((a) => a.answer).filter((a) => a !== undefined) as Answers[K][]

  // Reloads are loaded and counted here, once, and applied by every worker (cluster-control.ts).
  const own = new Registry()
  const clusterControl = new ClusterControl(config, askAll, askOne)
  const reloader = new Reloader({
    load: loadLayers(log),
    target: clusterControl,
    registry: own,
    log,
  })
  adopt = (worker) => clusterControl.adopt(worker)
  started = true

  const source: ManagementSource = {
    capacity: config.divergence_log,
    metrics: async () => ({
      contentType: aggregator.contentType,
      // the workers' metrics, merged, then the primary's own (reloads)
      text: `${await aggregator.clusterMetrics()}\n${await own.metrics()}`,
    }),
    sink: async () => {
      const states = await ask({ what: 'sink' })
      const kind = states[0]?.kind ?? 'unknown'
      // ready only when every worker's sink is
      const state =
        states.length === 0 ? 'unavailable' : (states.find((s) => s.state !== 'ready')?.state ?? 'ready')
      return { kind, state }
    },
    divergences: async (filter) => {
      const lists = await ask({ what: 'divergences', filter })
      return ([] as StoredPair[])
        .concat(...lists)
        .sort((a, b) =>
          a.summary.timestamp < b.summary.timestamp ? 1 : a.summary.timestamp > b.summary.timestamp ? -1 : 0,
        )
        .slice(0, filter.limit)
    },
    summary: async () => summarize((await ask({ what: 'snapshot' })) as LedgerSnapshot[]),
    noise: async () => {
      // every worker learns from its own traffic; shown as one model per route
      const byRoute = new Map<string, { secondary: string | null; reports: NoiseReport[] }>()
      for (const answer of await ask({ what: 'noise' })) {
        for (const { route, secondary, ...report } of answer.routes) {
          const entry = byRoute.get(route) ?? { secondary, reports: [] }
          entry.reports.push(report)
          byRoute.set(route, entry)
        }
      }
      return {
        routes: [...byRoute].map(([route, { secondary, reports }]) => ({
          route,
          secondary,
          ...mergeNoiseReports(reports),
        })),
      }
    },
    control: clusterControl.control(reloader),
  }
  const management = buildManagement(source, { token })
  try {
    await listenOrExplain(management, 'management_port', config.management_port, config.management_host)
  } catch (err) {
    stopping = true
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL')
    throw err
  }
  log.info(
    {
      proxy: addresses[0],
      management: addressOf(management),
      management_access: managementAccess(config),
      workers: config.workers,
      reference: config.reference.url,
      candidate: config.candidate.map((c) => c.url),
      experiments: config.routes.map((r) => r.path),
    },
    'miffy listening',
  )
  explainManagementAccess(config, log)

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    log.info({ signal, workers: config.workers }, 'shutting down')
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w)
    const exits = workers.map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))),
    )
    for (const w of workers) w.process.kill('SIGTERM')
    // workers have shutdown_timeout of their own; a little more here, then no more waiting
    const timer = setTimeout(() => {
      for (const w of workers) w.process.kill('SIGKILL')
    }, config.shutdown_timeout + 2000)
    await Promise.all(exits)
    clearTimeout(timer)
    await management.close()
    log.info('stopped')
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  process.on('SIGHUP', () => void reloader.reload('SIGHUP'))
}
