/**
 * Every process the benchmark starts goes through here, so that one call kills them all: at the
 * end of a run, on an error, and on Ctrl-C. Output goes to a log file per process in the run's
 * temp dir (a pipe nobody reads would block the child), and the tail of it is shown when the
 * process fails to start.
 *
 * Children are started under `setpriv --pdeathsig KILL` when util-linux has it, so they die with
 * the harness even when it is SIGKILLed and never runs its clean-up.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export interface Managed {
  name: string
  child: ChildProcess
  pid: number
  logFile: string
  /** resolves when the process has exited */
  exited: Promise<void>
  /** the last lines of its output */
  tail(lines?: number): string
  /** SIGTERM, then SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<void>
}

const live = new Set<Managed>()

let deathPrefix: string[] | undefined
function prefix(): string[] {
  if (deathPrefix) return deathPrefix
  const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' })
  deathPrefix = probe.status === 0 ? ['setpriv', '--pdeathsig', 'KILL', '--'] : []
  return deathPrefix
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: { dir: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Managed {
  const logFile = join(opts.dir, `${name}.log`)
  const fd = openSync(logFile, 'a')
  const [cmd, ...rest] = [...prefix(), command, ...args]
  const child = spawn(cmd!, rest, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`)
  const exited = once(child, 'exit').then(
    () => {},
    () => {},
  )
  child.on('error', () => {})
  const tail = (lines = 30) => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n')
    } catch {
      return '(no output)'
    }
  }
  const m: Managed = {
    name,
    child,
    pid: child.pid,
    logFile,
    exited,
    tail,
    async stop(graceMs = 3000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        await exited
        clearTimeout(timer)
      }
      live.delete(m)
    },
  }
  live.add(m)
  exited.then(() => live.delete(m))
  return m
}

/** SIGKILL everything still running (synchronous: usable from an exit handler). */
export function killAllSync(): void {
  for (const m of live) {
    try {
      m.child.kill('SIGKILL')
    } catch {}
  }
  live.clear()
}

/** SIGTERM everything still running, SIGKILL what is left after `graceMs`. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((m) => m.stop(graceMs)))
}

/** Resolves once `host:port` accepts a TCP connection; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, who?: Managed): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (who && (who.child.exitCode !== null || who.child.signalCode !== null)) {
      throw new Error(`${who.name} exited (${who.child.exitCode ?? who.child.signalCode}):\n${who.tail()}`)
    }
    if (Date.now() > deadline) {
      throw new Error(`port ${port} not open after ${timeoutMs} ms${who ? `:\n${who.tail()}` : ''}`)
    }
    await sleep(50)
  }
}

/** `n` distinct free loopback ports (all opened at once so the kernel hands out different ones). */
export async function freePorts(n: number): Promise<number[]> {
  const { createServer } = await import('node:net')
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer()
          s.once('error', reject)
          s.listen(0, '127.0.0.1', () => resolve(s))
        }),
    ),
  )
  const ports = servers.map((s) => (s.address() as { port: number }).port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

/**
 * The other side, in a server the harness started: listen on 127.0.0.1, print `ready` with the
 * port as one JSON line once listening, and on SIGTERM or SIGINT close every connection and exit 0.
 */
export function serveUntilSignalled(server: Server, port: number, ready: Record<string, unknown>): void {
  server.listen(port, '127.0.0.1', () => {
    const address = server.address() as AddressInfo
    process.stdout.write(`${JSON.stringify({ ...ready, port: address.port })}\n`)
  })
  const stop = () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}
