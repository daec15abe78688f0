/**
 * The structural comparison of two JSON values (and of structured strings: URLs, JWTs, JSON in
 * strings), producing `Difference`s with a concrete path, a generalised noise key and a
 * fingerprint line. Used for JSON bodies, and for header values that hold URLs.
 *
 * - Objects: by member name, in any order; a member on one side only is `missing`/`added`.
 * - Numbers: by value (values.ts `sameNumber`): integers exactly, non-integers within
 *   `float_tolerance`, a path's `tolerance` where one applies.
 * - Arrays: by position, unless a rule says `unordered` or `match_by`, or noise has shown the
 *   order to vary (then as multisets, elements paired by a key member or by likeness). When
 *   arrays differ by position, a permutation is reported as one `order` difference, and arrays
 *   of objects whose elements share an id member are paired by it before comparing.
 * - Strings: equal, or equal once `text_masks` are applied, or the same long float numeral; a
 *   URL, JWT or JSON string is compared part by part; anything else is a `value` difference.
 */
import { MAX_JSON_DEPTH } from './content.ts'
import { escapeName } from './json-path.ts'
import { ABSENT, type Change, type Difference } from './model.ts'
import type { CompareRules, RuleCursor } from './rules.ts'
import { structure } from './structured-string.ts'
import { jsonType, sameInstant, sameLongNumeral, sameNumber } from './values.ts'

export interface WalkOptions {
  rules: CompareRules
  area: 'body' | 'header'
  /** arrays (by key) whose order the learned noise has shown to vary */
  orderNoise: (key: string) => boolean
  /** collect at most this many differences, then stop (`truncated`) */
  limit: number
  /** how far apart in time the two calls could be, ms (values.ts sameInstant) */
  clockWindowMs: number
}

/** Where a walk starts: `$` for a body; a header's name. */
export interface Origin {
  display: string
  key: string
  fingerprint: string
}

/** Returned by the walk when the documents nest deeper than MAX_JSON_DEPTH. */
export const TOO_DEEP: unique symbol = Symbol('too deep')
type Go = boolean | typeof TOO_DEEP

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Member names that are ids or dates (`{"u_1234": …}`, `{"2026-12-01": …}`): generalised in keys. */
const ID_LIKE =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=[0-9a-f]*\d)[0-9a-f]{8,}|[A-Za-z]{0,6}[_:-]?\d{3,}|\d{4}-\d{2}-\d{2}.*|[0-9A-HJKMNP-TV-Z]{26})$/i
/** A generated member name: 16 or more characters of a random token, with a digit and both cases. */
const TOKEN_NAME = /^(?=[\w-]*\d)(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[\w-]{16,}$/

function isIdName(name: string): boolean {
  return ID_LIKE.test(name) || TOKEN_NAME.test(name)
}

/** Arrays longer than this are compared by position only (pairing is quadratic). */
const MAX_PAIRING = 500

export class Walk {
  readonly differences: Difference[] = []
  truncated = false
  readonly #o: WalkOptions
  readonly #origin: Origin
  readonly #display: string[] = []
  readonly #key: string[] = []
  readonly #fp: string[] = []

  constructor(options: WalkOptions, origin: Origin) {
    this.#o = options
    this.#origin = origin
  }

  /** Compares two values at the origin; TOO_DEEP when they nest too deep to compare by value. */
  run(a: unknown, b: unknown, cursor: RuleCursor): Go {
    if (cursor.ignored) return true
    return this.#value(a, b, cursor, 0)
  }

  /** Compares two strings at the origin (header values). */
  runStrings(a: string, b: string, cursor: RuleCursor): Go {
    return this.#string(a, b, cursor, 0)
  }

  // -------------------------------------------------------------------------------------------

  #value(a: unknown, b: unknown, cursor: RuleCursor, depth: number): Go {
    if (a === b) return true
    const ta = jsonType(a)
    const tb = jsonType(b)
    if (ta !== tb) return this.#record('type', a, b)
    switch (ta) {
      case 'object':
        if (depth >= MAX_JSON_DEPTH) return TOO_DEEP
        return this.#object(a as Record<string, unknown>, b as Record<string, unknown>, cursor, depth + 1)
      case 'array':
        if (depth >= MAX_JSON_DEPTH) return TOO_DEEP
        return this.#array(a as unknown[], b as unknown[], cursor, depth + 1)
      case 'number':
        if (sameNumber(numeric(a), numeric(b), this.#o.rules.floatTolerance, cursor.tolerance)) return true
        if (sameInstant(numeric(a), numeric(b), this.#o.clockWindowMs)) return true
        return this.#record('value', a, b)
      case 'string':
        return this.#string(a as string, b as string, cursor, depth)
      default:
        return this.#record('value', a, b)
    }
  }

  #object(a: Record<string, unknown>, b: Record<string, unknown>, cursor: RuleCursor, depth: number): Go {
    // Members named by ids (`{"jobs": {"<uuid>": {…}}}`) whose names differ between the two sides
    // are set aside and paired by content below (#renamedMembers).
    let onlyA: string[] | undefined
    // for…in over JSON.parse output: own enumerable keys only, without allocating a key array.
    for (const name in a) {
      const child = cursor.step(name)
      if (child.ignored) continue
      if (!Object.hasOwn(b, name) && isIdName(name)) {
        if (onlyA === undefined) onlyA = [name]
        else onlyA.push(name)
        continue
      }
      this.#push(name)
      const go = Object.hasOwn(b, name)
        ? this.#value(a[name], b[name], child, depth)
        : this.#record('missing', a[name], ABSENT)
      this.#pop()
      if (go !== true) return go
    }
    let onlyB: string[] | undefined
    for (const name in b) {
      if (Object.hasOwn(a, name)) continue
      if (cursor.step(name).ignored) continue
      if (onlyA !== undefined && isIdName(name)) {
        if (onlyB === undefined) onlyB = [name]
        else onlyB.push(name)
        continue
      }
      this.#push(name)
      const go = this.#record('added', ABSENT, b[name])
      this.#pop()
      if (go !== true) return go
    }
    if (onlyA === undefined) return true
    return this.#renamedMembers(a, b, onlyA, onlyB ?? [], cursor, depth)
  }

  /**
   * A map keyed by generated ids (job ids, session ids) names the same entries differently on
   * two nodes. Its entries are then compared as a collection: paired by content like an
   * unordered array's elements, the member count a `length` difference when it differs, and an
   * entry without a partner `missing` or `added`; a paired entry's name is a `value` difference
   * at `<name>`. A lost entry is thus a count the noise never showed changing, not one random
   * name among others; a renamed entry is noise only where the noise showed names changing.
   */
  #renamedMembers(
    a: Record<string, unknown>,
    b: Record<string, unknown>,
    onlyA: string[],
    onlyB: string[],
    cursor: RuleCursor,
    depth: number,
  ): Go {
    if (onlyA.length !== onlyB.length) {
      const go = this.#record('length', Object.keys(a).length, Object.keys(b).length)
      if (go !== true) return go
    }
    const valuesA = onlyA.map((n) => a[n])
    const valuesB = onlyB.map((n) => b[n])
    const pairing =
      onlyA.length <= MAX_PAIRING && onlyB.length <= MAX_PAIRING
        ? pairAny(valuesA, valuesB)
        : { pairs: [], onlyA: [...valuesA.keys()], onlyB: [...valuesB.keys()], reordered: false }
    for (const [i, j] of pairing.pairs) {
      this.#push(onlyA[i]!)
      // the name itself is a difference too, which the noise explains where it showed names of
      // that kind changing (another UUID), and does not where it did not (`u_1001` for `u_1002`)
      this.#part('<name>')
      let go: Go = this.#record('value', onlyA[i], onlyB[j])
      this.#pop()
      if (go === true) go = this.#value(valuesA[i], valuesB[j], cursor.step(onlyA[i]!), depth)
      this.#pop()
      if (go !== true) return go
    }
    for (const i of pairing.onlyA) {
      this.#push(onlyA[i]!)
      const go = this.#record('missing', valuesA[i], ABSENT)
      this.#pop()
      if (go !== true) return go
    }
    for (const j of pairing.onlyB) {
      this.#push(onlyB[j]!)
      const go = this.#record('added', ABSENT, valuesB[j])
      this.#pop()
      if (go !== true) return go
    }
    return true
  }

  #array(a: unknown[], b: unknown[], cursor: RuleCursor, depth: number): Go {
    const field = cursor.matchBy
    if (field !== undefined) return this.#paired(a, b, cursor, depth, pairByField(a, b, field), false)
    if (cursor.unordered || this.#o.orderNoise(this.#currentKey())) {
      if (sameMultiset(a, b)) return cursor.unordered ? true : this.#record('order', a, b)
      const pairs = a.length <= MAX_PAIRING && b.length <= MAX_PAIRING ? pairAny(a, b) : undefined
      if (pairs) return this.#paired(a, b, cursor, depth, pairs, false)
    }
    // By position, tentatively: a permutation, or elements paired by an id, read better.
    const mark = this.differences.length
    const truncatedBefore = this.truncated
    const positional = this.#positional(a, b, cursor, depth)
    if (positional === TOO_DEEP || this.differences.length === mark) {
      if (positional !== true || a.length === b.length) return positional
      return this.#extra(a, b, cursor)
    }
    if (a.length <= MAX_PAIRING && b.length <= MAX_PAIRING) {
      if (a.length === b.length && sameMultiset(a, b)) {
        this.#rollback(mark, truncatedBefore)
        return this.#record('order', a, b)
      }
      const pairs = pairById(a, b) ?? pairByHead(a, b)
      // reordered, or shifted (a list whose window slid: the same items at other indices)
      if (pairs && (pairs.reordered || a.length !== b.length || pairs.pairs.some(([i, j]) => i !== j))) {
        this.#rollback(mark, truncatedBefore)
        return this.#paired(a, b, cursor, depth, pairs, pairs.reordered)
      }
    }
    if (positional !== true) return positional
    return a.length === b.length ? true : this.#extra(a, b, cursor)
  }

  /** Arrays of different lengths: the lengths, then each element past the shorter one. */
  #extra(a: unknown[], b: unknown[], cursor: RuleCursor): Go {
    let go: Go = this.#record('length', a.length, b.length)
    const longer = a.length > b.length ? a : b
    for (let i = Math.min(a.length, b.length); i < longer.length && go === true; i++) {
      if (cursor.step(i).ignored) continue
      this.#pushIndex(i)
      go = longer === a ? this.#record('missing', a[i], ABSENT) : this.#record('added', ABSENT, b[i])
      this.#pop()
    }
    return go
  }

  #positional(a: unknown[], b: unknown[], cursor: RuleCursor, depth: number): Go {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) {
      const child = cursor.step(i)
      if (child.ignored) continue
      this.#pushIndex(i)
      const go = this.#value(a[i], b[i], child, depth)
      this.#pop()
      if (go !== true) return go
    }
    return true
  }

  /**
   * Compares paired elements; unpaired ones are `missing`/`added`, and the arrays' lengths a
   * `length` difference when they differ; `order` when asked.
   */
  #paired(a: unknown[], b: unknown[], cursor: RuleCursor, depth: number, pairs: Pairing, order: boolean): Go {
    if (order) {
      const go = this.#record('order', a, b)
      if (go !== true) return go
    }
    if (a.length !== b.length) {
      const go = this.#record('length', a.length, b.length)
      if (go !== true) return go
    }
    for (const [i, j] of pairs.pairs) {
      const child = cursor.step(i)
      if (child.ignored) continue
      this.#pushIndex(i)
      const go = this.#value(a[i], b[j], child, depth)
      this.#pop()
      if (go !== true) return go
    }
    for (const i of pairs.onlyA) {
      if (cursor.step(i).ignored) continue
      this.#pushIndex(i)
      const go = this.#record('missing', a[i], ABSENT)
      this.#pop()
      if (go !== true) return go
    }
    for (const j of pairs.onlyB) {
      if (cursor.step(j).ignored) continue
      this.#pushIndex(j)
      const go = this.#record('added', ABSENT, b[j])
      this.#pop()
      if (go !== true) return go
    }
    return true
  }

  #string(a: string, b: string, cursor: RuleCursor, depth: number): Go {
    if (a === b) return true
    const rules = this.#o.rules
    if (rules.masks.length > 0 && mask(a, rules.masks) === mask(b, rules.masks)) return true
    if (sameLongNumeral(a, b, rules.floatTolerance)) return true
    if (sameInstant(a, b, this.#o.clockWindowMs)) return true
    if (sameWords(a, b)) return this.#record('order', a, b)
    if (depth < MAX_JSON_DEPTH) {
      const sa = structure(a)
      if (sa) {
        const sb = structure(b)
        if (sb && sb.kind === sa.kind) return this.#structured(sa, sb, cursor, depth + 1)
      }
    }
    return this.#record('value', a, b)
  }

  #structured(
    a: NonNullable<ReturnType<typeof structure>>,
    b: NonNullable<ReturnType<typeof structure>>,
    cursor: RuleCursor,
    depth: number,
  ): Go {
    if (a.kind === 'fields' && b.kind === 'fields' && a.label === b.label) {
      this.#part(a.label)
      const go = this.#value(a.value, b.value, cursor, depth)
      this.#pop()
      return go
    }
    if ((a.kind === 'json' && b.kind === 'json') || (a.kind === 'b64json' && b.kind === 'b64json')) {
      this.#part(a.kind === 'json' ? '<json>' : '<base64>')
      const go = this.#value(a.value, b.value, cursor, depth)
      this.#pop()
      return go
    }
    if (a.kind === 'jwt' && b.kind === 'jwt') {
      this.#part('<jwt>')
      let go: Go = true
      for (const [name, x, y] of [
        ['header', a.header, b.header],
        ['payload', a.payload, b.payload],
      ] as const) {
        const child = cursor.step(name)
        if (child.ignored) continue
        this.#part(`.${name}`)
        go = this.#value(x, y, child, depth)
        this.#pop()
        if (go !== true) break
      }
      if (go === true && a.signature !== b.signature && !cursor.step('signature').ignored) {
        this.#part('.signature')
        go = this.#record('value', a.signature, b.signature)
        this.#pop()
      }
      this.#pop()
      return go
    }
    if (a.kind === 'url' && b.kind === 'url') {
      this.#part('<url>')
      const go = this.#url(a, b, cursor, depth)
      this.#pop()
      return go
    }
    return this.#record('value', a, b)
  }

  #url(
    a: Extract<Structured, { kind: 'url' }>,
    b: Extract<Structured, { kind: 'url' }>,
    cursor: RuleCursor,
    depth: number,
  ): Go {
    const part = (label: string, x: unknown, y: unknown): Go => {
      this.#part(label)
      const go =
        x === ABSENT || y === ABSENT
          ? this.#record(x === ABSENT ? 'added' : 'missing', x, y)
          : typeof x === 'string' && typeof y === 'string'
            ? this.#string(x, y, cursor, depth)
            : this.#record('value', x, y)
      this.#pop()
      return go
    }
    let go: Go = true
    // the origin is compared as one value: parsed again it would be a URL of its own
    if (a.origin !== b.origin) {
      this.#part('.origin')
      go = this.#record('value', a.origin, b.origin)
      this.#pop()
    }
    if (go !== true) return go
    if (a.path.length !== b.path.length) go = part('.path', `/${a.path.join('/')}`, `/${b.path.join('/')}`)
    else
      for (let i = 0; i < a.path.length && go === true; i++) {
        if (a.path[i] !== b.path[i]) go = part(`.path[${i}]`, a.path[i], b.path[i])
      }
    if (go !== true) return go
    for (const [name, values] of a.query) {
      const other = b.query.get(name)
      const label = `.query${IDENTIFIER.test(name) ? `.${name}` : `['${name.replaceAll("'", "\\'")}']`}`
      if (cursor.step('query').step(name).ignored) continue
      if (other === undefined) go = part(label, values.join(','), ABSENT)
      else if (values.length === 1 && other.length === 1) go = part(label, values[0], other[0])
      else if (values.join('\u0000') !== other.join('\u0000'))
        go = part(label, values.join(','), other.join(','))
      if (go !== true) return go
    }
    for (const [name, values] of b.query) {
      if (a.query.has(name) || cursor.step('query').step(name).ignored) continue
      const label = `.query${IDENTIFIER.test(name) ? `.${name}` : `['${name.replaceAll("'", "\\'")}']`}`
      go = part(label, ABSENT, values.join(','))
      if (go !== true) return go
    }
    if (a.fragment !== b.fragment) go = part('.fragment', a.fragment ?? ABSENT, b.fragment ?? ABSENT)
    return go
  }

  // -------------------------------------------------------------------------------------------
  // Paths

  #push(name: string): void {
    const shown = IDENTIFIER.test(name) ? `.${name}` : `['${escapeName(name)}']`
    this.#display.push(shown)
    this.#fp.push(shown)
    this.#key.push(isIdName(name) ? '.*' : shown)
  }

  #pushIndex(i: number): void {
    this.#display.push(`[${i}]`)
    this.#fp.push('[*]')
    this.#key.push('[*]')
  }

  /** A part of a structured string (`<url>`, `.query.code`): the same in every form of the path. */
  #part(text: string): void {
    this.#display.push(text)
    this.#fp.push(text)
    this.#key.push(text.replace(/\[\d+\]/g, '[*]'))
  }

  #pop(): void {
    this.#display.pop()
    this.#fp.pop()
    this.#key.pop()
  }

  #currentKey(): string {
    return this.#origin.key + this.#key.join('')
  }

  #record(change: Change, reference: unknown, candidate: unknown): boolean {
    if (this.differences.length >= this.#o.limit) {
      this.truncated = true
      return false
    }
    const marker =
      change === 'missing'
        ? '-'
        : change === 'added'
          ? '+'
          : change === 'order'
            ? 'o'
            : change === 'length'
              ? '#'
              : '~'
    this.differences.push({
      area: this.#o.area,
      path: this.#origin.display + this.#display.join(''),
      key: this.#currentKey(),
      change,
      reference,
      candidate,
      fingerprint: marker + this.#origin.fingerprint + this.#fp.join(''),
    })
    return true
  }

  #rollback(mark: number, truncated: boolean): void {
    this.differences.length = mark
    this.truncated = truncated
  }
}

type Structured = NonNullable<ReturnType<typeof structure>>

/**
 * The same words in another order (`"orders:read orders:write"`, `"a, b, c"`): a set written as
 * a string, reported as one `order` difference so noise can show the order varies.
 */
function sameWords(a: string, b: string): boolean {
  if (a.length !== b.length || !/[\s,;]/.test(a)) return false
  const wa = a.split(/[\s,;]+/).filter(Boolean)
  if (wa.length < 2) return false
  const wb = b.split(/[\s,;]+/).filter(Boolean)
  if (wa.length !== wb.length) return false
  return wa.sort().join('\u0000') === wb.sort().join('\u0000')
}

function numeric(v: unknown): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v
  // JSON.rawJSON (an exact integer kept for the message)
  return BigInt((v as { rawJSON: string }).rawJSON)
}

function mask(s: string, masks: readonly RegExp[]): string {
  let out = s
  for (const m of masks) out = out.replace(m, '\u2400')
  return out
}

// ---------------------------------------------------------------------------------------------
// Arrays: multisets and pairing

/** A canonical text of a JSON value: member order and number spelling do not matter. */
function canonical(v: unknown, depth = 0): string {
  const t = jsonType(v)
  if (t === 'number')
    return `n${String(Number(typeof v === 'object' ? (v as { rawJSON: string }).rawJSON : v))}`
  if (t !== 'object' && t !== 'array') return JSON.stringify(v) ?? 'null'
  if (depth > MAX_JSON_DEPTH) return '…'
  if (t === 'array') return `[${(v as unknown[]).map((x) => canonical(x, depth + 1)).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k], depth + 1)}`)
    .join(',')}}`
}

function sameMultiset(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length || a.length > MAX_PAIRING) return false
  const counts = new Map<string, number>()
  for (const x of a) {
    const c = canonical(x)
    counts.set(c, (counts.get(c) ?? 0) + 1)
  }
  for (const y of b) {
    const c = canonical(y)
    const n = counts.get(c)
    if (!n) return false
    counts.set(c, n - 1)
  }
  return true
}

interface Pairing {
  /** [index in a, index in b] */
  pairs: [number, number][]
  onlyA: number[]
  onlyB: number[]
  /** paired elements are not in the same order */
  reordered: boolean
}

/** Members of an object used as a composite id at most (a label set: `{"code": "500"}`). */
const MAX_ID_MEMBERS = 8

function idOf(element: unknown, field: string): string | undefined {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return undefined
  const v = (element as Record<string, unknown>)[field]
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v)
  // a small object of plain values is a composite id: a metric's labels, a (region, zone) pair
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const values = Object.values(v)
    if (values.length === 0 || values.length > MAX_ID_MEMBERS) return undefined
    if (values.some((x) => typeof x === 'object' && x !== null)) return undefined
    return `\u0001${canonical(v)}`
  }
  return undefined
}

/** The head of a tuple (`[1796180100, "332.9"]`: a series point's time), its key. */
function headOf(element: unknown): string | undefined {
  if (!Array.isArray(element) || element.length < 2) return undefined
  const h = element[0]
  return typeof h === 'string' || typeof h === 'number' ? String(h) : undefined
}

/**
 * Pairs the tuples of two arrays by their heads (`[time, value]` points of a series whose
 * window slid between the two calls): heads distinct on each side, half or more of them shared.
 */
function pairByHead(a: unknown[], b: unknown[]): Pairing | undefined {
  if (a.length === 0 || b.length === 0 || headOf(a[0]) === undefined) return undefined
  const heads = (list: unknown[]) => {
    const out = new Set<string>()
    for (const x of list) {
      const h = headOf(x)
      if (h === undefined || out.has(h)) return undefined
      out.add(h)
    }
    return out
  }
  const ha = heads(a)
  const hb = ha && heads(b)
  if (!ha || !hb) return undefined
  let common = 0
  for (const h of ha) if (hb.has(h)) common++
  if (common * 2 < Math.max(ha.size, hb.size)) return undefined
  return pairByKey(a, b, headOf)
}

function pairByField(a: unknown[], b: unknown[], field: string): Pairing {
  return pairByKey(a, b, (x) => idOf(x, field))
}

function pairByKey(a: unknown[], b: unknown[], key: (x: unknown) => string | undefined): Pairing {
  const index = new Map<string, number[]>()
  b.forEach((y, j) => {
    const id = key(y) ?? `\u0000${canonical(y)}`
    const list = index.get(id)
    if (list) list.push(j)
    else index.set(id, [j])
  })
  const pairs: [number, number][] = []
  const onlyA: number[] = []
  a.forEach((x, i) => {
    const id = key(x) ?? `\u0000${canonical(x)}`
    const j = index.get(id)?.shift()
    if (j === undefined) onlyA.push(i)
    else pairs.push([i, j])
  })
  const paired = new Set(pairs.map(([, j]) => j))
  const onlyB = b.map((_, j) => j).filter((j) => !paired.has(j))
  let reordered = false
  for (let k = 1; k < pairs.length; k++) if (pairs[k]![1] < pairs[k - 1]![1]) reordered = true
  return { pairs, onlyA, onlyB, reordered }
}

const PREFERRED_IDS = ['id', '_id', 'uuid', 'key', 'sku', 'code', 'slug', 'name']

/**
 * Pairs elements of two arrays of objects by an id member: one present in every element of both
 * arrays with distinct primitive values, whose values mostly (half or more) appear on both sides.
 * Undefined when there is no such member.
 */
function pairById(a: unknown[], b: unknown[]): Pairing | undefined {
  if (a.length === 0 || b.length === 0) return undefined
  const first = a[0]
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return undefined
  const names = Object.keys(first)
  const ordered = [
    ...PREFERRED_IDS.filter((n) => names.includes(n)),
    ...names.filter((n) => !PREFERRED_IDS.includes(n)),
  ]
  for (const field of ordered) {
    const idsA = distinctIds(a, field)
    if (!idsA) continue
    const idsB = distinctIds(b, field)
    if (!idsB) continue
    let common = 0
    for (const id of idsA) if (idsB.has(id)) common++
    if (common * 2 < Math.max(idsA.size, idsB.size)) continue
    return pairByField(a, b, field)
  }
  return undefined
}

function distinctIds(list: unknown[], field: string): Set<string> | undefined {
  const ids = new Set<string>()
  for (const x of list) {
    const id = idOf(x, field)
    if (id === undefined || ids.has(id)) return undefined
    ids.add(id)
  }
  return ids
}

/** Pairs elements by id where there is one, else each with its most alike counterpart. */
function pairAny(a: unknown[], b: unknown[]): Pairing {
  const byId = pairById(a, b) ?? pairByHead(a, b)
  if (byId) return byId
  const canonA = a.map((x) => canonical(x))
  const canonB = b.map((y) => canonical(y))
  const free = new Set(b.keys())
  const pairs: [number, number][] = []
  const onlyA: number[] = []
  // equal elements first, then the most alike of what is left
  const unmatched: number[] = []
  canonA.forEach((c, i) => {
    for (const j of free) {
      if (canonB[j] === c) {
        pairs.push([i, j])
        free.delete(j)
        return
      }
    }
    unmatched.push(i)
  })
  for (const i of unmatched) {
    let best = -1
    let bestScore = 0
    for (const j of free) {
      const score = likeness(a[i], b[j])
      if (score > bestScore) {
        best = j
        bestScore = score
      }
    }
    if (best < 0) onlyA.push(i)
    else {
      pairs.push([i, best])
      free.delete(best)
    }
  }
  return { pairs, onlyA, onlyB: [...free], reordered: false }
}

/** How alike two elements are: the number of top-level members with equal primitive values. */
function likeness(x: unknown, y: unknown): number {
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return 0
  let n = 0
  for (const k in x as Record<string, unknown>) {
    const vx = (x as Record<string, unknown>)[k]
    if (typeof vx !== 'object' && vx === (y as Record<string, unknown>)[k]) n++
  }
  return n
}
