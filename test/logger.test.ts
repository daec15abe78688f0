/**
 * The `human` log format: pino-pretty on the main thread (src/logger.ts), one readable line per
 * entry with secrets redacted, and no worker thread behind it.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const LOGGER = fileURLToPath(new URL('../src/logger.ts', import.meta.url))

test('human logs: a pretty line on stdout, secrets redacted, no worker thread', () => {
  const script = `
    import { createLogger } from ${JSON.stringify(LOGGER)}
    let workers = 0
    process.on('worker', () => workers++)
    const log = createLogger({ logging: 'human', log_level: 'info' })
    log.info({ headers: { authorization: 'Bearer s3cret' } }, 'hello from miffy')
    // a pino transport would have started a worker thread by now
    setTimeout(() => process.stderr.write(JSON.stringify({ workers })), 200)
  `
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  assert.equal(out.status, 0, out.stderr)
  const line = out.stdout.trim()
  assert.match(line, /INFO.*hello from miffy/)
  assert.throws(() => JSON.parse(line), 'a pretty line, not JSON')
  assert.ok(!line.includes('s3cret'), line)
  assert.match(line, /\[REDACTED\]/)
  assert.deepEqual(JSON.parse(out.stderr), { workers: 0 })
})
