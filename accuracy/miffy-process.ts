/**
 * miffy as a real process, started the way a user starts it (`node src/main.ts` with
 * MIFFY_CONFIG), with the caller's MIFFY_* and KAFKA_* variables removed so nothing from the
 * shell (a broker address, a port) leaks into a measurement.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface MiffyProcess {
  proxyUrl: string
  managementUrl: string
  stop(): Promise<void>
}

/** miffy refused the configuration (exit 2) or died before listening. */
export class MiffyStartError extends Error {
  readonly exitCode: number | string
  readonly stderr: string
  constructor(exitCode: number | string, stderr: string) {
    super(`miffy exited (${exitCode}) before listening: ${stderr.trim()}`)
    this.exitCode = exitCode
    this.stderr = stderr
  }
}

/** miffy's refusal cut to what a reader needs: one line per distinct problem, routes folded. */
export function summariseRefusal(stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .map((l) => l.trim())
  const distinct = [...new Set(lines.slice(1).map((l) => l.replace(/routes\[\d+\]/, 'routes[*]')))]
  // the temporary config's path changes on every run and says nothing
  const first = (lines[0] ?? '').replace(/ \(read [^)]*\)/, '')
  return [first, ...distinct.slice(0, 6)].filter(Boolean).join(' ')
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MIFFY_') && !k.startsWith('KAFKA_')) env[k] = v
  }
  return env
}

export async function startMiffy(configPath: string, startTimeoutMs = 30_000): Promise<MiffyProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--disable-warning=TimeoutNegativeWarning', 'src/main.ts'],
    { cwd: ROOT, env: { ...cleanEnv(), MIFFY_CONFIG: configPath }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  let stderr = ''
  child.stderr!.on('data', (c) => {
    stderr += c
  })
  let buffered = ''
  let listening = false
  const ready = new Promise<{ proxy: string; management: string }>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      // once listening, the access log and divergence lines are drained unread
      if (listening) return
      buffered += c.toString('utf8')
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (line.includes('"miffy listening"')) {
          const obj = JSON.parse(line) as { proxy: string; management: string }
          listening = true
          buffered = ''
          resolve(obj)
          return
        }
        nl = buffered.indexOf('\n')
      }
    })
    exited.then((code) => reject(new MiffyStartError(code, stderr)))
    setTimeout(
      () => reject(new Error(`miffy did not start within ${startTimeoutMs} ms: ${stderr}`)),
      startTimeoutMs,
    ).unref()
  })
  let addresses: { proxy: string; management: string }
  try {
    addresses = await ready
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL')
    throw err
  }
  return {
    proxyUrl: `http://${addresses.proxy}`,
    managementUrl: `http://${addresses.management}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}
