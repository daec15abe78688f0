/**
 * Header handling for both directions, in one place.
 *
 * RFC 9110 §7.6.1: a proxy removes the hop-by-hop fields — `Connection`, every field named in
 * `Connection`, and the fields that only make sense on one connection (`Keep-Alive`,
 * `Proxy-Connection`, `TE`, `Transfer-Encoding`, `Upgrade`, `Proxy-Authenticate`,
 * `Proxy-Authorization` are listed by RFC 9110 §7.6.1 and RFC 9112 §7.1) — before forwarding.
 *
 * `Host` is the client's, forwarded to both legs as the Rust miffy 1.0 did: a virtual-hosted
 * upstream sees the name the client asked for, and two legs that echo it (absolute links) agree.
 * An upstream configured with `host_header = "upstream"` gets its own `host:port` instead; that is
 * decided per origin in upstream.ts. A client that sent no Host (HTTP/1.0) leaves undici to write
 * each upstream's own, as hyper did for the Rust miffy.
 */
import type { IncomingHttpHeaders } from 'node:http'

export const ROLE_HEADER = 'x-shadow-test-role'
export type Role = 'upstream' | 'reference' | 'candidate'

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
])

/**
 * Request headers dropped on the way up in addition to hop-by-hop ones. `expect`: Node's server
 * has already answered `100-continue` to the client, and undici refuses to send the header.
 * `content-length`: the caller sets it for the body it sends.
 */
const REQUEST_DROP = new Set(['content-length', 'expect', ROLE_HEADER])

function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  // Nearly every message says just `keep-alive` or `close`: both name no other header.
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined
  const text = Array.isArray(value) ? value.join(',') : value
  const out = new Set<string>()
  for (const token of text.split(',')) {
    const t = token.trim().toLowerCase()
    if (t) out.add(t)
  }
  return out
}

/**
 * The headers sent upstream: the client's (`Host` included), minus hop-by-hop and
 * `Connection`-named ones, plus the role. A client-sent X-Shadow-Test-Role is replaced, so a client cannot pose as the proxy.
 * `content-length` is re-added by the caller when it knows the body length.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  role: Role,
): Record<string, string | string[]> {
  const named = connectionTokens(incoming.connection)
  const out: Record<string, string | string[]> = {}
  for (const name in incoming) {
    const value = incoming[name]
    if (value === undefined || HOP_BY_HOP.has(name) || REQUEST_DROP.has(name)) continue
    if (named?.has(name)) continue
    out[name] = value
  }
  out[ROLE_HEADER] = role
  return out
}

/** The upstream response headers a client may see: hop-by-hop ones removed. */
export function downstreamResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const named = connectionTokens(upstream.connection)
  const out: Record<string, string | string[]> = {}
  for (const name in upstream) {
    const value = upstream[name]
    if (value === undefined || HOP_BY_HOP.has(name) || named?.has(name)) continue
    out[name] = value
  }
  return out
}
