/**
 * The real process, started as a user starts it: `npm start` with MIFFY_CONFIG naming a config
 * file. It answers through the proxy, reports on the management port, and exits 0 on SIGTERM
 * after letting an in-flight request finish.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { request } from 'undici'
import { startMiffy } from '../helpers/process.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

function configFile(t: import('node:test').TestContext, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'miffy-e2e-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'miffy.toml')
  writeFileSync(path, text)
  return path
}

test('npm start with MIFFY_CONFIG: answers, mirrors, exits 0 on SIGTERM', async (t) => {
  const reference = await startUpstream(t, json(200, { result: 4 }))
  const candidate = await startUpstream(t, json(200, { result: 103 }))
  const path = configFile(
    t,
    `reference = "${reference.url}"\ncandidate = "${candidate.url}"\nroutes = [ { path = "/api/{value}", key = "value" } ]\n`,
  )
  const miffy = await startMiffy(t, { MIFFY_CONFIG: path })

  const res = await request(`${miffy.proxyUrl}/api/3`)
  assert.equal(res.statusCode, 200)
  assert.deepEqual(await res.body.json(), { result: 4 })

  const health = await request(`${miffy.managementUrl}/healthz`)
  assert.deepEqual(await health.body.json(), { status: 'healthy' })

  // the divergence shows up on the management port once the candidate has answered
  let listed: { divergences: unknown[] } = { divergences: [] }
  for (let i = 0; i < 50 && listed.divergences.length === 0; i++) {
    listed = (await (await request(`${miffy.managementUrl}/divergences`)).body.json()) as typeof listed
    if (listed.divergences.length === 0) await new Promise((r) => setTimeout(r, 50))
  }
  assert.equal(listed.divergences.length, 1)

  miffy.child.kill('SIGTERM')
  assert.equal(await miffy.exited, 0, miffy.stderr())
  assert.ok(miffy.lines.some((l) => l.msg === 'stopped'))
})

test('SIGTERM lets an in-flight request finish before exiting 0', async (t) => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const reference = await startUpstream(t, async (req, res) => {
    if (req.url === '/slow') await gate
    json(200, { url: req.url })(req, res, Buffer.alloc(0))
  })
  const path = configFile(t, `reference = "${reference.url}"\nshutdown_timeout = "10s"\n`)
  const miffy = await startMiffy(t, { MIFFY_CONFIG: path }, [process.execPath, 'src/main.ts'])

  const arrived = reference.nextRequest()
  const slow = request(`${miffy.proxyUrl}/slow`)
  await arrived
  miffy.child.kill('SIGTERM')
  // the process is draining, not gone: the request in flight is still answered
  release()
  const res = await slow
  assert.equal(res.statusCode, 200)
  assert.deepEqual(await res.body.json(), { url: '/slow' })
  assert.equal(await miffy.exited, 0, miffy.stderr())
})
