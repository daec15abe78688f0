/**
 * Text compared by lines and tokens (HTML, plain text, CSV, XML bodies; header values of several
 * words), so that a difference has a place that is the same from one response to the next, and
 * noise can be learned there: the CSRF token of a form, the generated-at line of an export. A
 * total that changed in the same page is another place, and stays a divergence.
 *
 * - Segments: lines, and in markup (a body that starts with `<`) also every tag, so a minified
 *   page is not one line. Compared trimmed; blank ones are left out (a template engine's
 *   whitespace is not behaviour).
 * - Tokens: runs of letters, digits and `_ . : + - @ % ~ #` (not starting with `:`); every other
 *   visible character is a token of its own. `2026-12-01T10:00:00Z` and `ord-123` are one token;
 *   a URL splits at `/ ? & =` into its parts.
 * - A segment's template keeps its structure and forgets its content: punctuation, the words
 *   inside a tag (names, attribute names and word values such as a class), and words used as
 *   keys (`total:`, `name=`, YAML's `consumers: 2`, `DTSTART:` split from its value) as they
 *   are, so that each key of a status page has places of its own and a stable value does not
 *   inherit a busy gauge's noise; other words as `w`, numbers as `n`. Changed segments are
 *   paired (equal templates first, then in order), then compared token by token; segments only
 *   on one side are `missing` / `added`.
 * - Before that, lines that moved are one `order` difference and leave the comparison
 *   (`movedLines`); in markup, attributes and namespace prefixes are written one way first
 *   (markup.ts).
 * - A token's place (the noise key) is its segment's template, the previous segment's template,
 *   and its position: every row of a CSV export, every item of a list, shares its places.
 * - Tokens that are the same float printed differently, or the same instant stamped a moment
 *   later (values.ts), are equal; so are URLs whose query parameters come in another order.
 */

import { canonicalMarkup } from './markup.ts'
import type { Difference } from './model.ts'
import type { CompareRules } from './rules.ts'
import { diffSequences } from './sequence.ts'
import { sameInstant, sameLongNumeral } from './values.ts'

export const TOKEN = /[\p{L}\p{N}_.+@%~#-][\p{L}\p{N}_.:+@%~#-]*|[^\s\p{L}\p{N}_.:+@%~#-]/gu
const WORD = /^[\p{L}_-]+$/u
/** A key written with its colon in one token (`consumers:` in YAML, `Uptime:` in a status page) */
const KEY_WITH_COLON = /^[\p{L}_][\p{L}\p{N}_.-]*:$/u
/** A name and its value glued by a colon in one token (`DTSTART:20241213T210000Z`) */
const PROPERTY = /^([\p{L}_][\p{L}\p{N}_-]*:)([^:].*)$/u

/**
 * `NAME:value` tokens (iCalendar's `DTSTART:20241213T210000Z`, `key:value` logs) as the name,
 * which is structure (each property has places of its own), and the value, compared as a value.
 */
function splitProperties(tokens: string[]): string[] {
  if (!tokens.some((t) => PROPERTY.test(t))) return tokens
  const out: string[] = []
  for (const t of tokens) {
    const m = PROPERTY.exec(t)
    if (m) out.push(m[1]!, m[2]!)
    else out.push(t)
  }
  return out
}
const NUMERAL = /^[-+]?\d+([.,]\d+)*%?$/
/** Segments with more tokens than this are keyed by the tokens before the one that differs. */
const TEMPLATE_TOKENS = 40
const CONTEXT = 6
/** More segment or token edits than this: the texts are reported as different as a whole. */
const MAX_EDITS = 4000

interface Segment {
  /** 1-based line number in the text */
  no: number
  tokens: string[]
  /** the tokens joined: what segments are compared by */
  text: string
  template: string
}

export interface TextComparison {
  differences: Difference[]
  truncated: boolean
}

type Sink = (d: Omit<Difference, 'area'>) => boolean

interface Context {
  rules: CompareRules
  clockWindowMs: number
  record: Sink
  /** `text` for bodies; `header <name>` for header values */
  keyPrefix: string
  /** what the display path starts with: '' for bodies, the header name for headers */
  displayPrefix: string
}

export function compareText(
  a: string,
  b: string,
  rules: CompareRules,
  clockWindowMs: number,
  limit: number,
): TextComparison {
  const out: TextComparison = { differences: [], truncated: false }
  const ctx: Context = {
    rules,
    clockWindowMs,
    record: collector(out, 'body', limit),
    keyPrefix: 'text',
    displayPrefix: '',
  }
  const markup = isMarkup(a) && isMarkup(b)
  let textA = mask(markup ? canonicalMarkup(a) : a, rules)
  let textB = mask(markup ? canonicalMarkup(b) : b, rules)
  const moved = movedLines(textA, textB)
  if (moved) {
    textA = moved.a
    textB = moved.b
    const recorded = ctx.record({
      path: `${ctx.displayPrefix}line ${moved.firstNo}`,
      key: `${ctx.keyPrefix} order`,
      change: 'order',
      reference: moved.firstText,
      candidate: `${moved.count} line${moved.count === 1 ? '' : 's'} in another order`,
      fingerprint: `o${ctx.keyPrefix} order`,
    })
    if (!recorded) return out
  }
  const segsA = segments(textA, markup)
  const segsB = segments(textB, markup)
  const runs = diffSequences(
    segsA.map((s) => s.text),
    segsB.map((s) => s.text),
    MAX_EDITS,
  )
  if (!runs) {
    ctx.record({
      path: 'text',
      key: 'text *',
      change: 'value',
      reference: a.length,
      candidate: b.length,
      fingerprint: '~text *',
    })
    return out
  }
  for (const run of runs) {
    if (run.op === 'equal') continue
    const removed = segsA.slice(run.i, run.i + run.n)
    const added = segsB.slice(run.j, run.j + run.m)
    if (!compareHunk(removed, added, segsA[run.i - 1], ctx)) break
  }
  return out
}

/**
 * Content tokens a line needs before its moving means anything: three, or two words on a line of
 * twelve characters or more (`depth: 25` and `status: ok` may recur by chance).
 */
const MOVED_MIN_TOKENS = 3

function distinctive(line: string): boolean {
  let n = 0
  let words = 0
  for (const t of line.match(TOKEN) ?? []) {
    if (!/[\p{L}\p{N}]/u.test(t)) continue
    if (++n >= MOVED_MIN_TOKENS) return true
    if (/\p{L}/u.test(t)) words++
  }
  // or two words on a line of some length (`- [Performance](#performance)`, a heading)
  return words >= 2 && line.length >= 12
}

/**
 * Lines that moved: the same line removed in one place and added in another (rows of an export
 * or of a table in another order, events of a calendar, entries of a status page listed from a
 * hash map). They are one `order` difference; they are blanked on both sides (line numbers
 * stay), and the rest is compared without them. A move is anchored on a distinctive line
 * (`distinctive`), and takes the identical lines around it along, past blank lines on both sides
 * (an event's fields, a heading and its entries); a short line alone (`depth: 25`) recurs by
 * chance. Rows that moved and changed, known by the id that starts them (`keyedRows`), are put
 * back in the reference's order instead, and compared row by row. Undefined when nothing moved.
 */
function movedLines(
  textA: string,
  textB: string,
): { a: string; b: string; count: number; firstNo: number; firstText: string } | undefined {
  const linesA = textA.split('\n')
  const linesB = textB.split('\n')
  const keyA = linesA.map((l) => l.trim())
  const keyB = linesB.map((l) => l.trim())
  const runs = diffSequences(keyA, keyB, MAX_EDITS)
  if (!runs) return undefined
  // the non-blank lines of changed runs, on each side
  const changedA = new Set<number>()
  const changedB = new Set<number>()
  const addedByText = new Map<string, number[]>()
  for (const run of runs) {
    if (run.op === 'equal') continue
    for (let k = 0; k < run.n; k++) if (keyA[run.i + k] !== '') changedA.add(run.i + k)
    for (let k = 0; k < run.m; k++) {
      const j = run.j + k
      if (keyB[j] === '') continue
      changedB.add(j)
      const list = addedByText.get(keyB[j]!)
      if (list) list.push(j)
      else addedByText.set(keyB[j]!, [j])
    }
  }
  if (addedByText.size === 0) return undefined
  const matchedA = new Map<number, number>()
  const keyed = keyedRows(keyA, keyB, changedA, changedB)
  const matchedB = new Set<number>()
  for (const i of changedA) {
    if (!distinctive(keyA[i]!)) continue
    const j = addedByText.get(keyA[i]!)?.find((x) => !matchedB.has(x))
    if (j === undefined) continue
    matchedA.set(i, j)
    matchedB.add(j)
  }
  if (matchedA.size === 0 && keyed.size === 0) return undefined
  for (const [i0, j0] of [...matchedA]) {
    for (const step of [-1, 1]) {
      for (let i = i0 + step, j = j0 + step; ; i += step, j += step) {
        // a blank line on both sides: the block goes on past it (a heading, then its entries)
        if (keyA[i] === '' && keyB[j] === '') continue
        if (!changedA.has(i) || !changedB.has(j) || matchedA.has(i) || matchedB.has(j)) break
        if (keyA[i] !== keyB[j]) break
        matchedA.set(i, j)
        matchedB.add(j)
      }
    }
  }
  let first = Number.POSITIVE_INFINITY
  for (const [i, j] of matchedA) {
    first = Math.min(first, i)
    linesA[i] = ''
    linesB[j] = ''
  }
  // rows that moved and changed (a fresh timestamp in each): the candidate's rows put back in
  // the reference's order, in the slots they hold, so that they compare row by row
  let moves = matchedA.size
  const rows = [...keyed].filter(([i, j]) => !matchedA.has(i) && !matchedB.has(j))
  const slots = rows.map(([, j]) => j).sort((x, y) => x - y)
  const inOrder = rows.sort((x, y) => x[0] - y[0])
  const taken = inOrder.map(([, j]) => linesB[j]!)
  inOrder.forEach(([i, j], k) => {
    if (slots[k] === j) return
    moves++
    first = Math.min(first, i)
    linesB[slots[k]!] = taken[k]!
  })
  if (moves === 0) return undefined
  return {
    a: linesA.join('\n'),
    b: linesB.join('\n'),
    count: moves,
    firstNo: first + 1,
    firstText: keyA[first]!,
  }
}

/** A line's key: its first token that reads as an id (`T-706259`, `SKU-3`, `4711`; not a `NAME:value` property). */
function rowKey(line: string): string | undefined {
  for (const t of line.match(TOKEN) ?? []) {
    if (t.length >= 3 && /\d/.test(t) && /^[\p{L}\p{N}_.#-]+$/u.test(t)) return t
    if (/[\p{L}\p{N}]/u.test(t)) return undefined
  }
  return undefined
}

/**
 * Changed lines of the two sides that share a key, when the key starts one line only on each
 * side: the same row, moved, perhaps changed. Index in A → index in B.
 */
function keyedRows(
  keyA: string[],
  keyB: string[],
  changedA: Set<number>,
  changedB: Set<number>,
): Map<number, number> {
  const index = (keys: string[], changed: Set<number>) => {
    const out = new Map<string, number>()
    const seen = new Set<string>()
    for (let i = 0; i < keys.length; i++) {
      const k = rowKey(keys[i]!)
      if (k === undefined) continue
      if (seen.has(k)) out.delete(k)
      else if (changed.has(i)) out.set(k, i)
      seen.add(k)
    }
    return out
  }
  const out = new Map<number, number>()
  const ia = index(keyA, changedA)
  if (ia.size === 0) return out
  const ib = index(keyB, changedB)
  for (const [k, i] of ia) {
    const j = ib.get(k)
    if (j !== undefined) out.set(i, j)
  }
  return out
}

/**
 * One header value of several words (`Content-Security-Policy`, `Link`), token by token, with
 * places keyed under `header <name>`.
 */
export function compareHeaderText(
  name: string,
  a: string,
  b: string,
  rules: CompareRules,
  clockWindowMs: number,
  push: (d: Difference) => boolean,
): boolean {
  let ok = true
  const ctx: Context = {
    rules,
    clockWindowMs,
    record: (d) => (ok = push({ area: 'header', ...d })),
    keyPrefix: `header ${name}`,
    displayPrefix: `${name} `,
  }
  const [sa] = segments(a, false)
  const [sb] = segments(b, false)
  if (!sa || !sb)
    return push({
      area: 'header',
      path: name,
      key: `header ${name}`,
      change: 'value',
      reference: a,
      candidate: b,
      fingerprint: `~${name}`,
    })
  compareSegment(sa, sb, undefined, ctx)
  return ok
}

function collector(out: TextComparison, area: Difference['area'], limit: number): Sink {
  return (d) => {
    if (out.differences.length >= limit) {
      out.truncated = true
      return false
    }
    out.differences.push({ area, ...d })
    return true
  }
}

/** Masks, then URL query parameters in one order (their order carries no meaning). */
function mask(text: string, rules: CompareRules): string {
  let t = text
  for (const m of rules.masks) t = t.replace(m, '\u2400')
  return t.includes('?') ? t.replace(URL_WITH_QUERY, sortQuery) : t
}

const URL_WITH_QUERY = /((?:https?:\/\/|\/)[^\s"'<>?]*)\?([^\s"'<>#]+)/g

function sortQuery(_url: string, base: string, query: string): string {
  const amp = query.includes('&amp;') ? '&amp;' : '&'
  return `${base}?${query.split(amp).sort().join(amp)}`
}

/** A changed run of segments: pair those of the same template, then in order; the rest are missing/added. */
function compareHunk(
  removed: Segment[],
  added: Segment[],
  before: Segment | undefined,
  ctx: Context,
): boolean {
  const runs = diffSequences(
    removed.map((l) => l.template),
    added.map((l) => l.template),
    MAX_EDITS,
  ) ?? [{ op: 'change' as const, i: 0, n: removed.length, j: 0, m: added.length }]
  for (const run of runs) {
    const prev = (k: number) => removed[run.i + k - 1] ?? before
    if (run.op === 'equal') {
      for (let k = 0; k < run.n; k++) {
        if (!compareSegment(removed[run.i + k]!, added[run.j + k]!, prev(k), ctx)) return false
      }
      continue
    }
    const pairs = Math.min(run.n, run.m)
    for (let k = 0; k < pairs; k++) {
      if (!compareSegment(removed[run.i + k]!, added[run.j + k]!, prev(k), ctx)) return false
    }
    const anchor = prev(pairs)
    const key = `${ctx.keyPrefix} line after ${anchor ? anchor.template : '^'}`
    /** a segment on one side only, placed after the last one both sides share */
    const alone = (s: Segment, change: 'missing' | 'added') =>
      ctx.record({
        path: `${ctx.displayPrefix}line ${s.no}`,
        key,
        change,
        reference: change === 'missing' ? s.text : undefined,
        candidate: change === 'added' ? s.text : undefined,
        fingerprint: `${change === 'missing' ? '-' : '+'}${key}`,
      })
    for (let k = pairs; k < run.n; k++) if (!alone(removed[run.i + k]!, 'missing')) return false
    for (let k = pairs; k < run.m; k++) if (!alone(added[run.j + k]!, 'added')) return false
  }
  return true
}

/** Two segments at the same place: tokens by position when the templates agree, else aligned. */
function compareSegment(a: Segment, b: Segment, before: Segment | undefined, ctx: Context): boolean {
  const same = (x: string, y: string) =>
    x === y || sameLongNumeral(x, y, ctx.rules.floatTolerance) || sameInstant(x, y, ctx.clockWindowMs)
  if (a.template === b.template) {
    for (let t = 0; t < a.tokens.length; t++) {
      const x = a.tokens[t]!
      const y = b.tokens[t]!
      if (same(x, y)) continue
      if (!token(a, before, t, 'value', x, y, ctx)) return false
    }
    return true
  }
  const runs = diffSequences(a.tokens, b.tokens, MAX_EDITS)
  if (!runs) return token(a, before, 0, 'value', a.text, b.text, ctx)
  for (const run of runs) {
    if (run.op === 'equal') continue
    const pairs = Math.min(run.n, run.m)
    for (let k = 0; k < pairs; k++) {
      const x = a.tokens[run.i + k]!
      const y = b.tokens[run.j + k]!
      if (same(x, y)) continue
      if (!token(a, before, run.i + k, 'value', x, y, ctx)) return false
    }
    for (let k = pairs; k < run.n; k++) {
      if (!token(a, before, run.i + k, 'missing', a.tokens[run.i + k], undefined, ctx)) return false
    }
    for (let k = pairs; k < run.m; k++) {
      if (!token(a, before, run.i + pairs, 'added', undefined, b.tokens[run.j + k], ctx)) return false
    }
  }
  return true
}

function token(
  segment: Segment,
  before: Segment | undefined,
  at: number,
  change: 'value' | 'missing' | 'added',
  reference: string | undefined,
  candidate: string | undefined,
  ctx: Context,
): boolean {
  const place =
    segment.tokens.length <= TEMPLATE_TOKENS
      ? `${before ? before.template : '^'} ⏎ ${segment.template} #${at}`
      : `…${templateOf(segment.tokens.slice(Math.max(0, at - CONTEXT), at))} #`
  const key = `${ctx.keyPrefix} ${place}`
  // what precedes the token, for people: the end of the previous segment when this one starts
  const preceding =
    at >= 4 || !before
      ? segment.tokens.slice(Math.max(0, at - 4), at)
      : [...before.tokens, ...segment.tokens.slice(0, at)].slice(-4)
  const shown = preceding.join('')
  return ctx.record({
    path: `${ctx.displayPrefix}line ${segment.no}${shown ? ` after ${JSON.stringify(shown)}` : ''}`,
    key,
    change,
    reference,
    candidate,
    fingerprint: `${change === 'missing' ? '-' : change === 'added' ? '+' : '~'}${key}`,
  })
}

/**
 * The template of some tokens: punctuation as it is; tag and attribute names inside `<…>`, and
 * words followed by `=` or `:` (keys), lower-cased; every other word `w`, every number `n`, any
 * other token (ids, mixed) `w`.
 */
function templateOf(tokens: readonly string[]): string {
  const out: string[] = []
  let inTag = false
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.length === 1 && !/[\p{L}\p{N}]/u.test(t)) {
      if (t === '<') inTag = true
      else if (t === '>') inTag = false
      out.push(t)
      continue
    }
    const next = tokens[i + 1]
    // inside a tag, words (tag, attribute names, class names) are structure, not content
    const structural = (WORD.test(t) && (inTag || next === '=' || next === ':')) || KEY_WITH_COLON.test(t)
    out.push(structural ? t.toLowerCase() : NUMERAL.test(t) ? 'n' : 'w')
  }
  return out.join(' ')
}

function isMarkup(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) continue
    return c === 0x3c /* < */
  }
  return false
}

function segments(text: string, markup: boolean): Segment[] {
  const out: Segment[] = []
  let no = 0
  for (const line of text.split('\n')) {
    no++
    // in markup, every tag and every text between tags is a segment of its own
    const pieces = markup ? line.split(/(?<=>)|(?=<)/) : [line]
    for (const piece of pieces) {
      const t = piece.trim()
      if (t === '') continue
      const tokens = splitProperties(t.match(TOKEN) ?? [])
      out.push({ no, tokens, text: tokens.join(' '), template: templateOf(tokens) })
    }
  }
  return out
}
