/**
 * config.schema.json is generated (src/cli/config-json-schema.ts), never edited: the committed file
 * must equal what `miffy schema` prints now. When a config key changes, run `npm run schema`.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse as parseToml } from 'smol-toml'
import { schemaText } from '../../src/cli/schema.ts'
import { DEFAULTS_PATH } from '../../src/config/load.ts'
import { runCli } from '../helpers/cli.ts'
import { ROOT } from '../helpers/process.ts'

const COMMITTED = join(ROOT, 'config.schema.json')
const REGENERATE =
  'config.schema.json is out of date (a config key or its comment in config.default.toml changed): run `npm run schema` and commit the result'

test('the committed config.schema.json is what the schema generates now', () => {
  // a plain boolean: the two 40 kB texts in a diff would bury the message that says what to do
  assert.ok(readFileSync(COMMITTED, 'utf8') === schemaText(), REGENERATE)
})

test('miffy schema prints it (exit 0): JSON Schema 2020-12', async (t) => {
  const run = await runCli(t, ['schema'])
  assert.equal(run.code, 0, run.stderr)
  assert.ok(run.stdout === readFileSync(COMMITTED, 'utf8'), REGENERATE)
  const schema = JSON.parse(run.stdout)
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema')
  assert.equal(schema.additionalProperties, false)
})

test('config.sample.toml points editors at it, and every key there and in the defaults is in it', () => {
  const sample = readFileSync(join(ROOT, 'config.sample.toml'), 'utf8')
  assert.equal(sample.split('\n')[0], '#:schema ./config.schema.json')
  const schema = JSON.parse(readFileSync(COMMITTED, 'utf8'))
  const tables = ['outbox', 'kafka']
  for (const text of [sample, readFileSync(DEFAULTS_PATH, 'utf8')]) {
    const toml = parseToml(text) as Record<string, unknown>
    for (const [key, value] of Object.entries(toml)) {
      assert.ok(schema.properties[key], `${key} is not in the schema`)
      if (tables.includes(key))
        for (const sub of Object.keys(value as object))
          assert.ok(schema.properties[key].properties[sub], `${key}.${sub} is not in the schema`)
    }
  }
  // a file needs no key: the defaults and the environment fill them in; a route needs its path
  assert.equal(schema.required, undefined)
  assert.deepEqual(schema.properties.routes.items.required, ['path'])
  // described from config.default.toml, with its default
  assert.match(schema.properties.candidate_timeout.description, /MIFFY_CANDIDATE_TIMEOUT/)
  assert.equal(schema.properties.candidate_timeout.default, '5s')
  assert.ok(schema.properties.kafka.properties['bootstrap.servers'].description)
})
