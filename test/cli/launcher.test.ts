/**
 * bin/miffy.js, the package's executable: it runs the TypeScript CLI on Node 24 whatever Node
 * started it (a system Node 20 cannot strip types), passes the exit code through, and passes
 * signals on, so that `miffy start` drains and exits 0 on SIGTERM, and on a terminal's Ctrl-C
 * (which reaches both processes, and the launcher forwards it again).
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { cleanEnv, MIFFY_BIN } from '../helpers/cli.ts'
import { ROOT } from '../helpers/process.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

/** Every `node` on PATH, plus the one running the tests. */
function nodes(): string[] {
  const onPath = (process.env.PATH ?? '').split(':').map((d) => `${d}/node`)
  const found = new Set([process.execPath])
  for (const candidate of onPath) {
    try {
      execFileSync(candidate, ['--version'])
      found.add(candidate)
    } catch {
      // not there
    }
  }
  return [...found]
}

/** How the launcher may be started: by each Node, and in-process (Node 24 with the CLI's flag). */
function launches(): { node: string; flags: string[] }[] {
  return [
    ...nodes().map((node) => ({ node, flags: [] })),
    { node: process.execPath, flags: ['--disable-warning=TimeoutNegativeWarning'] },
  ]
}

test('the CLI runs on Node 24 whichever Node starts the launcher, or in-process; exit codes pass through', async () => {
  for (const { node, flags } of launches()) {
    const version = `${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()} ${flags.join(' ')}`
    const ok = spawn(node, [...flags, MIFFY_BIN, '--version'], {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    ok.stdout.on('data', (c) => {
      out += c
    })
    const [code] = await once(ok, 'close')
    assert.equal(code, 0, `${node} (${version})`)
    assert.match(out, /^miffy \d/, `${node} (${version})`)
    const bad = spawn(node, [...flags, MIFFY_BIN, 'nope'], { cwd: ROOT, env: cleanEnv(), stdio: 'ignore' })
    assert.equal((await once(bad, 'close'))[0], 2, `${node} (${version})`)
  }
})

for (const [name, signal, group] of [
  ['SIGTERM to the launcher', 'SIGTERM', false],
  ['Ctrl-C: SIGINT to the whole process group', 'SIGINT', true],
] as const) {
  test(`miffy start: ${name} drains and exits 0`, async (t) => {
    const reference = await startUpstream(t, json(200, { ok: true }))
    const child = spawn(MIFFY_BIN, ['start'], {
      cwd: ROOT,
      env: cleanEnv({
        MIFFY_REFERENCE: reference.url,
        MIFFY_LOGGING: 'json',
        MIFFY_HOST: '127.0.0.1',
        MIFFY_PORT: '0',
        MIFFY_MANAGEMENT_PORT: '0',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    t.after(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // gone
      }
    })
    let out = ''
    let err = ''
    child.stderr.on('data', (c) => {
      err += c
    })
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c
        if (out.includes('"miffy listening"')) resolve()
      })
      child.once('exit', () => reject(new Error(`exited before listening: ${err}`)))
    })
    if (group) process.kill(-child.pid!, signal)
    else child.kill(signal)
    const [code, killedBy] = await once(child, 'exit')
    assert.deepEqual({ code, killedBy }, { code: 0, killedBy: null }, err)
    assert.match(out, /"msg":"stopped"/)
  })
}
