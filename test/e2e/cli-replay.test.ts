/**
 * `miffy replay` against a live miffy process: the stored pair is fetched from the management
 * port and sent again to the real upstreams. A difference that stays is stable, one that changes
 * between calls of the same side is flaky, one that no longer shows is gone. Redacted headers are
 * not replayed (and the output says so), unsafe methods only with --unsafe, the token goes to the
 * management port.
 */
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { request } from 'undici'
import type { PairMessage } from '../../src/diff/model.ts'
import { runCli } from '../helpers/cli.ts'
import { type MiffyProcess, startMiffy } from '../helpers/process.ts'
import { closedPort, json, startUpstream, type Upstream } from '../helpers/upstream.ts'

interface ReplayJson {
  method: string
  times: number
  dropped_headers: string[]
  paths: { path: string; verdict: string; reference: string[]; candidate: string[] }[]
}

/**
 * /api/{id}: `stable` always differs (1 vs 2); `counter` changes on every reference call; `late`
 * differs only on the candidate's first answer (the one miffy stored), then agrees.
 */
async function liveMiffy(t: TestContext) {
  let referenceCalls = 0
  let candidateCalls = 0
  const reference = await startUpstream(t, (req, res, body) =>
    json(200, { stable: 1, counter: ++referenceCalls, late: 1, echo: body.toString() })(req, res, body),
  )
  const candidate = await startUpstream(t, (req, res, body) =>
    json(200, { stable: 2, counter: 0, late: ++candidateCalls === 1 ? 9 : 1, echo: body.toString() })(
      req,
      res,
      body,
    ),
  )
  const miffy = await startMiffy(t, {
    MIFFY_REFERENCE: reference.url,
    MIFFY_CANDIDATE: candidate.url,
    MIFFY_ROUTES: '[{ path = "/api/{id}" }]',
  })
  return { miffy, reference, candidate }
}

async function storedPair(miffy: MiffyProcess): Promise<PairMessage> {
  for (;;) {
    const res = await request(`${miffy.managementUrl}/divergences`)
    const { divergences } = (await res.body.json()) as { divergences: PairMessage[] }
    if (divergences[0]) return divergences[0]
    await new Promise((r) => setTimeout(r, 50))
  }
}

const replayed = (up: Upstream, before: number) => up.received.slice(before)

test('stable, flaky and gone; redacted headers are dropped and named; role headers are sent', async (t) => {
  const { miffy, reference, candidate } = await liveMiffy(t)
  await (
    await request(`${miffy.proxyUrl}/api/7?x=1`, {
      headers: { authorization: 'Bearer secret', cookie: 'a=b', 'x-visible': 'yes' },
    })
  ).body.text()
  const pair = await storedPair(miffy)
  const before = reference.received.length

  const run = await runCli(t, [
    'replay',
    pair.id,
    '--management',
    miffy.managementUrl,
    '--times',
    '3',
    '--json',
  ])
  assert.equal(run.code, 0, run.stderr)
  const out = JSON.parse(run.stdout) as ReplayJson
  const verdicts = Object.fromEntries(out.paths.map((p) => [p.path, p.verdict]))
  assert.deepEqual(verdicts, { '$.stable': 'stable', '$.counter': 'flaky', '$.late': 'gone' })
  assert.deepEqual(out.paths.find((p) => p.path === '$.stable')!.reference, ['1'])
  assert.deepEqual(out.paths.find((p) => p.path === '$.stable')!.candidate, ['2'])
  assert.equal(out.paths.find((p) => p.path === '$.counter')!.reference.length, 3)
  assert.deepEqual(out.dropped_headers.sort(), ['authorization', 'cookie'])

  // 3 calls to each side, to the stored URL, as miffy would send them, without the secrets
  for (const [up, role] of [
    [reference, 'reference'],
    [candidate, 'candidate'],
  ] as const) {
    const calls = replayed(up, before)
    assert.equal(calls.length, 3)
    for (const c of calls) {
      assert.deepEqual([c.method, c.url], ['GET', '/api/7?x=1'])
      assert.equal(c.headers['x-shadow-test-role'], role)
      assert.equal(c.headers['x-visible'], 'yes')
      assert.equal(c.headers.authorization, undefined)
      assert.equal(c.headers.cookie, undefined)
    }
  }

  // the table says the same for a person
  const text = await runCli(t, ['replay', pair.id, '--management', miffy.managementUrl, '--times', '2'])
  assert.equal(text.code, 0, text.stderr)
  assert.match(
    text.stdout,
    new RegExp(`^replayed ${pair.id}: GET /api/7\\?x=1 \\(route /api/\\{id\\}\\), 2 times each$`, 'm'),
  )
  assert.match(text.stdout, /^ {2}not replayed: authorization, cookie \(redacted in the stored pair/m)
  assert.match(text.stdout, /^\$\.stable +stable +1 +2$/m)
  assert.match(text.stdout, /^\$\.counter +flaky +\d+ \| \d+ +0$/m)
  assert.match(text.stdout, /^\$\.late +gone +1 +1$/m)
  assert.match(text.stdout, /^1 stable, 1 flaky, 1 gone$/m)
})

test('an unsafe method is refused without --unsafe (exit 2), replayed with it', async (t) => {
  const { miffy, reference, candidate } = await liveMiffy(t)
  await (
    await request(`${miffy.proxyUrl}/api/1`, {
      method: 'POST',
      body: '{"n":1}',
      headers: { 'content-type': 'application/json' },
    })
  ).body.text()
  const pair = await storedPair(miffy)
  const before = reference.received.length
  const candidateBefore = candidate.received.length

  const refused = await runCli(t, ['replay', pair.id, '--management', miffy.managementUrl])
  assert.equal(refused.code, 2)
  assert.match(refused.stderr, /^miffy: MIFFY_ERR_UNSAFE_METHOD: pair \S+ is a POST request: .*--unsafe/m)
  assert.equal(reference.received.length, before, 'nothing was sent')

  const run = await runCli(t, [
    'replay',
    pair.id,
    '--management',
    miffy.managementUrl,
    '--unsafe',
    '--times',
    '1',
    '--json',
  ])
  assert.equal(run.code, 0, run.stderr)
  const [call] = replayed(candidate, candidateBefore)
  assert.deepEqual([call!.method, call!.body.toString()], ['POST', '{"n":1}'])
  assert.equal((JSON.parse(run.stdout) as ReplayJson).method, 'POST')
})

test('an unknown id is exit 2 MIFFY_ERR_NOT_FOUND; no management port is exit 1 MIFFY_ERR_MANAGEMENT', async (t) => {
  const { miffy } = await liveMiffy(t)
  const missing = await runCli(t, ['replay', 'no-such-id', '--management', miffy.managementUrl])
  assert.equal(missing.code, 2)
  assert.match(
    missing.stderr,
    /^miffy: MIFFY_ERR_NOT_FOUND: http:\S+: no stored divergence with id no-such-id .*; each replica keeps only its own/m,
  )
  const dead = await runCli(t, ['replay', 'x', '--management', `http://127.0.0.1:${await closedPort()}`])
  assert.equal(dead.code, 1)
  assert.match(dead.stderr, /^miffy: MIFFY_ERR_MANAGEMENT: cannot reach /m)
})

test('--token (or MIFFY_MANAGEMENT_TOKEN) is sent as a bearer token to the management port', async (t) => {
  const { miffy } = await liveMiffy(t)
  await (await request(`${miffy.proxyUrl}/api/2`)).body.text()
  const pair = await storedPair(miffy)
  // a management port that wants a token, in front of the real one
  const guarded = await startUpstream(t, async (req, res) => {
    if (req.headers.authorization !== 'Bearer s3cret')
      return json(401, { error: 'unauthorized' })(req, res, Buffer.alloc(0))
    const upstream = await request(`${miffy.managementUrl}${req.url}`)
    json(upstream.statusCode, await upstream.body.json())(req, res, Buffer.alloc(0))
  })
  const without = await runCli(t, ['replay', pair.id, '--management', guarded.url])
  assert.equal(without.code, 1)
  assert.match(
    without.stderr,
    /^miffy: MIFFY_ERR_MANAGEMENT: .* answered 401: .*--token or set MIFFY_MANAGEMENT_TOKEN$/m,
  )
  const withFlag = await runCli(t, [
    'replay',
    pair.id,
    '--management',
    guarded.url,
    '--token',
    's3cret',
    '--times',
    '1',
  ])
  assert.equal(withFlag.code, 0, withFlag.stderr)
  const withEnv = await runCli(t, ['replay', pair.id, '--management', guarded.url, '--times', '1'], {
    env: { MIFFY_MANAGEMENT_TOKEN: 's3cret' },
  })
  assert.equal(withEnv.code, 0, withEnv.stderr)
})
