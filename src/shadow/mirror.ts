/**
 * One experiment request, from match to outcome. The client's answer comes from the reference
 * leg alone; the candidate leg runs beside it on its own dispatcher, under its own limits. When
 * both legs are done (off the client's path) the pair is compared, counted, and published when
 * it differs. Every request that reaches `handleExperiment` is recorded with exactly one outcome.
 */

import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import { compare } from '../diff/compare.ts'
import type { LegResult, PairMessage } from '../diff/model.ts'
import type { DivergenceLog } from '../management/divergence-log.ts'
import type { Outcome } from '../management/metrics.ts'
import { type Forwarded, forwardToClient } from '../proxy/forward.ts'
import { ROLE_HEADER, upstreamRequestHeaders } from '../proxy/headers.ts'
import { passthrough } from '../proxy/passthrough.ts'
import type { Sink } from '../publish/sink.ts'
import { resolveKey } from '../routing/experiment-key.ts'
import type { ThrottledWarning } from '../throttled-log.ts'
import { readCapped } from './body.ts'
import { type CandidateResult, runCandidate } from './candidate-leg.ts'
import type { Experiment } from './experiment.ts'
import type { Ledger } from './ledger.ts'
import type { MemoryBudget } from './memory-budget.ts'
import { buildPairMessage } from './pair-message.ts'
import { isSampled, stickyValue } from './sampling.ts'

export interface ShadowContext {
  referenceDispatcher: Dispatcher
  candidateDispatcher: Dispatcher
  budget: MemoryBudget
  ledger: Ledger
  sink: Sink
  divergences: DivergenceLog
  redact: ReadonlySet<string>
  log: Logger
  /** mirrors still being compared, so shutdown can wait for them */
  pending: Set<Promise<void>>
  /** "divergence not queued for publishing", at most every 10 s (the counts are on /metrics) */
  notQueued: ThrottledWarning
}

/** Candidate failures that say the candidate is unwell, as opposed to a drop on our side. */
const BREAKER_FAILURES = new Set(['timeout', 'connection', 'reset', 'invalid_response', 'error'])

function preCheck(
  exp: Experiment,
  request: FastifyRequest,
  params: Record<string, string>,
): Outcome | undefined {
  const req = request.raw
  if (exp.methods && !exp.methods.has(req.method!)) return 'method_skipped'
  if (exp.sample < 1) {
    let sticky: string | undefined
    if (exp.sampleBy) {
      const q = req.url!.indexOf('?')
      sticky = stickyValue(exp.sampleBy, req.headers, params, q >= 0 ? req.url!.slice(q + 1) : '')
    }
    if (!isSampled(exp.sample, sticky)) return 'sampled_out'
  }
  if (!exp.breaker.allow()) return 'circuit_open'
  return undefined
}

export async function handleExperiment(
  ctx: ShadowContext,
  request: FastifyRequest,
  reply: FastifyReply,
  exp: Experiment,
  params: Record<string, string>,
): Promise<void> {
  const route = exp.route
  const skipped = preCheck(exp, request, params)
  if (skipped) {
    ctx.ledger.outcome(route, skipped)
    reply.hijack()
    await passthrough(ctx.referenceDispatcher, request.raw, reply.raw, exp.reference)
    return
  }

  const req = request.raw
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > exp.maxBodyBytes) {
    return dropBeforeSending(ctx, reply, exp, 'dropped_oversize')
  }
  const arrivedAt = Date.now()
  const deadline = performance.now() + exp.candidateTimeoutMs
  const ticket = exp.limiter.enter(exp.candidateTimeoutMs)
  if (!ticket) return dropBeforeSending(ctx, reply, exp, 'dropped_queue_full')

  let requestBody: Buffer | undefined
  let requestReserved = 0
  const referenceHeaders = upstreamRequestHeaders(req.headers, 'reference')
  if (request.body) {
    let read: Awaited<ReturnType<typeof readCapped>>
    try {
      read = await readCapped(request.body as Readable, exp.maxBodyBytes, ctx.budget)
    } catch {
      // The client went away while sending its body: nobody is waiting for an answer.
      ticket.release()
      exp.breaker.abandon()
      ctx.ledger.outcome(route, 'client_aborted')
      reply.hijack()
      req.destroy()
      return
    }
    if (!read.ok) {
      ticket.release()
      exp.breaker.abandon()
      ctx.ledger.outcome(route, read.reason === 'memory' ? 'dropped_memory' : 'dropped_oversize')
      reply.hijack()
      const headers = upstreamRequestHeaders(req.headers, 'upstream')
      if (req.headers['content-length']) headers['content-length'] = req.headers['content-length']
      await forwardToClient(
        ctx.referenceDispatcher,
        req,
        reply.raw,
        exp.reference,
        headers,
        read.body,
        undefined,
      )
      return
    }
    requestBody = read.body
    requestReserved = read.reserved
    referenceHeaders['content-length'] = String(requestBody.length)
  }

  const candidateHeaders = { ...referenceHeaders, [ROLE_HEADER]: 'candidate' }
  const candidate = runCandidate(
    ctx.candidateDispatcher,
    exp,
    ticket,
    { method: req.method!, pathAndQuery: req.url!, headers: candidateHeaders, body: requestBody, deadline },
    ctx.budget,
  )
  reply.hijack()
  const reference = forwardToClient(
    ctx.referenceDispatcher,
    req,
    reply.raw,
    exp.reference,
    referenceHeaders,
    requestBody,
    { max: exp.maxBodyBytes, budget: ctx.budget },
  )
  const done = Promise.all([reference, candidate]).then(
    ([ref, cand]) => {
      try {
        settle(ctx, exp, { arrivedAt, request, params, requestBody, referenceHeaders }, ref, cand)
      } catch (err) {
        // A bug in comparison or reporting must not leak memory or become an unhandled rejection.
        ctx.log.error({ err, route }, 'settling a mirror failed unexpectedly')
      } finally {
        ctx.budget.release(requestReserved + ref.reserved + cand.reserved)
      }
    },
    (err) => ctx.log.error({ err, route }, 'mirror failed unexpectedly'),
  )
  ctx.pending.add(done)
  const forget = () => ctx.pending.delete(done)
  done.then(forget, forget)
  await reference
}

async function dropBeforeSending(
  ctx: ShadowContext,
  reply: FastifyReply,
  exp: Experiment,
  outcome: Outcome,
): Promise<void> {
  exp.breaker.abandon()
  ctx.ledger.outcome(exp.route, outcome)
  reply.hijack()
  await passthrough(ctx.referenceDispatcher, reply.request.raw, reply.raw, exp.reference)
}

interface RequestInfo {
  arrivedAt: number
  request: FastifyRequest
  params: Record<string, string>
  requestBody: Buffer | undefined
  referenceHeaders: Record<string, string | string[]>
}

function settle(
  ctx: ShadowContext,
  exp: Experiment,
  info: RequestInfo,
  ref: Forwarded,
  cand: CandidateResult,
): void {
  const route = exp.route
  const c = cand.leg
  if (c.ok) exp.breaker.success()
  else if (BREAKER_FAILURES.has(c.error)) exp.breaker.failure()
  else exp.breaker.abandon()

  if (ref.leg.ok) ctx.ledger.latency(route, 'reference', ref.leg.durationMs)
  if (c.ok) ctx.ledger.latency(route, 'candidate', c.durationMs)

  let outcome: Outcome
  if (!ref.leg.ok) outcome = ref.clientAborted ? 'client_aborted' : 'reference_error'
  else if (ref.capture === 'oversize') outcome = 'dropped_oversize'
  else if (ref.capture === 'memory') outcome = 'dropped_memory'
  else if (!c.ok && c.error === 'body_too_large') outcome = 'dropped_oversize'
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
    return
  }
  ctx.ledger.transition(route, statusOf(ref.leg), statusOf(c))
  const divergence = compare(ref.leg, c, exp.compare)
  if (divergence === null) {
    ctx.ledger.outcome(route, 'equal')
    return
  }
  ctx.ledger.outcome(route, outcome)
  const req = info.request.raw
  const message = buildPairMessage({
    arrivedAt: info.arrivedAt,
    method: req.method!,
    uri: req.url!,
    route,
    params: info.params,
    requestHeaders: stripRole(info.referenceHeaders),
    requestBody: info.requestBody,
    referenceUrl: exp.reference.url + req.url,
    reference: ref.leg,
    candidateUrl: cand.url,
    candidate: c,
    divergence,
    maxDecodedBytes: exp.maxBodyBytes,
    redact: ctx.redact,
  })
  report(ctx, exp, message)
}

function report(ctx: ShadowContext, exp: Experiment, message: PairMessage): void {
  ctx.divergences.add(message)
  ctx.ledger.divergence(exp.route, message.id, message.divergence!, message.timestamp)
  const accepted = ctx.sink.publish(resolveKey(exp.key, exp.route, message.request.params), message)
  if (accepted !== 'queued') ctx.notQueued.warn({ route: exp.route, id: message.id, reason: accepted })
}

function statusOf(leg: LegResult): number | 'error' {
  return leg.ok ? leg.status : 'error'
}

function stripRole(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const { [ROLE_HEADER]: _role, ...rest } = headers
  return rest
}
