import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { DEFAULTS_PATH } from '../../src/config/load.ts'
import { load, loadError, tempDir } from './fixture.ts'

test('no ./config.toml is fine: only the defaults are read', (t) => {
  const { config, files } = load(t)
  assert.deepEqual(files, [DEFAULTS_PATH])
  assert.equal(config.port, 8080)
})

test('./config.toml in the working directory is read after the defaults', (t) => {
  const { config, files, dir } = load(t, { toml: 'port = 1234\n' })
  assert.deepEqual(files, [DEFAULTS_PATH, join(dir, 'config.toml')])
  assert.equal(config.port, 1234)
})

test('MIFFY_CONFIG is resolved against the working directory, and ./config.toml is then not read', (t) => {
  const { config, files, dir } = load(t, {
    toml: 'port = 1111\nhost = "127.0.0.1"\n',
    files: { 'conf/miffy.toml': 'port = 2222\n' },
    env: { MIFFY_CONFIG: 'conf/miffy.toml' },
  })
  assert.deepEqual(files, [DEFAULTS_PATH, join(dir, 'conf', 'miffy.toml')])
  assert.equal(config.port, 2222)
  assert.equal(config.host, '0.0.0.0', 'nothing from ./config.toml')
})

test('MIFFY_CONFIG may be an absolute path outside the working directory', (t) => {
  const elsewhere = join(tempDir(t), 'miffy.toml')
  writeFileSync(elsewhere, 'port = 3333\n')
  const { config, files } = load(t, { env: { MIFFY_CONFIG: elsewhere } })
  assert.deepEqual(files, [DEFAULTS_PATH, elsewhere])
  assert.equal(config.port, 3333)
})

test('a missing file named by MIFFY_CONFIG is an error naming the resolved path', (t) => {
  const { error, dir } = loadError(t, { env: { MIFFY_CONFIG: 'missing.toml' } }, 'MIFFY_ERR_CONFIG_FILE')
  assert.match(error.message, /MIFFY_CONFIG/)
  assert.ok(error.message.includes(join(dir, 'missing.toml')), error.message)
})

test('a missing MIFFY_CONFIG file is an error even when ./config.toml exists', (t) => {
  loadError(t, { toml: 'port = 1\n', env: { MIFFY_CONFIG: 'other.toml' } }, 'MIFFY_ERR_CONFIG_FILE')
})

test('MIFFY_CONFIG naming a directory is a file error, not a crash', (t) => {
  const { error, dir } = loadError(
    t,
    { files: { 'conf/x.toml': '' }, env: { MIFFY_CONFIG: 'conf' } },
    'MIFFY_ERR_CONFIG_FILE',
  )
  assert.ok(error.message.includes(join(dir, 'conf')), error.message)
})

test('MIFFY_CONFIG itself is not reported as an unknown variable', (t) => {
  const { warnings } = load(t, { files: { 'm.toml': '' }, env: { MIFFY_CONFIG: 'm.toml' } })
  assert.deepEqual(warnings, [])
})
