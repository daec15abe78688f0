/**
 * What may be forwarded. Upstream URLs are always the configured origin plus the request's path
 * and query, so the request target must be a path:
 * - absolute-form (`GET http://other/x HTTP/1.1`) is normalised to its path and query, as
 *   RFC 9112 §3.2.2 tells an origin server to do; the named host is ignored, never contacted;
 * - anything else that does not start with `/` (`@evil/x`, `*`) is refused with 400;
 * - `..` segments (plain or percent-encoded) and malformed percent-escapes are refused with 400:
 *   the upstream might resolve them differently than miffy's route table did.
 * A path starting with `//` stays a path on the configured upstream (it is never resolved as a
 * URL against the upstream, which would make `//host` a new authority).
 *
 * A fragment (`#…`) is not part of a request target (RFC 9112 §3.2; RFC 3986 §3.5: it is for the
 * user agent only); some clients send one anyway. It is dropped before routing, so neither leg
 * sees it and the route table matches what the upstreams will (issue 10).
 */

const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i

export type Target = { ok: true; url: string } | { ok: false; reason: string }

export function normaliseTarget(raw: string): Target {
  const hash = raw.indexOf('#')
  let url = hash >= 0 ? raw.slice(0, hash) : raw
  if (url.charCodeAt(0) !== 47 /* / */) {
    const m = ABSOLUTE_FORM.exec(url)
    if (!m) return { ok: false, reason: 'the request target must be a path starting with "/"' }
    url = url.slice(m[0].length)
    if (url === '' || url[0] === '?') url = `/${url}`
    else if (url[0] !== '/')
      return { ok: false, reason: 'the request target must be a path starting with "/"' }
  }
  const q = url.indexOf('?')
  const path = q >= 0 ? url.slice(0, q) : url
  if (path.includes('%')) {
    let decoded: string
    try {
      decoded = decodeURIComponent(path)
    } catch {
      return { ok: false, reason: 'the request path has a malformed percent-escape' }
    }
    if (hasDotSegment(decoded)) return { ok: false, reason: 'the request path has a ".." segment' }
  } else if (hasDotSegment(path)) {
    return { ok: false, reason: 'the request path has a ".." segment' }
  }
  return { ok: true, url }
}

function hasDotSegment(path: string): boolean {
  if (!path.includes('..')) return false
  // `..;x` is `..` with a path parameter to servlet containers (Tomcat, Jetty).
  return path.split('/').some((s) => s === '..' || s.startsWith('..;'))
}
