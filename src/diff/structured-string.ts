/**
 * Strings that carry structure of their own, compared by their parts rather than as one value:
 *
 * - a URL (absolute `http(s)://…`, or a path with a query, `/cb?code=…&state=…`): origin, path
 *   segments, query parameters by name (in any order), fragment. A random `code` is then one
 *   noisy part, and a lost `state` parameter is a missing one;
 * - a JWT (`xxx.yyy.zzz`, base64url, the first part a JSON header with `alg`): its header and
 *   payload compared as JSON (a wrong claim shows as `<jwt>.payload.sub`), its signature as a
 *   token;
 * - JSON in a string (`"{\"a\":1}"`): compared as JSON;
 * - W3C trace context (`00-<trace id>-<parent id>-01`): by field, so a fresh span id is one
 *   noisy field and a dropped sampled flag another;
 * - base64 (standard, padded or not, or base64url) of a JSON object or array, as clients' opaque
 *   state blobs are: compared as JSON under `<base64>` (a wrong amount inside shows as
 *   `$.state<base64>.amount`, a new nonce inside as the noise it is).
 *
 * Nothing here is run for strings that are equal, only for a pair that differs.
 */

export type Structured =
  | {
      kind: 'url'
      origin: string
      path: string[]
      query: Map<string, string[]>
      fragment: string | undefined
    }
  | { kind: 'jwt'; header: unknown; payload: unknown; signature: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'b64json'; value: unknown }
  /** a string of named fields in a standard format (`<traceparent>`: version, ids, flags) */
  | { kind: 'fields'; label: string; value: Record<string, string> }

const ABSOLUTE_URL = /^https?:\/\/[^\s]+$/i
const RELATIVE_WITH_QUERY = /^\/[^\s?#]*\?[^\s]*$/
const JWT = /^[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/
/** W3C trace context (`traceparent`, `traceresponse`): version-trace id-parent id-flags */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The structure of `s`, or undefined when it is a plain value. */
export function structure(s: string): Structured | undefined {
  const c = s.charCodeAt(0)
  if (s.length === 55 && s.charCodeAt(2) === 0x2d /* - */) {
    const t = TRACEPARENT.exec(s)
    if (t) {
      return {
        kind: 'fields',
        label: '<traceparent>',
        value: { version: t[1]!, trace_id: t[2]!, parent_id: t[3]!, flags: t[4]! },
      }
    }
  }
  if ((c === 0x7b /* { */ || c === 0x5b) /* [ */ && s.length >= 2) {
    try {
      return { kind: 'json', value: JSON.parse(s) }
    } catch {
      return undefined
    }
  }
  if (c === 0x68 || c === 0x48 || c === 0x2f) {
    if (ABSOLUTE_URL.test(s) || RELATIVE_WITH_QUERY.test(s)) return url(s)
  }
  if (s.length >= 20 && JWT.test(s)) return jwt(s)
  // base64 of `{` starts with `e`, of `[` with `W`
  if ((c === 0x65 || c === 0x57) && s.length >= 16) return base64Json(s)
  return undefined
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/
const UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A JSON object or array written in base64 (padded to a multiple of 4, or not padded at all) or
 * base64url; undefined for anything else (a hex digest, a random token), found out early: by the
 * alphabet, the length, then the first and last decoded bytes, before any parsing.
 */
function base64Json(s: string): Structured | undefined {
  const padded = s.charCodeAt(s.length - 1) === 0x3d /* = */
  if (padded ? s.length % 4 !== 0 : s.length % 4 === 1) return undefined
  if (!BASE64.test(s) && !BASE64URL.test(s)) return undefined
  // Node's base64 decoder reads both alphabets, padded or not
  const bytes = Buffer.from(s, 'base64')
  const first = bytes[0]
  const last = bytes[bytes.length - 1]
  if (!((first === 0x7b && last === 0x7d) || (first === 0x5b && last === 0x5d))) return undefined
  try {
    const value: unknown = JSON.parse(UTF8.decode(bytes))
    return typeof value === 'object' && value !== null ? { kind: 'b64json', value } : undefined
  } catch {
    return undefined
  }
}

function url(s: string): Structured | undefined {
  let u: URL
  try {
    u = new URL(s, 'http://relative.invalid')
  } catch {
    return undefined
  }
  const query = new Map<string, string[]>()
  for (const [name, value] of u.searchParams) {
    const list = query.get(name)
    if (list) list.push(value)
    else query.set(name, [value])
  }
  return {
    kind: 'url',
    origin: u.origin === 'http://relative.invalid' ? '' : u.origin,
    path: u.pathname.split('/').slice(1),
    query,
    fragment: u.hash ? u.hash.slice(1) : undefined,
  }
}

function jwt(s: string): Structured | undefined {
  const [h, p, signature] = s.split('.') as [string, string, string]
  const header = decodeJson(h)
  if (typeof header !== 'object' || header === null || !('alg' in header)) return undefined
  const payload = decodeJson(p)
  return { kind: 'jwt', header, payload: payload === undefined ? p : payload, signature }
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}
