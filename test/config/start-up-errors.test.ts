/**
 * The real process, end to end: a bad configuration stops start-up with exit code 2 and a message
 * on stderr naming the key, the value and the expectation, before any port is opened.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { tempDir } from './fixture.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const NODE = join(ROOT, 'node_modules', '.bin', 'node')
/** Start-up fails before anything slow happens; this only stops a hung process from hanging the suite. */
const DEADLINE_MS = 15_000

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

interface Miffy {
  child: ChildProcess
  exited: Promise<Exit>
  stdout: () => string
  stderr: () => string
}

/**
 * Runs `node src/main.ts` from the repository root with only the given variables (plus PATH):
 * nothing from the test runner's environment (NODE_TEST_CONTEXT, a stray MIFFY_*) reaches it.
 */
function startMiffy(t: TestContext, env: Record<string, string>): Miffy {
  const child = spawn(NODE, ['src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  )
  const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS)
  void exited.then(() => clearTimeout(timer))
  t.after(async () => {
    clearTimeout(timer)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  return { child, exited, stdout: () => stdout, stderr: () => stderr }
}

/** A port that was free a moment ago: bound on port 0, then released. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Knocks on the ports until the process exits; true if anything ever answered. */
async function everAccepted(miffy: Miffy, ports: number[]): Promise<boolean> {
  let done = false
  void miffy.exited.then(() => {
    done = true
  })
  let answered = false
  while (!done) {
    const results = await Promise.all(ports.map(accepts))
    if (results.includes(true)) answered = true
    await sleep(10)
  }
  return answered
}

function badConfig(t: TestContext, text: string): string {
  const path = join(tempDir(t), 'miffy.toml')
  writeFileSync(path, text)
  return path
}

test('an invalid value: exit 2 quickly, stderr names key, value and expectation, no port opened', async (t) => {
  const path = badConfig(t, 'host = "127.0.0.1"\nsample = 3\n')
  const [port, managementPort] = [await freePort(), await freePort()]
  const started = performance.now()
  const miffy = startMiffy(t, {
    MIFFY_CONFIG: path,
    MIFFY_PORT: String(port),
    MIFFY_MANAGEMENT_PORT: String(managementPort),
  })
  const answered = await everAccepted(miffy, [port, managementPort])
  const exit = await miffy.exited
  const elapsed = performance.now() - started

  assert.deepEqual(exit, { code: 2, signal: null }, miffy.stderr())
  assert.ok(elapsed < 10_000, `took ${Math.round(elapsed)} ms`)
  assert.match(miffy.stderr(), /MIFFY_ERR_CONFIG\b/)
  assert.match(miffy.stderr(), /sample = 3: .*<=\s*1/)
  assert.ok(miffy.stderr().includes(path), 'names the file it read')
  assert.equal(answered, false, 'nothing ever listened on the configured ports')
  assert.doesNotMatch(miffy.stdout() + miffy.stderr(), /miffy listening/)
})

test('an unknown key: exit 2 with the did-you-mean on stderr', async (t) => {
  const miffy = startMiffy(t, {
    MIFFY_CONFIG: badConfig(t, 'refrence = "http://127.0.0.1:3000"\n'),
    MIFFY_PORT: '0',
    MIFFY_MANAGEMENT_PORT: '0',
  })
  assert.deepEqual(await miffy.exited, { code: 2, signal: null }, miffy.stderr())
  assert.match(miffy.stderr(), /refrence: unknown key \(did you mean "reference"\?\)/)
  assert.doesNotMatch(miffy.stdout() + miffy.stderr(), /miffy listening/)
})

test('a bad environment variable: exit 2, stderr names the variable', async (t) => {
  const miffy = startMiffy(t, {
    MIFFY_CONFIG: badConfig(t, ''),
    MIFFY_PORT: '0',
    MIFFY_MANAGEMENT_PORT: '0',
    MIFFY_SAMPLE: 'half',
  })
  assert.deepEqual(await miffy.exited, { code: 2, signal: null }, miffy.stderr())
  assert.match(miffy.stderr(), /sample = "half" \(from MIFFY_SAMPLE\): expected number/)
  assert.doesNotMatch(miffy.stdout() + miffy.stderr(), /miffy listening/)
})

test('broken TOML: exit 2, stderr names the file and the line', async (t) => {
  const path = badConfig(t, 'port = 0\n\nhost = \n')
  const miffy = startMiffy(t, { MIFFY_CONFIG: path, MIFFY_PORT: '0', MIFFY_MANAGEMENT_PORT: '0' })
  assert.deepEqual(await miffy.exited, { code: 2, signal: null }, miffy.stderr())
  assert.match(miffy.stderr(), /MIFFY_ERR_CONFIG_FILE/)
  assert.ok(miffy.stderr().includes(path), miffy.stderr())
  assert.match(miffy.stderr(), /line 3\b/)
  assert.doesNotMatch(miffy.stdout() + miffy.stderr(), /miffy listening/)
})

test('a missing MIFFY_CONFIG file: exit 2, stderr names the path', async (t) => {
  const path = join(tempDir(t), 'absent.toml')
  const miffy = startMiffy(t, { MIFFY_CONFIG: path, MIFFY_PORT: '0', MIFFY_MANAGEMENT_PORT: '0' })
  assert.deepEqual(await miffy.exited, { code: 2, signal: null }, miffy.stderr())
  assert.match(miffy.stderr(), /MIFFY_ERR_CONFIG_FILE/)
  assert.ok(miffy.stderr().includes(path), miffy.stderr())
})

// Without this, the "no miffy listening" and "never accepted" checks above could pass because
// the harness cannot see a listening miffy at all.
test('control: with a valid config the same harness sees "miffy listening" and open ports', async (t) => {
  const miffy = startMiffy(t, {
    MIFFY_CONFIG: badConfig(t, 'host = "127.0.0.1"\nlogging = "json"\nreference = "http://127.0.0.1:1"\n'),
    MIFFY_PORT: '0',
    MIFFY_MANAGEMENT_PORT: '0',
  })
  let listening: { proxy: string; management: string } | undefined
  while (!listening && miffy.child.exitCode === null) {
    const line = miffy
      .stdout()
      .split('\n')
      .find((l) => l.includes('"miffy listening"'))
    if (line) listening = JSON.parse(line)
    else await sleep(20)
  }
  assert.ok(listening, `no "miffy listening" line; stderr:\n${miffy.stderr()}`)
  const port = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1))
  assert.equal(await accepts(port(listening.proxy)), true)
  assert.equal(await accepts(port(listening.management)), true)
  miffy.child.kill('SIGTERM')
  assert.deepEqual(await miffy.exited, { code: 0, signal: null }, miffy.stderr())
})
