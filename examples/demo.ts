/**
 * `npm run demo`: the demo reference and candidate (examples/demo-server.ts) in this process,
 * and miffy (`miffy start`, config.sample.toml) in a child process, exactly as a user would
 * start it. No Kafka needed: divergences are logged and listed at /divergences on the
 * management port. Try: curl localhost:8080/api/3
 *
 *   npm run demo -- [--reference-port 3000] [--candidate-port 3001] [--port 8080] [--management-port 9000]
 *
 * Environment instead of flags: DEMO_REFERENCE_PORT, DEMO_CANDIDATE_PORT, MIFFY_PORT,
 * MIFFY_MANAGEMENT_PORT; 0 picks a free port, and the banner prints the ports in use. A port that
 * is taken stops the demo with a message naming it and the flag to change it, before anything is
 * left running. miffy gets its upstreams explicitly (MIFFY_REFERENCE, MIFFY_CANDIDATE, and the
 * sample's routes with their URLs moved to the demo's ports): it has no default for them.
 *
 * SIGTERM or SIGINT (npm passes them on) stop miffy; the demo exits when miffy has, with its
 * exit code.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { type AddressInfo, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parse as parseToml } from 'smol-toml'
import { demoServer } from './demo-server.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const SAMPLE = 'config.sample.toml'

interface PortOption {
  flag: string
  env: string
  fallback: number
  what: string
}

const PORTS = {
  reference: {
    flag: 'reference-port',
    env: 'DEMO_REFERENCE_PORT',
    fallback: 3000,
    what: 'the demo reference',
  },
  candidate: {
    flag: 'candidate-port',
    env: 'DEMO_CANDIDATE_PORT',
    fallback: 3001,
    what: 'the demo candidate',
  },
  proxy: { flag: 'port', env: 'MIFFY_PORT', fallback: 8080, what: "miffy's proxy" },
  management: {
    flag: 'management-port',
    env: 'MIFFY_MANAGEMENT_PORT',
    fallback: 9000,
    what: "miffy's management port",
  },
} satisfies Record<string, PortOption>

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`)
  process.exit(2)
}

const { values } = (() => {
  try {
    return parseArgs({
      options: Object.fromEntries(
        [...Object.values(PORTS).map((p) => p.flag), 'help'].map((f) => [
          f,
          { type: f === 'help' ? 'boolean' : 'string' },
        ]),
      ) as Record<string, { type: 'string' | 'boolean' }>,
    })
  } catch (err) {
    return fail(`${(err as Error).message.split('. ')[0]} (npm run demo -- --help)`)
  }
})()
if (values.help) {
  process.stdout.write(
    'usage: npm run demo -- [--reference-port 3000] [--candidate-port 3001] [--port 8080] [--management-port 9000]\n' +
      '(or DEMO_REFERENCE_PORT, DEMO_CANDIDATE_PORT, MIFFY_PORT, MIFFY_MANAGEMENT_PORT; 0 picks a free port)\n',
  )
  process.exit(0)
}

function port(p: PortOption): number {
  const raw = (values[p.flag] as string | undefined) ?? process.env[p.env] ?? String(p.fallback)
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n > 65535) fail(`--${p.flag} ${JSON.stringify(raw)}: expected a port, 0 to 65535`)
  return n
}

function inUse(p: PortOption, n: number): string {
  return `port ${n} (${p.what}) is in use: stop what listens there, or pick another port with --${p.flag} N (or ${p.env}=N); 0 picks a free one`
}

/** Listens, or explains which port is taken; a second server is closed again on failure. */
async function listen(server: Server, p: PortOption, n: number, host: string): Promise<number> {
  server.listen(n, host)
  try {
    await once(server, 'listening')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(inUse(p, n))
    throw err
  }
  return (server.address() as AddressInfo).port
}

/** miffy's ports, checked (and 0 resolved) here, so that the demo can say which one is taken. */
async function reserve(p: PortOption, n: number, host: string): Promise<number> {
  const probe = createServer()
  probe.listen(n, host)
  try {
    await once(probe, 'listening')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(inUse(p, n))
    throw err
  }
  const chosen = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  return chosen
}

/** The sample's routes, their URLs moved from 3000/3001 to the demo's actual ports. */
function sampleRoutes(referenceUrl: string, candidateUrl: string): string {
  const sample = parseToml(readFileSync(new URL(`../${SAMPLE}`, import.meta.url), 'utf8')) as {
    routes?: Record<string, unknown>[]
  }
  const move = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.replace('http://127.0.0.1:3000', referenceUrl).replace('http://127.0.0.1:3001', candidateUrl)
      : Array.isArray(v)
        ? v.map(move)
        : v
  return JSON.stringify(
    (sample.routes ?? []).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, move(v)]))),
  )
}

const demoHost = process.env.DEMO_HOST ?? '127.0.0.1'
const miffyHost = process.env.MIFFY_HOST ?? '0.0.0.0'
const servers = [demoServer('reference', 1), demoServer('candidate', 100)]
const closeServers = () => {
  for (const s of servers) s.close()
}

let ports: { reference: number; candidate: number; proxy: number; management: number }
try {
  const proxy = await reserve(PORTS.proxy, port(PORTS.proxy), miffyHost)
  const management = await reserve(PORTS.management, port(PORTS.management), miffyHost)
  const reference = await listen(servers[0]!, PORTS.reference, port(PORTS.reference), demoHost)
  const candidate = await listen(servers[1]!, PORTS.candidate, port(PORTS.candidate), demoHost)
  ports = { reference, candidate, proxy, management }
} catch (err) {
  closeServers()
  fail((err as Error).message)
}

const local = demoHost === '0.0.0.0' ? '127.0.0.1' : demoHost
const referenceUrl = `http://${local}:${ports.reference}`
const candidateUrl = `http://${local}:${ports.candidate}`
const miffy: ChildProcess = spawn(
  process.execPath,
  // kafkajs computes negative timeouts on Node >= 23 (tulios/kafkajs#1751); npm start says the same
  ['--disable-warning=TimeoutNegativeWarning', 'src/cli/main.ts', 'start'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      MIFFY_CONFIG: SAMPLE,
      MIFFY_REFERENCE: referenceUrl,
      MIFFY_CANDIDATE: candidateUrl,
      MIFFY_ROUTES: sampleRoutes(referenceUrl, candidateUrl),
      ...process.env,
      MIFFY_PORT: String(ports.proxy),
      MIFFY_MANAGEMENT_PORT: String(ports.management),
    },
  },
)
// The banner comes once miffy answers, so that its "try" line works when it is read.
void (async () => {
  const health = `http://127.0.0.1:${ports.management}/healthz`
  while (miffy.exitCode === null && miffy.signalCode === null) {
    const up = await fetch(health).then(
      (r) => r.ok,
      () => false,
    )
    if (up) {
      console.log(`demo: reference on ${referenceUrl}, candidate on ${candidateUrl}`)
      console.log(
        `demo: miffy on :${ports.proxy} (management :${ports.management}) with ${SAMPLE}; try  curl -s localhost:${ports.proxy}/api/3  and  curl -s localhost:${ports.management}/divergences`,
      )
      return
    }
    await new Promise((r) => setTimeout(r, 100))
  }
})()

// npm passes SIGTERM and SIGINT on, and a terminal's Ctrl-C reaches us too: pass each on once
// to miffy, which drains and exits; we follow it.
let stopping = false
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return
  stopping = true
  miffy.kill(signal)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
miffy.once('exit', (code) => {
  closeServers()
  process.exit(code ?? 1)
})
