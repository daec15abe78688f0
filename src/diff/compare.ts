/**
 * Comparison of two responses (the reference and the candidate, or the reference and the
 * secondary when learning noise): status, headers by meaning (headers.ts), and bodies by meaning:
 * JSON by value (walk.ts), text by lines and tokens (text.ts), multipart bodies part by part
 * (multipart.ts reads them; each part's body by its own content type, the same way), anything
 * else byte for byte, and bodies over `max_body_bytes` by their streamed digest.
 *
 * `compare` finds every difference; `toDivergence` turns them, with what noise explains, into
 * the structured divergence that is published. Runs for every mirrored request, so the common
 * case (both legs answered the same bytes and headers) returns before decoding or parsing
 * anything and allocates nothing.
 */
import { isUtf8 } from 'node:buffer'
import { hash } from 'node:crypto'
import { type DecodeFailure, decodeBody, isJsonContentType, NOT_JSON, parseJsonBody } from './content.ts'
import { csvRecords, isCsvType } from './csv.ts'
import { fingerprint } from './fingerprint.ts'
import { compareHeaders, mediaType } from './headers.ts'
import {
  ABSENT,
  type Difference,
  type Divergence,
  type HeaderRepr,
  type JsonPathDifference,
  type LegResult,
} from './model.ts'
import {
  boundaryOf,
  type HttpMessage,
  isMultipartContentType,
  lastValue,
  type Part,
  parseHttpMessage,
  parseMultipart,
  partContent,
} from './multipart.ts'
import type { CompareRules } from './rules.ts'
import { shown } from './shown.ts'
import { compareText } from './text.ts'
import { TOO_DEEP, Walk } from './walk.ts'

/** What the learned noise tells the comparison before it starts: arrays whose order varies. */
export interface NoiseHints {
  order(key: string): boolean
}

const NO_HINTS: NoiseHints = { order: () => false }

/** At most this many differences are collected per comparison (for noise and for the message). */
export const MAX_DIFFERENCES = 1000

type OkLeg = Extract<LegResult, { ok: true }>
type BodyKind = NonNullable<Divergence['body']>['kind']

/** Everything that differs between two legs. */
export interface Comparison {
  /** a failed leg: nothing else was compared */
  error?: { reference?: string; candidate?: string }
  status?: { reference: number; candidate: number }
  /** header and body differences, headers first */
  differences: Difference[]
  /** how the bodies were compared, when they differ */
  body?: BodyKind
  decodeError?: { reference?: DecodeFailure; candidate?: DecodeFailure }
  digest?: NonNullable<Divergence['body']>['digest']
  /** more differences than MAX_DIFFERENCES */
  truncated: boolean
}

/**
 * Compares two legs; `null` when they are equal.
 *
 * - A failed leg on either side is an `error` (with the failed side's error word), even when
 *   both failed alike: nothing else is compared then.
 * - `status`, unless `ignore_status`.
 * - Headers: see headers.ts.
 * - Bodies: byte-equal wire bodies with the same `content-encoding` are equal without parsing.
 *   A body over the cap (only its digest kept) is compared by SHA-256 of the wire bytes.
 *   Otherwise both are decoded; a decode failure on either side is a `bytes` difference carrying
 *   `decodeError`. Byte-equal decoded bodies are equal. When both are `multipart/*` and read
 *   as parts, part by part; when both parse as JSON (and one says so in its content type), by
 *   value; when both are text, by lines and tokens; else a `bytes` difference.
 */
export function compare(
  reference: LegResult,
  candidate: LegResult,
  rules: CompareRules,
  hints: NoiseHints = NO_HINTS,
): Comparison | null {
  if (!reference.ok || !candidate.ok) {
    const error: NonNullable<Comparison['error']> = {}
    if (!reference.ok) error.reference = reference.error
    if (!candidate.ok) error.candidate = candidate.error
    return { error, differences: [], truncated: false }
  }
  const statusDiffers = !rules.ignoreStatus && reference.status !== candidate.status
  // The longer call bounds how far apart the two answers were stamped (values.ts sameInstant).
  const clock = Math.max(reference.durationMs, candidate.durationMs)
  const headers = compareHeaders(
    reference.headers,
    candidate.headers,
    rules,
    hints.order,
    clock,
    MAX_DIFFERENCES,
  )
  const body = compareBodies(
    reference,
    candidate,
    rules,
    hints,
    clock,
    MAX_DIFFERENCES - headers.differences.length,
  )
  if (!statusDiffers && headers.differences.length === 0 && body === undefined) return null
  const comparison: Comparison = {
    differences: body ? [...headers.differences, ...body.differences] : headers.differences,
    truncated: headers.truncated || (body?.truncated ?? false),
  }
  if (statusDiffers) comparison.status = { reference: reference.status, candidate: candidate.status }
  if (body) {
    comparison.body = body.kind
    if (body.decodeError) comparison.decodeError = body.decodeError
    if (body.digest) comparison.digest = body.digest
  }
  return comparison
}

interface BodyResult {
  kind: BodyKind
  differences: Difference[]
  truncated: boolean
  decodeError?: Comparison['decodeError']
  digest?: Comparison['digest']
}

function compareBodies(
  reference: OkLeg,
  candidate: OkLeg,
  rules: CompareRules,
  hints: NoiseHints,
  clockWindowMs: number,
  limit: number,
): BodyResult | undefined {
  if (reference.digest || candidate.digest) return compareDigests(reference, candidate)
  // The fast path: no decoding, no parsing, no allocation.
  const sameEncoding = sameValue(reference.headers['content-encoding'], candidate.headers['content-encoding'])
  if (sameEncoding && reference.body.equals(candidate.body)) return undefined
  const ref = decodeBody(reference.headers, reference.body, rules.maxDecodedBytes)
  const cand = decodeBody(candidate.headers, candidate.body, rules.maxDecodedBytes)
  if (!ref.ok || !cand.ok) {
    const decodeError: NonNullable<Comparison['decodeError']> = {}
    if (!ref.ok) decodeError.reference = ref.reason
    if (!cand.ok) decodeError.candidate = cand.reason
    return { kind: 'bytes', differences: [wholeBody('bytes')], truncated: false, decodeError }
  }
  const ctx: ContentContext = { rules, hints, clockWindowMs, parts: 2 * MAX_PARTS }
  return compareContent(
    reference.headers['content-type'],
    candidate.headers['content-type'],
    ref.body,
    cand.body,
    ctx,
    BODY,
    0,
    limit,
  )
}

/**
 * Where a body is: the response's own, or a part of a multipart body (of a part, …). Each form
 * of a difference's location starts with it: the path for people (`part[2] $.price`), the noise
 * key (`multipart [2] json $.price`: noise is learned per part position) and the fingerprint's
 * line (`part[*] $.price`: the same kind of difference in another part groups with it).
 */
interface Place {
  display: string
  key: string
  fingerprint: string
}

const BODY: Place = { display: '', key: '', fingerprint: '' }

interface ContentContext {
  rules: CompareRules
  hints: NoiseHints
  clockWindowMs: number
  /** parts still allowed to be read in this comparison, over every multipart body (nested too) */
  parts: number
}

type ContentResult = { kind: Exclude<BodyKind, 'digest'>; differences: Difference[]; truncated: boolean }

/** Parts of one multipart body beyond this: it is compared as bytes. */
export const MAX_PARTS = 1000
/** Multipart bodies and HTTP messages nested deeper than this are compared as bytes. */
const MAX_NESTING = 4

/**
 * Two decoded bodies, each read by its own content type: multipart bodies by their parts, JSON
 * by value, text by lines and tokens, anything else as bytes. Undefined when they are equal.
 */
function compareContent(
  typeA: string | string[] | undefined,
  typeB: string | string[] | undefined,
  a: Buffer,
  b: Buffer,
  ctx: ContentContext,
  place: Place,
  depth: number,
  limit: number,
): ContentResult | undefined {
  if (a.equals(b)) return undefined
  const { rules, clockWindowMs } = ctx
  if (depth < MAX_NESTING && isMultipartContentType(typeA) && isMultipartContentType(typeB)) {
    const parts = compareMultipart(typeA, typeB, a, b, ctx, place, depth + 1, limit)
    if (parts !== UNREADABLE) {
      if (parts.differences.length === 0 && !parts.truncated) return undefined
      return { kind: 'multipart', ...parts }
    }
  }
  if (isJsonContentType(typeA) || isJsonContentType(typeB)) {
    const x = parseJsonBody(a, 'bigint')
    const y = parseJsonBody(b, 'bigint')
    if (x !== NOT_JSON && y !== NOT_JSON) {
      const walk = new Walk(
        { rules, area: 'body', orderNoise: ctx.hints.order, limit, clockWindowMs },
        { display: `${place.display}$`, key: `${place.key}json $`, fingerprint: `${place.fingerprint}$` },
      )
      const go = walk.run(x.value, y.value, rules.root)
      if (go !== TOO_DEEP) {
        if (walk.differences.length === 0 && !walk.truncated) return undefined
        return { kind: 'json', differences: walk.differences, truncated: walk.truncated }
      }
    }
  }
  const textA = asText(typeA, a)
  const textB = textA === undefined ? undefined : asText(typeB, b)
  if (textA !== undefined && textB !== undefined) {
    // CSV: a record whose quoted fields hold line breaks is one line (csv.ts)
    const csv = isCsvType(mediaType(typeA ?? '')) && isCsvType(mediaType(typeB ?? ''))
    const text = csv
      ? compareText(csvRecords(textA), csvRecords(textB), rules, clockWindowMs, limit)
      : compareText(textA, textB, rules, clockWindowMs, limit)
    if (text.differences.length === 0 && !text.truncated) return undefined
    const differences = place === BODY ? text.differences : text.differences.map((d) => relocate(d, place))
    return { kind: 'text', differences, truncated: text.truncated }
  }
  if (place === BODY) return { kind: 'bytes', differences: [wholeBody('bytes')], truncated: false }
  if (limit <= 0) return { kind: 'bytes', differences: [], truncated: true }
  return { kind: 'bytes', differences: [relocate(wholeBody('bytes'), place)], truncated: false }
}

/** A difference found in a part, moved there: each form of its location prefixed with the part's. */
function relocate(d: Difference, place: Place): Difference {
  return {
    ...d,
    area: 'body',
    path: place.display + (d.path === '$' ? 'body' : d.path),
    key: place.key + d.key,
    // the marker (~ - + o #) stays first
    fingerprint: d.fingerprint.charAt(0) + place.fingerprint + d.fingerprint.slice(1),
  }
}

const UNREADABLE: unique symbol = Symbol('unreadable')

/**
 * Two multipart bodies part by part (RFC 2046; multipart.ts reads them), each by its own
 * boundary, so the boundaries never differ: parts paired by position, each part's headers
 * (headers.ts, with the route's header rules; Content-Length never), then its body by its own
 * content type; an `application/http` part as the HTTP message it holds. A part on one side
 * only is `missing` / `added`, after a `length` difference of the part counts. UNREADABLE when
 * a side names no boundary, has no delimiter line, or too many parts: then the bodies are
 * compared as today, as bytes.
 */
function compareMultipart(
  typeA: string | string[] | undefined,
  typeB: string | string[] | undefined,
  a: Buffer,
  b: Buffer,
  ctx: ContentContext,
  place: Place,
  depth: number,
  limit: number,
): { differences: Difference[]; truncated: boolean } | typeof UNREADABLE {
  const boundaryA = boundaryOf(typeA)
  const boundaryB = boundaryOf(typeB)
  if (boundaryA === undefined || boundaryB === undefined) return UNREADABLE
  const x = parseMultipart(a, boundaryA, Math.min(MAX_PARTS, ctx.parts))
  if (x === undefined) return UNREADABLE
  const y = parseMultipart(b, boundaryB, Math.min(MAX_PARTS, ctx.parts - x.parts.length))
  if (y === undefined) return UNREADABLE
  ctx.parts -= x.parts.length + y.parts.length
  const out = { differences: [] as Difference[], truncated: false }
  const push = (d: Difference): boolean => {
    if (out.differences.length >= limit) {
      out.truncated = true
      return false
    }
    out.differences.push(d)
    return true
  }
  const n = Math.min(x.parts.length, y.parts.length)
  for (let i = 0; i < n; i++) {
    const at: Place = {
      display: `${place.display}part[${i + 1}] `,
      key: `${place.key}multipart [${i + 1}] `,
      fingerprint: `${place.fingerprint}part[*] `,
    }
    const part = comparePart(x.parts[i]!, y.parts[i]!, ctx, at, depth, limit - out.differences.length)
    for (const d of part.differences) out.differences.push(d)
    if (part.truncated) {
      out.truncated = true
      return out
    }
  }
  /** `where` in each form: shown, keyed, in the fingerprint */
  const counted = (
    where: [string, string, string],
    change: Difference['change'],
    reference: unknown,
    candidate: unknown,
  ) =>
    push({
      area: 'body',
      path: place.display + where[0],
      key: `${place.key}multipart ${where[1]}`,
      change,
      reference,
      candidate,
      fingerprint: `${change === 'length' ? '#' : change === 'missing' ? '-' : '+'}${place.fingerprint}${where[2]}`,
    })
  if (x.parts.length !== y.parts.length) {
    if (!counted(['parts', 'parts', 'parts'], 'length', x.parts.length, y.parts.length)) return out
    const alone = (i: number): [string, string, string] => [`part[${i + 1}]`, `[${i + 1}]`, 'part[*]']
    for (let i = n; i < x.parts.length; i++) {
      if (!counted(alone(i), 'missing', shownPart(x.parts[i]!), ABSENT)) return out
    }
    for (let i = n; i < y.parts.length; i++) {
      if (!counted(alone(i), 'added', ABSENT, shownPart(y.parts[i]!))) return out
    }
  }
  // a body cut short after a whole part: only its closing delimiter tells
  if (x.closed !== y.closed) {
    const end = 'closing delimiter'
    counted([end, end, end], x.closed ? 'missing' : 'added', x.closed ? end : ABSENT, y.closed ? end : ABSENT)
  }
  return out
}

/** The parts' header rules: the route's, and never Content-Length (the body is compared). */
const PART_RULES = new WeakMap<CompareRules, CompareRules>()

function partRules(rules: CompareRules): CompareRules {
  let known = PART_RULES.get(rules)
  if (known === undefined) {
    const ignoreHeaders = new Set([...rules.ignoreHeaders, 'content-length', 'content-transfer-encoding'])
    known = { ...rules, ignoreHeaders }
    PART_RULES.set(rules, known)
  }
  return known
}

type Found = { differences: Difference[]; truncated: boolean }

/** Headers, then the body (or the HTTP message of an `application/http` part). */
function comparePart(
  x: Part,
  y: Part,
  ctx: ContentContext,
  place: Place,
  depth: number,
  limit: number,
): Found {
  const headers = compareParts(x.headers, y.headers, ctx, place, limit)
  if (headers.truncated) return headers
  const out = headers.differences
  const typeA = x.headers['content-type']
  const typeB = y.headers['content-type']
  const bodyA = partContent(x)
  const bodyB = partContent(y)
  if (depth < MAX_NESTING && isHttpContentType(typeA) && isHttpContentType(typeB) && !bodyA.equals(bodyB)) {
    const ma = parseHttpMessage(bodyA)
    const mb = ma && parseHttpMessage(bodyB)
    if (ma && mb) {
      const http: Place = {
        display: `${place.display}http `,
        key: `${place.key}http `,
        fingerprint: `${place.fingerprint}http `,
      }
      const message = compareHttpMessage(ma, mb, ctx, http, depth + 1, limit - out.length)
      return { differences: [...out, ...message.differences], truncated: message.truncated }
    }
  }
  const body = compareContent(typeA, typeB, bodyA, bodyB, ctx, place, depth, limit - out.length)
  if (body === undefined) return headers
  return { differences: [...out, ...body.differences], truncated: body.truncated }
}

/** The headers of a part (or of the HTTP message in one), as a response's, placed in the part. */
function compareParts(a: HeaderRepr, b: HeaderRepr, ctx: ContentContext, place: Place, limit: number): Found {
  const found = compareHeaders(a, b, partRules(ctx.rules), ctx.hints.order, ctx.clockWindowMs, limit)
  if (found.differences.length === 0) return found
  const at: Place = {
    display: `${place.display}header `,
    key: place.key,
    fingerprint: `${place.fingerprint}header `,
  }
  return { differences: found.differences.map((d) => relocate(d, at)), truncated: found.truncated }
}

/** An HTTP message in a part: its status (or a request's start line), headers and body. */
function compareHttpMessage(
  x: HttpMessage,
  y: HttpMessage,
  ctx: ContentContext,
  place: Place,
  depth: number,
  limit: number,
): Found {
  const out: Difference[] = []
  /** the status (or a request's start line), when it differs */
  let first: Difference | undefined
  if (x.status !== undefined && y.status !== undefined) {
    // as the response's own status: the pair of codes is the kind of difference
    if (x.status !== y.status && !ctx.rules.ignoreStatus)
      first = {
        area: 'body',
        path: `${place.display}status`,
        key: `${place.key}status`,
        change: 'value',
        reference: x.status,
        candidate: y.status,
        fingerprint: `~${place.fingerprint}status ${x.status}>${y.status}`,
      }
  } else if (x.startLine !== y.startLine) {
    first = {
      area: 'body',
      path: `${place.display}start line`,
      key: `${place.key}start line`,
      change: 'value',
      reference: x.startLine,
      candidate: y.startLine,
      fingerprint: `~${place.fingerprint}start line`,
    }
  }
  if (first !== undefined) {
    if (limit <= 0) return { differences: out, truncated: true }
    out.push(first)
  }
  const headers = compareParts(x.headers, y.headers, ctx, place, limit - out.length)
  out.push(...headers.differences)
  if (headers.truncated) return { differences: out, truncated: true }
  const typeA = x.headers['content-type']
  const typeB = y.headers['content-type']
  const body = compareContent(typeA, typeB, x.body, y.body, ctx, place, depth, limit - out.length)
  if (body !== undefined) out.push(...body.differences)
  return { differences: out, truncated: body?.truncated ?? false }
}

/** A part on one side only, as it is shown: its body as text, or its size. */
function shownPart(part: Part): string {
  const body = partContent(part)
  return isUtf8(body) ? body.toString('utf8') : `(${body.length} bytes)`
}

const HTTP_MEDIA_TYPE = /^[ \t]*application\/http[ \t]*(?:;|$)/i

function isHttpContentType(value: string | string[] | undefined): boolean {
  const last = lastValue(value)
  return last !== undefined && HTTP_MEDIA_TYPE.test(last)
}

function wholeBody(
  kind: 'bytes' | 'digest',
  reference: unknown = ABSENT,
  candidate: unknown = ABSENT,
): Difference {
  return {
    area: 'body',
    path: '$',
    key: `body ${kind}`,
    change: 'value',
    reference,
    candidate,
    fingerprint: `~${kind}`,
  }
}

function compareDigests(reference: OkLeg, candidate: OkLeg): BodyResult | undefined {
  const digestOf = (leg: OkLeg) =>
    leg.digest ?? { sha256: hash('sha256', leg.body, 'hex'), bytes: leg.body.length }
  const a = digestOf(reference)
  const b = digestOf(candidate)
  if (a.sha256 === b.sha256) return undefined
  return {
    kind: 'digest',
    differences: [wholeBody('digest', a.sha256, b.sha256)],
    truncated: false,
    digest: { reference: a, candidate: b },
  }
}

const TEXTUAL =
  /^(text\/|application\/(?:[\w.+-]*\+)?(?:xml|json|javascript|x-www-form-urlencoded|csv|yaml|x-ndjson)\b)/i

/** The body as text when it is UTF-8 and its content type is textual (or absent). */
function asText(contentType: string | string[] | undefined, body: Buffer): string | undefined {
  const type = typeof contentType === 'string' ? contentType : contentType?.[contentType.length - 1]
  if (type !== undefined && !TEXTUAL.test(type.trim())) return undefined
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body)
  // invalid UTF-8 (U+FFFD) or control characters: binary, compared as bytes
  if (text.includes('\uFFFD') || hasControlCharacters(text)) return undefined
  return text
}

/** C0 controls other than tab, line feed, vertical tab, form feed and carriage return. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 && (c < 0x09 || c > 0x0d)) return true
  }
  return false
}

function sameValue(x: string | string[] | undefined, y: string | string[] | undefined): boolean {
  if (x === y) return true
  if (x === undefined || y === undefined) return false
  return (typeof x === 'string' ? x : x.join(',')) === (typeof y === 'string' ? y : y.join(','))
}

// ---------------------------------------------------------------------------------------------
// The divergence

/**
 * The structured divergence of a comparison: the differences noise does not explain first (they
 * make the fingerprint), then the explained ones, each marked; header names and listed paths
 * capped by `maxPaths`. `explained[i]` says whether noise explains `comparison.differences[i]`.
 * When every difference is explained (and no leg failed, and the statuses are the same or a pair
 * the noise showed), `noise_only` is set.
 */
export function toDivergence(
  comparison: Comparison,
  route: string,
  maxPaths: number,
  explained?: readonly boolean[],
  /** the noise showed this pair of statuses too (noise-apply.ts explainStatus) */
  statusExplained = false,
): Divergence {
  const { error, status } = comparison
  if (error) return { error, fingerprint: fingerprint(route, { error }, undefined) }
  const isNoise = (i: number) => explained?.[i] === true
  const divergence: Omit<Divergence, 'fingerprint'> = {}
  if (status) divergence.status = status

  const headerNames: string[] = []
  const headerPaths: JsonPathDifference[] = []
  const bodyPaths: JsonPathDifference[] = []
  const fingerprintPaths: string[] = []
  let count = 0
  // unexplained first, so the cap never hides a real difference behind noise
  const order = comparison.differences
    .map((_, i) => i)
    .sort((i, j) => Number(isNoise(i)) - Number(isNoise(j)))
  let truncated = comparison.truncated
  for (const i of order) {
    const d = comparison.differences[i]!
    const noise = isNoise(i)
    if (d.area === 'header') {
      const name = d.path.split(/[ <]/, 1)[0]!
      if (!noise && !headerNames.includes(name)) headerNames.push(name)
    } else if (!noise && comparison.body !== 'bytes' && comparison.body !== 'digest') {
      fingerprintPaths.push(d.fingerprint)
    }
    if (count >= maxPaths) {
      truncated = true
      continue
    }
    count++
    const shownDifference: JsonPathDifference = { path: d.path }
    if (d.reference !== ABSENT && d.reference !== undefined) shownDifference.reference = shown(d.reference)
    if (d.candidate !== ABSENT && d.candidate !== undefined) shownDifference.candidate = shown(d.candidate)
    shownDifference.change = d.change
    if (explained) shownDifference.noise = noise
    if (d.area === 'header') headerPaths.push(shownDifference)
    else if (comparison.body === 'json' || comparison.body === 'text' || comparison.body === 'multipart')
      bodyPaths.push(shownDifference)
  }
  if (headerNames.length > 0) divergence.headers = headerNames
  if (headerPaths.length > 0) divergence.header_paths = headerPaths
  const bodyNoise =
    comparison.body !== undefined && comparison.differences.every((d, i) => d.area !== 'body' || isNoise(i))
  if (comparison.body) {
    const body: NonNullable<Divergence['body']> = { kind: comparison.body, paths: bodyPaths, truncated }
    if (comparison.decodeError) body.decodeError = comparison.decodeError
    if (comparison.digest) body.digest = comparison.digest
    divergence.body = body
  }
  const explainedCount = explained ? comparison.differences.filter((_, i) => isNoise(i)).length : 0
  if (explainedCount > 0) divergence.explained = explainedCount
  const onlyNoise =
    (!status || statusExplained) && headerNames.length === 0 && (comparison.body === undefined || bodyNoise)
  if (onlyNoise && (explainedCount > 0 || (status !== undefined && statusExplained)))
    divergence.noise_only = true
  // The fingerprint groups by what noise does not explain: noise never splits a group.
  const forPrint: Omit<Divergence, 'fingerprint'> = { ...divergence }
  if (forPrint.body && bodyNoise) delete forPrint.body
  return { ...divergence, fingerprint: fingerprint(route, forPrint, fingerprintPaths) }
}

/** `compare` then `toDivergence`, without noise: the divergence of two legs, or null when equal. */
export function divergenceOf(
  reference: LegResult,
  candidate: LegResult,
  rules: CompareRules,
): Divergence | null {
  const comparison = compare(reference, candidate, rules)
  return comparison === null ? null : toDivergence(comparison, rules.route, rules.maxPaths)
}
