/**
 * The de-facto `X-Forwarded-*` headers every reverse proxy adds, so that an upstream behind miffy
 * still learns who its client is (issue 10: without them upstreams saw only miffy's address).
 *
 * - `X-Forwarded-For`: the client's address appended to the list the client sent, as each proxy
 *   on the way does (the upstream trusts as many hops from the right as it has proxies).
 * - `X-Forwarded-Proto` and `X-Forwarded-Host`: set only when absent. miffy itself speaks plain
 *   HTTP, but it is usually behind a load balancer that terminated TLS and said so: overwriting
 *   its `https` with our `http` would send applications into redirect loops.
 *
 * `forwarded_headers = false` leaves the client's headers exactly as sent (the Rust miffy). The
 * standard `Forwarded` header (RFC 7239) is forwarded as sent, never written: few upstreams read
 * it, and writing both would let them disagree.
 */
import type { IncomingMessage } from 'node:http'

export type RequestHeaders = Record<string, string | string[]>

/** Adds the headers to `headers` (the set about to be sent upstream) for the request `req`. */
export function addForwardedHeaders(headers: RequestHeaders, req: IncomingMessage): void {
  const remote = clientAddress(req.socket.remoteAddress)
  if (remote !== undefined) {
    const sent = headers['x-forwarded-for']
    const list = Array.isArray(sent) ? sent.join(', ') : sent
    headers['x-forwarded-for'] = list ? `${list}, ${remote}` : remote
  }
  if (headers['x-forwarded-proto'] === undefined)
    headers['x-forwarded-proto'] = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
  const host = req.headers.host
  if (headers['x-forwarded-host'] === undefined && host !== undefined) headers['x-forwarded-host'] = host
}

/** Does nothing: `forwarded_headers = false`. */
export function keepClientHeaders(_headers: RequestHeaders, _req: IncomingMessage): void {}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) → `10.0.0.1`. */
function clientAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}
