/**
 * Upstream base URLs and the undici dispatchers that reach them. The reference and the
 * candidate never share a pool: a slow candidate must not take connections the client's path
 * needs (STYLE.md §6).
 */
import { Agent } from 'undici'

export interface Upstream {
  /** the configured base URL, e.g. `http://10.0.0.1:3000/v2` */
  url: string
  /** `http://10.0.0.1:3000` */
  origin: string
  /** `/v2`, or `''` */
  prefix: string
}

export function parseUpstream(url: string): Upstream {
  const u = new URL(url)
  return { url, origin: u.origin, prefix: u.pathname.replace(/\/+$/, '') }
}

/**
 * The upstream path for a request target. It is always the configured prefix plus the client's
 * path and query, concatenated as text and handed to undici together with the origin: the
 * origin is never taken from the request, so `//evil.example/x` stays a path on the upstream.
 */
export function upstreamPath(up: Upstream, pathAndQuery: string): string {
  return up.prefix + pathAndQuery
}

/**
 * An agent for one side. app.ts makes two, one for the reference and one for the candidates, so
 * a slow candidate never holds connections the client's path needs. For the candidate the
 * timeouts are only a backstop: its deadline is enforced per call in candidate-leg.ts, and its
 * concurrency by the experiment's Limiter.
 */
export function upstreamAgent(timeoutMs: number): Agent {
  return new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 10_000),
    keepAliveTimeout: 4_000,
  })
}
