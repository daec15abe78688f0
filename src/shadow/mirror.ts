/**
 * The orchestration of one experiment request, from admission to outcome. The front end
 * (src/server.ts) owns the client's path and asks this module three things, in order:
 *
 * 1. `admit`: is this request mirrored? (methods, sampling, breaker, declared size). A request
 *    that is not gets its outcome here and is proxied plainly by the front end.
 * 2. `Mirror.start`, once the request body is read: take a slot in the experiment's limiter and
 *    send the shadow legs (the candidate, and the secondary when the route learns its noise) on
 *    the shadow dispatcher, under one deadline. Nothing here is awaited by the client.
 * 3. `Mirror.settle`, when the reference leg is done: off the client's path, wait for the
 *    shadow legs, learn the noise from the reference and the secondary, compare the reference
 *    with the candidate, let the noise explain what it can, decide the one outcome, and report
 *    a divergence.
 *
 * Every request that `admit` sees ends in exactly one outcome in the ledger.
 */

import type { IncomingHttpHeaders } from 'node:http'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import { type Comparison, compare, toDivergence } from '../diff/compare.ts'
import type { LegResult } from '../diff/model.ts'
import { explainNoise, explainStatus } from '../diff/noise-apply.ts'
import { learnNoise } from '../diff/noise-learn.ts'
import type { Captured } from '../proxy/capture.ts'
import type { Capture, Forwarded } from '../proxy/forward.ts'
import { ROLE_HEADER } from '../proxy/headers.ts'
import { TRACEPARENT, traceIdOf } from '../proxy/trace-context.ts'
import type { DivergenceLog } from '../publish/divergence-log.ts'
import type { Sink } from '../publish/sink.ts'
import type { Redactor } from '../redact/redactor.ts'
import { resolveKey } from '../routing/experiment-key.ts'
import type { ThrottledWarning } from '../throttled-log.ts'
import { runCandidate } from './candidate-leg.ts'
import type { Experiment } from './experiment.ts'
import type { Ledger } from './ledger.ts'
import type { Ticket } from './limiter.ts'
import type { MemoryBudget } from './memory-budget.ts'
import type { Outcome } from './outcome.ts'
import { buildPairMessage } from './pair-message.ts'
import { serialisePair } from './publication.ts'
import { isSampled, stickyValue } from './sampling.ts'
import { runSecondary } from './secondary-leg.ts'

export interface ShadowContext {
  /** the dispatcher of every shadow leg; never the reference's */
  shadowDispatcher: Dispatcher
  budget: MemoryBudget
  ledger: Ledger
  sink: Sink
  divergences: DivergenceLog
  /** what is a secret in what is shown (src/redact); comparison sees the real values */
  redactor: Redactor
  log: Logger
  /** mirrors still being compared, so shutdown can wait for them */
  pending: Set<Promise<void>>
  /** "divergence not queued for publishing", at most every 10 s (the counts are on /metrics) */
  notQueued: ThrottledWarning
}

/** The request as orchestration sees it: no framework objects. */
export interface MirrorRequest {
  method: string
  /** path and query as forwarded */
  url: string
  headers: IncomingHttpHeaders
  params: Record<string, string>
}

/** Candidate failures that say the candidate is unwell, as opposed to a drop on our side. */
const BREAKER_FAILURES = new Set(['timeout', 'connection', 'reset', 'invalid_response', 'error'])

/**
 * Whether `request` is mirrored. When it is not, its outcome is recorded here and the caller
 * proxies it plainly.
 */
export function admit(ctx: ShadowContext, exp: Experiment, request: MirrorRequest): Mirror | undefined {
  const skipped = preCheck(exp, request)
  if (skipped) {
    ctx.ledger.outcome(exp.route, skipped)
    return undefined
  }
  // Known to be too large before a byte is read: not worth buffering.
  if (Number(request.headers['content-length'] ?? 0) > exp.maxBodyBytes) {
    exp.breaker.abandon()
    ctx.ledger.outcome(exp.route, 'dropped_oversize')
    return undefined
  }
  return new Mirror(ctx, exp, request)
}

function preCheck(exp: Experiment, request: MirrorRequest): Outcome | undefined {
  if (exp.paused) return 'paused'
  if (exp.methods && !exp.methods.has(request.method)) return 'method_skipped'
  if (exp.sample < 1) {
    let sticky: string | undefined
    if (exp.sampleBy) {
      const q = request.url.indexOf('?')
      sticky = stickyValue(
        exp.sampleBy,
        request.headers,
        request.params,
        q >= 0 ? request.url.slice(q + 1) : '',
      )
    }
    if (!isSampled(exp.sample, sticky)) return 'sampled_out'
  }
  if (!exp.breaker.allow()) return 'circuit_open'
  return undefined
}

interface ShadowLegs {
  candidate: Captured
  /** present when this request also went to the secondary */
  secondary?: Captured
}

/** One admitted request's mirror. */
export class Mirror {
  readonly #ctx: ShadowContext
  readonly exp: Experiment
  readonly #request: MirrorRequest
  /** epoch ms, for the message's timestamp */
  readonly #arrivedAt = Date.now()
  #ended = false
  #legs: Promise<ShadowLegs> | undefined
  #requestHeaders: Record<string, string | string[]> = {}
  #requestBody: Buffer | undefined
  #requestReserved = 0
  /** resolves when the mirror has settled; in `ctx.pending` from start() on */
  #settled: (() => void) | undefined

  constructor(ctx: ShadowContext, exp: Experiment, request: MirrorRequest) {
    this.#ctx = ctx
    this.exp = exp
    this.#request = request
  }

  /** The cap and budget for the reference's copy of its answer, while the mirror is alive. */
  get capture(): Capture | undefined {
    return this.#ended ? undefined : { max: this.exp.maxBodyBytes, budget: this.#ctx.budget }
  }

  /** Give the mirror up before its legs started (the body could not be read or kept). */
  drop(outcome: Outcome): void {
    if (this.#ended) return
    this.#ended = true
    this.exp.breaker.abandon()
    this.#ctx.ledger.outcome(this.exp.route, outcome)
  }

  /**
   * Send the shadow legs with the request the reference gets (`headers` without the role; the
   * body fully read, `reserved` bytes of it held in the budget until the mirror settles).
   * False when there is no slot: the mirror is dropped (`dropped_queue_full`).
   */
  start(headers: Record<string, string | string[]>, body: Buffer | undefined, reserved: number): boolean {
    this.#requestReserved = reserved
    if (this.#ended) return false
    const exp = this.exp
    const deadline = performance.now() + exp.candidateTimeoutMs
    const ticket = exp.limiter.enter(exp.candidateTimeoutMs)
    if (!ticket) {
      this.drop('dropped_queue_full')
      return false
    }
    this.#requestHeaders = headers
    this.#requestBody = body
    this.#legs = this.#runLegs(ticket, deadline)
    // Pending from now, not from settle(): the client may have its whole answer (and a test or a
    // shutdown may look at the pending set) a moment before the reference leg hands over.
    const pending = this.#ctx.pending
    const done = new Promise<void>((resolve) => {
      this.#settled = resolve
    })
    pending.add(done)
    done.then(() => pending.delete(done))
    return true
  }

  async #runLegs(ticket: Ticket, deadline: number): Promise<ShadowLegs> {
    const started = performance.now()
    const exp = this.exp
    const request = {
      method: this.#request.method,
      pathAndQuery: this.#request.url,
      headers: { ...this.#requestHeaders, [ROLE_HEADER]: 'candidate' },
      body: this.#requestBody,
    }
    try {
      const timedOut = (): ShadowLegs => ({
        candidate: {
          leg: { ok: false, error: 'timeout', durationMs: performance.now() - started },
          url: exp.candidates[0]!.url + request.pathAndQuery,
          reserved: 0,
        },
      })
      if (!(await ticket.ready)) return timedOut()
      const remaining = deadline - performance.now()
      if (remaining <= 0) return timedOut()
      const ctx = this.#ctx
      const secondary =
        exp.secondary && exp.noiseSampler.take()
          ? runSecondary(
              ctx.shadowDispatcher,
              exp.secondary,
              request,
              { maxBytes: exp.maxBodyBytes, budget: ctx.budget, timeoutMs: remaining },
              started,
            )
          : undefined
      const candidate = await runCandidate(ctx.shadowDispatcher, exp, request, ctx.budget, remaining, started)
      return secondary ? { candidate, secondary: await secondary } : { candidate }
    } finally {
      ticket.release()
    }
  }

  /**
   * The reference leg is done (the client has its answer, or has gone): compare and count, off
   * the client's path. Always called once per admitted request, even when the mirror was
   * dropped, so every reservation is released.
   */
  settle(reference: Forwarded): void {
    const ctx = this.#ctx
    const legs = this.#legs
    if (!legs) {
      ctx.budget.release(this.#requestReserved + reference.reserved)
      return
    }
    const route = this.exp.route
    legs
      .then(
        (shadow) => {
          const release = () =>
            ctx.budget.release(
              this.#requestReserved +
                reference.reserved +
                shadow.candidate.reserved +
                (shadow.secondary?.reserved ?? 0),
            )
          let held = false
          try {
            held = this.#settle(reference, shadow, release)
          } catch (err) {
            // A bug in comparison or reporting must not leak memory or become an unhandled rejection.
            ctx.log.error({ err, route }, 'settling a mirror failed unexpectedly')
          } finally {
            if (!held) release()
          }
          // a held pair settles when it is judged
          return held
        },
        (err: unknown) => {
          ctx.budget.release(this.#requestReserved + reference.reserved)
          ctx.log.error({ err, route }, 'mirror failed unexpectedly')
        },
      )
      .then((held) => {
        if (held !== true) this.#settled?.()
      })
  }

  /** Decides the outcome; true when the pair is held for the noise warm-up (judged later). */
  #settle(ref: Forwarded, shadow: ShadowLegs, release: () => void): boolean {
    const ctx = this.#ctx
    const exp = this.exp
    const route = exp.route
    const c = shadow.candidate.leg
    if (c.ok) exp.breaker.success()
    else if (BREAKER_FAILURES.has(c.error)) exp.breaker.failure()
    else exp.breaker.abandon()

    if (ref.leg.ok) ctx.ledger.latency(route, 'reference', ref.leg.durationMs)
    if (c.ok) ctx.ledger.latency(route, 'candidate', c.durationMs)

    let outcome: Outcome
    if (!ref.leg.ok) outcome = ref.clientAborted ? 'client_aborted' : 'reference_error'
    else if (ref.capture === 'memory') outcome = 'dropped_memory'
    else if (!c.ok && c.error === 'memory') outcome = 'dropped_memory'
    else if (!c.ok) outcome = c.error === 'timeout' ? 'candidate_timeout' : 'candidate_error'
    else outcome = 'diverged' // refined below

    const compared =
      outcome === 'diverged' ||
      outcome === 'candidate_timeout' ||
      outcome === 'candidate_error' ||
      outcome === 'reference_error'
    if (!compared) {
      ctx.ledger.outcome(route, outcome)
      return false
    }
    ctx.ledger.transition(route, statusOf(ref.leg), statusOf(c))
    const noise = exp.noise
    // Learn first: the secondary of this very request may show the noise its candidate has.
    if (shadow.secondary && ref.leg.ok) {
      const s2 = shadow.secondary.leg
      learnNoise(
        noise,
        s2.ok
          ? compare(ref.leg, s2, exp.compare, noise)
          : { error: { candidate: s2.error }, differences: [], truncated: false },
      )
      if (noise.samples >= exp.noiseSampler.warmup) exp.warmup.release()
    }
    const comparison = compare(ref.leg, c, exp.compare, noise)
    if (comparison === null) {
      ctx.ledger.outcome(route, 'equal')
      return false
    }
    const judge = () => this.#judge(ref, shadow, comparison, outcome)
    if (outcome === 'diverged' && exp.secondary && noise.samples < exp.noiseSampler.warmup) {
      const held = exp.warmup.hold(() => {
        try {
          judge()
        } catch (err) {
          ctx.log.error({ err, route }, 'judging a held mirror failed unexpectedly')
        } finally {
          release()
          this.#settled?.()
        }
      })
      if (held) return true
    }
    judge()
    return false
  }

  /** Lets the noise explain what it can, counts the outcome, and reports a divergence. */
  #judge(ref: Forwarded, shadow: ShadowLegs, comparison: Comparison, outcome: Outcome): void {
    const ctx = this.#ctx
    const exp = this.exp
    const route = exp.route
    const c = shadow.candidate.leg
    const noise = exp.noise
    const explained =
      noise.samples > 0 && outcome === 'diverged' && ref.leg.ok && c.ok
        ? explainNoise(noise, comparison, { clockWindowMs: Math.max(ref.leg.durationMs, c.durationMs) })
        : undefined
    const divergence = toDivergence(
      comparison,
      route,
      exp.compare.maxPaths,
      explained,
      explained !== undefined && explainStatus(noise, comparison),
    )
    if (divergence.noise_only) {
      ctx.ledger.outcome(route, 'noise')
      if (!exp.publishNoise) return
    } else {
      ctx.ledger.outcome(route, outcome)
    }
    const request = this.#request
    const message = buildPairMessage({
      arrivedAt: this.#arrivedAt,
      method: request.method,
      uri: request.url,
      route,
      params: request.params,
      requestHeaders: withoutRole(this.#requestHeaders),
      requestBody: this.#requestBody,
      referenceUrl: exp.reference.url + request.url,
      reference: ref.leg,
      candidateUrl: shadow.candidate.url,
      candidate: c,
      divergence,
      // the trace context the legs were sent (the front end guarantees a valid one)
      traceId: traceIdOf(this.#requestHeaders[TRACEPARENT]),
      maxDecodedBytes: exp.maxBodyBytes,
      redactor: ctx.redactor,
    })
    const publication = serialisePair(resolveKey(exp.key, route, request.params), message)
    if (publication === undefined) {
      ctx.log.error({ route, id: message.id }, 'divergence message cannot be serialised to JSON; dropped')
      ctx.ledger.publication(route, 'failed')
      return
    }
    ctx.divergences.add(publication)
    // the redacted copy: the summary's examples are shown on the management port
    if (!divergence.noise_only)
      ctx.ledger.divergence(route, message.id, message.divergence ?? divergence, message.timestamp)
    const accepted = ctx.sink.publish(publication)
    ctx.ledger.publication(route, accepted)
    if (accepted !== 'queued') ctx.notQueued.warn({ route, id: message.id, reason: accepted })
  }
}

function statusOf(leg: LegResult): number | 'error' {
  return leg.ok ? leg.status : 'error'
}

/** The request's headers as the client sent them (minus hop-by-hop), without miffy's role. */
function withoutRole(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const { [ROLE_HEADER]: _role, ...rest } = headers
  return rest
}
