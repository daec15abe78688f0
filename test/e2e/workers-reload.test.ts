/**
 * Live reconfiguration with `workers = 2`: the primary's management port reloads, pauses and
 * resumes every worker and answers with each worker's part; SIGHUP to the primary reloads them
 * all; a worker that replaces one that died gets the reloaded configuration and the pauses.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { type MiffyProcess, startMiffy } from '../helpers/process.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

async function post(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url, { method: 'POST' })
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
}

async function readyConfig(miffy: MiffyProcess) {
  const res = await request(`${miffy.managementUrl}/readyz`)
  return ((await res.body.json()) as { config: { hash: string; paused: string[]; workers?: unknown[] } })
    .config
}

async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return
    await sleep(50)
  }
  assert.fail(`never happened: ${what}`)
}

/** `n` requests on separate connections, so the cluster hands them to either worker. */
async function spread(miffy: MiffyProcess, paths: string[]): Promise<void> {
  await Promise.all(
    paths.map(async (p) => {
      const res = await request(`${miffy.proxyUrl}${p}`, { reset: true })
      assert.equal(res.statusCode, 200)
      await res.body.text()
    }),
  )
}

test('two workers: reload, pause, resume and SIGHUP through the primary reach both', async (t) => {
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const candidate = await startUpstream(t, json(200, { v: 2 }))
  const dir = mkdtempSync(join(tmpdir(), 'miffy-workers-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'miffy.toml')
  const base = `reference = "${reference.url}"\ncandidate = "${candidate.url}"\n`
  writeFileSync(path, `${base}routes = [{ path = "/old/{id}" }]\n`)
  const miffy = await startMiffy(t, { MIFFY_WORKERS: '2', MIFFY_CONFIG: path }, [
    process.execPath,
    'src/main.ts',
  ])
  const first = await readyConfig(miffy)

  writeFileSync(path, `${base}routes = [{ path = "/old/{id}" }, { path = "/new/{id}" }]\n`)
  const reload = await post(`${miffy.managementUrl}/config/reload`)
  assert.equal(reload.status, 200, JSON.stringify(reload.body))
  assert.equal(reload.body.result, 'applied')
  const config = reload.body.config as { hash: string }
  assert.deepEqual(reload.body.routes, {
    added: ['/new/{id}'],
    removed: [],
    changed: [],
    unchanged: ['/old/{id}'],
  })
  const workers = reload.body.workers as { worker: number; ok: boolean; config: { hash: string } }[]
  assert.deepEqual(
    workers.map((w) => [w.ok, w.config.hash]),
    [
      [true, config.hash],
      [true, config.hash],
    ],
  )
  assert.notEqual(config.hash, first.hash)

  await spread(
    miffy,
    Array.from({ length: 20 }, (_, i) => `/new/${i}`),
  )
  await eventually(
    () => candidate.received.length === 20,
    'every /new/ request mirrored, whichever worker took it',
  )

  const route = encodeURIComponent('/new/{id}')
  const paused = await post(`${miffy.managementUrl}/experiments/${route}/pause`)
  assert.equal(paused.status, 200)
  assert.equal(paused.body.changed, true)
  assert.equal((paused.body.workers as unknown[]).length, 2)
  await spread(
    miffy,
    Array.from({ length: 20 }, (_, i) => `/new/p${i}`),
  )
  const unknown = await post(`${miffy.managementUrl}/experiments/${encodeURIComponent('/nope')}/pause`)
  assert.equal(unknown.status, 404)
  assert.equal(unknown.body.error, 'MIFFY_ERR_UNKNOWN_EXPERIMENT')

  // a worker that dies is replaced by one that gets the reloaded routes and the pause
  const victim = miffy.lines.find((l) => l.component === 'access' && l.worker !== undefined)!
  process.kill(Number(victim.pid), 'SIGKILL')
  await eventually(
    () => miffy.lines.some((l) => l.msg === 'worker died; starting a replacement'),
    'the replacement started',
  )
  await eventually(async () => {
    const ready = await readyConfig(miffy)
    return ready.workers === undefined && ready.hash === config.hash
  }, 'every worker on the reloaded configuration')
  await spread(
    miffy,
    Array.from({ length: 20 }, (_, i) => `/new/q${i}`),
  )
  assert.equal(candidate.received.length, 20, 'still paused on every worker')

  const resumed = await post(`${miffy.managementUrl}/experiments/${route}/resume`)
  assert.equal(resumed.status, 200)
  await spread(
    miffy,
    Array.from({ length: 20 }, (_, i) => `/new/r${i}`),
  )
  await eventually(() => candidate.received.length === 40, 'mirrored again on every worker')

  writeFileSync(path, `${base}routes = [{ path = "/new/{id}" }]\n`)
  miffy.child.kill('SIGHUP')
  await eventually(async () => (await readyConfig(miffy)).hash !== config.hash, 'SIGHUP reloaded')
  await spread(
    miffy,
    Array.from({ length: 10 }, (_, i) => `/old/${i}`),
  )
  assert.equal(
    candidate.received.filter((r) => r.url.startsWith('/old/')).length,
    0,
    'the removed route is proxied plainly by both workers',
  )

  const metrics = await (await request(`${miffy.managementUrl}/metrics`)).body.text()
  assert.match(metrics, /miffy_config_reloads_total\{result="applied"\} 2\n/)
  assert.match(metrics, /miffy_experiment_outcomes_total\{route="\/new\/\{id\}",outcome="paused"\} \d+/)
  const summary = (await (await request(`${miffy.managementUrl}/divergences/summary`)).body.json()) as {
    routes: { route: string; outcomes: Record<string, number> }[]
  }
  // the worker that was killed took its counts with it: at least the survivor's share is there
  const pausedCount = summary.routes.find((r) => r.route === '/new/{id}')!.outcomes.paused!
  assert.ok(pausedCount >= 20 && pausedCount <= 40, `${pausedCount} paused`)
  miffy.child.kill('SIGTERM')
  assert.equal(await miffy.exited, 0, miffy.stderr())
})
