/**
 * `workers = 2`: two processes share the proxy port; the primary's management port reports the
 * sum of both, and SIGTERM stops everything with exit 0.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startMiffy } from '../helpers/process.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

test('two workers: requests spread, metrics and summary aggregated on the management port', async (t) => {
  const reference = await startUpstream(t, json(200, { result: 1 }))
  const candidate = await startUpstream(t, json(200, { result: 2 }))
  const miffy = await startMiffy(
    t,
    {
      MIFFY_WORKERS: '2',
      MIFFY_REFERENCE: reference.url,
      MIFFY_CANDIDATE: candidate.url,
      MIFFY_ROUTES: '[{ path = "/api/{id}" }]',
      MIFFY_LOG_LEVEL: 'info',
    },
    [process.execPath, 'src/main.ts'],
  )
  const N = 40
  // separate connections, so the cluster can hand them to either worker
  await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const res = await request(`${miffy.proxyUrl}/api/${i}`, { reset: true })
      assert.deepEqual(await res.body.json(), { result: 1 })
    }),
  )
  let text = ''
  for (let i = 0; i < 50; i++) {
    text = await (await request(`${miffy.managementUrl}/metrics`)).body.text()
    if (text.includes(`outcome="diverged"} ${N}`)) break
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.match(
    text,
    new RegExp(`miffy_experiment_outcomes_total\\{route="/api/\\{id\\}",outcome="diverged"\\} ${N}`),
  )
  const summary = (await (await request(`${miffy.managementUrl}/divergences/summary`)).body.json()) as {
    routes: { route: string; matched: number; diverged: number }[]
  }
  assert.equal(summary.routes[0]!.matched, N)
  const listed = (await (await request(`${miffy.managementUrl}/divergences?limit=10`)).body.json()) as {
    divergences: unknown[]
  }
  assert.equal(listed.divergences.length, 10)
  const workers = new Set(miffy.lines.filter((l) => l.component === 'access').map((l) => l.worker))
  assert.ok(workers.size >= 1 && [...workers].every((w) => w === 1 || w === 2))
  miffy.child.kill('SIGTERM')
  assert.equal(await miffy.exited, 0, miffy.stderr())
})
