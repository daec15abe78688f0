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
  const delta = instantDelta(a, b)
  return delta !== undefined && delta <= windowMs + CLOCK_ROUNDING_MS
}

/**
 * How far apart two points in time are, ms: two instants (asInstant), or two relative times
 * (relativeTime: "5 minutes ago" and "2 hours ago" are 1 h 55 min apart). Undefined when either
 * is not a point in time, or one is absolute and the other relative.
 */
export function instantDelta(a: unknown, b: unknown): number | undefined {
  const ia = asInstant(a)
  if (ia !== undefined) {
    const ib = asInstant(b)
    return ib === undefined ? undefined : Math.abs(ia - ib)
  }
  const ra = relativeTime(a)
  if (ra === undefined) return undefined
  const rb = relativeTime(b)
  return rb === undefined ? undefined : Math.abs(ra.offsetMs - rb.offsetMs)
}

/** A relative time: how far from now, ms (negative in the past), and the unit it is rounded to. */
export interface RelativeTime {
  offsetMs: number
  unitMs: number
  /** the unit abbreviated (`5m ago`, `3 hrs ago`) */
  short: boolean
}

const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

const UNIT_MS: Readonly<Record<string, number>> = {
  second: SECOND_MS,
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 30 * DAY_MS,
  year: 365 * DAY_MS,
  s: SECOND_MS,
  sec: SECOND_MS,
  secs: SECOND_MS,
  m: MINUTE_MS,
  min: MINUTE_MS,
  mins: MINUTE_MS,
  h: HOUR_MS,
  hr: HOUR_MS,
  hrs: HOUR_MS,
  d: DAY_MS,
  w: 7 * DAY_MS,
  wk: 7 * DAY_MS,
  wks: 7 * DAY_MS,
  mo: 30 * DAY_MS,
  mos: 30 * DAY_MS,
  y: 365 * DAY_MS,
  yr: 365 * DAY_MS,
  yrs: 365 * DAY_MS,
}

/** `3 hours ago`, `an hour ago`, `in 2 days`, `one minute ago`. */
const RELATIVE_LONG = /^(?:(in) )?(a|an|one|\d{1,4}) (second|minute|hour|day|week|month|year)s?( ago)?$/
/** `5m ago`, `3 hrs ago`, `in 2d`. */
const RELATIVE_SHORT = /^(?:(in) )?(\d{1,4}) ?(s|secs?|m|mins?|h|hrs?|d|w|wks?|mos?|y|yrs?)( ago)?$/
/** Now, give or take the seconds nobody counted. */
const RELATIVE_NOW = new Set([
  'just now',
  'now',
  'right now',
  'moments ago',
  'a moment ago',
  'a few seconds ago',
])

/**
 * A human relative time, in English: `just now`, `42 seconds ago`, `an hour ago`, `in 3 days`,
 * `5m ago`, `3 hrs ago`, `yesterday` (a capital first letter allowed). Undefined otherwise.
 */
export function relativeTime(value: unknown): RelativeTime | undefined {
  if (typeof value !== 'string' || value.length < 3 || value.length > 24) return undefined
  const c0 = value.charCodeAt(0)
  const s = c0 >= 65 && c0 <= 90 ? value[0]!.toLowerCase() + value.slice(1) : value
  if (RELATIVE_NOW.has(s)) return { offsetMs: 0, unitMs: MINUTE_MS, short: false }
  if (s === 'yesterday' || s === 'tomorrow')
    return { offsetMs: s === 'yesterday' ? -DAY_MS : DAY_MS, unitMs: DAY_MS, short: false }
  const long = RELATIVE_LONG.exec(s)
  const m = long ?? RELATIVE_SHORT.exec(s)
  // exactly one of `in …` and `… ago`
  if (m === null || (m[1] === undefined) === (m[4] === undefined)) return undefined
  const count = m[2] === 'a' || m[2] === 'an' || m[2] === 'one' ? 1 : Number(m[2])
  const unitMs = UNIT_MS[m[3]!]!
  return { offsetMs: (m[1] === undefined ? -1 : 1) * count * unitMs, unitMs, short: long === null }
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
 *   cursors, signatures); from 20 characters on, one with letters of one case only is
 *   `token:A9` (upper case and digits: ULIDs, base32) or `token:a9` (lower case and digits):
 *   a lower-case ULID is not another ULID;
 * - `email`;
 * - `relative` for a human relative time (`3 hours ago`, `just now`, `in 2 days`),
 *   `relative:short` for its short form (`5m ago`), `Relative…` with a capital first letter:
 *   how far apart two of them are is for relativeTime to say;
 * - otherwise the characters' classes, runs collapsed: `a` lower, `A` upper, `9` digit, the
 *   rest as they are (`node-7` → `a-9`, `Blue Shirt` → `Aa Aa`), or `text` for prose (four
 *   spaces or more, or longer than 48 characters).
 */
export function stringClass(s: string): string {
  if (s.length === 0) return 'empty'
  if (MARKERS.has(s)) return `marker:${s}`
  if (s.length === 36) {
    // the nil UUID is a default left in place, not an id
    if (s === NIL_UUID) return 'marker:nil-uuid'
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
  if (TOKEN.test(s) && /[A-Za-z]/.test(s)) {
    const lower = /[a-z]/.test(s)
    const upper = /[A-Z]/.test(s)
    if (/\d/.test(s) || (lower && upper)) {
      // one case only: a format (ULIDs, base32 ids, lower-case base36 ids), unless the token
      // is short enough for a random mixed-case one to have missed a case by chance
      // base64 padding (`==`) is part of the format: a token that lost it is another encoding
      if (s.length < TOKEN_CASE_LENGTH || (lower && upper)) return s.endsWith('=') ? 'token=' : 'token'
      return upper ? 'token:A9' : 'token:a9'
    }
  }
  if (EMAIL.test(s)) return 'email'
  const r = relativeTime(s)
  if (r !== undefined) {
    const cls = r.short ? 'relative:short' : 'relative'
    return c0 >= 65 && c0 <= 90 ? `R${cls.slice(1)}` : cls
  }
  return shape(s)
}

/**
 * From this length on, a token of letters of one case and digits is of a one-case format: a
 * random mixed-case token (base62, base64) of 20 characters lacks one of the cases about once
 * in 30 000 to 50 000 draws; one of 16, once in 5 000.
 */
const TOKEN_CASE_LENGTH = 20
const NIL_UUID = '00000000-0000-0000-0000-000000000000'

/** Classes with a name of their own (not a shape): they have no coarser form. */
const NAMED_CLASS =
  /^(?:empty|marker:|uuid$|UUID$|datetime:|httpdate$|int$|decimal:|hex:|HEX:|token=?$|token:|email$|[rR]elative|text$)/

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
  // a place that showed tokens of two cases (or cases mixed) takes a token of any case
  if (cls.startsWith('token:') || cls === 'token=') return 'token'
  if (NAMED_CLASS.test(cls)) return cls
  return cls.replace(/\{uuid\}|\{hex\}|\{an\}|Aa|A\+|aA|[a9A]/g, 'w')
}

/** Whether a class names a value that means a bug (see MARKERS), or nothing at all. */
export function isSuspectClass(cls: string): boolean {
  return cls === 'empty' || cls.startsWith('marker:')
}
