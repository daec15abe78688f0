/**
 * The Rust miffy 1.0.1 (the system miffy replaces) as a peer: same origins, same load, same
 * scenarios. Its binary comes from `scripts/rust-miffy.sh` (built once per machine from
 * ../shared/peers/rust-miffy, cached outside the clone); `MIFFY_BENCH_RUST=/path/to/miffy` uses
 * another build.
 *
 * It reads `config.toml` from its working directory (or `MIFFY_CONFIG`), so each start writes one
 * into its own temp dir: its `MIFFY_*` variables split on `_` (`MIFFY_MANAGEMENT_PORT` would be
 * `management.port`), which a file avoids. `RUST_LOG=warn` turns off its per-request log lines,
 * as `log_level = "warn"` does for miffy. Its management port answers `/healthz` only: it has no
 * metrics, so what it mirrored is what the candidate origin received and what it published is
 * what the topic gained (`topicEnd`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ROOT, ROUTE } from './miffy.ts'
import { type Managed, startProcess, waitForPort } from './processes.ts'

export interface RustMiffyOptions {
  port: number
  managementPort: number
  reference: string
  /** undefined: no experiment (the Rust miffy still wants a candidate URL: the reference's) */
  candidate: string | undefined
  /** `host:port` of the broker; the Rust miffy always has a producer */
  kafka: string
  topic: string
  dir: string
}

export interface RustMiffy {
  proc: Managed
  url: string
}

let cached: { path: string } | { error: string } | undefined

/**
 * The Rust miffy's binary, built by scripts/rust-miffy.sh on first use (about 5 minutes; the
 * script caches it), or the reason it cannot be had. `build: false` takes only a binary already
 * built (the smoke test must not start a 5-minute build).
 */
export function rustMiffyBinary(build = true): { path: string } | { error: string } {
  if (cached) return cached
  const override = process.env.MIFFY_BENCH_RUST
  if (override) {
    cached = existsSync(override)
      ? { path: override }
      : { error: `MIFFY_BENCH_RUST=${override}: no such file` }
    return cached
  }
  const script = join(ROOT, 'scripts', 'rust-miffy.sh')
  if (!build || !existsSync(script)) {
    // A binary the script built earlier (it keeps one per source stamp), without building one.
    const built = builtBinaries()[0]
    cached = built
      ? { path: built }
      : { error: build ? `no ${script}, no built binary` : 'not built yet (npm run bench builds it)' }
    return cached
  }
  const out = spawnSync('bash', [script], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 30 * 60_000,
  })
  const path = out.stdout?.trim().split('\n').at(-1)
  cached =
    out.status === 0 && path
      ? { path: resolve(ROOT, path) }
      : { error: `scripts/rust-miffy.sh failed (exit ${out.status ?? out.signal})` }
  return cached
}

/**
 * Binaries scripts/rust-miffy.sh has built on this machine, newest first: in its cache outside
 * the clone (`$MIFFY_PEER_CACHE`, default ~/.cache/miffy-peers: rust-miffy/<stamp>/miffy), or
 * where its first version put them (.cache/rust-miffy/release/miffy).
 */
function builtBinaries(): string[] {
  const cache = join(process.env.MIFFY_PEER_CACHE ?? join(homedir(), '.cache', 'miffy-peers'), 'rust-miffy')
  const found: string[] = []
  try {
    for (const stamp of readdirSync(cache)) found.push(join(cache, stamp, 'miffy'))
  } catch {
    // no cache yet
  }
  found.push(join(ROOT, '.cache', 'rust-miffy', 'release', 'miffy'))
  return found.filter((f) => existsSync(f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
}

/** The peer's version line for the report (it has no --version: the Cargo.toml it was built from). */
export const RUST_MIFFY_VERSION = '1.0.1 (release build, scripts/rust-miffy.sh)'

export function rustConfig(o: RustMiffyOptions): string {
  const q = JSON.stringify
  return `# written by bench/rust-miffy.ts
port = ${o.port}
management_port = ${o.managementPort}
logging = "json"
reference = ${q(o.reference)}
candidate = ${q(o.candidate ?? o.reference)}
routes = [${o.candidate ? `{ path = ${q(ROUTE)}, key = "id" }` : ''}]

[kafka]
topic = ${q(o.topic)}
"bootstrap.servers" = ${q(o.kafka)}
`
}

export async function startRustMiffy(o: RustMiffyOptions): Promise<RustMiffy> {
  const bin = rustMiffyBinary()
  if ('error' in bin) throw new Error(`the Rust miffy is not available: ${bin.error}`)
  const dir = join(o.dir, `rust-miffy-${o.port}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'config.toml'), rustConfig(o))
  // Only what it needs: a MIFFY_* or KAFKA_* variable of ours would override the file.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, RUST_LOG: 'warn' }
  const proc = startProcess(`rust-miffy-${o.port}`, bin.path, [], { dir: o.dir, env, cwd: dir })
  await waitForPort(o.managementPort, 30_000, proc)
  await waitForPort(o.port, 10_000, proc)
  const url = `http://127.0.0.1:${o.port}`
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${url}/api/42`, { signal: AbortSignal.timeout(10_000) })
    await res.arrayBuffer()
    if (res.status !== 200)
      throw new Error(`the Rust miffy answered ${res.status} to a first request:\n${proc.tail()}`)
  }
  return { proc, url }
}

/** Waits until `count()` stops changing for `quietMs` (or `maxMs` passed); returns the last value. */
export async function settleCount(
  count: () => Promise<number>,
  quietMs: number,
  maxMs: number,
): Promise<number> {
  const deadline = Date.now() + maxMs
  let last = await count()
  let since = Date.now()
  while (Date.now() < deadline) {
    await sleep(100)
    const now = await count()
    if (now !== last) {
      last = now
      since = Date.now()
    } else if (Date.now() - since >= quietMs) break
  }
  return last
}
