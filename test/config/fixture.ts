/**
 * Shared set-up for the config tests: every test loads from its own temporary directory and an
 * explicit environment, never from the runner's `process.env` (a stray MIFFY_* variable on a
 * developer's machine must not change what a test sees).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { TestContext } from 'node:test'
import { type LoadedConfig, loadConfig } from '../../src/config/load.ts'
import { type ErrorCode, MiffyError } from '../../src/errors.ts'

/** A fresh directory, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'miffy-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Since issue 11, `reference` and `candidate` have no default. A test about other keys gets these
 * through MIFFY_REFERENCE / MIFFY_CANDIDATE unless it sets the key itself (in its TOML, its files
 * or its environment) or asks for `bare` (the tests of the required keys themselves).
 */
export const TEST_REFERENCE = 'http://reference.test'
export const TEST_CANDIDATE = 'http://candidate.test'

function withUpstreams(setup: Setup): NodeJS.ProcessEnv {
  const env = { ...setup.env }
  if (setup.bare) return env
  const texts = [setup.toml ?? '', ...Object.values(setup.files ?? {})]
  const names = (key: string) => texts.some((t) => new RegExp(`^\\s*${key}\\s*=`, 'm').test(t))
  if (env.MIFFY_REFERENCE === undefined && !names('reference')) env.MIFFY_REFERENCE = TEST_REFERENCE
  if (env.MIFFY_CANDIDATE === undefined && !names('candidate')) env.MIFFY_CANDIDATE = TEST_CANDIDATE
  return env
}

export interface Setup {
  /** written to `<dir>/config.toml`; omitted: there is no config.toml */
  toml?: string
  /** other files to write, relative to the directory (for MIFFY_CONFIG) */
  files?: Record<string, string>
  /** the whole environment the loader sees (plus MIFFY_REFERENCE and MIFFY_CANDIDATE, see TEST_REFERENCE) */
  env?: NodeJS.ProcessEnv
  /** nothing added: exactly `env` */
  bare?: boolean
}

function prepare(t: TestContext, setup: Setup): string {
  const dir = tempDir(t)
  if (setup.toml !== undefined) writeFileSync(join(dir, 'config.toml'), setup.toml)
  for (const [name, text] of Object.entries(setup.files ?? {})) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

/** Loads with the given files and environment; fails the test if loading throws. */
export function load(t: TestContext, setup: Setup = {}): LoadedConfig & { dir: string } {
  const dir = prepare(t, setup)
  return { ...loadConfig({ env: withUpstreams(setup), cwd: dir }), dir }
}

export interface LoadFailure {
  error: MiffyError
  dir: string
  /** the message split into lines: a header, then one `  - key ...` line per problem */
  lines: string[]
}

/** Loads and expects a MiffyError with `code`. */
export function loadError(t: TestContext, setup: Setup, code: ErrorCode = 'MIFFY_ERR_CONFIG'): LoadFailure {
  const dir = prepare(t, setup)
  let caught: unknown
  try {
    loadConfig({ env: withUpstreams(setup), cwd: dir })
  } catch (err) {
    caught = err
  }
  assert.ok(caught instanceof MiffyError, `expected a MiffyError, got ${String(caught)}`)
  assert.equal(caught.code, code, caught.message)
  return { error: caught, dir, lines: caught.message.split('\n') }
}

/** The one problem line about `key` (`port`, `routes[0].sample`); fails if there is none or several. */
export function lineFor(failure: LoadFailure, key: string): string {
  const found = failure.lines.filter((l) => l.startsWith(`  - ${key} `) || l.startsWith(`  - ${key}:`))
  assert.equal(found.length, 1, `one line about ${key} expected in:\n${failure.error.message}`)
  return found[0]!
}
