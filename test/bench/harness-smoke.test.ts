/**
 * The benchmark harness (bench/run.ts) in smoke mode, so it cannot rot: every scenario runs for
 * a second against the shared test broker, measures something, reads miffy's outcome counts, and
 * the report renders. The figures themselves mean nothing at this length and are not checked.
 *
 * Two kinds of scenario may be skipped, with their reason: the Rust miffy's when its binary is
 * not built yet (`--no-rust-build`: a smoke test does not start a 5-minute cargo build), and the
 * Kafka-recovery ones against the shared broker, which no test may kill.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { NGINX_MISSING, nginxBinary } from '../../bench/nginx.ts'
import { headlines, type RunResult, renderTable } from '../../bench/report.ts'
import { rustMiffyBinary } from '../../bench/rust-miffy.ts'
import { SCENARIOS } from '../../bench/scenarios.ts'
import { sharedKafka } from '../helpers/kafka-broker.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

test('npm run bench -- --smoke: every scenario measured, outcomes read, report written', {
  // 26 scenarios of about 2 s each plus start-ups: 50-75 s on 2 busy cores (72 s in a full npm test)
  timeout: 170_000,
}, async (t) => {
  assert.ok(nginxBinary(), NGINX_MISSING)
  const kafka = await sharedKafka('4.1')
  const dir = mkdtempSync(join(tmpdir(), 'miffy-bench-smoke-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'BENCHMARKS.md')
  const json = join(dir, 'results.json')

  const args = ['bench/run.ts', '--smoke', '--seconds', '1', '--warmup', '0', '--no-rust-build']
  args.push('--kafka-brokers', kafka.brokers, '--out', out, '--json', json)
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => {
    output += c
  })
  child.stderr.on('data', (c: Buffer) => {
    output += c
  })
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGINT')
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  assert.equal(code, 0, `bench/run.ts --smoke failed:\n${output}`)

  const run = JSON.parse(readFileSync(json, 'utf8')) as RunResult
  assert.deepEqual(
    run.results.map((r) => r.scenario.name),
    SCENARIOS.map((s) => s.name),
  )
  const rustBuilt = rustMiffyBinary(false)
  for (const r of run.results) {
    const name = r.scenario.name
    if (r.scenario.kind === 'kafka-recovery') {
      // the harness is given the shared broker (--kafka-brokers), which it may not kill
      assert.equal(r.status, 'skipped', `${name}: ${r.status} ${r.note ?? ''}`)
      continue
    }
    if (r.scenario.proxy === 'rust' && 'error' in rustBuilt) {
      assert.equal(r.status, 'skipped', `${name}: ${r.status} ${r.note ?? ''}`)
      continue
    }
    assert.equal(r.status, 'ok', `${name}: ${r.status} ${r.note ?? ''}\n${output}`)
    if (r.scenario.kind === 'idle') {
      assert.ok(r.rss && r.rss.peak > 0, `${name}: no RSS read`)
      continue
    }
    assert.ok(r.load && r.load.rps > 0, `${name}: no request completed`)
    if (r.scenario.proxy !== 'direct') {
      // read, not necessarily > 0: CPU time comes in 10 ms ticks, and nginx with a sleeping
      // candidate serves 64 requests in a 1 s window
      assert.ok(r.cpuUsPerRequest !== undefined && r.cpuUsPerRequest >= 0, `${name}: no CPU time read`)
      assert.ok(r.rss && r.rss.peak > 0, `${name}: no RSS read`)
    }
    if (r.scenario.proxy === 'miffy') {
      assert.ok(r.miffy, `${name}: /metrics not read`)
      if (r.scenario.candidate !== 'none') {
        const counted = Object.values(r.miffy.outcomes).reduce((a, b) => a + b, 0)
        assert.ok(counted > 0, `${name}: no experiment outcome parsed from /metrics`)
        assert.ok(
          r.miffy.accounted,
          `${name}: outcomes do not add up to the requests on the route: ${JSON.stringify(r.miffy)}`,
        )
      }
    }
    if (
      (r.scenario.proxy === 'nginx' || r.scenario.proxy === 'node' || r.scenario.proxy === 'rust') &&
      ['equal', 'differ', 'sleep'].includes(r.scenario.candidate)
    ) {
      assert.ok((r.candidateRequests ?? 0) > 0, `${name}: the candidate received no mirrored request`)
    }
    if (r.scenario.proxy === 'node') {
      // the yardstick is only one if it proxies: every answer a 2xx from the reference
      assert.equal(r.load.non2xx + r.load.errors, 0, `${name}: the Node floor answered with errors`)
    }
  }
  const published = run.results.find((r) => r.scenario.name === 'mirror-differ')?.miffy?.publish.published
  assert.ok((published ?? 0) > 0, 'mirror-differ: nothing published to Kafka')
  if (!('error' in rustBuilt)) {
    const topic = run.results.find((r) => r.scenario.name === 'rust-mirror-differ')?.topicMessages
    assert.ok((topic ?? 0) > 0, 'rust-mirror-differ: the topic gained no message')
  }

  const table = renderTable(run)
  assert.match(table, /^\| Scenario \| Proxy \| Req\/s \|/)
  assert.equal(table.split('\n').length, 2 + SCENARIOS.length)
  assert.ok(headlines(run).length > 0)
  const md = readFileSync(out, 'utf8')
  assert.ok(md.includes(table), 'BENCHMARKS.md holds the table')
  assert.match(md, /--smoke/)
  assert.match(md, /Node 24\./)
  assert.ok(existsSync(join(dir, 'latency.svg')))
  assert.match(readFileSync(join(dir, 'latency.svg'), 'utf8'), /^<svg /)
})
