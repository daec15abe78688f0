/**
 * Response body content: undoing `content-encoding`, recognising JSON media types, and the topic
 * representation of a body (`json` / `bytes` / null, the Rust miffy 1.0 format).
 */
import { isUtf8 } from 'node:buffer'
import zlib from 'node:zlib'
import type { BodyRepr, HeaderRepr } from './model.ts'

export type DecodeFailure = 'too_large' | 'corrupt' | 'unsupported_encoding'

export type DecodeResult = { ok: true; body: Buffer } | { ok: false; reason: DecodeFailure }

/**
 * More codings than this in one `content-encoding` is not a real server, it is an attempt to
 * multiply decompression work (each layer may expand up to the cap).
 */
const MAX_CODINGS = 4

/**
 * Undo the `content-encoding` of a captured body (RFC 9110 §8.4.1: codings are listed in the order
 * they were applied, so they are undone right to left).
 *
 * Supported: `gzip`, `x-gzip`, `br`, `deflate` (a zlib stream as RFC 9110 says, or the raw deflate
 * stream some servers send instead), `identity`. An empty body is returned as is whatever the
 * header says (HEAD, 204 and 304 responses keep their `content-encoding`).
 *
 * The decoded size is capped by `maxDecodedBytes`, enforced inside zlib (`maxOutputLength`) so a
 * decompression bomb never allocates more than the cap. The cap also applies to an identity body:
 * "decoded size" means the size of the body we would go on to parse.
 */
export function decodeBody(headers: HeaderRepr, body: Buffer, maxDecodedBytes: number): DecodeResult {
  const header = headers['content-encoding']
  if (header === undefined || body.length === 0) return capped(body, maxDecodedBytes)
  // A diverging pair is decoded for the comparison and again for the message: inflate once.
  const known = DECODED.get(body)
  if (known && known.header === header && known.max === maxDecodedBytes) return known.result
  const result = inflateAll(header, body, maxDecodedBytes)
  DECODED.set(body, { header, max: maxDecodedBytes, result })
  return result
}

/** Decoded bodies by the captured body they came from; an entry lives as long as that buffer. */
const DECODED = new WeakMap<Buffer, { header: string | string[]; max: number; result: DecodeResult }>()

function inflateAll(header: string | string[], body: Buffer, maxDecodedBytes: number): DecodeResult {
  const codings = parseCodings(header)
  if (codings === null) return { ok: false, reason: 'unsupported_encoding' }
  let current = body
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!
    if (coding === 'identity') continue
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'br' && coding !== 'deflate') {
      return { ok: false, reason: 'unsupported_encoding' }
    }
    try {
      current = inflate(coding, current, maxDecodedBytes)
    } catch (err) {
      // zlib reports a hit on maxOutputLength as a RangeError with this code; every other failure
      // (bad header, truncated stream, bad checksum, trailing garbage) is a corrupt body.
      const code = (err as { code?: unknown }).code
      return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'corrupt' }
    }
  }
  return capped(current, maxDecodedBytes)
}

function capped(body: Buffer, maxDecodedBytes: number): DecodeResult {
  return body.length > maxDecodedBytes ? { ok: false, reason: 'too_large' } : { ok: true, body }
}

/** Lower-cased coding names, or null when there are too many. Empty list items are dropped. */
function parseCodings(header: string | string[]): string[] | null {
  const joined = typeof header === 'string' ? header : header.join(',')
  const codings: string[] = []
  for (const item of joined.split(',')) {
    const coding = item.trim().toLowerCase()
    if (coding === '') continue
    codings.push(coding)
    if (codings.length > MAX_CODINGS) return null
  }
  return codings
}

function inflate(coding: string, input: Buffer, maxDecodedBytes: number): Buffer {
  if (input.length === 0) return input
  // maxOutputLength must be at least 1; a 0 cap is then enforced by `capped`.
  const options = { maxOutputLength: Math.max(1, maxDecodedBytes) }
  if (coding === 'br') return zlib.brotliDecompressSync(input, options)
  if (coding === 'deflate') {
    return hasZlibHeader(input) ? zlib.inflateSync(input, options) : zlib.inflateRawSync(input, options)
  }
  return zlib.gunzipSync(input, options)
}

/**
 * RFC 1950 §2.2: CM = 8 (deflate) in the low nibble of CMF, window ≤ 32 KiB, and CMF·256 + FLG a
 * multiple of 31. A raw deflate stream starting with bytes that pass this check would have to be
 * a stored/fixed block with an impossible header, so the test tells the two apart reliably.
 */
function hasZlibHeader(input: Buffer): boolean {
  if (input.length < 2) return false
  const cmf = input[0]!
  const flg = input[1]!
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0
}

/**
 * `application/json` or any `application/<x>+json` (RFC 6839 structured syntax suffix), with
 * optional parameters, case-insensitive. A repeated header uses its last value, as the Fetch
 * standard's "extract a MIME type" effectively does.
 */
const JSON_MEDIA_TYPE = /^[ \t]*application\/(?:[!#$%&'*+.^_`|~0-9a-z-]+\+)?json[ \t]*(?:;|$)/i

export function isJsonContentType(value: string | string[] | undefined): boolean {
  if (value === undefined) return false
  const last = typeof value === 'string' ? value : value[value.length - 1]
  return last !== undefined && JSON_MEDIA_TYPE.test(last)
}

/**
 * The topic representation of a decoded body: null when empty, `{ type: 'json', value }` when the
 * content type is JSON and the body is valid UTF-8 JSON, else `{ type: 'bytes', value: <base64> }`.
 *
 * Integers beyond ±2^53 are kept exact: they are carried as `JSON.rawJSON` values, so
 * `JSON.stringify` of the message writes the digits that were on the wire (serde_json in the Rust
 * miffy kept 64-bit integers exact too). Code that inspects `value` directly sees a frozen
 * `{ rawJSON: '…' }` object for those numbers. JSON nested deeper than {@link MAX_JSON_DEPTH} is
 * represented as bytes.
 */
export function toBodyRepr(headers: HeaderRepr, decodedBody: Buffer): BodyRepr {
  if (decodedBody.length === 0) return null
  if (isJsonContentType(headers['content-type'])) {
    const parsed = parseJsonBody(decodedBody, 'raw')
    if (parsed !== NOT_JSON && !deeperThan(parsed.value, MAX_JSON_DEPTH))
      return { type: 'json', value: parsed.value }
  }
  return { type: 'bytes', value: decodedBody.toString('base64') }
}

/**
 * JSON nested deeper than this is treated as bytes, by the representation and by the comparison.
 * It is serde_json's default recursion limit, so the Rust miffy drew the same line; it also keeps
 * `JSON.stringify` of the message (recursive in V8) and our own recursive walk clear of the stack
 * limit, which a 1 MiB body of `[[[[…` would otherwise reach.
 */
export const MAX_JSON_DEPTH = 128

function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (limit === 0) return true
  if (Array.isArray(value)) return value.some((item) => deeperThan(item, limit - 1))
  for (const key in value) if (deeperThan((value as Record<string, unknown>)[key], limit - 1)) return true
  return false
}

/** Returned by {@link parseJsonBody} when the body is not JSON. A constant, so failure allocates nothing. */
export const NOT_JSON: unique symbol = Symbol('not json')

export interface ParsedJson {
  value: unknown
  /** true when the value contains integers kept exact (bigint or rawJSON) */
  big: boolean
}

/**
 * Any integer literal that can be unsafe (above 2^53 − 1 = 9 007 199 254 740 991, 16 digits) is a
 * run of at least 16 digits in the text. Looking for such a run is much cheaper than a reviver, so
 * the exact (slow) parse is only paid by bodies that may need it. Digits inside strings give false
 * positives, which only cost speed.
 *
 * Any 16 consecutive offsets include one in every residue class mod 16, so probing one offset in
 * 16 finds every such run; a probe that lands on a digit measures its run and resumes after it.
 * About 5× faster than `/\d{16}/` on a 100 KiB body.
 */
const RUN = 16

export function hasLongDigitRun(text: string): boolean {
  const n = text.length
  for (let i = RUN - 1; i < n; i += RUN) {
    if (!isDigit(text.charCodeAt(i))) continue
    let start = i
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--
    let end = i + 1
    while (end < n && isDigit(text.charCodeAt(end))) end++
    if (end - start >= RUN) return true
    // the next probe lands at end - 1 + RUN: past this run, still one per residue class
    i = end - 1
  }
  return false
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/**
 * Parse a body as JSON: it must be valid UTF-8 (serde_json's rule too; without the check, invalid
 * bytes would become U+FFFD and two different bodies could parse equal).
 *
 * `bigints`: integer literals (no fraction, no exponent) outside the safe range become `bigint`
 * (`'bigint'`, for comparison) or `JSON.rawJSON` (`'raw'`, for serialisation) instead of a rounded
 * double. Other numbers stay IEEE-754 doubles.
 */
export function parseJsonBody(body: Buffer, bigints: 'bigint' | 'raw'): ParsedJson | typeof NOT_JSON {
  // A diverging pair is parsed for the comparison and again for the message: a result that does
  // not depend on `bigints` (not JSON, or no unsafe integer) is kept for the second time.
  const known = PARSED.get(body)
  if (known !== undefined) return known
  const result = parse(body, bigints)
  if (result === NOT_JSON || !result.big) PARSED.set(body, result)
  return result
}

/**
 * Parse results by body buffer; an entry lives as long as that buffer. The parsed value is shared
 * by the comparison and the message, which only read it.
 */
const PARSED = new WeakMap<Buffer, ParsedJson | typeof NOT_JSON>()

function parse(body: Buffer, bigints: 'bigint' | 'raw'): ParsedJson | typeof NOT_JSON {
  if (!isUtf8(body)) return NOT_JSON
  const text = body.toString('utf8')
  try {
    if (!hasLongDigitRun(text)) return { value: JSON.parse(text) as unknown, big: false }
    let big = false
    const value: unknown = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
      if (typeof value !== 'number' || Number.isSafeInteger(value)) return value
      const source = context?.source
      if (source === undefined || !isIntegerLiteral(source)) return value
      big = true
      return bigints === 'bigint' ? BigInt(source) : JSON.rawJSON(source)
    })
    return { value, big }
  } catch {
    return NOT_JSON
  }
}

function isIntegerLiteral(source: string): boolean {
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i)
    // '.', 'e', 'E'
    if (c === 0x2e || c === 0x65 || c === 0x45) return false
  }
  return true
}

declare global {
  interface JSON {
    /** ES2025 JSON.parse source text access; in V8 since 11.4, so in every Node ≥ 21. */
    rawJSON(text: string): { readonly rawJSON: string }
    isRawJSON(value: unknown): boolean
  }
}
