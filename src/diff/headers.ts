/**
 * Response headers compared by meaning:
 *
 * - `Content-Type` always (unless ignored), by media type only: `application/json;
 *   charset=utf-8` equals `application/json`, and the same bytes served as `text/plain` are a
 *   divergence, as in the Rust miffy (its body typing followed the content type);
 * - every other header named by `compare_headers` (`*`: all but `ignore_headers`): a header on
 *   one side only is `missing` / `added`; for `presence_headers`, that is all that is compared;
 * - list headers (`Cache-Control`, `Vary`, `Allow`, …) as sets of directives, each directive's
 *   value a part of its own (`cache-control max-age`): a lost `no-store` is a missing one; cache
 *   lifetimes compare by whether they cache (`max-age=0` or not), not for how long, so a
 *   per-node max-age is not a divergence;
 * - `Set-Cookie` by cookie name: the value, and the attributes as a set;
 * - values that are URLs (`Location`, `Content-Location`, …) part by part (walk.ts);
 * - anything else as one value (with values.ts' meaning of numbers and instants), or token by
 *   token when it has several words (text.ts).
 */
import { ABSENT, type Difference, type HeaderRepr } from './model.ts'
import type { CompareRules } from './rules.ts'
import { structure } from './structured-string.ts'
import { compareHeaderText } from './text.ts'
import { sameInstant } from './values.ts'
import { Walk } from './walk.ts'

/** Headers whose value is a comma-separated list of directives (RFC 9110 §5.6.1). */
const LIST_HEADERS = new Set([
  'cache-control',
  'vary',
  'allow',
  'pragma',
  'content-encoding',
  'content-language',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'accept-ranges',
  'accept-patch',
  'accept-post',
  'connection',
  'trailer',
])

export function compareHeaders(
  reference: HeaderRepr,
  candidate: HeaderRepr,
  rules: CompareRules,
  orderNoise: (key: string) => boolean,
  clockWindowMs: number,
  limit: number,
): { differences: Difference[]; truncated: boolean } {
  const out: Difference[] = []
  let truncated = false
  const push = (d: Difference): boolean => {
    if (out.length >= limit) {
      truncated = true
      return false
    }
    out.push(d)
    return true
  }
  const names = new Set<string>()
  const wanted = (name: string) =>
    !rules.ignoreHeaders.has(name) &&
    (name === 'content-type' || rules.compareHeaders === null || rules.compareHeaders.has(name))
  for (const name in reference) if (wanted(name)) names.add(name)
  for (const name in candidate) if (wanted(name)) names.add(name)

  for (const name of names) {
    let a = headerValue(reference, name)
    let b = headerValue(candidate, name)
    if (sameHeader(a, b)) continue
    if (name === 'vary') {
      a = varyWithoutCoding(a)
      b = varyWithoutCoding(b)
      if (sameHeader(a, b)) continue
    }
    if (rules.masks.length > 0 && a !== undefined && b !== undefined) {
      a = masked(a, rules.masks)
      b = masked(b, rules.masks)
      if (sameHeader(a, b)) continue
    }
    if (a === undefined || b === undefined) {
      const change = a === undefined ? 'added' : 'missing'
      if (!push(difference(name, name, change, a ?? ABSENT, b ?? ABSENT))) break
      continue
    }
    if (rules.presenceHeaders.has(name)) continue
    const go =
      name === 'content-type'
        ? mediaType(a) === mediaType(b) || push(difference(name, name, 'value', joined(a), joined(b)))
        : name === 'set-cookie'
          ? cookies(list(a), list(b), clockWindowMs, push)
          : LIST_HEADERS.has(name)
            ? directives(name, joined(a), joined(b), rules, push)
            : value(name, a, b, rules, orderNoise, clockWindowMs, limit - out.length, push)
    if (!go) break
  }
  return { differences: out, truncated }
}

function difference(
  path: string,
  key: string,
  change: Difference['change'],
  reference: unknown,
  candidate: unknown,
): Difference {
  const marker = change === 'missing' ? '-' : change === 'added' ? '+' : '~'
  return {
    area: 'header',
    path,
    key: `header ${key}`,
    change,
    reference,
    candidate,
    fingerprint: `${marker}${key}`,
  }
}

/** Own properties only: a header named `constructor` must not find Object.prototype's. */
function headerValue(headers: HeaderRepr, name: string): string | string[] | undefined {
  return Object.hasOwn(headers, name) ? headers[name] : undefined
}

function sameHeader(x: string | string[] | undefined, y: string | string[] | undefined): boolean {
  if (x === y) return true
  if (x === undefined || y === undefined) return false
  if (typeof x === 'string') return typeof y !== 'string' && y.length === 1 && y[0] === x
  if (typeof y === 'string') return x.length === 1 && x[0] === y
  if (x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

function masked(v: string | string[], masks: readonly RegExp[]): string | string[] {
  const one = (s: string) => masks.reduce((t, m) => t.replace(m, '\u2400'), s)
  return typeof v === 'string' ? one(v) : v.map(one)
}

function list(v: string | string[]): string[] {
  return typeof v === 'string' ? [v] : v
}

function joined(v: string | string[]): string {
  return typeof v === 'string' ? v : v.join(', ')
}

/** `type/subtype`, lower-case, parameters (charset, boundary) left out. */
export function mediaType(v: string | string[]): string {
  const last = typeof v === 'string' ? v : (v[v.length - 1] ?? '')
  return last.split(';', 1)[0]!.trim().toLowerCase()
}

/** Directive name → value (`max-age` → `60`, `no-store` → ''), names lower-case. */
function parseDirectives(v: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const item of v.split(',')) {
    const t = item.trim()
    if (!t) continue
    const eq = t.indexOf('=')
    const name = (eq < 0 ? t : t.slice(0, eq)).trim().toLowerCase()
    out.set(
      name,
      eq < 0
        ? ''
        : t
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1'),
    )
  }
  return out
}

/**
 * Cache lifetimes (RFC 9111 §5.2.2): whether a response is cached is behaviour; for how long is
 * tuning that differs per node and per deployment. `max-age=0` vs `max-age=60` differ;
 * `max-age=30` vs `max-age=120` do not.
 */
const LIFETIMES = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error'])

function sameLifetime(directive: string, a: string, b: string): boolean {
  if (!LIFETIMES.has(directive) || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false
  return (a === '0') === (b === '0')
}

/**
 * `Vary` without `Accept-Encoding`: that one goes with the body's coding, which is not compared
 * (bodies are, decoded), and a node that does not compress does not send it. Undefined when
 * nothing else is left.
 */
function varyWithoutCoding(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined
  const rest = joined(v)
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t && t.toLowerCase() !== 'accept-encoding')
  return rest.length > 0 ? rest.join(', ') : undefined
}

function directives(
  name: string,
  a: string,
  b: string,
  rules: CompareRules,
  push: (d: Difference) => boolean,
): boolean {
  const da = parseDirectives(a)
  const db = parseDirectives(b)
  for (const [d, va] of da) {
    const vb = db.get(d)
    const where = `${name} ${d}`
    if (vb === undefined) {
      if (!push(difference(where, where, 'missing', va || d, ABSENT))) return false
    } else if (
      va !== vb &&
      !sameNumeric(va, vb, rules) &&
      !(name === 'cache-control' && sameLifetime(d, va, vb))
    ) {
      if (!push(difference(where, where, 'value', numericOr(va), numericOr(vb)))) return false
    }
  }
  for (const [d, vb] of db) {
    if (da.has(d)) continue
    const where = `${name} ${d}`
    if (!push(difference(where, where, 'added', ABSENT, vb || d))) return false
  }
  return true
}

/** A directive value that is a number is compared (and learned) as one: max-age 57 vs 60. */
function numericOr(v: string): string | number {
  return /^\d+$/.test(v) ? Number(v) : v
}

function sameNumeric(a: string, b: string, rules: CompareRules): boolean {
  return rules.floatTolerance > 0 && /^\d+\.\d+$/.test(a) && /^\d+\.\d+$/.test(b) && Number(a) === Number(b)
}

interface Cookie {
  value: string
  attributes: string
  /** Max-Age, as written */
  maxAge: string | undefined
  /** Expires, as written */
  expires: string | undefined
}

/**
 * Set-Cookie by cookie name (the order of the headers is not behaviour): its value, its
 * attributes as a set, and its lifetime apart: Max-Age as a number (`set-cookie <name>
 * max-age`: 1 year in seconds vs in milliseconds is a divergence; a lifetime the noise showed
 * varying is not), Expires as a point in time (`set-cookie <name> expires`: now plus a lifetime,
 * so the same lifetime stamped twice is equal).
 */
function cookies(a: string[], b: string[], clockWindowMs: number, push: (d: Difference) => boolean): boolean {
  const parse = (values: string[]) => {
    const out = new Map<string, Cookie>()
    for (const v of values) {
      const [pair = '', ...attrs] = v.split(';')
      const eq = pair.indexOf('=')
      const name = (eq < 0 ? pair : pair.slice(0, eq)).trim()
      let maxAge: string | undefined
      let expires: string | undefined
      const rest: string[] = []
      for (const raw of attrs) {
        const x = raw.trim()
        if (!x) continue
        const m = /^(expires|max-age)\s*=\s*(.*)$/i.exec(x)
        const attribute = m?.[1]?.toLowerCase()
        if (attribute === 'max-age') maxAge = m![2]!
        else if (attribute === 'expires') expires = m![2]!
        else rest.push(x.toLowerCase())
      }
      out.set(name, {
        value: eq < 0 ? '' : pair.slice(eq + 1).trim(),
        attributes: rest.sort().join('; '),
        maxAge,
        expires,
      })
    }
    return out
  }
  const ca = parse(a)
  const cb = parse(b)
  for (const [name, x] of ca) {
    const y = cb.get(name)
    const where = `set-cookie ${name}`
    if (!y) {
      if (!push(difference(where, where, 'missing', x.value, ABSENT))) return false
      continue
    }
    if (x.value !== y.value && !push(difference(where, where, 'value', x.value, y.value))) return false
    if (x.attributes !== y.attributes) {
      const at = `${where} attributes`
      if (!push(difference(at, at, 'value', x.attributes, y.attributes))) return false
    }
    if (!lifetime(`${where} max-age`, x.maxAge, y.maxAge, (p, q) => Number(p) === Number(q), push))
      return false
    const sameExpiry = (p: string, q: string) => sameInstant(p, q, clockWindowMs)
    if (!lifetime(`${where} expires`, x.expires, y.expires, sameExpiry, push)) return false
  }
  for (const [name, y] of cb) {
    if (ca.has(name)) continue
    const where = `set-cookie ${name}`
    if (!push(difference(where, where, 'added', ABSENT, y.value))) return false
  }
  return true
}

/** One lifetime attribute of a cookie: present on one side only, or different. */
function lifetime(
  where: string,
  a: string | undefined,
  b: string | undefined,
  same: (a: string, b: string) => boolean,
  push: (d: Difference) => boolean,
): boolean {
  if (a === b) return true
  if (a === undefined) return push(difference(where, where, 'added', ABSENT, b))
  if (b === undefined) return push(difference(where, where, 'missing', a, ABSENT))
  if (same(a, b)) return true
  const asNumber = (v: string) => (/^-?\d+$/.test(v) ? Number(v) : v)
  return push(difference(where, where, 'value', asNumber(a), asNumber(b)))
}

/** Any other header: one value (URLs and structured values part by part), or a list by position. */
function value(
  name: string,
  a: string | string[],
  b: string | string[],
  rules: CompareRules,
  orderNoise: (key: string) => boolean,
  clockWindowMs: number,
  limit: number,
  push: (d: Difference) => boolean,
): boolean {
  const la = list(a)
  const lb = list(b)
  if (la.length !== lb.length) return push(difference(name, name, 'value', joined(a), joined(b)))
  for (let i = 0; i < la.length; i++) {
    const x = la[i]!
    const y = lb[i]!
    if (x === y) continue
    // several words (Content-Security-Policy, Link): token by token, unless it is a URL
    if (/[\s;,]/.test(x) && /[\s;,]/.test(y) && !structure(x)) {
      if (!compareHeaderText(name, x, y, rules, clockWindowMs, push)) return false
      continue
    }
    const walk = new Walk(
      { rules, area: 'header', orderNoise, limit, clockWindowMs },
      { display: name, key: `header ${name}`, fingerprint: name },
    )
    walk.runStrings(x, y, rules.root)
    for (const d of walk.differences) if (!push(d)) return false
  }
  return true
}
