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

export const DEFAULTS_PATH = fileURLToPath(new URL('../../config.default.toml', import.meta.url))

export interface LoadOptions {
  env?: NodeJS.ProcessEnv
  /** where `config.toml` is looked for; default: the working directory */
  cwd?: string
  /** a last layer over everything else (tests, embedding) */
  overrides?: Record<string, unknown>
}

export interface LoadedConfig {
  config: MiffyConfig
  /** files read, in order */
  files: string[]
  /** non-fatal notes for the log (ignored variables and the like) */
  warnings: string[]
}

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
  let tree = readToml(DEFAULTS_PATH)
  let user: Tree = {}

  const named = env.MIFFY_CONFIG
  if (named) {
    const path = resolve(cwd, named)
    // An explicitly named file that is missing is a mistake, not "no overrides".
    if (!existsSync(path)) {
      throw new MiffyError('MIFFY_ERR_CONFIG_FILE', `MIFFY_CONFIG names ${path}, which does not exist`)
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

  const fromEnv = readEnv(env)
  tree = merge(tree, fromEnv.values)
  if (options.overrides) tree = merge(tree, options.overrides)

  // Rust miffy 1.0 wrote `log_json = true`; honour it unless `logging` is set explicitly.
  if (tree.log_json === true && !has(user, 'logging') && !fromEnv.sources.has('logging')) {
    tree.logging = 'json'
  }

  const parsed = configSchema.safeParse(tree, { reportInput: true })
  if (!parsed.success) {
    throw new MiffyError('MIFFY_ERR_CONFIG', formatIssues(parsed.error.issues, files, fromEnv.sources))
  }
  return { config: deepFreeze(parsed.data), files, warnings: fromEnv.warnings }
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
    const value = input === undefined ? 'missing' : maskCredentials(JSON.stringify(input))
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

/** `http://user:secret@host` → `http://user:***@host`: error messages end up in logs. */
function maskCredentials(text: string): string {
  return text.replace(/(\/\/[^/:@\s"]*):[^/@\s"]*@/g, '$1:***@')
}

function describe(issue: z.core.$ZodIssue): string {
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
