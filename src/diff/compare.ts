/**
 * Comparison of two responses (the reference and the candidate, or the reference and the
 * secondary when learning noise): status, headers by meaning (headers.ts), and bodies by meaning:
 * JSON by value (walk.ts), text by lines and tokens (text.ts), anything else byte for byte, and
 * bodies over `max_body_bytes` by their streamed digest.
 *
 * `compare` finds every difference; `toDivergence` turns them, with what noise explains, into
 * the structured divergence that is published. Runs for every mirrored request, so the common
 * case (both legs answered the same bytes and headers) returns before decoding or parsing
 * anything and allocates nothing.
 */
import { hash } from 'node:crypto'
import { type DecodeFailure, decodeBody, isJsonContentType, NOT_JSON, parseJsonBody } from './content.ts'
import { fingerprint } from './fingerprint.ts'
import { compareHeaders } from './headers.ts'
import { ABSENT, type Difference, type Divergence, type JsonPathDifference, type LegResult } from './model.ts'
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
 *   `decodeError`. Byte-equal decoded bodies are equal. When both parse as JSON (and one says
 *   so in its content type), by value; when both are text, by lines and tokens; else a `bytes`
 *   difference.
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
  if (ref.body.equals(cand.body)) return undefined
  const typeA = reference.headers['content-type']
  const typeB = candidate.headers['content-type']
  if (isJsonContentType(typeA) || isJsonContentType(typeB)) {
    const a = parseJsonBody(ref.body, 'bigint')
    const b = parseJsonBody(cand.body, 'bigint')
    if (a !== NOT_JSON && b !== NOT_JSON) {
      const walk = new Walk(
        { rules, area: 'body', orderNoise: hints.order, limit, clockWindowMs },
        { display: '$', key: 'json $', fingerprint: '$' },
      )
      const go = walk.run(a.value, b.value, rules.root)
      if (go !== TOO_DEEP) {
        if (walk.differences.length === 0 && !walk.truncated) return undefined
        return { kind: 'json', differences: walk.differences, truncated: walk.truncated }
      }
    }
  }
  const textA = asText(typeA, ref.body)
  const textB = textA === undefined ? undefined : asText(typeB, cand.body)
  if (textA !== undefined && textB !== undefined) {
    const text = compareText(textA, textB, rules, clockWindowMs, limit)
    if (text.differences.length === 0 && !text.truncated) return undefined
    return { kind: 'text', differences: text.differences, truncated: text.truncated }
  }
  return { kind: 'bytes', differences: [wholeBody('bytes')], truncated: false }
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
 * When every difference is explained (and no status or leg differs), `noise_only` is set.
 */
export function toDivergence(
  comparison: Comparison,
  route: string,
  maxPaths: number,
  explained?: readonly boolean[],
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
    else if (comparison.body === 'json' || comparison.body === 'text') bodyPaths.push(shownDifference)
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
  const onlyNoise = !status && headerNames.length === 0 && (comparison.body === undefined || bodyNoise)
  if (onlyNoise && explainedCount > 0) divergence.noise_only = true
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
