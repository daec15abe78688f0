/**
 * Loads the configuration: config.default.toml → config.toml (or the file named by MIFFY_CONFIG)
 * → MIFFY_* variables → KAFKA_* variables, later layers winning; validates the result once with
 * the zod schema and freezes it. Any problem throws one MiffyError that lists every bad key with
 * its value, where the value came from, and what was expected.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseToml, TomlError } from 'smol-toml'
import type { z } from 'zod'
import { closestName } from '../did-you-mean.ts'
import { MiffyError } from '../errors.ts'
import { readEnv } from './env.ts'
import { configSchema, type MiffyConfig } from './schema.ts'
import { hostHeaderConflicts } from './upstream-hosts.ts'

export const DEFAULTS_PATH = fileURLToPath(new URL('../../config.default.toml', import.meta.url))

export interface LoadOptions {
  env?: NodeJS.ProcessEnv
  /** where `config.toml` is looked for; default: the working directory */
  cwd?: string
  /** the config file to read instead of `config.toml` or `MIFFY_CONFIG` (`miffy check --config`) */
  file?: string
  /** a last layer over everything else (tests, embedding) */
  overrides?: Record<string, unknown>
}

export interface LoadedConfig {
  config: MiffyConfig
  /** files read, in order */
  files: string[]
  /** non-fatal notes for the log (ignored variables and the like) */
  warnings: string[]
  /**
   * Where each value came from, by TOML key path (`port`, `outbox.max_messages`,
   * `kafka."bootstrap.servers"`): the layer that set it last. Arrays (`routes`, `candidate`) are
   * one value. `miffy check` prints it.
   */
  sources: ReadonlyMap<string, ConfigSource>
  /** the layers merged, as written (`"30s"`, not 30000): what was validated */
  input: Readonly<Record<string, unknown>>
}

/** The layer a value came from: `name` is the file's path, the variable, or `default`. */
export type ConfigSource =
  | { layer: 'default'; name: string }
  | { layer: 'file'; name: string }
  | { layer: 'env'; name: string }
  | { layer: 'override'; name: 'override' }

type Tree = Record<string, unknown>

function readToml(path: string): Tree {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new MiffyError(
      'MIFFY_ERR_CONFIG_FILE',
      `cannot read configuration file ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
  try {
    return parseToml(text) as Tree
  } catch (cause) {
    const where = cause instanceof TomlError ? ` at line ${cause.line}, column ${cause.column}` : ''
    const detail = (cause as Error).message.split('\n')[0]
    throw new MiffyError('MIFFY_ERR_CONFIG_FILE', `${path} is not valid TOML${where}: ${detail}`, { cause })
  }
}

function isTable(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}

/** Tables merge key by key; anything else (arrays included) is replaced by the later layer. */
function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base }
  for (const [k, v] of Object.entries(over)) {
    out[k] = isTable(v) && isTable(out[k]) ? merge(out[k] as Tree, v) : v
  }
  return out
}

function has(tree: Tree, key: string): boolean {
  return Object.hasOwn(tree, key)
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const files = [DEFAULTS_PATH]
  const sources = new Map<string, ConfigSource>()
  let tree = readToml(DEFAULTS_PATH)
  recordSources(tree, [], { layer: 'default', name: 'default' }, sources)
  let user: Tree = {}

  const named = options.file ?? env.MIFFY_CONFIG
  if (named) {
    const path = resolve(cwd, named)
    // An explicitly named file that is missing is a mistake, not "no overrides".
    if (!existsSync(path)) {
      const by = options.file !== undefined ? '--config' : 'MIFFY_CONFIG'
      throw new MiffyError('MIFFY_ERR_CONFIG_FILE', `${by} names ${path}, which does not exist`)
    }
    user = readToml(path)
    files.push(path)
  } else {
    const path = resolve(cwd, 'config.toml')
    if (existsSync(path)) {
      user = readToml(path)
      files.push(path)
    }
  }
  tree = merge(tree, user)
  if (files.length > 1) recordSources(user, [], { layer: 'file', name: files[1]! }, sources)

  const fromEnv = readEnv(env)
  tree = merge(tree, fromEnv.values)
  for (const [key, variable] of fromEnv.sources) {
    recordSources(pick(fromEnv.values, keyPath(key)), keyPath(key), { layer: 'env', name: variable }, sources)
  }
  if (options.overrides) {
    tree = merge(tree, options.overrides)
    recordSources(options.overrides, [], { layer: 'override', name: 'override' }, sources)
  }

  // Rust miffy 1.0 wrote `log_json = true`; honour it unless `logging` is set explicitly.
  if (tree.log_json === true && !has(user, 'logging') && !fromEnv.sources.has('logging')) {
    tree.logging = 'json'
    const from = sources.get('log_json')
    if (from) sources.set('logging', from)
  }

  const parsed = configSchema.safeParse(tree, { reportInput: true })
  const issues = [
    ...(parsed.success ? hostHeaderConflicts(parsed.data) : parsed.error.issues),
    ...missingCandidate(tree),
  ]
  if (!parsed.success || issues.length > 0) {
    throw new MiffyError('MIFFY_ERR_CONFIG', formatIssues(issues, files, fromEnv.sources))
  }
  return { config: deepFreeze(parsed.data), files, warnings: fromEnv.warnings, sources, input: tree }
}

/**
 * `candidate` has no default (issue 11: the demo's 127.0.0.1:3001 used silently in production
 * is worse than an error). It is required as soon as one route relies on it; a config whose
 * routes all name their own candidate, or a pure passthrough, does not need it.
 */
function missingCandidate(tree: Tree): z.core.$ZodIssue[] {
  if (tree.candidate !== undefined || !Array.isArray(tree.routes)) return []
  const i = tree.routes.findIndex((r) => isTable(r) && r.candidate === undefined)
  if (i < 0) return []
  const path = (tree.routes[i] as Tree).path
  return [
    {
      code: 'custom',
      path: ['candidate'],
      input: undefined,
      message: `required: routes[${i}] (${JSON.stringify(path)}) has no candidate of its own, and there is no default; set candidate (or MIFFY_CANDIDATE) to the base URL of the service under test`,
    },
  ]
}

/** `outbox.max_messages` → its path; env sources use dotted keys, Kafka property names too. */
function keyPath(key: string): string[] {
  const [head, ...rest] = key.split('.')
  // `kafka.bootstrap.servers`: everything after `kafka.` is one property name
  return head === 'kafka' && rest.length > 0 ? ['kafka', rest.join('.')] : [head!, ...rest]
}

function pick(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree
  for (const part of path) node = isTable(node) ? node[part] : undefined
  return node
}

/** `kafka."bootstrap.servers"`: a TOML key path, quoting parts that are not bare keys. */
export function tomlKey(path: readonly string[]): string {
  return path.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p))).join('.')
}

/** Every leaf of `value` (arrays are leaves) now comes from `source`; tables merge key by key. */
function recordSources(
  value: unknown,
  path: string[],
  source: ConfigSource,
  sources: Map<string, ConfigSource>,
): void {
  if (isTable(value)) {
    if (path.length > 0) sources.delete(tomlKey(path))
    for (const [k, v] of Object.entries(value)) recordSources(v, [...path, k], source, sources)
    return
  }
  const key = tomlKey(path)
  for (const known of [...sources.keys()]) if (known.startsWith(`${key}.`)) sources.delete(known)
  sources.set(key, source)
}

export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  files: readonly string[],
  sources: ReadonlyMap<string, string> = new Map(),
): string {
  const lines = issues.flatMap((issue) => {
    const path = issue.path.map(String)
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const full = formatPath([...path, key])
        const hint = suggest(key, knownKeys(path))
        const from = sourceOf(path, sources)
        return `  - ${full}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}${from ? ` (from ${from})` : ''}`
      })
    }
    if (issue.code === 'invalid_union') {
      // "one URL or a list of URLs": report the alternative that got furthest, at its own path.
      const inner = bestAlternative(issue.errors)
      if (inner.length > 0) {
        return formatIssues(
          inner.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
          files,
          sources,
        )
          .split('\n')
          .slice(1)
      }
    }
    const key = formatPath(path)
    const from = sourceOf(path, sources)
    const input = (issue as { input?: unknown }).input
    const value =
      input === undefined
        ? 'missing'
        : isSecretKey(path)
          ? '(hidden)'
          : maskCredentials(JSON.stringify(input))
    return [`  - ${key} = ${value}${from ? ` (from ${from})` : ''}: ${describe(issue)}`]
  })
  return `invalid configuration (read ${files.join(', ')}, then the environment):\n${lines.join('\n')}`
}

/** The alternative of a union whose problems are not mere type mismatches (it had the right shape). */
function bestAlternative(alternatives: readonly (readonly z.core.$ZodIssue[])[]): z.core.$ZodIssue[] {
  const shaped = alternatives.find((issues) => issues.length > 0 && issues.some((i) => !isMismatch(i)))
  return [...(shaped ?? alternatives[0] ?? [])]
}

/** A wrong type, or a nested union (an upstream: URL or table) none of whose shapes fit either. */
function isMismatch(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'invalid_type') return true
  return issue.code === 'invalid_union' && issue.errors.every((alt) => alt.every(isMismatch))
}

/** The variable that set this key or the nearest enclosing one (`MIFFY_METHODS` for `methods[1]`). */
function sourceOf(path: readonly string[], sources: ReadonlyMap<string, string>): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const from = sources.get(path.slice(0, n).join('.'))
    if (from) return from
  }
  return undefined
}

/** A key whose value is a secret: never repeated in an error message (they end up in logs). */
function isSecretKey(path: readonly string[]): boolean {
  return path[0] === 'management_token'
}

/** `http://user:secret@host` → `http://user:***@host`: error messages end up in logs. */
function maskCredentials(text: string): string {
  return text.replace(/(\/\/[^/:@\s"]*):[^/@\s"]*@/g, '$1:***@')
}

function describe(issue: z.core.$ZodIssue): string {
  // a key with no default says itself what it needs (`reference`)
  if (issue.code === 'invalid_type' && issue.input === undefined && issue.message.startsWith('required'))
    return issue.message
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`
  return issue.message.replace(/^Invalid input: /, '')
}

function formatPath(path: readonly string[]): string {
  if (path.length === 0) return '(top level)'
  return path.reduce(
    (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    '',
  )
}

function knownKeys(path: readonly string[]): string[] {
  const named = path.filter((p) => !/^\d+$/.test(p))
  let shape = configSchema.shape as Record<string, unknown>
  if (named[0] === 'routes') {
    shape = (configSchema.shape.routes.element as unknown as { shape: Record<string, unknown> }).shape
  } else if (named[0] === 'outbox') {
    shape = configSchema.shape.outbox.shape
  } else if (named.length > 0) {
    return []
  }
  return Object.keys(shape)
}

/** The closest known key within two edits, for "did you mean". */
function suggest(key: string, known: readonly string[]): string | undefined {
  return closestName(key, known, 3)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
