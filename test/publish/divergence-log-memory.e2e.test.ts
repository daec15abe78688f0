/**
 * The divergence log is bounded by bytes inside memory_budget (issue 10: 200 differing pairs with
 * 1 MB bodies took RSS from 128 to 686 MB while miffy_buffered_bytes read 0). The real process,
 * 200 such pairs: the log holds at most its share of the budget, /metrics reports exactly the
 * bytes it holds, and the resident memory levels off instead of growing with every pair.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { request } from 'undici'
import { ROOT, startMiffy } from '../helpers/process.ts'
import { startUpstream } from '../helpers/upstream.ts'

const PAIRS = 200
const BODY_BYTES = 1_000_000
const BUDGET = 64 * 1024 * 1024
const SHARE = 0.25

/** Resident set size of a process, from /proc (Linux), in bytes. */
function rss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  assert.ok(m, 'no VmRSS in /proc/<pid>/status')
  return Number(m[1]) * 1024
}

/** A 1 MB JSON answer; `role` makes reference and candidate differ in one small field. */
function bigAnswer(role: string, id: string): string {
  const head = JSON.stringify({ role, id, items: [] as string[] }).slice(0, -2)
  const item = '"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",'
  const n = Math.floor((BODY_BYTES - head.length - 2) / item.length)
  return `${head}${item.repeat(n).slice(0, -1)}]}`
}

test('200 differing 1 MB pairs: the log stays within its share, reports its bytes, RSS levels off', async (t) => {
  const serve = (role: string) =>
    startUpstream(t, (req, res) => {
      const body = bigAnswer(role, req.url!.split('/')[2]!)
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  const reference = await serve('reference')
  const candidate = await serve('candidate')
  const miffy = await startMiffy(
    t,
    {
      MIFFY_REFERENCE: reference.url,
      MIFFY_CANDIDATE: candidate.url,
      MIFFY_ROUTES: '[{ path = "/big/{id}" }]',
      MIFFY_MEMORY_BUDGET: String(BUDGET),
      MIFFY_DIVERGENCE_LOG_SHARE: String(SHARE),
    },
    [join(ROOT, 'node_modules', '.bin', 'node'), 'src/main.ts'],
  )
  const pid = miffy.child.pid!
  const samples: number[] = []
  for (let i = 1; i <= PAIRS; i++) {
    const res = await request(`${miffy.proxyUrl}/big/${i}`)
    assert.equal(res.statusCode, 200)
    await res.body.dump()
    if (i % 25 === 0) samples.push(rss(pid))
  }
  // every pair compared and counted before reading the books
  const metrics = async () => await (await request(`${miffy.managementUrl}/metrics`)).body.text()
  let text = await metrics()
  for (let i = 0; i < 100 && !/outcome="diverged"\} 200\b/.test(text); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    text = await metrics()
  }
  assert.match(text, /miffy_experiment_outcomes_total\{route="\/big\/\{id\}",outcome="diverged"\} 200\b/)

  const logBytes = Number(/^miffy_divergence_log_bytes (\d+)$/m.exec(text)?.[1])
  const listed = await (await request(`${miffy.managementUrl}/divergences?limit=1000`)).body.text()
  const kept = (JSON.parse(listed) as { divergences: unknown[] }).divergences.length
  // the listing is the stored messages spliced into {"divergences":[…]} with commas between
  const storedBytes = Buffer.byteLength(listed) - '{"divergences":[]}'.length - (kept - 1)
  t.diagnostic(
    `kept ${kept} of ${PAIRS} messages, ${logBytes} bytes; RSS every 25 pairs (MB): ${samples.map((s) => Math.round(s / 2 ** 20)).join(' ')}`,
  )
  assert.ok(kept > 0 && kept < PAIRS, `kept ${kept}`)
  assert.equal(logBytes, storedBytes, 'the gauge reports the bytes the log holds')
  assert.ok(logBytes <= BUDGET * SHARE, `${logBytes} bytes over the share ${BUDGET * SHARE}`)
  assert.match(text, /^miffy_buffered_bytes 0$/m)

  // Unbounded, each pair added its ~2 MB message: the 175 pairs between the first sample and the
  // last grew RSS by 428 MB (265 → 693 MB, measured with the share at 0.9 of 4 GiB). Bounded, the
  // growth is what the garbage collector lets float (89 MB in the same run).
  const growth = samples.at(-1)! - samples[0]!
  assert.ok(
    growth < 150 * 2 ** 20,
    `RSS grew ${Math.round(growth / 2 ** 20)} MB over the last ${PAIRS - 25} pairs`,
  )
})
