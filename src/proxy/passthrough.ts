/**
 * Plain proxying, streamed by @fastify/reply-from: requests outside every experiment, and
 * experiment requests that are not mirrored (sampled out, dropped before the body was read).
 * Option objects are built once per role, so the hot path allocates no closures.
 */
import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'
import { downstreamResponseHeaders, type Role, upstreamRequestHeaders } from './headers.ts'
import { sendError } from './respond.ts'
import type { Upstream } from './upstream.ts'
import { referenceFailure } from './upstream-errors.ts'

type FromOptions = NonNullable<Parameters<FastifyReply['from']>[1]>

function optionsFor(role: Role): FromOptions {
  return {
    rewriteRequestHeaders: (_request, headers) => upstreamRequestHeaders(headers, role),
    rewriteHeaders: (headers) => downstreamResponseHeaders(headers as Record<string, string | string[]>),
    onError: (reply, { error }) => sendError(reply.raw as ServerResponse, referenceFailure(error)),
  }
}

const OPTIONS: Record<Role, FromOptions> = {
  upstream: optionsFor('upstream'),
  reference: optionsFor('reference'),
  candidate: optionsFor('candidate'),
}

export function passthrough(reply: FastifyReply, upstream: Upstream, role: Role = 'upstream'): FastifyReply {
  // A full URL: reply-from is registered without `base`, so each route may name its own reference.
  return reply.from(upstream.url + reply.request.raw.url, OPTIONS[role])
}
