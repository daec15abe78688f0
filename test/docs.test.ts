/**
 * The README is the reference users read: these tests fail when code and docs drift apart
 * (an error code, a config key, an outcome or a Kafka property missing from it).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parse } from 'smol-toml'
import { DEFAULTS_PATH } from '../src/config/load.ts'
import { ERRORS } from '../src/errors.ts'
import {
  IGNORED_PROPERTIES,
  REJECTED_PROPERTIES,
  SUPPORTED_PROPERTIES,
} from '../src/publish/kafka-properties.ts'
import { OUTCOMES } from '../src/shadow/outcome.ts'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

test('every error code is documented in the README', () => {
  for (const code of Object.keys(ERRORS))
    assert.ok(readme.includes(`| \`${code}\``), `${code} missing from README.md`)
})

test('every key of config.default.toml is in the README configuration table, with its env var', () => {
  const defaults = parse(readFileSync(DEFAULTS_PATH, 'utf8')) as Record<string, unknown>
  const keys: string[] = []
  for (const [k, v] of Object.entries(defaults)) {
    // a table with entries (outbox, kafka) is documented key by key; an empty one (tolerance) whole
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0)
      for (const sub of Object.keys(v)) keys.push(`${k}.${sub}`)
    else keys.push(k)
  }
  keys.push('sample_by', 'secondary') // commented out in the defaults: they have no default
  for (const key of keys) {
    assert.ok(readme.includes(`| \`${key}\` |`), `config key ${key} missing from README.md`)
    const env = `MIFFY_${key.replaceAll('.', '_').toUpperCase()}`
    assert.ok(readme.includes(env), `${env} missing from README.md`)
  }
})

test('the README shows examples/config.recommended.toml as it is', () => {
  const file = readFileSync(new URL('../examples/config.recommended.toml', import.meta.url), 'utf8').trimEnd()
  const marker = readme.indexOf('<!-- recommended-config:')
  assert.ok(marker >= 0, 'the recommended-config block is in README.md')
  const start = readme.indexOf('```toml\n', marker) + '```toml\n'.length
  const end = readme.indexOf('\n```', start)
  assert.equal(readme.slice(start, end), file, 'copy examples/config.recommended.toml into README.md')
})

test('every outcome is documented', () => {
  for (const o of OUTCOMES) assert.ok(readme.includes(`| \`${o}\` |`), `outcome ${o} missing from README.md`)
})

/** The Kafka property table, generated from the mapping's own data. */
export function kafkaTable(): string {
  const rows = SUPPORTED_PROPERTIES.map((p) => {
    const names = [p.name, ...(p.aliases ?? [])].map((n) => `\`${n}\``).join(', ')
    return `| ${names} | ${p.mapsTo} | ${p.values} | ${p.default} |`
  })
  const ignored = Object.entries(IGNORED_PROPERTIES).map(([name, why]) => `| \`${name}\` | ${why} |`)
  const rejected = Object.entries(REJECTED_PROPERTIES).map(
    ([name, why]) => `| \`${name}${name.endsWith('.') ? '*' : ''}\` | ${why} |`,
  )
  return [
    '| property | kafkajs | values | default |',
    '|---|---|---|---|',
    ...rows,
    '',
    'Accepted with a warning (tuning without a kafkajs equivalent):',
    '',
    '| property | instead |',
    '|---|---|',
    ...ignored,
    '',
    'Refused at start-up (they change security or delivery and cannot be honoured):',
    '',
    '| property | why |',
    '|---|---|',
    ...rejected,
  ].join('\n')
}

test('the README Kafka property table is generated from SUPPORTED_PROPERTIES', () => {
  const m = /<!-- kafka-properties:start -->\n([\s\S]*?)\n?<!-- kafka-properties:end -->/.exec(readme)
  assert.ok(m, 'kafka-properties markers missing from README.md')
  const expected = kafkaTable()
  assert.equal(
    m[1]!.trim(),
    expected,
    `replace the block between the kafka-properties markers with:\n${expected}`,
  )
})
