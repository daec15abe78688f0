/**
 * A route's comparison rules, compiled once: which JSON paths are ignored, compared with a
 * numeric tolerance, compared as multisets, or matched by a key field; which headers are
 * compared; which text is masked. Paths use the ignore patterns' JSONPath subset (json-path.ts).
 *
 * A walk carries a `RuleCursor`, stepped with each member name or index. A cursor whose
 * matchers are all dead is returned as is, so bodies on routes without rules cost nothing.
 */
import { compileIgnore, type MatchState, type PathMatcher, type PathSegment } from './json-path.ts'
import type { NumberTolerance } from './values.ts'

export interface RuleSpec {
  /** the route pattern (`/api/{id}`); part of the fingerprint */
  route: string
  ignore: readonly string[]
  unordered: readonly string[]
  /** path → absolute tolerance (number) or relative ("0.5%") */
  tolerance: Readonly<Record<string, number | string>>
  /** array path → the member that identifies an element */
  matchBy: Readonly<Record<string, string>>
  floatTolerance: number
  /** header names to compare, lower-case; `*` for all but `ignoreHeaders` */
  compareHeaders: readonly string[]
  ignoreHeaders: readonly string[]
  /** headers compared for presence only */
  presenceHeaders: readonly string[]
  ignoreStatus: boolean
  /** regular expressions (JavaScript syntax) masked before comparing text */
  textMasks: readonly string[]
  /** bodies decoding (content-encoding) to more than this are compared as raw bytes */
  maxDecodedBytes: number
  /** at most this many differing locations are listed; more set `truncated` */
  maxPaths: number
}

export interface CompareRules {
  readonly route: string
  readonly root: RuleCursor
  readonly floatTolerance: number
  /** null: every header but `ignoreHeaders` */
  readonly compareHeaders: ReadonlySet<string> | null
  readonly ignoreHeaders: ReadonlySet<string>
  readonly presenceHeaders: ReadonlySet<string>
  readonly ignoreStatus: boolean
  /** global, so `replace` masks every match */
  readonly masks: readonly RegExp[]
  readonly maxDecodedBytes: number
  readonly maxPaths: number
  /** the specification, for people (GET /noise suggestions, the dashboard) */
  readonly spec: RuleSpec
}

/** Thrown by compileRules; `key` names the rule (`ignore`, `tolerance`, …) that is wrong. */
export class RuleError extends Error {
  readonly key: string
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RuleError'
    this.key = key
  }
}

export function compileRules(spec: RuleSpec): CompareRules {
  const compile = (key: string, patterns: readonly string[]): PathMatcher => {
    try {
      return compileIgnore(patterns)
    } catch (err) {
      throw new RuleError(key, (err as Error).message.replace('ignore pattern', 'pattern'), { cause: err })
    }
  }
  const tolerances = Object.entries(spec.tolerance).map(([path, value]) => ({
    matcher: compile('tolerance', [path]),
    tolerance: parseTolerance(value),
  }))
  const matchBy = Object.entries(spec.matchBy).map(([path, field]) => ({
    matcher: compile('match_by', [path]),
    field,
  }))
  const masks = spec.textMasks.map((source) => {
    try {
      return compileMask(source)
    } catch (err) {
      throw new RuleError('text_masks', `${JSON.stringify(source)}: ${(err as Error).message}`, {
        cause: err,
      })
    }
  })
  const shared: Shared = {
    ignore: compile('ignore', spec.ignore),
    unordered: compile('unordered', spec.unordered),
    tolerances,
    matchBy,
  }
  const headerNames = (names: readonly string[]) => new Set(names.map((n) => n.toLowerCase()))
  const all = spec.compareHeaders.includes('*')
  return {
    route: spec.route,
    root: RuleCursor.root(shared),
    floatTolerance: spec.floatTolerance,
    compareHeaders: all ? null : headerNames(spec.compareHeaders),
    ignoreHeaders: headerNames(spec.ignoreHeaders),
    presenceHeaders: headerNames(spec.presenceHeaders),
    ignoreStatus: spec.ignoreStatus,
    masks,
    maxDecodedBytes: spec.maxDecodedBytes,
    maxPaths: spec.maxPaths,
    spec,
  }
}

/**
 * A mask: a regular expression in JavaScript syntax, or `/pattern/flags` to add flags (`i`
 * ignores case, `m` makes `^` and `$` match at line ends). Always global and Unicode.
 */
export function compileMask(source: string): RegExp {
  const literal = /^\/(.+)\/([imsy]*)$/s.exec(source)
  if (!literal) return new RegExp(source, 'gu')
  return new RegExp(literal[1]!, `gu${literal[2]}`)
}

function parseTolerance(value: number | string): NumberTolerance {
  if (typeof value === 'number') return { absolute: value }
  return { relative: Number(value.slice(0, -1)) / 100 }
}

interface Shared {
  ignore: PathMatcher
  unordered: PathMatcher
  tolerances: { matcher: PathMatcher; tolerance: NumberTolerance }[]
  matchBy: { matcher: PathMatcher; field: string }[]
}

/** Where a walk stands in every rule at once. Immutable; stepping allocates only while a rule is live. */
export class RuleCursor {
  readonly #shared: Shared
  readonly #ignore: MatchState
  readonly #unordered: MatchState
  readonly #tolerances: readonly MatchState[]
  readonly #matchBy: readonly MatchState[]
  readonly #dead: boolean

  private constructor(
    shared: Shared,
    ignore: MatchState,
    unordered: MatchState,
    tolerances: readonly MatchState[],
    matchBy: readonly MatchState[],
  ) {
    this.#shared = shared
    this.#ignore = ignore
    this.#unordered = unordered
    this.#tolerances = tolerances
    this.#matchBy = matchBy
    // Matcher states are absorbing once dead or matched: when all are, nothing changes below.
    const settled = (m: MatchState) => m.dead || m.ignored
    this.#dead = settled(ignore) && settled(unordered) && tolerances.every(settled) && matchBy.every(settled)
  }

  static root(shared: Shared): RuleCursor {
    return new RuleCursor(
      shared,
      shared.ignore.root,
      shared.unordered.root,
      shared.tolerances.map((t) => t.matcher.root),
      shared.matchBy.map((m) => m.matcher.root),
    )
  }

  /** The node and everything below it are left out. */
  get ignored(): boolean {
    return this.#ignore.ignored
  }

  /** Arrays here (and below) compare as multisets. */
  get unordered(): boolean {
    return this.#unordered.ignored
  }

  /** The tolerance for numbers here (the first matching rule), if any. */
  get tolerance(): NumberTolerance | undefined {
    for (let i = 0; i < this.#tolerances.length; i++) {
      if (this.#tolerances[i]!.ignored) return this.#shared.tolerances[i]!.tolerance
    }
    return undefined
  }

  /** The member that identifies elements of the array here, if a rule names one. */
  get matchBy(): string | undefined {
    for (let i = 0; i < this.#matchBy.length; i++) {
      if (this.#matchBy[i]!.ignored) return this.#shared.matchBy[i]!.field
    }
    return undefined
  }

  step(segment: PathSegment): RuleCursor {
    if (this.#dead) return this
    const s = this.#shared
    return new RuleCursor(
      s,
      s.ignore.step(this.#ignore, segment),
      s.unordered.step(this.#unordered, segment),
      this.#tolerances.map((state, i) => s.tolerances[i]!.matcher.step(state, segment)),
      this.#matchBy.map((state, i) => s.matchBy[i]!.matcher.step(state, segment)),
    )
  }
}
