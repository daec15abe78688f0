import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { TomlError } from 'smol-toml'
import { loadError } from './fixture.ts'

test('broken TOML is MIFFY_ERR_CONFIG_FILE naming the file and the line', (t) => {
  const { error, dir } = loadError(
    t,
    { toml: 'port = 8080\nhost = "127.0.0.1"\nsample = \n' },
    'MIFFY_ERR_CONFIG_FILE',
  )
  assert.ok(error.message.includes(join(dir, 'config.toml')), error.message)
  assert.match(error.message, /not valid TOML at line 3\b/)
  assert.ok(error.cause instanceof TomlError, 'the parser error is kept as cause')
})

test('a key defined twice is a TOML error at the line of the second definition', (t) => {
  const { error } = loadError(t, { toml: 'port = 1\n\n\nport = 2\n' }, 'MIFFY_ERR_CONFIG_FILE')
  assert.match(error.message, /line 4\b/)
})

test('broken TOML in the file named by MIFFY_CONFIG reports that file', (t) => {
  const { error, dir } = loadError(
    t,
    { files: { 'conf/bad.toml': '[outbox\nmax_messages = 1\n' }, env: { MIFFY_CONFIG: 'conf/bad.toml' } },
    'MIFFY_ERR_CONFIG_FILE',
  )
  assert.ok(error.message.includes(join(dir, 'conf', 'bad.toml')), error.message)
  assert.match(error.message, /line 1\b/)
})
