/**
 * The management port's write endpoints: reload the configuration, pause and resume one
 * experiment. They change what the proxy does, so they are POSTs (never triggered by a link or
 * a crawler), and they declare no access level of their own: the management port's guard
 * treats a route that does not open itself as closed (the bearer token when `management_token`
 * is set, loopback clients otherwise). They must never be marked open.
 *
 * Errors answer in the catalogue's shape, `{"error": "<code>", "message": "<text>"}`; a reload
 * also reports which configuration is active after it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { ERRORS, type ErrorCode, MiffyError } from '../errors.ts'

// The contract of these endpoints, which src/reload/ and src/cluster/ fulfil: the management
// port describes what it reports, the layers above it produce it.

/** Which configuration is active (a hash of its effective settings) and since when. */
export interface ConfigIdentity {
  /** the first 16 hex digits of the SHA-256 of the effective config */
  hash: string
  /** ISO-8601 */
  loaded_at: string
}

/** What a reload did to the routes. */
export interface RouteChanges {
  added: string[]
  removed: string[]
  /** settings changed: a new experiment (which may keep its limiter, breaker or rotation) */
  changed: string[]
  /** the same experiment, with all its state */
  unchanged: string[]
}

export const RELOAD_RESULTS = ['applied', 'unchanged', 'invalid', 'restart_required', 'failed'] as const
export type ReloadResult = (typeof RELOAD_RESULTS)[number]

/** One worker's part in a reload or a pause (workers > 1). */
export interface WorkerResult {
  worker: number
  ok: boolean
  /** the worker's configuration after it */
  config?: ConfigIdentity
  error?: ErrorCode
  message?: string
}

export interface ReloadReport {
  result: ReloadResult
  /** the configuration active after this reload (the previous one when nothing changed) */
  config: ConfigIdentity
  previous?: ConfigIdentity
  routes?: RouteChanges
  /** the catalogue code and text when nothing was reloaded */
  error?: ErrorCode
  message?: string
  workers?: WorkerResult[]
}

/** A MiffyError that names what each worker answered. */
export class WorkersError extends MiffyError {
  readonly workers: WorkerResult[]
  constructor(code: ErrorCode, message: string, workers: WorkerResult[]) {
    super(code, message)
    this.workers = workers
  }
}

export interface PauseReport {
  route: string
  paused: boolean
  /** false when the experiment already was in that state */
  changed: boolean
  workers?: WorkerResult[]
}

/** What the endpoints drive: one process, or a cluster primary and its workers. */
export interface Control {
  reload(): Promise<ReloadReport>
  /** throws MIFFY_ERR_UNKNOWN_EXPERIMENT when no experiment has that route pattern */
  pause(route: string): Promise<PauseReport>
  resume(route: string): Promise<PauseReport>
  /** the active configuration and the paused experiments, for /readyz */
  status(): Promise<ControlStatus>
}

export interface ControlStatus extends ConfigIdentity {
  paused: string[]
  /** workers > 1, only while some worker runs another configuration than the primary's */
  workers?: (ConfigIdentity & { worker: number })[]
}

const RELOAD_STATUS: Record<ReloadResult, number> = {
  applied: 200,
  unchanged: 200,
  // the request was fine; the configuration it asked to load is not
  invalid: 422,
  restart_required: ERRORS.MIFFY_ERR_RESTART_REQUIRED.status,
  failed: ERRORS.MIFFY_ERR_RELOAD_INCOMPLETE.status,
}

export function registerControl(app: FastifyInstance, control: Control): void {
  app.post('/config/reload', async (_request, reply) => {
    const report = await control.reload()
    reply.code(RELOAD_STATUS[report.result])
    // the catalogue's two fields first, then the report
    const { error, message, ...rest } = report
    return error || message ? { error: error ?? 'MIFFY_ERR_RELOAD_INCOMPLETE', message, ...rest } : rest
  })

  // The route pattern is one path segment, percent-encoded: /experiments/%2Fapi%2F%7Bid%7D/pause
  const toggle = (paused: boolean) => async (request: { params: unknown }, reply: FastifyReply) => {
    const { route } = request.params as { route: string }
    try {
      return await (paused ? control.pause(route) : control.resume(route))
    } catch (err) {
      if (!(err instanceof MiffyError)) throw err
      reply.code(err.status ?? 500)
      return {
        error: err.code,
        message: err.message,
        ...(err instanceof WorkersError ? { workers: err.workers } : {}),
      }
    }
  }
  app.post('/experiments/:route/pause', toggle(true))
  app.post('/experiments/:route/resume', toggle(false))
}
