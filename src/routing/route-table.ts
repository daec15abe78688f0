/**
 * The route table: which configured route pattern a request path belongs to.
 *
 * Patterns use the syntax of the Rust crate matchit 0.8 (what miffy 1.0 routed with), so a 1.0
 * configuration routes exactly as it did:
 *
 * - `{name}` matches one non-empty path segment (never a `/`). A segment may hold one parameter
 *   with static text around it: `/img-{id}`, `/{file}.png`, `/v{major}.json`.
 * - `{*name}` matches the rest of the path, slashes included, and must end the pattern. It never
 *   matches an empty rest: `/files/{*path}` does not match `/files/` (matchit's `catchall_off_by_one`).
 * - `{{` and `}}` are literal braces.
 * - Matching is exact and byte-for-byte on the raw path: `/a` and `/a/` are different routes
 *   (matchit 0.8.0 removed trailing-slash redirects), and `/api/1/` does not match `/api/{v}`.
 *
 * Priority, independent of insertion order, decided segment by segment from the left: a static
 * segment first; then parameters and catch-alls by the length of their static prefix within the
 * segment, longest first (`/v{n}` before `/{any}`); for the same prefix, a parameter before a
 * catch-all. When the chosen branch fails further right, the search backtracks and tries the next
 * candidate, as matchit's radix tree does. One matchit quirk is kept on purpose: among parameters
 * with different suffixes in a middle segment, only the longest matching suffix is tried.
 *
 * Deliberate differences from matchit 0.8, all on inputs that matchit would reject or that no
 * HTTP request can reach: a pattern must start with `/`; a parameter name may not repeat in one
 * pattern, be `__proto__`, or contain an unescaped `{`; and a parameter and a catch-all with the
 * same static prefix (`/api/{id}` with `/api/{*rest}`) may coexist — matchit reports a conflict,
 * miffy tries the parameter first — so every route set matchit accepts routes the same here.
 *
 * The tree is keyed by path segment, so a match walks the path once and touches only the
 * candidates at each segment, not every route. Parameter spans go to a scratch buffer and are
 * sliced only for the route that wins.
 *
 * Parameter values are the raw path text, percent-escapes kept (`/api/hello%20world` gives
 * `hello%20world`), exactly what matchit hands the Rust miffy 1.0: they end up in the topic's
 * `request.params` and in the Kafka key, which consumers of that topic already read (issue 11).
 *
 * Sources: matchit 0.8.6 `src/tree.rs`, `tests/match.rs`, `tests/insert.rs` (ibraheemdev/matchit);
 * suffixes arrived in 0.8.6 (matchit#61), earlier 0.8.x rejected them; the prefix/suffix
 * conflict rules of matchit#79 are 0.9, not 0.8.
 */
import { MiffyError } from '../errors.ts'

/** A route pattern that cannot be compiled, or that conflicts with one already in the table. */
export class RouteError extends MiffyError {
  override readonly code = 'MIFFY_ERR_ROUTE'
  /** The pattern as written in the configuration. */
  readonly pattern: string
  /** What is wrong with it, in a few words; also the end of `message`. */
  readonly reason: string

  constructor(pattern: string, reason: string) {
    super('MIFFY_ERR_ROUTE', `invalid route "${pattern}": ${reason}`)
    this.name = 'RouteError'
    this.pattern = pattern
    this.reason = reason
  }
}

/** The outcome of a successful match. `params` values are raw path text, escapes kept. */
export interface RouteMatch<T> {
  value: T
  /** The pattern as inserted, e.g. `/users/{id}`. */
  pattern: string
  params: Record<string, string>
}

/** What a route compiles to: its value and its parameter names in path order. */
interface Terminal<T> {
  readonly value: T
  readonly pattern: string
  readonly names: readonly string[]
}

/** A position between segments: routes that end here, and the ways on to the next segment. */
class SegmentNode<T> {
  terminal: Terminal<T> | null = null
  /** Static next segments by their literal text; used when building. */
  readonly statics = new Map<string, SegmentNode<T>>()
  /** The same edges by `staticKey`, so matching needs no substring of the path. */
  readonly staticIndex = new Map<number, StaticEdge<T>[]>()
  /** Parameters and catch-alls of the next segment, longest static prefix first. */
  readonly wilds: Wild<T>[] = []
}

interface StaticEdge<T> {
  readonly text: string
  readonly node: SegmentNode<T>
}

/**
 * Everything dynamic that starts with the same static prefix inside a segment: a parameter with
 * its possible suffixes, and a catch-all. Suffix lists are ordered longest first.
 */
class Wild<T> {
  readonly prefix: string
  /** `{p}<suffix>/…`: the segment continues the route. */
  readonly mid: SuffixEdge<T>[] = []
  /** `{p}<suffix>` ending the route, suffix not empty. */
  readonly end: SuffixEnd<T>[] = []
  /** `{p}` ending the route. */
  bare: Terminal<T> | null = null
  /** `{*p}`. */
  catchAll: Terminal<T> | null = null

  constructor(prefix: string) {
    this.prefix = prefix
  }
}

interface SuffixEdge<T> {
  readonly suffix: string
  readonly node: SegmentNode<T>
}

interface SuffixEnd<T> {
  readonly suffix: string
  readonly terminal: Terminal<T>
}

/** A parsed pattern segment. */
type Segment =
  | { kind: 'static'; text: string }
  | { kind: 'param'; prefix: string; name: string; suffix: string }
  | { kind: 'catchAll'; prefix: string; name: string }

const SLASH = 0x2f

export class RouteTable<T> {
  readonly #root = new SegmentNode<T>()
  /** Start/end offsets of parameter values along the branch being tried; match is synchronous. */
  #spans = new Int32Array(16)

  /**
   * Adds a route. Throws `RouteError` when the pattern is malformed or when some path would match
   * both it and a route already in the table with equal priority; the table is then unchanged.
   */
  insert(pattern: string, value: T): void {
    const segments = parse(pattern)
    const names: string[] = []
    for (const s of segments) if (s.kind !== 'static') names.push(s.name)
    const clash = this.#place(segments, null)
    if (clash !== null) {
      throw new RouteError(
        pattern,
        `conflicts with existing route "${clash}": both match the same paths with equal priority` +
          ' (parameter names do not tell routes apart)',
      )
    }
    this.#place(segments, { value, pattern, names })
    if (this.#spans.length < names.length * 2) this.#spans = new Int32Array(names.length * 2)
  }

  /**
   * Finds the route for a raw, still percent-encoded request path. Anything from `?` on is ignored.
   * Returns null when no route matches or the path does not start with `/`.
   */
  match(path: string): RouteMatch<T> | null {
    let len = path.indexOf('?')
    if (len === -1) len = path.length
    if (len === 0 || path.charCodeAt(0) !== SLASH) return null
    const found = this.#find(this.#root, path, 1, len, 0)
    if (found === null) return null
    const params: Record<string, string> = {}
    const spans = this.#spans
    const names = found.names
    for (let i = 0; i < names.length; i++) {
      params[names[i] as string] = path.slice(spans[2 * i], spans[2 * i + 1])
    }
    return { value: found.value, pattern: found.pattern, params }
  }

  /**
   * Depth-first search from the segment starting at `pos`; `n` parameters are recorded so far.
   * `len` is where the path ends (the query is not part of it).
   */
  #find(node: SegmentNode<T>, path: string, pos: number, len: number, n: number): Terminal<T> | null {
    let end = path.indexOf('/', pos)
    const last = end === -1 || end >= len
    if (last) end = len

    const bucket = node.staticIndex.get(staticKey(path, pos, end))
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) {
        const edge = bucket[i] as StaticEdge<T>
        if (!path.startsWith(edge.text, pos)) continue
        if (last) {
          if (edge.node.terminal !== null) return edge.node.terminal
        } else {
          const found = this.#find(edge.node, path, end + 1, len, n)
          if (found !== null) return found
        }
        break
      }
    }

    const wilds = node.wilds
    for (let i = 0; i < wilds.length; i++) {
      const wild = wilds[i] as Wild<T>
      const start = pos + wild.prefix.length
      if (start > end || !path.startsWith(wild.prefix, pos)) continue
      // A parameter needs at least one character of its own (matchit's `empty_param`).
      const room = end - start
      if (room > 0) {
        if (last) {
          const ends = wild.end
          for (let j = 0; j < ends.length; j++) {
            const e = ends[j] as SuffixEnd<T>
            const at = end - e.suffix.length
            if (e.suffix.length < room && path.startsWith(e.suffix, at))
              return this.#record(n, start, at, e.terminal)
          }
          if (wild.bare !== null) return this.#record(n, start, end, wild.bare)
        } else {
          const mids = wild.mid
          for (let j = 0; j < mids.length; j++) {
            const m = mids[j] as SuffixEdge<T>
            const at = end - m.suffix.length
            if (m.suffix.length >= room || !path.startsWith(m.suffix, at)) continue
            this.#spans[2 * n] = start
            this.#spans[2 * n + 1] = at
            const found = this.#find(m.node, path, end + 1, len, n + 1)
            if (found !== null) return found
            // matchit commits to the longest matching suffix and does not try shorter ones.
            break
          }
        }
      }
      if (wild.catchAll !== null && start < len) return this.#record(n, start, len, wild.catchAll)
    }
    return null
  }

  #record(n: number, start: number, end: number, terminal: Terminal<T>): Terminal<T> {
    this.#spans[2 * n] = start
    this.#spans[2 * n + 1] = end
    return terminal
  }

  /**
   * Walks (and, given a terminal, builds) the branch for `segments`. Without a terminal nothing
   * changes and the result is the pattern of a route the new one would duplicate, or null.
   */
  #place(segments: readonly Segment[], terminal: Terminal<T> | null): string | null {
    let node = this.#root
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as Segment
      const last = i === segments.length - 1

      if (seg.kind === 'static') {
        let next = node.statics.get(seg.text)
        if (next === undefined) {
          if (terminal === null) return null
          next = new SegmentNode<T>()
          node.statics.set(seg.text, next)
          const key = seg.text.length === 0 ? 0 : seg.text.length * 0x10000 + seg.text.charCodeAt(0)
          const bucket = node.staticIndex.get(key)
          if (bucket === undefined) node.staticIndex.set(key, [{ text: seg.text, node: next }])
          else bucket.push({ text: seg.text, node: next })
        }
        node = next
        if (last) {
          if (terminal === null) return node.terminal?.pattern ?? null
          node.terminal = terminal
        }
        continue
      }

      let wild = node.wilds.find((w) => w.prefix === seg.prefix)
      if (wild === undefined) {
        if (terminal === null) return null
        wild = new Wild<T>(seg.prefix)
        insertSorted(node.wilds, wild, (w) => w.prefix.length)
      }

      if (seg.kind === 'catchAll') {
        if (terminal === null) return wild.catchAll?.pattern ?? null
        wild.catchAll = terminal
        return null
      }

      if (!last) {
        let edge = wild.mid.find((m) => m.suffix === seg.suffix)
        if (edge === undefined) {
          if (terminal === null) return null
          edge = { suffix: seg.suffix, node: new SegmentNode<T>() }
          insertSorted(wild.mid, edge, (m) => m.suffix.length)
        }
        node = edge.node
        continue
      }

      if (seg.suffix === '') {
        if (terminal === null) return wild.bare?.pattern ?? null
        wild.bare = terminal
        return null
      }
      const existing = wild.end.find((e) => e.suffix === seg.suffix)
      if (terminal === null) return existing?.terminal.pattern ?? null
      insertSorted(wild.end, { suffix: seg.suffix, terminal }, (e) => e.suffix.length)
    }
    return null
  }
}

/** Bucket key for a static segment: its length and first code unit, so no substring is needed. */
function staticKey(path: string, pos: number, end: number): number {
  return end === pos ? 0 : (end - pos) * 0x10000 + path.charCodeAt(pos)
}

/** Inserts keeping the array ordered by `weight`, largest first. */
function insertSorted<E>(list: E[], item: E, weight: (e: E) => number): void {
  const w = weight(item)
  let i = 0
  while (i < list.length && weight(list[i] as E) >= w) i++
  list.splice(i, 0, item)
}

/** Splits a pattern into segments, checking the syntax; throws `RouteError` with the offset. */
function parse(pattern: string): Segment[] {
  if (pattern.charCodeAt(0) !== SLASH) {
    throw new RouteError(pattern, 'a route must start with "/"')
  }
  const segments: Segment[] = []
  const names = new Set<string>()
  let text = ''
  let param: { prefix: string; name: string } | null = null
  let i = 1
  while (i <= pattern.length) {
    const c = pattern[i]
    if (c === undefined || c === '/') {
      segments.push(
        param === null
          ? { kind: 'static', text }
          : { kind: 'param', prefix: param.prefix, name: param.name, suffix: text },
      )
      text = ''
      param = null
      i++
      continue
    }
    if (c === '}') {
      if (pattern[i + 1] !== '}') {
        throw new RouteError(pattern, `unmatched "}" at offset ${i} (write "}}" for a literal brace)`)
      }
      text += '}'
      i += 2
      continue
    }
    if (c !== '{') {
      text += c
      i++
      continue
    }
    if (pattern[i + 1] === '{') {
      text += '{'
      i += 2
      continue
    }

    // A parameter or a catch-all starts at `i`.
    const open = i
    const catchAll = pattern[i + 1] === '*'
    let name = ''
    let j = catchAll ? i + 2 : i + 1
    for (;;) {
      const d = pattern[j]
      if (d === undefined || d === '/') {
        throw new RouteError(pattern, `unclosed parameter at offset ${open} (names cannot contain "/")`)
      }
      // Doubled braces inside a name are literal braces, as in matchit.
      if ((d === '{' || d === '}') && pattern[j + 1] === d) {
        name += d
        j += 2
        continue
      }
      if (d === '}') break
      if (d === '{') {
        throw new RouteError(pattern, `unclosed parameter at offset ${open} ("{" at offset ${j})`)
      }
      if (d === '*') {
        throw new RouteError(pattern, `parameter name at offset ${open} contains "*"`)
      }
      name += d
      j++
    }
    const close = j
    if (name === '') {
      throw new RouteError(pattern, `empty parameter name at offset ${open}`)
    }
    if (param !== null) {
      throw new RouteError(
        pattern,
        `only one parameter is allowed per path segment (second at offset ${open})`,
      )
    }
    if (catchAll && close !== pattern.length - 1) {
      throw new RouteError(pattern, `catch-all "{*${name}}" must be at the end of the route`)
    }
    if (name === '__proto__') {
      // Params are plain objects; this key would set their prototype instead of a value.
      throw new RouteError(pattern, 'a parameter cannot be named "__proto__"')
    }
    if (names.has(name)) {
      throw new RouteError(pattern, `duplicate parameter name "${name}"`)
    }
    names.add(name)
    if (catchAll) {
      segments.push({ kind: 'catchAll', prefix: text, name })
      return segments
    }
    param = { prefix: text, name }
    text = ''
    i = close + 1
  }
  return segments
}
