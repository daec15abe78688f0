/**
 * The miffy process: load the config (a bad one stops start-up before any port opens), build the
 * app, listen, reload the config on SIGHUP, and shut down gracefully on SIGTERM/SIGINT (exit 0).
 */
import cluster from 'node:cluster'
import type { Logger } from 'pino'
import { buildApp } from './app.ts'
import { runPrimary, WorkerStartFailed } from './cluster/primary.ts'
import { serveWorker } from './cluster/worker.ts'
import { loadConfig } from './config/load.ts'
import type { MiffyConfig } from './config/schema.ts'
import { MiffyError } from './errors.ts'
import { addressOf, listenOrExplain } from './listen.ts'
import { createLogger } from './logger.ts'
import { explainManagementAccess, managementAccess } from './management/access.ts'

export async function start(config: MiffyConfig, log: Logger): Promise<void> {
  // a cluster worker is reconfigured by its primary (src/cluster/primary.ts), never by itself
  const app = await buildApp(config, { logger: log, ...(cluster.isWorker ? { load: null } : {}) })
  // Signals are handled from here on, before the ports open: a SIGTERM that arrives while miffy
  // is still starting drains what there is and exits 0 too.
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal, deadline_ms: config.shutdown_timeout }, 'shutting down')
    await app.close()
    log.info('stopped')
    await flushed(log)
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  // Node's default for SIGHUP is to exit: a worker that gets one (a signal to the process group)
  // keeps serving; the primary's reload reaches it over IPC.
  process.on('SIGHUP', () => {
    if (app.reloader) void app.reloader.reload('SIGHUP')
    else log.debug('SIGHUP ignored by a worker: the primary reloads every worker')
  })
  try {
    await listenOrExplain(app.proxy, 'port', config.port, config.host)
    if (cluster.isWorker) {
      // the primary serves the management port, merged across workers
      serveWorker(app, addressOf(app.proxy))
    } else {
      await listenOrExplain(app.management, 'management_port', config.management_port, config.management_host)
      log.info(
        {
          proxy: addressOf(app.proxy),
          management: addressOf(app.management),
          management_access: managementAccess(config),
          reference: config.reference.url,
          candidate: config.candidate.map((c) => c.url),
          experiments: config.routes.map((r) => r.path),
          sink: app.sink.kind,
        },
        'miffy listening',
      )
      explainManagementAccess(config, log)
    }
  } catch (err) {
    // nothing was served: release what was opened, then let main report the error
    await app.close(0)
    throw err
  }
}

/**
 * The log written out, within a second. Asynchronously: pino's flushSync retries for ever on a
 * stdout that is gone (EPIPE), which would keep a stopping miffy alive and deaf to SIGTERM.
 */
function flushed(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000)
    timer.unref()
    try {
      log.flush(() => {
        clearTimeout(timer)
        resolve()
      })
    } catch {
      resolve()
    }
  })
}

/**
 * A promise rejection nobody handled is a bug, most likely on the shadow side (a mirror, the
 * sink); it is logged loudly, and the proxy keeps answering clients rather than dying with every
 * connection it holds. A thrown exception still ends the process (state may be corrupt), logged.
 */
function guardProcess(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (a bug: please report it); still serving')
  })
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting')
    void flushed(log).then(() => process.exit(1))
  })
}

/** The process as `npm start` and `miffy start` run it (src/cli/start.ts). */
export async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>
  try {
    loaded = loadConfig()
  } catch (err) {
    if (err instanceof MiffyError) {
      process.stderr.write(`miffy: ${err.code}: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  const { config, files, warnings } = loaded
  const log = createLogger(config)
  guardProcess(log)
  for (const w of warnings) log.warn(w)
  log.debug({ files }, 'configuration loaded')
  try {
    if (config.workers > 1 && cluster.isPrimary) await runPrimary(config, log)
    else await start(config, cluster.isWorker ? log.child({ worker: cluster.worker?.id }) : log)
  } catch (err) {
    if (err instanceof MiffyError) {
      log.fatal(`${err.code}: ${err.message}`)
      process.stderr.write(`miffy: ${err.code}: ${err.message}\n`)
      await flushed(log)
      process.exit(2)
    }
    // a worker could not start: it has said why on the shared stderr
    if (err instanceof WorkerStartFailed) {
      await flushed(log)
      process.exit(err.exitCode === 2 ? 2 : 1)
    }
    log.fatal({ err }, 'start-up failed')
    await flushed(log)
    process.exit(1)
  }
}

if (import.meta.main) await main()
