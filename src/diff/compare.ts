/**
 * Comparison of a reference and a candidate response: status, chosen headers, and bodies (by JSON
 * value when both sides are JSON, else byte for byte), with a fingerprint that groups divergences
 * of the same kind.
 *
 * Runs for every mirrored request, so the common case (both legs answered the same bytes) returns
 * before decoding or parsing anything and allocates nothing.
 */
import { hash } from 'node:crypto'
import {
  type DecodeFailure,
  decodeBody,
  isJsonContentType,
  MAX_JSON_DEPTH,
  NOT_JSON,
  parseJsonBody,
} from './content.ts'
import { formatPath, type MatchState, type PathMatcher, type PathSegment } from './json-path.ts'
import type { Divergence, HeaderRepr, JsonPathDifference, LegResult } from './model.ts'

export interface CompareOptions {
  /** the route pattern that matched (`/api/{value}`); part of the fingerprint */
  route: string
  /** JSON paths whose differences are not reported (see `compileIgnore`) */
  ignore: PathMatcher
  /** names of the headers to compare, lower-case; no other header is compared */
  compareHeaders: string[]
  /** do not report a status difference */
  ignoreStatus: boolean
  /** bodies decoding (content-encoding) to more than this are compared as raw bytes */
  maxDecodedBytes: number
  /** at most this many differing JSON paths are listed; more set `truncated` */
  maxPaths: number
}

type BodyDivergence = NonNullable<Divergence['body']>

/**
 * Compare two legs; `null` when they are equal.
 *
 * - A failed leg on either side is a divergence (`error`, with the failed side's error word), even
 *   when both failed alike: nothing else is compared then.
 * - `status` unless `ignoreStatus`.
 * - Headers named in `compareHeaders` only; a single value equals a one-element list, repeated
 *   values compare as ordered lists, an absent header differs from any present one.
 * - Bodies: byte-equal wire bodies with the same `content-encoding` are equal without parsing
 *   (whatever the ignore patterns). Otherwise both are decoded; a decode failure on either side is
 *   a `bytes` difference carrying `decodeError`. Byte-equal decoded bodies are equal (so gzip vs
 *   identity of the same JSON is equal, and so is JSON vs non-JSON with the same bytes). When both
 *   content types are JSON and both parse, values are compared: key order ignored, numbers by
 *   value, arrays by position, ignored paths skipped. Anything else is a `bytes` difference.
 *
 * Numbers: integer literals beyond ±2^53 are compared exactly (as bigint), so two ids that round
 * to the same double are different; `1`, `1.0` and `1e0` are equal. Non-integers (with a fraction
 * or an exponent) compare as IEEE-754 doubles, like every JSON consumer that parses to a double.
 */
export function compare(
  reference: LegResult,
  candidate: LegResult,
  options: CompareOptions,
): Divergence | null {
  if (!reference.ok || !candidate.ok) {
    const error: NonNullable<Divergence['error']> = {}
    if (!reference.ok) error.reference = reference.error
    if (!candidate.ok) error.candidate = candidate.error
    return { error, fingerprint: fingerprint(options.route, { error }, undefined) }
  }
  const statusDiffers = !options.ignoreStatus && reference.status !== candidate.status
  const headers =
    options.compareHeaders.length === 0
      ? undefined
      : differingHeaders(reference.headers, candidate.headers, options.compareHeaders)
  const body = compareBodies(reference, candidate, options)
  if (!statusDiffers && headers === undefined && body === undefined) return null

  const divergence: Omit<Divergence, 'fingerprint'> = {}
  if (statusDiffers) divergence.status = { reference: reference.status, candidate: candidate.status }
  if (headers !== undefined) divergence.headers = headers
  if (body !== undefined) divergence.body = body.divergence
  return { ...divergence, fingerprint: fingerprint(options.route, divergence, body?.kinds) }
}

// ---------------------------------------------------------------------------------------------
// Headers

function differingHeaders(a: HeaderRepr, b: HeaderRepr, names: readonly string[]): string[] | undefined {
  let differing: string[] | undefined
  for (const raw of names) {
    const name = raw.toLowerCase()
    if (sameHeader(headerValue(a, name), headerValue(b, name))) continue
    differing ??= []
    if (!differing.includes(name)) differing.push(name)
  }
  return differing
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

// ---------------------------------------------------------------------------------------------
// Bodies

/** Only-in-reference / only-in-candidate / in both with different values. */
type Presence = '-' | '+' | '~'

interface BodyResult {
  divergence: BodyDivergence
  /** normalised JSON paths with their presence marker, for the fingerprint */
  kinds: string[]
}

type OkLeg = Extract<LegResult, { ok: true }>

function compareBodies(reference: OkLeg, candidate: OkLeg, options: CompareOptions): BodyResult | undefined {
  // The fast path: no decoding, no parsing, no allocation.
  if (
    reference.body.equals(candidate.body) &&
    sameHeader(reference.headers['content-encoding'], candidate.headers['content-encoding'])
  ) {
    return undefined
  }
  const ref = decodeBody(reference.headers, reference.body, options.maxDecodedBytes)
  const cand = decodeBody(candidate.headers, candidate.body, options.maxDecodedBytes)
  if (!ref.ok || !cand.ok) {
    const decodeError: { reference?: DecodeFailure; candidate?: DecodeFailure } = {}
    if (!ref.ok) decodeError.reference = ref.reason
    if (!cand.ok) decodeError.candidate = cand.reason
    return { divergence: { kind: 'bytes', paths: [], truncated: false, decodeError }, kinds: [] }
  }
  if (ref.body.equals(cand.body)) return undefined
  if (
    isJsonContentType(reference.headers['content-type']) &&
    isJsonContentType(candidate.headers['content-type'])
  ) {
    const a = parseJsonBody(ref.body, 'bigint')
    const b = parseJsonBody(cand.body, 'bigint')
    if (a !== NOT_JSON && b !== NOT_JSON) {
      const walk = new Walk(options.ignore, options.maxPaths)
      if (walk.run(a.value, b.value)) return walk.result(a.big || b.big)
    }
  }
  return { divergence: { kind: 'bytes', paths: [], truncated: false }, kinds: [] }
}

/** Marks the side on which a member or element does not exist. */
const ABSENT: unique symbol = Symbol('absent')

interface Found {
  segments: PathSegment[]
  reference: unknown
  candidate: unknown
}

class Walk {
  readonly #ignore: PathMatcher
  readonly #maxPaths: number
  /** the current path, pushed and popped: one array for the whole walk */
  readonly #path: PathSegment[] = []
  readonly #found: Found[] = []
  #truncated = false

  constructor(ignore: PathMatcher, maxPaths: number) {
    this.#ignore = ignore
    this.#maxPaths = maxPaths
  }

  /** Walk both values; false when the documents nest too deep to compare by value. */
  run(a: unknown, b: unknown): boolean {
    const root = this.#ignore.root
    if (root.ignored) return true
    return this.#value(a, b, root, 0) !== TOO_DEEP
  }

  /** Undefined when no (unignored) difference was found. */
  result(big: boolean): BodyResult | undefined {
    if (this.#found.length === 0 && !this.#truncated) return undefined
    const paths: JsonPathDifference[] = []
    const kinds = new Set<string>()
    for (const { segments, reference, candidate } of this.#found) {
      const difference: JsonPathDifference = { path: formatPath(segments) }
      if (reference !== ABSENT) difference.reference = big ? serialisable(reference) : reference
      if (candidate !== ABSENT) difference.candidate = big ? serialisable(candidate) : candidate
      paths.push(difference)
      const presence: Presence = reference === ABSENT ? '+' : candidate === ABSENT ? '-' : '~'
      kinds.add(presence + formatPath(segments, true))
    }
    return { divergence: { kind: 'json', paths, truncated: this.#truncated }, kinds: [...kinds] }
  }

  /** Returns false to stop the walk (path cap reached), TOO_DEEP to give up on value comparison. */
  #value(a: unknown, b: unknown, state: MatchState, depth: number): boolean | typeof TOO_DEEP {
    if (a === b) return true
    if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
      if (depth === MAX_JSON_DEPTH) return TOO_DEEP
      const aArray = Array.isArray(a)
      if (aArray && Array.isArray(b)) return this.#array(a, b, state, depth + 1)
      if (!aArray && !Array.isArray(b)) {
        return this.#object(a as Record<string, unknown>, b as Record<string, unknown>, state, depth + 1)
      }
    } else if (sameNumber(a, b)) {
      return true
    }
    return this.#report(a, b)
  }

  #array(a: unknown[], b: unknown[], state: MatchState, depth: number): boolean | typeof TOO_DEEP {
    const length = Math.max(a.length, b.length)
    for (let i = 0; i < length; i++) {
      const child = this.#ignore.step(state, i)
      if (child.ignored) continue
      this.#path.push(i)
      const go =
        i >= a.length
          ? this.#report(ABSENT, b[i])
          : i >= b.length
            ? this.#report(a[i], ABSENT)
            : this.#value(a[i], b[i], child, depth)
      this.#path.pop()
      if (go !== true) return go
    }
    return true
  }

  #object(
    a: Record<string, unknown>,
    b: Record<string, unknown>,
    state: MatchState,
    depth: number,
  ): boolean | typeof TOO_DEEP {
    // for…in over JSON.parse output: own enumerable keys only (plain prototype, nothing inherited
    // is enumerable), without allocating a key array.
    for (const key in a) {
      const inB = Object.hasOwn(b, key)
      const child = this.#ignore.step(state, key)
      if (child.ignored) continue
      this.#path.push(key)
      const go = inB ? this.#value(a[key], b[key], child, depth) : this.#report(a[key], ABSENT)
      this.#path.pop()
      if (go !== true) return go
    }
    for (const key in b) {
      if (Object.hasOwn(a, key)) continue
      if (this.#ignore.step(state, key).ignored) continue
      this.#path.push(key)
      const go = this.#report(ABSENT, b[key])
      this.#path.pop()
      if (!go) return false
    }
    return true
  }

  #report(reference: unknown, candidate: unknown): boolean {
    if (this.#found.length >= this.#maxPaths) {
      this.#truncated = true
      return false
    }
    this.#found.push({ segments: this.#path.slice(), reference, candidate })
    return true
  }
}

const TOO_DEEP: unique symbol = Symbol('too deep')

/**
 * Numbers equal by mathematical value. Same-type pairs were settled by `===` already (doubles by
 * value, bigints by value); a bigint (an unsafe integer literal) equals a double only when the
 * double is that exact integer, e.g. `10000000000000000` and `1e16`.
 */
function sameNumber(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' && typeof b === 'number') return Number.isInteger(b) && BigInt(b) === a
  if (typeof a === 'number' && typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b
  return false
}

/** Replace bigints by `JSON.rawJSON` so the divergence serialises with the exact digits. */
function serialisable(value: unknown): unknown {
  if (typeof value === 'bigint') return JSON.rawJSON(value.toString())
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(serialisable)
  // fromEntries defines own properties, so a member named "__proto__" stays a member.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, serialisable(v)]))
}

// ---------------------------------------------------------------------------------------------
// Fingerprint

/** Fingerprints by recipe text: a route diverges the same few ways over and over. */
const FINGERPRINTS = new Map<string, string>()
const MAX_REMEMBERED_FINGERPRINTS = 4096

/**
 * The fingerprint of a divergence: the first 16 hex digits of the SHA-256 of these lines, joined
 * with "\n" (no trailing newline), each present only when that part differs:
 *
 * ```text
 * miffy-fingerprint-v1
 * route <route pattern as a JSON string>
 * error <reference error word or ->><candidate error word or ->
 * status <reference status>><candidate status>
 * headers <differing header names, lower-case, sorted, joined with ",">
 * body <json|bytes>
 * decode <reference decode failure or ->><candidate decode failure or ->
 * path <presence><normalised path>          (one line per distinct entry, sorted)
 * ```
 *
 * Presence is `~` (differs on both sides), `-` (only in the reference), `+` (only in the
 * candidate); the normalised path writes every array index as `[*]`, so `$.items[3].price` and
 * `$.items[7].price` give the same line. Values never enter the hash. Paths come from the listed
 * (capped by `maxPaths`) differences; `truncated` does not enter the hash, so 25 and 15 differing
 * prices on the same route share a fingerprint. Sorting is by UTF-16 code units
 * (`Array.prototype.sort`). Example: route `/api/{id}`, status 200 vs 500 hashes
 * `miffy-fingerprint-v1\nroute "/api/{id}"\nstatus 200>500`.
 *
 * Changing this recipe regroups every divergence operators have triaged: bump the version line.
 */
export function fingerprint(
  route: string,
  divergence: Omit<Divergence, 'fingerprint'>,
  bodyPaths: readonly string[] | undefined,
): string {
  const lines = ['miffy-fingerprint-v1', `route ${JSON.stringify(route)}`]
  const { error, status, headers, body } = divergence
  if (error) lines.push(`error ${error.reference ?? '-'}>${error.candidate ?? '-'}`)
  if (status) lines.push(`status ${status.reference}>${status.candidate}`)
  if (headers) lines.push(`headers ${[...headers].sort().join(',')}`)
  if (body) {
    lines.push(`body ${body.kind}`)
    const decode = body.decodeError
    if (decode) lines.push(`decode ${decode.reference ?? '-'}>${decode.candidate ?? '-'}`)
    if (bodyPaths) for (const path of [...bodyPaths].sort()) lines.push(`path ${path}`)
  }
  const text = lines.join('\n')
  let known = FINGERPRINTS.get(text)
  if (known === undefined) {
    known = hash('sha256', text, 'hex').slice(0, 16)
    // Bounded; when full it starts again rather than tracking which entries are old.
    if (FINGERPRINTS.size >= MAX_REMEMBERED_FINGERPRINTS) FINGERPRINTS.clear()
    FINGERPRINTS.set(text, known)
  }
  return known
}
