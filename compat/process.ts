/**
 * Running one implementation as a user would: its own process, a config file named by
 * MIFFY_CONFIG, nothing else from our environment (a stray MIFFY_* or KAFKA_* variable, such as
 * the test harness's KAFKA_BROKERS, would change what either one does).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export interface Implementation {
  /** `rust` or `miffy` */
  name: 'rust' | 'miffy'
  /** for the report: what exactly ran */
  label: string
  /** argv; the config file is passed as MIFFY_CONFIG */
  command: string[]
  cwd: string
}

/** How a process ended: its exit code, or the signal that ended it. */
export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Running {
  readonly child: ChildProcess
  /** stdout and stderr so far */
  output(): string
  /** SIGTERM, then SIGKILL after `graceMs`; how it ended */
  stop(graceMs?: number): Promise<ExitInfo>
}

const START_TIMEOUT_MS = 30_000

function cleanEnv(configPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MIFFY_') && !k.startsWith('KAFKA_') && k !== 'RUST_LOG') env[k] = v
  }
  env.MIFFY_CONFIG = configPath
  return env
}

function spawnImplementation(
  impl: Implementation,
  configPath: string,
): { child: ChildProcess; output: () => string } {
  const child = spawn(impl.command[0]!, impl.command.slice(1), {
    cwd: impl.cwd,
    env: cleanEnv(configPath),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (c: Buffer) => {
    // enough to say why a start failed; the request logs of a whole run are not needed
    if (out.length < 200_000) out += c.toString()
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  return { child, output: () => out }
}

function exitInfo(child: ChildProcess): Promise<ExitInfo> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return once(child, 'exit').then(([code, signal]) => ({ code, signal }) as ExitInfo)
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/** Starts the implementation and waits until both its ports accept connections. */
export async function start(
  impl: Implementation,
  configPath: string,
  ports: { proxy: number; management: number },
): Promise<Running> {
  const { child, output } = spawnImplementation(impl, configPath)
  const exited = exitInfo(child)
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const e = await exited
      throw new Error(`${impl.label} exited (${describeExit(e)}) before listening:\n${output()}`)
    }
    if ((await canConnect(ports.proxy)) && (await canConnect(ports.management))) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(
        `${impl.label} did not listen on ${ports.proxy}/${ports.management} within 30 s:\n${output()}`,
      )
    }
    await sleep(50)
  }
  return {
    child,
    output,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const e = await exited
      clearTimeout(timer)
      return e
    },
  }
}

export type StartUp =
  | { outcome: 'refused'; exit: ExitInfo; output: string }
  | { outcome: 'started'; output: string }

/**
 * Starts the implementation with a config it should refuse: how it exits, or `started` when it
 * listened instead (then it is stopped again).
 */
export async function startUp(
  impl: Implementation,
  configPath: string,
  ports: { proxy: number; management: number },
): Promise<StartUp> {
  const { child, output } = spawnImplementation(impl, configPath)
  const exited = exitInfo(child)
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      return { outcome: 'refused', exit: await exited, output: output() }
    if (await canConnect(ports.proxy)) {
      child.kill('SIGKILL')
      await exited
      return { outcome: 'started', output: output() }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      await exited
      throw new Error(`${impl.label} neither exited nor listened within 30 s:\n${output()}`)
    }
    await sleep(50)
  }
}

export function describeExit(e: ExitInfo): string {
  return e.signal ? `killed by ${e.signal}` : `exit ${e.code}`
}
