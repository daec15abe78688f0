/**
 * JSONPath ignore patterns (the RFC 9535 subset that names locations, no filters or slices),
 * compiled once at start-up into a lazily built DFA, and the path formatting used in divergences.
 *
 * Supported: `$` root, `.name`, `['name']` / `["name"]` (RFC 9535 string escapes), `[0]`, `.*` /
 * `[*]` (any member or element), `..` recursive descent before any of these (`$..requestId`,
 * `$..[0]`, `$..*`), and unions inside brackets (`['a','b']`, `[0,1]`). A pattern ignores the node
 * it names and everything below it.
 *
 * Left out on purpose: negative indices (a concrete path does not know the array length), slices
 * and filter expressions (they select by value; ignoring is by location). They are rejected with
 * a message that says so, rather than silently matching nothing.
 */

/** One step of a concrete path: an object member name or an array index. */
export type PathSegment = string | number

/**
 * Where a walk stands in the pattern automaton. Obtain from {@link PathMatcher.root}, advance
 * with {@link PathMatcher.step}; states are shared and immutable, so stepping allocates nothing
 * once a transition has been seen.
 */
export interface MatchState {
  /** a pattern names this node or one of its ancestors: the whole subtree is ignored */
  readonly ignored: boolean
  /** no pattern can match this node or anything below it: stepping further is pointless */
  readonly dead: boolean
}

export interface PathMatcher {
  readonly patterns: readonly string[]
  /** state for `$` */
  readonly root: MatchState
  /** state for the child `segment` of the node in `state` */
  step(state: MatchState, segment: PathSegment): MatchState
  /** true when a pattern names this path or one of its ancestors */
  matches(path: readonly PathSegment[]): boolean
}

/** Thrown by {@link compileIgnore}; the message names the pattern, the position and what was expected. */
export class JsonPathSyntaxError extends Error {
  readonly pattern: string
  /** 0-based offset in the pattern where parsing stopped */
  readonly position: number

  constructor(pattern: string, position: number, problem: string) {
    super(`invalid JSONPath ignore pattern ${JSON.stringify(pattern)} at position ${position}: ${problem}`)
    this.name = 'JsonPathSyntaxError'
    this.pattern = pattern
    this.position = position
  }
}

/** One segment of a pattern: which children it selects, and whether at any depth (`..`). */
interface Step {
  descendant: boolean
  wildcard: boolean
  names: string[]
  indices: number[]
}

/**
 * Compile ignore patterns. Throws {@link JsonPathSyntaxError} for the first invalid one.
 * With no patterns the root state is dead, so callers pay nothing per node.
 */
export function compileIgnore(patterns: readonly string[]): PathMatcher {
  return new Matcher(patterns.map((pattern) => ({ pattern, steps: parsePattern(pattern) })))
}

class State implements MatchState {
  readonly ignored: boolean
  readonly dead: boolean
  /** active NFA positions, sorted */
  readonly positions: readonly number[]
  readonly byName = new Map<string, State>()
  readonly byIndex = new Map<number, State>()
  /** transition for any name / index that no pattern mentions (they all behave alike) */
  otherName: State | undefined
  otherIndex: State | undefined

  constructor(positions: readonly number[], ignored: boolean) {
    this.positions = positions
    this.ignored = ignored
    this.dead = !ignored && positions.length === 0
  }
}

class Matcher implements PathMatcher {
  readonly patterns: readonly string[]
  readonly root: State
  /** NFA: the step leaving each position; null at a pattern's accepting position */
  readonly #steps: (Step | null)[] = []
  readonly #names = new Set<string>()
  readonly #indices = new Set<number>()
  readonly #states = new Map<string, State>()

  constructor(compiled: { pattern: string; steps: Step[] }[]) {
    this.patterns = Object.freeze(compiled.map((c) => c.pattern))
    const starts: number[] = []
    for (const { steps } of compiled) {
      starts.push(this.#steps.length)
      for (const step of steps) {
        this.#steps.push(step)
        for (const name of step.names) this.#names.add(name)
        for (const index of step.indices) this.#indices.add(index)
      }
      this.#steps.push(null)
    }
    this.root = this.#intern(starts)
  }

  step(state: MatchState, segment: PathSegment): MatchState {
    const from = state as State
    // Ignored is absorbing (everything below an ignored node is ignored); dead stays dead.
    if (from.ignored || from.dead) return from
    if (typeof segment === 'string') {
      if (!this.#names.has(segment)) {
        from.otherName ??= this.#transition(from, segment)
        return from.otherName
      }
      let to = from.byName.get(segment)
      if (to === undefined) {
        to = this.#transition(from, segment)
        from.byName.set(segment, to)
      }
      return to
    }
    if (!this.#indices.has(segment)) {
      from.otherIndex ??= this.#transition(from, segment)
      return from.otherIndex
    }
    let to = from.byIndex.get(segment)
    if (to === undefined) {
      to = this.#transition(from, segment)
      from.byIndex.set(segment, to)
    }
    return to
  }

  matches(path: readonly PathSegment[]): boolean {
    let state: MatchState = this.root
    for (let i = 0; i < path.length && !state.ignored && !state.dead; i++) state = this.step(state, path[i]!)
    return state.ignored
  }

  #transition(from: State, segment: PathSegment): State {
    const next: number[] = []
    for (const position of from.positions) {
      const step = this.#steps[position]!
      if (step.descendant) next.push(position)
      if (selects(step, segment)) next.push(position + 1)
    }
    return this.#intern(next)
  }

  #intern(positions: number[]): State {
    const unique = [...new Set(positions)].sort((a, b) => a - b)
    const ignored = unique.some((p) => this.#steps[p] === null)
    // Once ignored, the positions no longer matter: one shared absorbing state.
    const key = ignored ? 'ignored' : unique.join(',')
    let state = this.#states.get(key)
    if (state === undefined) {
      state = new State(ignored ? [] : unique, ignored)
      this.#states.set(key, state)
    }
    return state
  }
}

function selects(step: Step, segment: PathSegment): boolean {
  if (step.wildcard) return true
  return typeof segment === 'string' ? step.names.includes(segment) : step.indices.includes(segment)
}

// ---------------------------------------------------------------------------------------------
// Parsing

const HINT_BRACKETS = "keys that are not identifiers need bracket notation, e.g. $['x-request-id']"

function parsePattern(pattern: string): Step[] {
  const fail = (position: number, problem: string): never => {
    throw new JsonPathSyntaxError(pattern, position, problem)
  }
  const found = (i: number): string =>
    i >= pattern.length ? 'found end of pattern' : `found ${JSON.stringify(pattern[i])}`

  if (pattern[0] !== '$') fail(0, `expected "$" (a pattern starts at the root), ${found(0)}`)
  const steps: Step[] = []
  let i = 1
  while (i < pattern.length) {
    const c = pattern[i]
    let descendant = false
    if (c === '.') {
      if (pattern[i + 1] === '.') {
        descendant = true
        i += 2
        if (pattern[i] === '[') {
          i = parseBracket(pattern, i, descendant, steps, fail, found)
          continue
        }
      } else {
        i += 1
      }
      if (pattern[i] === '*') {
        steps.push({ descendant, wildcard: true, names: [], indices: [] })
        i += 1
        continue
      }
      const end = scanName(pattern, i)
      if (end === i) {
        const after = descendant ? '".."' : '"."'
        const hint = i < pattern.length ? `; ${HINT_BRACKETS}` : ''
        fail(
          i,
          `expected a member name, "*"${descendant ? ' or "["' : ''} after ${after}, ${found(i)}${hint}`,
        )
      }
      steps.push({ descendant, wildcard: false, names: [pattern.slice(i, end)], indices: [] })
      i = end
    } else if (c === '[') {
      i = parseBracket(pattern, i, false, steps, fail, found)
    } else {
      const afterName = steps.length > 0 && steps[steps.length - 1]!.names.length === 1
      fail(i, `expected "." or "[", ${found(i)}${afterName ? `; ${HINT_BRACKETS}` : ''}`)
    }
  }
  return steps
}

/** RFC 9535 member-name-shorthand: ALPHA / "_" / non-ASCII first, then also DIGIT. Returns the end offset. */
function scanName(pattern: string, start: number): number {
  let i = start
  while (i < pattern.length) {
    const c = pattern.charCodeAt(i)
    const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80
    const digit = c >= 0x30 && c <= 0x39
    if (!(alpha || (digit && i > start))) break
    i++
  }
  return i
}

function skipBlank(pattern: string, i: number): number {
  while (i < pattern.length && ' \t\n\r'.includes(pattern[i]!)) i++
  return i
}

/** Parses `[selector, ...]` starting at the "[" and returns the offset after "]". */
function parseBracket(
  pattern: string,
  open: number,
  descendant: boolean,
  steps: Step[],
  fail: (position: number, problem: string) => never,
  found: (i: number) => string,
): number {
  const step: Step = { descendant, wildcard: false, names: [], indices: [] }
  let i = open + 1
  for (;;) {
    i = skipBlank(pattern, i)
    const c = pattern[i]
    if (c === "'" || c === '"') {
      const [name, end] = parseString(pattern, i, fail)
      step.names.push(name)
      i = end
    } else if (c === '*') {
      step.wildcard = true
      i += 1
    } else if (c !== undefined && c >= '0' && c <= '9') {
      let end = i
      while (end < pattern.length && pattern[end]! >= '0' && pattern[end]! <= '9') end++
      if (pattern[i] === '0' && end > i + 1) fail(i, 'an index has no leading zeros')
      const index = Number(pattern.slice(i, end))
      if (!Number.isSafeInteger(index)) fail(i, 'index out of range')
      step.indices.push(index)
      i = end
      const next = skipBlank(pattern, i)
      if (pattern[next] === ':') fail(next, 'array slices are not supported in ignore patterns')
    } else if (c === '-') {
      fail(i, 'negative indices are not supported in ignore patterns (the array length is not known)')
    } else if (c === '?') {
      fail(i, 'filter expressions are not supported in ignore patterns')
    } else if (c === ':') {
      fail(i, 'array slices are not supported in ignore patterns')
    } else {
      fail(i, `expected a quoted member name, an index or "*", ${found(i)}`)
    }
    i = skipBlank(pattern, i)
    if (pattern[i] === ']') break
    if (pattern[i] !== ',') fail(i, `expected "," or "]", ${found(i)}`)
    i += 1
  }
  steps.push(step)
  return i + 1
}

const ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  '/': '/',
  '\\': '\\',
  "'": "'",
  '"': '"',
}

/** RFC 9535 string literal starting at the quote; returns the value and the offset after the closing quote. */
function parseString(
  pattern: string,
  open: number,
  fail: (position: number, problem: string) => never,
): [string, number] {
  const quote = pattern[open]!
  let value = ''
  let i = open + 1
  for (;;) {
    if (i >= pattern.length) fail(i, `expected closing ${quote} of the name started at position ${open}`)
    const c = pattern[i]!
    if (c === quote) return [value, i + 1]
    if (c.charCodeAt(0) < 0x20) fail(i, 'control characters must be escaped in a quoted name')
    if (c !== '\\') {
      value += c
      i += 1
      continue
    }
    const e = pattern[i + 1]
    if (e === 'u') {
      const hex = pattern.slice(i + 2, i + 6)
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(i, 'expected 4 hex digits after "\\u"')
      value += String.fromCharCode(Number.parseInt(hex, 16))
      i += 6
    } else if (e !== undefined && e in ESCAPES) {
      value += ESCAPES[e]
      i += 2
    } else {
      fail(i, `invalid escape ${JSON.stringify(`\\${e ?? ''}`)} in a quoted name`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Normalised JSONPath of a concrete path: `$.items[3].id`, `$['x-request-id']`, `$` for the root.
 * Keys that are not ASCII identifiers use single-quoted bracket notation with RFC 9535 escapes, so
 * every output is itself a valid ignore pattern for that node.
 *
 * `wildcardIndices`: write every index as `[*]` (the fingerprint's normal form).
 */
export function formatPath(segments: readonly PathSegment[], wildcardIndices = false): string {
  let out = '$'
  for (const segment of segments) {
    if (typeof segment === 'number') out += wildcardIndices ? '[*]' : `[${segment}]`
    else if (IDENTIFIER.test(segment)) out += `.${segment}`
    else out += `['${escapeName(segment)}']`
  }
  return out
}

/** RFC 9535 escapes for a member name inside single-quoted brackets. */
export function escapeName(name: string): string {
  let out = ''
  for (const c of name) {
    const code = c.charCodeAt(0)
    if (c === "'" || c === '\\') out += `\\${c}`
    else if (c === '\b') out += '\\b'
    else if (c === '\f') out += '\\f'
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\t') out += '\\t'
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += c
  }
  return out
}
