/**
 * The load generator: wrk (Debian package `wrk`, C, cheap on a 2-core machine) when it is
 * installed, else autocannon (npm, run in this process). Both are closed-loop: a fixed number of
 * connections, each sending its next request when the previous answer is complete, for a fixed
 * time. Latencies are reported in microseconds.
 */
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export type LoadTool = 'wrk' | 'autocannon'

export interface LoadOptions {
  url: string
  connections: number
  seconds: number
  /** a request taking longer counts as a timeout error */
  timeoutSeconds: number
  /** a scratch dir (wrk's Lua script goes there) */
  dir: string
}

export interface LoadResult {
  /** `paced`: bench/paced-load.ts (open loop, the Kafka-recovery scenarios) */
  tool: LoadTool | 'paced'
  /** completed requests, whatever their status */
  requests: number
  durationSeconds: number
  rps: number
  /** answers that were not 2xx/3xx */
  non2xx: number
  /** connect/read/write errors and timeouts */
  errors: number
  timeouts: number
  latencyUs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number }
}

export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['-v'], { stdio: 'ignore' }).error === undefined
}

export function wrkVersion(): string {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  return (
    `${out.stdout ?? ''}${out.stderr ?? ''}`
      .split('\n')[0]
      ?.replace(/\s*Copyright.*$/, '')
      .trim() ?? 'wrk'
  )
}

/** wrk's `done` hook, printing one JSON line after the human summary. */
const WRK_SCRIPT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"mean":%f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
`

export async function runLoad(tool: LoadTool, opts: LoadOptions): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(opts) : runAutocannon(opts)
}

async function runWrk(opts: LoadOptions): Promise<LoadResult> {
  const script = join(opts.dir, 'report.lua')
  writeFileSync(script, WRK_SCRIPT)
  // One thread: wrk can drive far more than the proxy under test on loopback, and every core it
  // does not use is one the proxy and the origins can have.
  const args = [
    '-t1',
    `-c${opts.connections}`,
    // wrk takes whole seconds only
    `-d${Math.max(1, Math.round(opts.seconds))}s`,
    `--timeout`,
    `${opts.timeoutSeconds}s`,
    '-s',
    script,
    opts.url,
  ]
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c
    })
    child.stderr.on('data', (c: Buffer) => {
      out += c
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), (opts.seconds + opts.timeoutSeconds + 10) * 1000)
    child.once('error', (err) => {
      clearTimeout(killer)
      reject(err)
    })
    child.once('close', (code) => {
      clearTimeout(killer)
      resolve({ code, out })
    })
  })
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '))
  if (code !== 0 || !line) throw new Error(`wrk ${args.join(' ')} failed (exit ${code}):\n${out}`)
  const j = JSON.parse(line.slice('WRKJSON '.length)) as Record<string, number>
  const durationSeconds = j.duration_us! / 1e6
  return {
    tool: 'wrk',
    requests: j.requests!,
    durationSeconds,
    rps: j.requests! / durationSeconds,
    non2xx: j.status!,
    errors: j.connect! + j.read! + j.write! + j.timeout!,
    timeouts: j.timeout!,
    latencyUs: { mean: j.mean!, p50: j.p50!, p90: j.p90!, p99: j.p99!, p999: j.p999!, max: j.max! },
  }
}

interface AutocannonResult {
  requests: { total: number }
  duration: number
  non2xx: number
  errors: number
  timeouts: number
  latency: Record<'mean' | 'p50' | 'p90' | 'p99' | 'p99_9' | 'max', number>
}

async function runAutocannon(opts: LoadOptions): Promise<LoadResult> {
  const { default: autocannon } = await import('autocannon')
  const r = (await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: opts.timeoutSeconds,
  })) as AutocannonResult
  // autocannon reports latency in milliseconds
  const us = (ms: number) => ms * 1000
  return {
    tool: 'autocannon',
    requests: r.requests.total,
    durationSeconds: r.duration,
    rps: r.requests.total / r.duration,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyUs: {
      mean: us(r.latency.mean),
      p50: us(r.latency.p50),
      p90: us(r.latency.p90),
      p99: us(r.latency.p99),
      p999: us(r.latency.p99_9),
      max: us(r.latency.max),
    },
  }
}
