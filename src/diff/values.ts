/**
 * What a single value looks like, for comparison by meaning and for noise: numbers equal within
 * a tolerance, the shape class of a string (a UUID, a timestamp of a given format, a hex digest,
 * an opaque token, "Aa Aa" text...), and whether a value reads as a point in time.
 *
 * Shape classes are how noise learning tells "another random value of the same kind" from "a
 * different kind of value": a request id that is another UUID is noise; a request id that became
 * "" or "undefined", or a timestamp that lost its time zone, is not.
 */

/** JSON type names, with bigints (exact unsafe integers) as numbers. */
export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object'

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null'
  const t = typeof value
  if (t === 'number' || t === 'bigint') return 'number'
  if (t === 'string') return 'string'
  if (t === 'boolean') return 'boolean'
  if (Array.isArray(value)) return 'array'
  // JSON.rawJSON values (exact integers kept for the message) are numbers too
  if (t === 'object' && JSON.isRawJSON(value)) return 'number'
  return 'object'
}

// ---------------------------------------------------------------------------------------------
// Numbers

export interface NumberTolerance {
  /** allowed absolute difference, if set */
  absolute?: number
  /** allowed difference as a fraction of the larger magnitude, if set */
  relative?: number
}

/**
 * Below this, two non-integers are equal whatever the relative tolerance says: a sum that should
 * be 0 and came out as 5.55e-17 in another order is 0.
 */
const FLOAT_FLOOR = 1e-12

/**
 * Numbers equal by meaning. Integers (and bigints, which are exact unsafe integers) compare
 * exactly, unless a path tolerance applies. When either is a non-integer, they are equal within
 * `floatTolerance` relative (the last digits of floating point arithmetic) or a path tolerance.
 */
export function sameNumber(
  a: number | bigint,
  b: number | bigint,
  floatTolerance: number,
  path: NumberTolerance | undefined,
): boolean {
  if (a === b) return true
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (typeof a === 'bigint' && typeof b === 'bigint')
      return path ? within(Number(a), Number(b), path) : false
    const big = (typeof a === 'bigint' ? a : b) as bigint
    const other = (typeof a === 'bigint' ? b : a) as number
    if (Number.isInteger(other) && BigInt(other) === big) return true
    return path ? within(Number(a), Number(b), path) : false
  }
  if (path && within(a, b, path)) return true
  if (Number.isInteger(a) && Number.isInteger(b)) return false
  return floatsClose(a, b, floatTolerance)
}

export function floatsClose(a: number, b: number, relative: number): boolean {
  if (relative === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return false
  const d = Math.abs(a - b)
  return d <= FLOAT_FLOOR || d <= relative * Math.max(Math.abs(a), Math.abs(b))
}

function within(a: number, b: number, t: NumberTolerance): boolean {
  const d = Math.abs(a - b)
  if (t.absolute !== undefined && d <= t.absolute) return true
  if (t.relative !== undefined && d <= t.relative * Math.max(Math.abs(a), Math.abs(b))) return true
  return false
}

/** A decimal numeral as text: `-12`, `0.30000000000000004`, `1.5e-7`. */
const NUMERAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/

/**
 * Two numerals written as text (a JSON string, a token of a text body) that are the same number
 * up to floating point noise. Only numerals printed with 15 or more significant digits qualify:
 * that many digits is a double printed in full, not a figure someone formatted ("12.50" vs
 * "12.5" is a formatting change and stays a difference).
 */
export function sameLongNumeral(a: string, b: string, floatTolerance: number): boolean {
  if (floatTolerance === 0 || !NUMERAL.test(a) || !NUMERAL.test(b)) return false
  if (significantDigits(a) < 15 && significantDigits(b) < 15) return false
  return floatsClose(Number(a), Number(b), floatTolerance)
}

function significantDigits(numeral: string): number {
  const mantissa = numeral
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
  return mantissa.replace(/^0+/, '').length
}

/**
 * The number a value stands for: a JSON number (bigints and exact rawJSON integers included), or
 * a string that is a plain decimal numeral (`"4963"` in a header, a token of a text body).
 */
export function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'string') return NUMERAL.test(v) && v.length <= 32 ? Number(v) : undefined
  if (typeof v === 'object' && v !== null && JSON.isRawJSON(v))
    return Number((v as { rawJSON: string }).rawJSON)
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Time

/** 2000-01-01 and 2100-01-01 in epoch seconds: a number between them may be a timestamp. */
const EPOCH_MIN_S = 946_684_800
const EPOCH_MAX_S = 4_102_444_800

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/

/**
 * Milliseconds since the epoch when `value` reads as a point in time: an ISO-8601 date or date
 * time, an HTTP date, or a number of seconds, milliseconds or microseconds since the epoch
 * between 2000 and 2100. Undefined otherwise.
 */
export function asInstant(value: unknown): number | undefined {
  const unit = epochUnit(value)
  if (unit !== undefined) return numericValue(value)! * unit
  if (typeof value !== 'string' || value.length < 10 || value.length > 40) return undefined
  if (ISO_DATE_TIME.test(value) || HTTP_DATE.test(value)) {
    const ms = Date.parse(value)
    return Number.isNaN(ms) ? undefined : ms
  }
  return undefined
}

/** Milliseconds per unit when `value` is a number (or numeral) of epoch s, ms or µs; else undefined. */
function epochUnit(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? numericValue(value) : undefined
  if (n === undefined || !Number.isFinite(n) || n <= 0) return undefined
  if (n >= EPOCH_MIN_S && n <= EPOCH_MAX_S) return 1000
  if (n >= EPOCH_MIN_S * 1e3 && n <= EPOCH_MAX_S * 1e3) return 1
  if (n >= EPOCH_MIN_S * 1e6 && n <= EPOCH_MAX_S * 1e6) return 1e-3
  return undefined
}

/** A second: timestamps printed to the second tick over between two calls. */
export const CLOCK_ROUNDING_MS = 1000

/**
 * Two points in time written the same way (the same unit, or the same string format) that are
 * no further apart than two calls of the same request could be (`windowMs`, the longer call's
 * duration) plus a second of rounding: "now", stamped twice. Equal by meaning: a service that
 * stamps its answers does not regress because the candidate answered a millisecond later.
 */
export function sameInstant(a: unknown, b: unknown, windowMs: number): boolean {
  const ua = epochUnit(a)
  if (ua !== undefined) {
    if (ua !== epochUnit(b)) return false
  } else if (typeof a !== 'string' || typeof b !== 'string' || stringClass(a) !== stringClass(b)) {
    return false
  }
  const ia = asInstant(a)
  const ib = asInstant(b)
  return ia !== undefined && ib !== undefined && Math.abs(ia - ib) <= windowMs + CLOCK_ROUNDING_MS
}

/** True for a date without a time of day (`2026-12-01`): it moves a whole day at midnight. */
export function isDateOnly(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
}

// ---------------------------------------------------------------------------------------------
// String shapes

/**
 * Values that mean a bug when they appear where a real value was: they are their own class,
 * so noise that showed other strings at a path never explains them.
 */
const MARKERS = new Set([
  'null',
  'undefined',
  'NaN',
  'nan',
  '[object Object]',
  'None',
  'nil',
  'Infinity',
  '-Infinity',
])

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const UUID_UPPER = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/
const HEX = /^[0-9a-f]+$/
const HEX_UPPER = /^[0-9A-F]+$/
const INTEGER = /^-?\d+$/
const DECIMAL = /^-?\d+\.(\d+)$/
const TOKEN = /^[A-Za-z0-9+/_-]{16,}={0,2}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * The shape class of a string. Two strings of the same class are "the same kind of value":
 *
 * - `empty`; `marker:<value>` for `null`, `undefined`, `NaN`, `[object Object]` and the like;
 * - `uuid` / `UUID` (case is part of the format);
 * - `datetime:<skeleton>`: ISO-8601 with its digits as 9 and fraction length as `+`
 *   (`datetime:9999-99-99T99:99:99.9+Z`): a change of precision is not a change of format, a
 *   lost time zone or a date-only value is;
 * - `httpdate`;
 * - `int`, `decimal:<fraction digits>` (`12.50` and `12.5` differ), `decimal:long` for 15+
 *   fraction digits (a double printed in full);
 * - `hex:<length>` / `HEX:<length>` for 8 or more hex digits (digests, ids);
 * - `token` for 16 or more base64/base64url characters with digits or both cases (opaque ids,
 *   cursors, signatures);
 * - `email`;
 * - otherwise the characters' classes, runs collapsed: `a` lower, `A` upper, `9` digit, the
 *   rest as they are (`node-7` → `a-9`, `Blue Shirt` → `Aa Aa`), or `text` for prose (four
 *   spaces or more, or longer than 48 characters).
 */
export function stringClass(s: string): string {
  if (s.length === 0) return 'empty'
  if (MARKERS.has(s)) return `marker:${s}`
  if (s.length === 36) {
    if (UUID.test(s)) return 'uuid'
    if (UUID_UPPER.test(s)) return 'UUID'
  }
  const c0 = s.charCodeAt(0)
  const startsWithDigit = c0 >= 48 && c0 <= 57
  if (startsWithDigit || c0 === 45 /* - */) {
    if (INTEGER.test(s)) return 'int'
    const d = DECIMAL.exec(s)
    if (d) return d[1]!.length >= 15 ? 'decimal:long' : `decimal:${d[1]!.length}`
  }
  if (startsWithDigit && ISO_DATE_TIME.test(s)) {
    return `datetime:${s.replace(/\d/g, '9').replace(/([.,])9+/, '$1+')}`
  }
  if (HTTP_DATE.test(s)) return 'httpdate'
  if (s.length >= 8) {
    if (HEX.test(s)) return `hex:${s.length}`
    if (HEX_UPPER.test(s)) return `HEX:${s.length}`
  }
  // random base64: digits, or both cases (a 22-character token without a digit is not rare)
  if (TOKEN.test(s) && /[A-Za-z]/.test(s) && (/\d/.test(s) || (/[a-z]/.test(s) && /[A-Z]/.test(s))))
    return 'token'
  if (EMAIL.test(s)) return 'email'
  return shape(s)
}

/** Classes with a name of their own (not a shape): they have no coarser form. */
const NAMED_CLASS =
  /^(?:empty|marker:|uuid$|UUID$|datetime:|httpdate$|int$|decimal:|hex:|HEX:|token$|email$|text$)/

const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const ALNUM_RUN = /[\p{L}\p{N}]+/gu

/**
 * The shape of any other string: UUIDs inside it as `{uuid}`, then each run of letters and
 * digits by its kind (`{hex}` six or more hex digits, `9` digits, `a` lower, `A` upper, `Aa`
 * capitalised, `{an}` letters and digits mixed, as random ids are), everything else as it is. So
 * `shop-api-7d9f8c6b5-x2k4q` → `a-a-{hex}-{an}`, `Blue Shirt` → `Aa Aa`, `node-7` → `a-9`.
 * Prose (four spaces or more) is `text`.
 */
function shape(s: string): string {
  let spaces = 0
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 32) spaces++
  if (spaces >= 4) return 'text'
  const out = s
    .replace(UUID_ANYWHERE, '\uE000')
    .replace(ALNUM_RUN, run)
    .replace(/\uE000/g, '{uuid}')
  return out.length > 64 ? `${out.slice(0, 64)}…` : out
}

function run(r: string): string {
  // six or more hex digits are a random id whether or not a letter happened to come up
  if (r.length >= 6 && /^[0-9a-f]+$/i.test(r)) return '{hex}'
  if (/^\p{N}+$/u.test(r)) return '9'
  if (/^\p{Ll}+$/u.test(r)) return 'a'
  if (/^\p{Lu}+$/u.test(r)) return r.length === 1 ? 'A' : 'A+'
  if (/^\p{Lu}\p{Ll}+$/u.test(r)) return 'Aa'
  if (/\p{N}/u.test(r)) return '{an}'
  // letters of both cases, no digits: camelCase words, or a random base62 id without digits
  return r.length >= 12 ? '{an}' : 'aA'
}

/**
 * A coarser shape: every run of letters and digits as `w`. Two strings with the same coarse
 * shape have the same separators in the same places (`a-a-{hex}-{an}` and `a-a-{hex}-a`).
 */
export function coarseClass(cls: string): string {
  if (NAMED_CLASS.test(cls)) return cls
  return cls.replace(/\{uuid\}|\{hex\}|\{an\}|Aa|A\+|aA|[a9A]/g, 'w')
}

/** Whether a class names a value that means a bug (see MARKERS), or nothing at all. */
export function isSuspectClass(cls: string): boolean {
  return cls === 'empty' || cls.startsWith('marker:')
}
