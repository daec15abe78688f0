/**
 * Who may read what on the management port (issue 10). Divergences carry request and response
 * bodies, so everything that shows captured traffic is closed by default and only the probes'
 * endpoints are open:
 *
 * - `open`: /healthz, /readyz, /metrics (route patterns and counts, never traffic) for anyone;
 * - `page`: the dashboard's HTML, which holds no data (the page fetches it with the token):
 *   served to anyone when a token is set, so that a browser can show its sign-in prompt;
 * - everything else, including every endpoint added later and unknown paths, is `traffic`:
 *   with `management_token` set it needs `Authorization: Bearer <token>` (RFC 6750); without
 *   one it answers loopback clients only (`kubectl port-forward` arrives on loopback).
 *
 * A route declares its level with `config: { access: 'open' }`; a route that says nothing is
 * `traffic`, so a new endpoint cannot be left open by forgetting.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { MiffyConfig } from '../config/schema.ts'
import { MiffyError } from '../errors.ts'
import { errorBody } from '../proxy/upstream-errors.ts'

export type Access = 'open' | 'page' | 'traffic'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** who may call this management route; absent means `traffic` */
    access?: Access
  }
}

export interface AccessOptions {
  /** the bearer token; undefined: traffic endpoints answer loopback clients only */
  token: string | undefined
}

/**
 * The token from `management_token` or `management_token_file` (read once, surrounding
 * whitespace dropped: secrets written with `echo` end in a newline). A file that cannot be read
 * or holds a short token stops start-up like any other bad value.
 */
export function managementToken(
  config: Pick<MiffyConfig, 'management_token' | 'management_token_file'>,
): string | undefined {
  if (config.management_token !== undefined) return config.management_token
  const file = config.management_token_file
  if (file === undefined) return undefined
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new MiffyError(
      'MIFFY_ERR_CONFIG',
      `invalid configuration:\n  - management_token_file = ${JSON.stringify(file)}: cannot be read (${(cause as Error).message})`,
      { cause },
    )
  }
  const token = text.trim()
  if (token.length < 16)
    throw new MiffyError(
      'MIFFY_ERR_CONFIG',
      `invalid configuration:\n  - management_token_file = ${JSON.stringify(file)}: expected a token of at least 16 characters in the file, found ${token.length}`,
    )
  return token
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses (a dual-stack socket). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4.startsWith('127.') || address === '::1' || address === 'localhost'
}

const digest = (text: string) => createHash('sha256').update(text).digest()

export function guardManagement(app: FastifyInstance, options: AccessOptions): void {
  // Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first
  // differing byte that would let the token be guessed a byte at a time.
  const expected = options.token === undefined ? undefined : digest(options.token)

  app.addHook('onRequest', (request, reply, done) => {
    const access = request.routeOptions.config?.access ?? 'traffic'
    if (access === 'open') return done()
    if (expected === undefined) {
      if (isLoopback(request.socket.remoteAddress)) return done()
      return deny(
        reply,
        new MiffyError(
          'MIFFY_ERR_MANAGEMENT_FORBIDDEN',
          `${request.url.split('?')[0]} shows captured traffic: without management_token it answers clients on loopback only`,
        ),
      )
    }
    if (access === 'page') return done()
    if (bearerMatches(request, expected)) return done()
    reply.header(
      'www-authenticate',
      request.headers.authorization === undefined
        ? 'Bearer realm="miffy"'
        : 'Bearer realm="miffy", error="invalid_token"',
    )
    return deny(
      reply,
      new MiffyError(
        'MIFFY_ERR_MANAGEMENT_UNAUTHORIZED',
        `${request.url.split('?')[0]} shows captured traffic: send Authorization: Bearer <management_token>`,
      ),
    )
  })
}

function bearerMatches(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers.authorization
  if (header === undefined) return false
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return m !== null && timingSafeEqual(digest(m[1]!), expected)
}

function deny(reply: FastifyReply, err: MiffyError): void {
  reply
    .code(err.status ?? 403)
    .header('cache-control', 'no-store')
    .type('application/json')
    .send(errorBody(err))
}

/** How the management port is guarded, for the start-up line. */
export function managementAccess(config: Pick<MiffyConfig, 'management_token' | 'management_token_file'>) {
  return config.management_token !== undefined || config.management_token_file !== undefined
    ? 'bearer token'
    : 'loopback only'
}

/**
 * Start-up says when the endpoints that show traffic are closed to everyone off the machine
 * (issue 10), so that a 403 in a remote browser is no surprise.
 */
export function explainManagementAccess(
  config: Pick<MiffyConfig, 'management_token' | 'management_token_file' | 'management_host'>,
  log: { info(msg: string): void },
): void {
  if (managementAccess(config) !== 'loopback only' || isLoopback(config.management_host)) return
  log.info(
    'management_token is not set: /divergences, /dashboard and every management endpoint that shows ' +
      'captured traffic answer loopback clients only (403 for others); /healthz, /readyz and /metrics are open',
  )
}
