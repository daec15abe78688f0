/**
 * Runs miffy as a user would (`npm start`, or `node src/main.ts`), with JSON logs, and waits for
 * its "miffy listening" line to learn the ports it got.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface MiffyProcess {
  child: ChildProcess
  proxyUrl: string
  managementUrl: string
  lines: Record<string, unknown>[]
  stderr: () => string
  /** resolves with the exit code (or signal name) */
  exited: Promise<number | string>
}

/**
 * The environment a miffy child gets: the test runner's, without the variables that point the
 * test suite itself at a broker (KAFKA_BROKERS, KAFKA_SASL_BROKERS). miffy reads every KAFKA_*
 * variable as a Kafka property, so passing them on would configure the child by accident.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { KAFKA_BROKERS: _b, KAFKA_SASL_BROKERS: _s, ...rest } = process.env
  return { ...rest, ...extra }
}

export async function startMiffy(
  t: TestContext,
  env: Record<string, string>,
  command: string[] = ['npm', 'start', '--silent'],
): Promise<MiffyProcess> {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: childEnv({
      MIFFY_LOGGING: 'json',
      MIFFY_HOST: '127.0.0.1',
      MIFFY_PORT: '0',
      MIFFY_MANAGEMENT_PORT: '0',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group: `npm start` runs miffy as a child of npm, and killing npm alone
    // would leave miffy running, holding our pipes open
    detached: true,
  })
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  t.after(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // the group is gone already
    }
  })
  const lines: Record<string, unknown>[] = []
  let err = ''
  child.stderr!.on('data', (c) => {
    err += c
  })
  let buffered = ''
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      buffered += c
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        try {
          const obj = JSON.parse(line) as Record<string, unknown>
          lines.push(obj)
          if (obj.msg === 'miffy listening') resolve(obj)
        } catch {
          // npm's own chatter
        }
        nl = buffered.indexOf('\n')
      }
    })
    exited.then((code) => reject(new Error(`miffy exited (${code}) before listening: ${err}`)))
    setTimeout(() => reject(new Error(`miffy did not start within 20 s: ${err}`)), 20_000).unref()
  })
  const ready = await listening
  return {
    child,
    proxyUrl: `http://${ready.proxy}`,
    managementUrl: `http://${ready.management}`,
    lines,
    stderr: () => err,
    exited,
  }
}
