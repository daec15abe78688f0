/**
 * Live reconfiguration of the real process (`node src/main.ts` with MIFFY_CONFIG): reloads under
 * load over keep-alive connections lose no request and drop no connection, new routes take
 * effect, an invalid file changes nothing; SIGHUP reloads; pause and resume switch one
 * experiment.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool, request } from 'undici'
import { type MiffyProcess, startMiffy } from '../helpers/process.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

function configFile(t: TestContext): { path: string; write: (text: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'miffy-reload-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'miffy.toml')
  return { path, write: (text) => writeFileSync(path, text) }
}

async function readyConfig(
  miffy: MiffyProcess,
): Promise<{ hash: string; loaded_at: string; paused: string[] }> {
  const res = await request(`${miffy.managementUrl}/readyz`)
  return ((await res.body.json()) as { config: { hash: string; loaded_at: string; paused: string[] } }).config
}

async function post(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url, { method: 'POST' })
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
}

/** Polls `check` until it holds (at most ~10 s): the process acts on a signal asynchronously. */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return
    await sleep(50)
  }
  assert.fail(`never happened: ${what}`)
}

test('reloads under load over keep-alive connections: no client error, no dropped connection', async (t) => {
  const reference = await startUpstream(t, (req, res) =>
    json(200, { url: req.url })(req, res, Buffer.alloc(0)),
  )
  const candidate = await startUpstream(t, json(200, { candidate: true }))
  const file = configFile(t)
  const settings = (routes: string, extra = '') =>
    `reference = "${reference.url}"\ncandidate = "${candidate.url}"\nroutes = ${routes}\n${extra}\n`
  file.write(settings('[{ path = "/a/{id}" }]'))
  const miffy = await startMiffy(t, { MIFFY_CONFIG: file.path }, [process.execPath, 'src/main.ts'])
  const first = await readyConfig(miffy)

  // four keep-alive connections, counted as they open and close
  const pool = new Pool(miffy.proxyUrl, { connections: 4, pipelining: 1 })
  t.after(() => (pool.closed ? undefined : pool.close()))
  let connects = 0
  let disconnects = 0
  pool.on('connect', () => connects++)
  pool.on('disconnect', () => disconnects++)

  const statuses: number[] = []
  const client = async (n: number) => {
    for (let i = 0; i < 100; i++) {
      const path = i % 2 === 0 ? `/a/${n}-${i}` : `/b/${n}-${i}`
      const res = await pool.request({ method: 'GET', path })
      statuses.push(res.statusCode)
      assert.deepEqual(await res.body.json(), { url: path })
    }
  }
  const clients = [0, 1, 2, 3].map(client)

  const versions = [
    // a new route, a changed reference timeout (a new reference dispatcher), a changed sample
    settings('[{ path = "/a/{id}" }, { path = "/b/{id}" }]'),
    settings('[{ path = "/a/{id}" }, { path = "/b/{id}" }]', 'reference_timeout = "20s"'),
    settings('[{ path = "/a/{id}", sample = 0.5 }, { path = "/b/{id}" }]', 'reference_timeout = "20s"'),
    settings('[{ path = "/b/{id}" }]', 'candidate_timeout = "3s"'),
    settings('[{ path = "/a/{id}" }, { path = "/b/{id}" }]'),
  ]
  const hashes = [first.hash]
  for (const [i, text] of versions.entries()) {
    // spread the reloads over the 400 requests
    await eventually(() => statuses.length >= (i + 1) * 60, `${(i + 1) * 60} requests answered`)
    file.write(text)
    const reload = await post(`${miffy.managementUrl}/config/reload`)
    assert.equal(reload.status, 200, JSON.stringify(reload.body))
    assert.equal(reload.body.result, 'applied')
    hashes.push((reload.body.config as { hash: string }).hash)
    if (i === 2) {
      // an invalid file in the middle changes nothing
      file.write(`${text}sample = "often"\n`)
      const invalid = await post(`${miffy.managementUrl}/config/reload`)
      assert.equal(invalid.status, 422)
      assert.equal(invalid.body.error, 'MIFFY_ERR_CONFIG')
      assert.match(String(invalid.body.message), /sample = "often".*: expected number/)
      assert.equal((await readyConfig(miffy)).hash, hashes.at(-1))
      file.write('port = [')
      const broken = await post(`${miffy.managementUrl}/config/reload`)
      assert.equal(broken.status, 422)
      assert.equal(broken.body.error, 'MIFFY_ERR_CONFIG_FILE')
      assert.equal((await readyConfig(miffy)).hash, hashes.at(-1))
    }
  }
  assert.ok(statuses.length < 400, 'the reloads happened while requests were still being sent')
  await Promise.all(clients)

  assert.equal(statuses.length, 400)
  assert.deepEqual(new Set(statuses), new Set([200]))
  assert.ok(connects <= 4, `${connects} connections opened`)
  assert.equal(disconnects, 0, 'no connection was dropped')
  assert.equal(
    new Set(hashes).size,
    hashes.length - 1,
    'every reload named a new config; the last is the second',
  )
  assert.equal(hashes.at(-1), hashes[1])

  // the new route is mirrored: the candidate sees /b/ requests
  const seen = candidate.received.length
  const res = await pool.request({ method: 'GET', path: '/b/last' })
  await res.body.text()
  await eventually(
    () => candidate.received.slice(seen).some((r) => r.url === '/b/last'),
    'candidate saw /b/last',
  )

  await pool.close()
  const metrics = await (await request(`${miffy.managementUrl}/metrics`)).body.text()
  assert.match(metrics, /miffy_config_reloads_total\{result="applied"\} 5\n/)
  assert.match(metrics, /miffy_config_reloads_total\{result="invalid"\} 2\n/)
  miffy.child.kill('SIGTERM')
  assert.equal(await miffy.exited, 0, miffy.stderr())
})

test('SIGHUP reloads the file; a bad file on SIGHUP is logged and changes nothing', async (t) => {
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const candidate = await startUpstream(t, json(200, { v: 2 }))
  const file = configFile(t)
  const base = `reference = "${reference.url}"\ncandidate = "${candidate.url}"\n`
  file.write(`${base}routes = []\n`)
  const miffy = await startMiffy(t, { MIFFY_CONFIG: file.path }, [process.execPath, 'src/main.ts'])
  const first = await readyConfig(miffy)

  file.write(`${base}routes = [{ path = "/api/{id}" }]\n`)
  miffy.child.kill('SIGHUP')
  await eventually(async () => (await readyConfig(miffy)).hash !== first.hash, 'a new config hash')
  await eventually(() => miffy.lines.some((l) => l.msg === 'configuration reloaded'), 'the reload logged')
  const reloaded = miffy.lines.find((l) => l.msg === 'configuration reloaded')
  assert.equal(reloaded?.trigger, 'SIGHUP')
  assert.deepEqual(reloaded?.added, ['/api/{id}'])
  await (await request(`${miffy.proxyUrl}/api/1`)).body.text()
  await eventually(() => candidate.received.length === 1, 'the new route mirrored')

  const second = await readyConfig(miffy)
  // MIFFY_PORT=0 (set by startMiffy) would win over a port in the file: another restart-only key
  file.write(`${base}routes = [{ path = "/api/{id}" }]\ndivergence_log = 5\n`)
  miffy.child.kill('SIGHUP')
  await eventually(
    () => miffy.lines.some((l) => /^configuration not reloaded/.test(String(l.msg))),
    'the refusal logged',
  )
  const refused = miffy.lines.find((l) => /^configuration not reloaded/.test(String(l.msg)))!
  assert.equal(
    refused.msg,
    `configuration not reloaded: MIFFY_ERR_RESTART_REQUIRED: only a restart can change divergence_log (1000 → 5); nothing was reloaded`,
  )
  assert.equal(refused.level, 50)
  assert.deepEqual(await readyConfig(miffy), second)
  assert.equal(miffy.child.exitCode, null, 'still running')
  miffy.child.kill('SIGTERM')
  assert.equal(await miffy.exited, 0, miffy.stderr())
})

test('pause and resume one experiment of the running process', async (t) => {
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const candidate = await startUpstream(t, json(200, { v: 2 }))
  const miffy = await startMiffy(
    t,
    {
      MIFFY_REFERENCE: reference.url,
      MIFFY_CANDIDATE: candidate.url,
      MIFFY_ROUTES: '[{ path = "/api/{id}" }, { path = "/other/{id}" }]',
    },
    [process.execPath, 'src/main.ts'],
  )
  const route = encodeURIComponent('/api/{id}')
  const paused = await post(`${miffy.managementUrl}/experiments/${route}/pause`)
  assert.deepEqual(paused, { status: 200, body: { route: '/api/{id}', paused: true, changed: true } })
  for (let i = 0; i < 5; i++) await (await request(`${miffy.proxyUrl}/api/${i}`)).body.text()
  await (await request(`${miffy.proxyUrl}/other/1`)).body.text()
  await eventually(() => candidate.received.length === 1, 'the other experiment mirrored')
  assert.deepEqual(
    candidate.received.map((r) => r.url),
    ['/other/1'],
  )
  assert.equal(reference.received.length, 6, 'every request answered by the reference')
  assert.deepEqual((await readyConfig(miffy)).paused, ['/api/{id}'])

  const resumed = await post(`${miffy.managementUrl}/experiments/${route}/resume`)
  assert.equal(resumed.body.changed, true)
  await (await request(`${miffy.proxyUrl}/api/9`)).body.text()
  await eventually(() => candidate.received.some((r) => r.url === '/api/9'), 'mirrored again')
  const summary = (await (await request(`${miffy.managementUrl}/divergences/summary`)).body.json()) as {
    routes: { route: string; matched: number; sampled: number; outcomes: Record<string, number> }[]
  }
  const api = summary.routes.find((r) => r.route === '/api/{id}')!
  assert.equal(api.outcomes.paused, 5)
  assert.equal(api.matched, 6)
  assert.equal(api.sampled, 1)
  miffy.child.kill('SIGTERM')
  assert.equal(await miffy.exited, 0, miffy.stderr())
})
