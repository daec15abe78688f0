/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench -- --cpu-prof DIR`):
 * self time by file (miffy's own files, each dependency as a package, Node's internals) and the
 * functions with the most self time.
 *
 *   node bench/profile-summary.ts DIR-or-FILE.cpuprofile [--top 25]
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
      const fn = `${f.functionName || '(anonymous)'} ${file}${f.url ? `:${f.lineNumber + 1}` : ''}`
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt)
    })
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1])
  return { totalMs: total, byFile: sorted(byFile), byFunction: sorted(byFunction) }
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
    options: { top: { type: 'string', default: '25' } },
  })
  if (positionals.length === 0) {
    process.stderr.write('usage: node bench/profile-summary.ts DIR-or-FILE.cpuprofile... [--top 25]\n')
    process.exit(2)
  }
  const s = summarise(positionals.flatMap(load))
  const top = Number(values.top)
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)} %`
  const idle = s.byFile.find(([f]) => f === '(idle)')?.[1] ?? 0
  process.stdout.write(
    `${(s.totalMs / 1000).toFixed(1)} s sampled, ${pct(idle)} idle\n\nself time by file (src/, npm:package, node internals):\n`,
  )
  for (const [f, ms] of s.byFile.slice(0, top)) process.stdout.write(`${pct(ms)}  ${f}\n`)
  process.stdout.write('\nfunctions by self time:\n')
  for (const [f, ms] of s.byFunction.slice(0, top)) process.stdout.write(`${pct(ms)}  ${f}\n`)
  const own = s.byFile.filter(([f]) => f.startsWith('src/'))
  process.stdout.write(`\nmiffy's own files (src/), ${pct(own.reduce((a, [, ms]) => a + ms, 0))} in total:\n`)
  for (const [f, ms] of own.slice(0, top)) process.stdout.write(`${pct(ms)}  ${f}\n`)
}
