/**
 * Runs the `miffy` executable as a user does: bin/miffy.js, found through its shebang (the
 * launcher then runs the TypeScript CLI on Node 24), from the repository root, with the given
 * environment on top of a clean one (no MIFFY_* or KAFKA_* from the runner).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { ROOT } from './process.ts'

export const MIFFY_BIN = join(ROOT, 'bin', 'miffy.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunningCli {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<CliResult>
}

/** Our environment without MIFFY_* and KAFKA_* (a developer's or the runner's must not leak in). */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('MIFFY_') && !k.startsWith('KAFKA_') && !k.startsWith('NODE_TEST')) out[k] = v
  return { ...out, ...env }
}

/** Starts `miffy ARGS`; killed in t.after if still running. */
export function startCli(
  t: TestContext,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): RunningCli {
  const child = spawn(MIFFY_BIN, args, {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, so that t.after also kills the CLI the launcher started
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    stdout += c
  })
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c
  })
  const exited = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }))
  t.after(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // the group is gone already
    }
  })
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

/** Runs `miffy ARGS` to the end. */
export function runCli(
  t: TestContext,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return startCli(t, args, options).exited
}

/** Resolves once `predicate` holds for the output so far; rejects if the process exits first. */
export async function waitForOutput(cli: RunningCli, predicate: (stdout: string) => boolean): Promise<void> {
  while (!predicate(cli.stdout())) {
    if (cli.child.exitCode !== null || cli.child.signalCode !== null)
      throw new Error(`miffy exited before the expected output:\n${cli.stdout()}\n${cli.stderr()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
