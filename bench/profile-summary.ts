/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench -- --cpu-prof DIR`):
 * self time by file (miffy's own files, each dependency as a package, Node's internals) and the
 * functions with the most self time.
 *
 *   node bench/profile-summary.ts DIR-or-FILE.cpuprofile [--top 25] [--callers NAME [--depth 4]]
 *                                 [--inclusive npm:kafkajs]
 *
 * `--callers NAME`: for the functions named NAME, the call paths (--depth frames) their self time
 * comes from, e.g. which code ends in the native `writeLatin1String`. `--inclusive FILE`: the share
 * of samples with a frame of FILE (a bucket of the by-file list) anywhere on the stack.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Where a frame belongs: `src/...` file, `npm:package`, `node:internal/...`, or a V8 bucket. */
export function bucket(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const nm = path.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/')
    return `npm:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`
  }
  if (path.startsWith(ROOT)) return path.slice(ROOT.length)
  return path.startsWith('node:') ? path : `node:${path}`
}

/** A function's file for the by-function list: inside a package, its path there (npm:kafkajs/src/...). */
function where(url: string, file: string): string {
  if (!file.startsWith('npm:')) return file
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const rest = path.slice(path.lastIndexOf('/node_modules/') + '/node_modules/'.length)
  return `npm:${rest}`
}

export interface Summary {
  totalMs: number
  byFile: [string, number][]
  byFunction: [string, number][]
}

export function summarise(profiles: Profile[]): Summary {
  const byFile = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((n) => [n.id, n]))
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i] ?? 0) / 1000
      const f = nodes.get(id)!.callFrame
      const file = bucket(f.url, f.functionName)
      total += dt
      byFile.set(file, (byFile.get(file) ?? 0) + dt)
      const fn = `${f.functionName || '(anonymous)'} ${where(f.url, file)}${f.url ? `:${f.lineNumber + 1}` : ''}`
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt)
    })
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1])
  return { totalMs: total, byFile: sorted(byFile), byFunction: sorted(byFunction) }
}

/** Self time of the functions named `name`, by the call path that led to them (innermost first). */
export function callers(profiles: Profile[], name: string, depth = 4): [string, number][] {
  const byPath = new Map<string, number>()
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((n) => [n.id, n]))
    const parent = new Map<number, number>()
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    const frame = (n: ProfileNode) =>
      `${n.callFrame.functionName || '(anonymous)'} ${bucket(n.callFrame.url, n.callFrame.functionName)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`
    p.samples.forEach((id, i) => {
      const node = nodes.get(id)!
      if (node.callFrame.functionName !== name) return
      const path: string[] = []
      for (let at = parent.get(id); at !== undefined && path.length < depth; at = parent.get(at)) {
        path.push(frame(nodes.get(at)!))
      }
      const key = path.join(' ← ')
      byPath.set(key, (byPath.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000)
    })
  }
  return [...byPath.entries()].sort((a, b) => b[1] - a[1])
}

/**
 * Inclusive share: the time of samples with at least one frame in `file` (a bucket as in the
 * by-file list, e.g. `npm:kafkajs` or `src/publish/kafka-sink.ts`) anywhere on their stack,
 * with what those samples' own frames were spent in, by bucket.
 */
export function inclusive(
  profiles: Profile[],
  file: string,
): { ms: number; totalMs: number; self: [string, number][] } {
  let ms = 0
  let totalMs = 0
  const self = new Map<string, number>()
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((n) => [n.id, n]))
    const parent = new Map<number, number>()
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    const under = new Map<number, boolean>()
    const isUnder = (id: number): boolean => {
      const known = under.get(id)
      if (known !== undefined) return known
      const n = nodes.get(id)!
      const up = parent.get(id)
      const v =
        bucket(n.callFrame.url, n.callFrame.functionName) === file || (up !== undefined && isUnder(up))
      under.set(id, v)
      return v
    }
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i] ?? 0) / 1000
      totalMs += dt
      if (!isUnder(id)) return
      ms += dt
      const f = nodes.get(id)!.callFrame
      const b = bucket(f.url, f.functionName)
      self.set(b, (self.get(b) ?? 0) + dt)
    })
  }
  return { ms, totalMs, self: [...self.entries()].sort((a, b) => b[1] - a[1]) }
}

function load(path: string): Profile[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.cpuprofile'))
      .flatMap((f) => load(join(path, f)))
  }
  return [JSON.parse(readFileSync(path, 'utf8')) as Profile]
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      callers: { type: 'string' },
      inclusive: { type: 'string' },
      depth: { type: 'string', default: '4' },
    },
  })
  if (positionals.length === 0) {
    process.stderr.write('usage: node bench/profile-summary.ts DIR-or-FILE.cpuprofile... [--top 25]\n')
    process.exit(2)
  }
  const profiles = positionals.flatMap(load)
  if (values.callers) {
    const paths = callers(profiles, values.callers, Number(values.depth))
    const total = summarise(profiles).totalMs
    process.stdout.write(`${values.callers}: self time by caller path (% of all samples)\n`)
    for (const [path, ms] of paths.slice(0, Number(values.top))) {
      process.stdout.write(`${((100 * ms) / total).toFixed(1).padStart(5)} %  ${path}\n`)
    }
    process.exit(0)
  }
  if (values.inclusive) {
    const r = inclusive(profiles, values.inclusive)
    const pct = (ms: number) => `${((100 * ms) / r.totalMs).toFixed(1).padStart(5)} %`
    process.stdout.write(
      `${pct(r.ms)}  of all samples have ${values.inclusive} on the stack; their own frames:\n`,
    )
    for (const [b, ms] of r.self.slice(0, Number(values.top))) process.stdout.write(`${pct(ms)}  ${b}\n`)
    process.exit(0)
  }
  const s = summarise(profiles)
  const top = Number(values.top)
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)} %`
  const idle = s.byFile.find(([f]) => f === '(idle)')?.[1] ?? 0
  process.stdout.write(
    `${(s.totalMs / 1000).toFixed(1)} s sampled, ${pct(idle)} idle\n\nself time by file (src/, npm:package, node internals):\n`,
  )
  for (const [f, ms] of s.byFile.slice(0, top)) process.stdout.write(`${pct(ms)}  ${f}\n`)
  process.stdout.write('\nfunctions by self time:\n')
  for (const [f, ms] of s.byFunction.slice(0, top)) process.stdout.write(`${pct(ms)}  ${f}\n`)
  const own = s.byFile.filter(([f]) => f.startsWith('src/') || f.startsWith('dist/'))
  process.stdout.write(
    `\nmiffy's own files (src/, or dist/ as npm start runs it), ${pct(own.reduce((a, [, ms]) => a + ms, 0))} in total:\n`,
  )
  for (const [f, ms] of own.slice(0, top)) process.stdout.write(`${pct(ms)}  ${f}\n`)
}
