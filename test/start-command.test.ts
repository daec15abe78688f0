/**
 * What production runs: `npm start` runs the compiled JavaScript (`npm run build`, tsc emit to
 * dist/, before it), and the Docker image runs the same command with the same node flags. The
 * benchmark reads its flags from the start script (bench/miffy.ts), so the three cannot drift.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startCommand } from '../bench/miffy.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }

test('npm start runs the compiled CLI in dist/, built first by prestart (and by prepare on npm ci)', () => {
  const { entry, args } = startCommand()
  assert.equal(entry, `${ROOT}dist/cli/main.js`)
  assert.deepEqual(args, ['start'])
  assert.equal(pkg.scripts.build, 'tsc -p tsconfig.build.json')
  assert.match(pkg.scripts.prestart!, /npm run build/)
  assert.match(pkg.scripts.prepare!, /npm run build/)
})

test("the Docker image's CMD is npm start's command", () => {
  const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8')
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)
  assert.ok(cmd, 'Dockerfile has an exec-form CMD')
  const { flags, args } = startCommand()
  assert.deepEqual(JSON.parse(cmd[1]!), ['node', ...flags, 'dist/cli/main.js', ...args])
})
