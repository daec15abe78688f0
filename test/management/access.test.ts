/**
 * The management port's locks (issue 10): probes' endpoints are open; everything that shows
 * captured traffic, and every endpoint not declared open, needs the bearer token, or, without a
 * token, a client on loopback.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import pino from 'pino'
import { request } from 'undici'
import { buildApp } from '../../src/app.ts'
import { MiffyError } from '../../src/errors.ts'
import { tempDir } from '../config/fixture.ts'
import { ROOT, startMiffy } from '../helpers/process.ts'
import { startProxy, testConfig } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

const TOKEN = 'correct-horse-battery-staple'
const TRAFFIC = ['/divergences', '/divergences?limit=1', '/divergences/summary', '/noise', '/not-yet-written']
const OPEN = ['/healthz', '/readyz', '/metrics']

async function get(url: string, authorization?: string) {
  const res = await request(url, { headers: authorization ? { authorization } : {} })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

/** A proxy with one divergence stored, so that a leak would show. */
async function withDivergence(t: TestContext, overrides: Record<string, unknown>) {
  const reference = await startUpstream(t, json(200, { secret_plan: 'reference' }))
  const candidate = await startUpstream(t, json(200, { secret_plan: 'candidate' }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
    ...overrides,
  })
  await (await request(`${proxy.url}/api/1`)).body.text()
  await proxy.settled()
  return proxy
}

test('with a token: probes are open, traffic endpoints need it, and later endpoints too', async (t) => {
  const proxy = await withDivergence(t, { management_token: TOKEN })
  for (const path of OPEN) assert.equal((await get(`${proxy.managementUrl}${path}`)).status, 200, path)
  for (const path of TRAFFIC) {
    const res = await get(`${proxy.managementUrl}${path}`)
    assert.equal(res.status, 401, path)
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="miffy"', path)
    assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_MANAGEMENT_UNAUTHORIZED')
    assert.ok(!res.body.includes('secret_plan'), path)
  }
  const wrong = await get(`${proxy.managementUrl}/divergences`, `Bearer ${TOKEN}x`)
  assert.equal(wrong.status, 401)
  assert.equal(wrong.headers['www-authenticate'], 'Bearer realm="miffy", error="invalid_token"')
  for (const bad of [TOKEN, `Basic ${TOKEN}`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer'])
    assert.equal((await get(`${proxy.managementUrl}/divergences`, bad)).status, 401, bad)

  const ok = await get(`${proxy.managementUrl}/divergences`, `Bearer ${TOKEN}`)
  assert.equal(ok.status, 200)
  assert.match(ok.body, /secret_plan/)
  // the scheme is case-insensitive (RFC 9110 §11.1)
  assert.equal((await get(`${proxy.managementUrl}/divergences/summary`, `bearer ${TOKEN}`)).status, 200)
  // an unknown path with the token is an honest 404
  assert.equal((await get(`${proxy.managementUrl}/not-yet-written`, `Bearer ${TOKEN}`)).status, 404)
})

test('with a token the dashboard page itself is served (it holds no data and asks for the token)', async (t) => {
  const proxy = await withDivergence(t, { management_token: TOKEN })
  const page = await get(`${proxy.managementUrl}/dashboard`)
  assert.equal(page.status, 200)
  assert.match(page.body, /id="login"/)
  assert.ok(!page.body.includes('secret_plan'))
})

test('the token may come from a file (a Kubernetes secret), trailing newline and all', async (t) => {
  const file = join(tempDir(t), 'token')
  writeFileSync(file, `${TOKEN}\n`)
  const proxy = await withDivergence(t, { management_token_file: file })
  assert.equal((await get(`${proxy.managementUrl}/divergences`)).status, 401)
  assert.equal((await get(`${proxy.managementUrl}/divergences`, `Bearer ${TOKEN}`)).status, 200)
})

test('a token file that cannot be read, or holds a short token, stops start-up naming the key', async (t) => {
  const dir = tempDir(t)
  const short = join(dir, 'short')
  writeFileSync(short, 'abc\n')
  for (const [file, why] of [
    [join(dir, 'missing'), /cannot be read/],
    [short, /at least 16 characters/],
  ] as const) {
    const config = testConfig({ management_token_file: file })
    await assert.rejects(
      buildApp(config, { logger: pino({ level: 'silent' }) }),
      (err: unknown) =>
        err instanceof MiffyError &&
        err.code === 'MIFFY_ERR_CONFIG' &&
        err.message.includes(`management_token_file = ${JSON.stringify(file)}`) &&
        why.test(err.message) &&
        !err.message.includes('abc'),
    )
  }
})

test('a short token in the config is refused without repeating it', () => {
  assert.throws(
    () => testConfig({ management_token: 'hunter2' }),
    (err: unknown) =>
      err instanceof MiffyError &&
      /management_token = \(hidden\): expected at least 16 characters/.test(err.message) &&
      !err.message.includes('hunter2'),
  )
})

test('both a token and a token file is an error', () => {
  assert.throws(
    () => testConfig({ management_token: TOKEN, management_token_file: '/x' }),
    /management_token_file = "\/x": expected management_token or management_token_file, not both/,
  )
})

/** An address of this machine that is not loopback: a client connecting to it is "off the machine". */
function externalAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  assert.fail('this test needs a non-loopback IPv4 interface (eth0 or similar)')
}

test('without a token, traffic endpoints answer loopback only; the probes answer everyone', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const config = testConfig({ reference: reference.url, management_host: '0.0.0.0' })
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
  t.after(() => app.close(1000))
  await app.management.listen({ port: 0, host: '0.0.0.0' })
  const port = (app.management.server.address() as { port: number }).port
  const external = `http://${externalAddress()}:${port}`
  const local = `http://127.0.0.1:${port}`

  for (const path of OPEN) assert.equal((await get(`${external}${path}`)).status, 200, path)
  for (const path of [...TRAFFIC, '/dashboard']) {
    const res = await get(`${external}${path}`)
    assert.equal(res.status, 403, path)
    assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_MANAGEMENT_FORBIDDEN')
    assert.match(JSON.parse(res.body).message, /without management_token it answers clients on loopback only/)
  }
  assert.equal((await get(`${local}/divergences`)).status, 200)
  assert.equal((await get(`${local}/dashboard`)).status, 200)
})

/** The real process, started as `node src/main.ts` (no npm in between to outlive it). */
async function realMiffy(t: import('node:test').TestContext, env: Record<string, string>) {
  const upstreams = { MIFFY_REFERENCE: 'http://127.0.0.1:1', MIFFY_CANDIDATE: 'http://127.0.0.1:1' }
  const miffy = await startMiffy(t, { ...upstreams, ...env }, [
    join(ROOT, 'node_modules', '.bin', 'node'),
    'src/main.ts',
  ])
  // a graceful stop, so that cluster workers go with their primary
  t.after(async () => {
    miffy.child.kill('SIGTERM')
    await miffy.exited
  })
  return miffy
}

test('the real process says at start-up how the management port is guarded', async (t) => {
  const open = await realMiffy(t, { MIFFY_MANAGEMENT_HOST: '0.0.0.0' })
  const listening = open.lines.find((l) => l.msg === 'miffy listening')
  assert.equal(listening?.management_access, 'loopback only')
  await until(() => open.lines.some((l) => /management_token is not set/.test(String(l.msg))))
  const locked = await realMiffy(t, { MIFFY_MANAGEMENT_TOKEN: TOKEN })
  assert.equal(locked.lines.find((l) => l.msg === 'miffy listening')?.management_access, 'bearer token')
  assert.ok(!JSON.stringify(locked.lines).includes(TOKEN), 'the token is never logged')
})

test('with workers = 2 the primary guards the merged management port the same way', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const miffy = await realMiffy(t, {
    MIFFY_WORKERS: '2',
    MIFFY_REFERENCE: reference.url,
    MIFFY_MANAGEMENT_TOKEN: TOKEN,
  })
  assert.equal((await get(`${miffy.managementUrl}/metrics`)).status, 200)
  assert.equal((await get(`${miffy.managementUrl}/divergences`)).status, 401)
  assert.equal((await get(`${miffy.managementUrl}/divergences`, `Bearer ${TOKEN}`)).status, 200)
  assert.equal((await get(`${miffy.managementUrl}/divergences/summary`, `Bearer ${TOKEN}`)).status, 200)
})

/** Polls `check` (log lines arrive after the listening line) for up to 5 s. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  assert.ok(check(), 'timed out')
}
