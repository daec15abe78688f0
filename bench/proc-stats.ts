/**
 * CPU time and resident memory of a process tree, read from /proc (Linux only).
 *
 * CPU is user + system time of the process and of every descendant (cluster workers), plus the
 * `cutime`/`cstime` each of them has collected from children it already reaped, so a worker
 * that exits mid-window is not lost (proc(5), /proc/PID/stat fields 14-17). RSS is the sum of
 * the tree's resident pages (/proc/PID/statm field 2), sampled on a timer.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

function getconf(name: string, fallback: number): number {
  const out = spawnSync('getconf', [name], { encoding: 'utf8' })
  const n = Number(out.stdout?.trim())
  return Number.isFinite(n) && n > 0 ? n : fallback
}

/** jiffies per second (USER_HZ), almost always 100: CPU times have 10 ms resolution */
export const CLK_TCK = getconf('CLK_TCK', 100)
export const PAGE_SIZE = getconf('PAGESIZE', 4096)

interface Stat {
  pid: number
  ppid: number
  /** utime + cutime, in ticks */
  user: number
  /** stime + cstime, in ticks */
  sys: number
}

function readStat(pid: number): Stat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1')
  } catch {
    return undefined
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // f[0] is field 3 (state): field N is f[N - 3]
  return {
    pid,
    ppid: Number(f[1]),
    user: Number(f[11]) + Number(f[13]),
    sys: Number(f[12]) + Number(f[14]),
  }
}

/** `root` and all its live descendants, found by walking every process's parent pid. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid)) continue
    const s = readStat(pid)
    if (!s) continue
    const list = children.get(s.ppid)
    if (list) list.push(pid)
    else children.set(s.ppid, [pid])
  }
  const out: number[] = []
  const todo = [root]
  while (todo.length > 0) {
    const pid = todo.pop()!
    out.push(pid)
    todo.push(...(children.get(pid) ?? []))
  }
  return out
}

export interface CpuTime {
  /** µs in user mode */
  user: number
  /** µs in the kernel: on loopback that includes delivering what the process sends to its peer */
  sys: number
}

/** CPU time used so far by the tree under `root`. */
export function treeCpu(root: number): CpuTime {
  let user = 0
  let sys = 0
  for (const pid of processTree(root)) {
    const s = readStat(pid)
    user += s?.user ?? 0
    sys += s?.sys ?? 0
  }
  return { user: (user * 1e6) / CLK_TCK, sys: (sys * 1e6) / CLK_TCK }
}

/**
 * CPU time (µs, user + system) of one thread: the main thread of a process is the task whose id
 * is the pid (proc(5), /proc/PID/task/TID/stat). Worker threads are the process's other tasks.
 */
export function threadCpu(pid: number, tid = pid): number {
  try {
    const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1')
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK
  } catch {
    return Number.NaN
  }
}

/** Resident bytes of each pid, summed. */
export function rssBytes(pids: number[]): number {
  let pages = 0
  for (const pid of pids) {
    try {
      pages += Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1])
    } catch {
      // exited since the tree was listed
    }
  }
  return pages * PAGE_SIZE
}

export interface RssSample {
  /** ms since the sampler started */
  t: number
  bytes: number
}

/**
 * Samples the RSS of a process tree every `intervalMs` (the tree itself is re-listed every
 * second, which is enough to see cluster workers come and go).
 */
export class RssSampler {
  readonly samples: RssSample[] = []
  readonly #root: number
  readonly #intervalMs: number
  #timer: NodeJS.Timeout | undefined
  #pids: number[] = []
  #listedAt = -Infinity
  #started = 0

  constructor(root: number, intervalMs = 250) {
    this.#root = root
    this.#intervalMs = intervalMs
  }

  start(): void {
    this.#started = performance.now()
    this.#sample()
    this.#timer = setInterval(() => this.#sample(), this.#intervalMs)
  }

  stop(): RssSample[] {
    clearInterval(this.#timer)
    this.#sample()
    return this.samples
  }

  #sample(): void {
    const now = performance.now()
    if (now - this.#listedAt >= 1000) {
      this.#pids = processTree(this.#root)
      this.#listedAt = now
    }
    this.samples.push({ t: now - this.#started, bytes: rssBytes(this.#pids) })
  }
}

export interface RssSummary {
  peak: number
  end: number
  /** one sample per tenth of the window (MiB), to see a trend rather than guess it */
  series: number[]
  /**
   * Growth over the second half of the window: the mean of the samples in the last 10 % against
   * the mean of those around the middle (45-55 %); means, so one GC sawtooth does not decide it.
   */
  growthLastHalf: number
}

export function summariseRss(samples: RssSample[]): RssSummary {
  if (samples.length === 0) return { peak: 0, end: 0, series: [], growthLastHalf: 0 }
  const span = samples.at(-1)!.t || 1
  const mean = (from: number, to: number) => {
    const xs = samples.filter((s) => s.t >= from * span && s.t <= to * span).map((s) => s.bytes)
    return xs.length === 0 ? samples.at(-1)!.bytes : xs.reduce((a, b) => a + b, 0) / xs.length
  }
  const mid = mean(0.45, 0.55)
  const series: number[] = []
  for (let i = 1; i <= 10; i++) {
    const at = samples.find((s) => s.t >= (i / 10) * span) ?? samples.at(-1)!
    series.push(Math.round((at.bytes / 2 ** 20) * 10) / 10)
  }
  return {
    peak: Math.max(...samples.map((s) => s.bytes)),
    end: samples.at(-1)!.bytes,
    series,
    growthLastHalf: mid > 0 ? mean(0.9, 1) / mid - 1 : 0,
  }
}
