/**
 * Start-up failures after the config was read are catalogue errors too (issue 10): a busy port,
 * the proxy and the management port the same, an unresolvable host, a `[kafka]` table that is
 * wrong although no broker is set. Each ends with exit 2 and one `miffy: MIFFY_ERR_*` line on
 * stderr naming the key, never exit 1 and a stack trace. The real process, as a user runs it.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const NODE = join(ROOT, 'node_modules', '.bin', 'node')

/** Runs `node src/main.ts` with only these variables (plus PATH) until it exits. */
async function run(t: TestContext, env: Record<string, string>) {
  const child = spawn(NODE, ['src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      MIFFY_LOGGING: 'json',
      MIFFY_CONFIG: '/dev/null',
      // required settings; nothing needs to answer there
      MIFFY_REFERENCE: 'http://127.0.0.1:1',
      MIFFY_CANDIDATE: 'http://127.0.0.1:1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c
  })
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c
  })
  // a start-up error is quick; this only keeps a hung process from hanging the suite
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  t.after(() => {
    clearTimeout(timer)
    child.kill('SIGKILL')
  })
  const [code] = (await once(child, 'close')) as [number | null]
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** A port held by another server for the whole test. */
async function busyPort(t: TestContext): Promise<number> {
  const server: Server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return (server.address() as { port: number }).port
}

function assertCatalogueExit(r: { code: number | null; stderr: string }, code: string, detail: RegExp) {
  assert.equal(r.code, 2, r.stderr)
  assert.match(r.stderr, new RegExp(`^miffy: ${code}: `, 'm'))
  assert.match(r.stderr, detail)
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
}

test('a busy proxy port: exit 2, MIFFY_ERR_LISTEN naming host and port', async (t) => {
  const port = await busyPort(t)
  const r = await run(t, { MIFFY_HOST: '127.0.0.1', MIFFY_PORT: String(port), MIFFY_MANAGEMENT_PORT: '0' })
  assertCatalogueExit(
    r,
    'MIFFY_ERR_LISTEN',
    new RegExp(`host = "127.0.0.1", port = ${port}: the port is in use`),
  )
})

test('a busy management port: exit 2, naming management_host and management_port', async (t) => {
  const port = await busyPort(t)
  const r = await run(t, {
    MIFFY_HOST: '127.0.0.1',
    MIFFY_PORT: '0',
    MIFFY_MANAGEMENT_HOST: '127.0.0.1',
    MIFFY_MANAGEMENT_PORT: String(port),
  })
  assertCatalogueExit(
    r,
    'MIFFY_ERR_LISTEN',
    new RegExp(`management_host = "127.0.0.1", management_port = ${port}: the port is in use`),
  )
})

test('port = management_port: exit 2 before anything listens', async (t) => {
  const r = await run(t, { MIFFY_PORT: '9123', MIFFY_MANAGEMENT_PORT: '9123' })
  assertCatalogueExit(
    r,
    'MIFFY_ERR_CONFIG',
    /management_port = 9123 \(from MIFFY_MANAGEMENT_PORT\): expected a port other than port/,
  )
})

test('a host that does not resolve: exit 2, MIFFY_ERR_LISTEN', async (t) => {
  const r = await run(t, { MIFFY_HOST: 'no-such-host.invalid', MIFFY_PORT: '0', MIFFY_MANAGEMENT_PORT: '0' })
  assertCatalogueExit(
    r,
    'MIFFY_ERR_LISTEN',
    /host = "no-such-host.invalid", port = 0: the host name does not resolve/,
  )
})

test('with workers = 2, a busy port is the same exit 2, and no worker is left behind', async (t) => {
  const port = await busyPort(t)
  const r = await run(t, {
    MIFFY_HOST: '127.0.0.1',
    MIFFY_PORT: String(port),
    MIFFY_MANAGEMENT_PORT: '0',
    MIFFY_WORKERS: '2',
  })
  assertCatalogueExit(r, 'MIFFY_ERR_LISTEN', /the port is in use/)
  assert.doesNotMatch(r.stdout, /starting a replacement/)
})

test('a misspelt Kafka property without any broker: exit 2 with the did-you-mean', async (t) => {
  const r = await run(t, {
    MIFFY_PORT: '0',
    MIFFY_MANAGEMENT_PORT: '0',
    KAFKA_BOOTSTRAP_SERVER: '127.0.0.1:9092',
  })
  assertCatalogueExit(
    r,
    'MIFFY_ERR_KAFKA_PROPERTY',
    /unknown kafka property bootstrap\.server \(did you mean bootstrap\.servers\?\)/,
  )
})

test('a refused Kafka property without any broker: exit 2 naming it', async (t) => {
  const r = await run(t, { MIFFY_PORT: '0', MIFFY_MANAGEMENT_PORT: '0', KAFKA_TRANSACTIONAL_ID: 'tx-1' })
  assertCatalogueExit(r, 'MIFFY_ERR_KAFKA_PROPERTY', /kafka property transactional\.id cannot be honoured/)
})

test('valid Kafka properties without a broker start, saying they are unused', async (t) => {
  const miffy = spawn(NODE, ['src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      MIFFY_LOGGING: 'json',
      MIFFY_CONFIG: '/dev/null',
      // required settings; nothing needs to answer there
      MIFFY_REFERENCE: 'http://127.0.0.1:1',
      MIFFY_CANDIDATE: 'http://127.0.0.1:1',
      MIFFY_HOST: '127.0.0.1',
      MIFFY_PORT: '0',
      MIFFY_MANAGEMENT_PORT: '0',
      KAFKA_CLIENT_ID: 'orders-miffy',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.after(() => miffy.kill('SIGKILL'))
  let out = ''
  await new Promise<void>((resolve, reject) => {
    miffy.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c
      if (out.includes('"miffy listening"')) resolve()
    })
    miffy.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
  })
  assert.match(out, /Kafka properties are set but no bootstrap\.servers/)
  assert.match(out, /"properties":\["client\.id"\]/)
  miffy.kill('SIGTERM')
  assert.equal((await once(miffy, 'exit'))[0], 0)
})
