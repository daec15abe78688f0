/**
 * `npm run demo` as a new user runs it: a taken port is a clear error with nothing left running;
 * the ports can be chosen (0: free ones) and the banner prints those in use; SIGTERM to npm stops
 * the whole tree; with Kafka, no kafkajs TimeoutNegativeWarning reaches the terminal.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { type TestContext, test } from 'node:test'
import { request } from 'undici'
import { cleanEnv } from '../helpers/cli.ts'
import { createTopic, kafkaVersions, readAll, sharedKafka } from '../helpers/kafka-broker.ts'
import { ROOT } from '../helpers/process.ts'

interface Demo {
  npm: ChildProcess
  out: () => string
  err: () => string
  exited: Promise<number | null>
}

/** `npm run demo -- ARGS` in its own process group (so that what it leaves behind can be seen). */
function demo(t: TestContext, args: string[], env: Record<string, string> = {}): Demo {
  const npm = spawn('npm', ['run', 'demo', '--', ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  let err = ''
  npm.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c
  })
  npm.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c
  })
  t.after(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL')
    } catch {
      // nothing left: as it should be
    }
  })
  return { npm, out: () => out, err: () => err, exited: once(npm, 'close').then(([code]) => code) }
}

/** True while any process of the group is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

async function groupGone(pgid: number): Promise<void> {
  while (groupAlive(pgid)) await new Promise((r) => setTimeout(r, 50))
}

const ZERO = ['--reference-port', '0', '--candidate-port', '0', '--port', '0', '--management-port', '0']

async function banner(d: Demo): Promise<{ proxy: number; management: number }> {
  for (;;) {
    const m = /curl -s localhost:(\d+)\/api\/3 {2}and {2}curl -s localhost:(\d+)\/divergences/.exec(d.out())
    if (m) return { proxy: Number(m[1]), management: Number(m[2]) }
    if (d.npm.exitCode !== null) throw new Error(`the demo exited: ${d.out()}\n${d.err()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function divergences(management: number): Promise<{ request: { uri: string } }[]> {
  for (;;) {
    const res = await request(`http://127.0.0.1:${management}/divergences`)
    const { divergences } = (await res.body.json()) as { divergences: { request: { uri: string } }[] }
    if (divergences.length > 0) return divergences
    await new Promise((r) => setTimeout(r, 50))
  }
}

test('a taken demo port: exit 2, a message naming it and the flag, no stack trace, nothing left running', async (t) => {
  const taken = createServer().listen(0, '127.0.0.1')
  await once(taken, 'listening')
  t.after(() => taken.close())
  const port = (taken.address() as { port: number }).port
  const d = demo(t, [
    '--reference-port',
    '0',
    '--candidate-port',
    String(port),
    '--port',
    '0',
    '--management-port',
    '0',
  ])
  assert.equal(await d.exited, 2)
  assert.match(
    d.err(),
    new RegExp(
      `^demo: port ${port} \\(the demo candidate\\) is in use: .* --candidate-port N \\(or DEMO_CANDIDATE_PORT=N\\)`,
      'm',
    ),
  )
  assert.doesNotMatch(d.err(), /^\s+at /m)
  assert.doesNotMatch(d.out(), /miffy listening/)
  await groupGone(d.npm.pid!)
})

test('free ports from 0, printed in the banner; miffy has the demo upstreams; SIGTERM to npm stops everything', async (t) => {
  const d = demo(t, ZERO, { DEMO_REFERENCE_PORT: '1' /* the flag wins */ })
  const { proxy, management } = await banner(d)
  assert.match(
    d.out(),
    /^demo: reference on http:\/\/127\.0\.0\.1:\d+, candidate on http:\/\/127\.0\.0\.1:\d+$/m,
  )
  const res = await request(`http://127.0.0.1:${proxy}/api/3`)
  assert.deepEqual(await res.body.json(), { msg: 'reference says hello', result: 4, role: 'reference' })
  assert.equal((await divergences(management))[0]!.request.uri, '/api/3')
  // the sample's swapped route, moved to the demo's ports
  const swapped = await request(`http://127.0.0.1:${proxy}/api/42`)
  assert.equal(((await swapped.body.json()) as { result: number }).result, 142)

  d.npm.kill('SIGTERM')
  await d.exited
  await groupGone(d.npm.pid!)
  assert.match(d.out(), /stopped/)
})

test('with Kafka: divergences reach the topic and no TimeoutNegativeWarning is printed', async (t) => {
  const broker = await sharedKafka(kafkaVersions().at(-1)!)
  const topic = `demo-${randomUUID()}`
  await createTopic(broker.brokers, topic)
  const d = demo(t, ZERO, { KAFKA_BOOTSTRAP_SERVERS: broker.brokers, MIFFY_KAFKA_TOPIC: topic })
  const { proxy } = await banner(d)
  await (await request(`http://127.0.0.1:${proxy}/api/7`)).body.text()
  const [message] = await readAll(broker.brokers, topic, { expect: 1, timeoutMs: 60_000 })
  assert.equal(JSON.parse(message!.value!).request.uri, '/api/7')
  d.npm.kill('SIGTERM')
  await d.exited
  await groupGone(d.npm.pid!)
  assert.doesNotMatch(d.err() + d.out(), /TimeoutNegativeWarning/)
})
