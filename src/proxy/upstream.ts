/**
 * Upstream base URLs and the undici dispatchers that reach them. The reference and the
 * candidate never share a pool: a slow candidate must not take connections the client's path
 * needs (STYLE.md §6).
 */
import type { Dispatcher } from 'undici'
// undici's Agent alone: the package's index also loads fetch, WebSocket, EventSource and the
// cache interceptors (and, through them, a copy of Node's own bundled undici), 4.5 MiB resident
// that the proxy never uses (bench/profiles.md, "Hot-path proposals").
import Agent from 'undici/lib/dispatcher/agent.js'
import type { HostHeader, UpstreamConfig } from '../config/schema.ts'

export interface Upstream {
  /** the configured base URL, e.g. `http://10.0.0.1:3000/v2` */
  url: string
  /** `http://10.0.0.1:3000` */
  origin: string
  /** `/v2`, or `''` */
  prefix: string
  /** the `Host` it is sent: the client's (`client`) or its own `host:port` (`upstream`) */
  hostHeader: HostHeader
}

/** An upstream as configured; `fallback` is the top-level `host_header` for one that sets none. */
export function parseUpstream(config: UpstreamConfig, fallback: HostHeader): Upstream {
  const u = new URL(config.url)
  return {
    url: config.url,
    origin: u.origin,
    prefix: u.pathname.replace(/\/+$/, ''),
    hostHeader: config.host_header ?? fallback,
  }
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
 * Drops the client's `Host` (kept by headers.ts for every leg, as the Rust miffy forwarded it) on
 * requests to the given origins, so undici writes the upstream's own `host:port` instead: the
 * `host_header = "upstream"` setting, for upstreams that route on their own name.
 */
function ownHost(origins: ReadonlySet<string>): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const origin = typeof opts.origin === 'string' ? opts.origin : opts.origin?.origin
    const headers = opts.headers as Record<string, string | string[]> | null | undefined
    if (origin === undefined || !origins.has(origin) || !headers || headers.host === undefined) {
      return dispatch(opts, handler)
    }
    const { host: _client, ...rest } = headers
    return dispatch({ ...opts, headers: rest }, handler)
  }
}

/**
 * An agent for one side. app.ts makes two, one for the reference and one for the candidates, so
 * a slow candidate never holds connections the client's path needs. For the candidate the
 * timeouts are only a backstop: its deadline is enforced per call in candidate-leg.ts, and its
 * concurrency by the experiment's Limiter. `ownHostFor`: origins sent their own `Host`
 * (src/config/upstream-hosts.ts); with none, the agent is used as it is.
 */
export function upstreamAgent(timeoutMs: number, ownHostFor: ReadonlySet<string> = new Set()): Dispatcher {
  const agent = new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 10_000),
    keepAliveTimeout: 4_000,
  })
  return ownHostFor.size === 0 ? agent : agent.compose(ownHost(ownHostFor))
}
