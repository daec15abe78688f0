/**
 * Micro-benchmark of RouteTable.match: 50 routes shaped like a real API, a few kinds of path.
 * Bounded to a few seconds. Run: node bench/route-table.ts
 */
import { RouteTable } from '../src/routing/route-table.ts'

const resources = ['users', 'orders', 'products', 'carts', 'invoices', 'payments', 'shipments', 'reviews']
const routes: string[] = ['/', '/health', '/metrics', '/static/{*path}', '/api/v1/search', '/api/v2/{*rest}']
for (const r of resources) {
  routes.push(
    `/api/v1/${r}`,
    `/api/v1/${r}/{id}`,
    `/api/v1/${r}/{id}/history`,
    `/api/v1/${r}/{id}/items/{item}`,
    `/api/v1/${r}/{id}.json`,
  )
}
routes.push(
  '/api/v1/users/me',
  '/api/v1/users/me/settings',
  '/api/v1/{resource}/{id}/audit',
  '/files/{name}.png',
)
if (routes.length !== 50) throw new Error(`expected 50 routes, got ${routes.length}`)

const table = new RouteTable<number>()
for (const [i, r] of routes.entries()) table.insert(r, i)

const cases: [label: string, path: string][] = [
  ['4 segments, 1 param', '/api/v1/orders/8842'],
  ['4 segments, 1 param, query', '/api/v1/orders/8842?expand=items'],
  ['5 segments, 2 params', '/api/v1/orders/8842/items/17'],
  ['4 segments, static', '/api/v1/users/me'],
  ['4 segments, suffix', '/api/v1/products/991.json'],
  ['backtrack to {resource}', '/api/v1/users/42/audit'],
  ['catch-all', '/static/js/vendor/app.min.js'],
  ['percent-decoded param', '/api/v1/users/J%C3%BCrgen'],
  ['miss', '/api/v1/unknown'],
]

let sink = 0
/** Mean CPU time (user, in ns) per match: unlike wall time it does not count being descheduled. */
function run(paths: readonly string[], iterations: number): number {
  const start = process.cpuUsage().user
  for (let i = 0; i < iterations; i++) sink += table.match(paths[i % paths.length] as string)?.value ?? -1
  return ((process.cpuUsage().user - start) * 1000) / iterations
}

// Warm up on the whole mix first, so every case is measured with the inline caches in the state a
// server sees (many path shapes), not the monomorphic best case of a single path.
const mix = cases.map(([, path]) => path)
run(mix, 2_000_000)

// The minimum over short trials filters out preemption on a shared machine; the median shows spread.
function measure(paths: readonly string[]): { min: number; median: number } {
  const trials: number[] = []
  for (let t = 0; t < 9; t++) trials.push(run(paths, 150_000))
  trials.sort((a, b) => a - b)
  return { min: trials[0] as number, median: trials[4] as number }
}

console.log(
  `RouteTable.match, ${routes.length} routes, node ${process.version}; CPU ns/match, min and median of 9 trials`,
)
for (const [label, path] of [...cases, ['mix of all the above', '(rotating)'] as [string, string]]) {
  const { min, median } = measure(path === '(rotating)' ? mix : [path])
  console.log(
    `${label.padEnd(28)} ${path.padEnd(36)} ${min.toFixed(0).padStart(5)} ${median.toFixed(0).padStart(5)}`,
  )
}
if (sink === 0) console.log('(sink)')
