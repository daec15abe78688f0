/**
 * Strings that carry structure of their own, compared by their parts rather than as one value:
 *
 * - a URL (absolute `http(s)://…`, or a path with a query, `/cb?code=…&state=…`): origin, path
 *   segments, query parameters by name (in any order), fragment. A random `code` is then one
 *   noisy part, and a lost `state` parameter is a missing one;
 * - a JWT (`xxx.yyy.zzz`, base64url, the first part a JSON header with `alg`): its header and
 *   payload compared as JSON (a wrong claim shows as `<jwt>.payload.sub`), its signature as a
 *   token;
 * - JSON in a string (`"{\"a\":1}"`): compared as JSON.
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

const ABSOLUTE_URL = /^https?:\/\/[^\s]+$/i
const RELATIVE_WITH_QUERY = /^\/[^\s?#]*\?[^\s]*$/
const JWT = /^[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/

/** The structure of `s`, or undefined when it is a plain value. */
export function structure(s: string): Structured | undefined {
  const c = s.charCodeAt(0)
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
  return undefined
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
