/** /noise shows examples of what varied, except where the place's names say it may be a secret. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare } from '../../src/diff/compare.ts'
import { learnNoise } from '../../src/diff/noise-learn.ts'
import { NoiseModel } from '../../src/diff/noise-model.ts'
import { noiseReport } from '../../src/diff/noise-report.ts'
import { isSecretPlace } from '../../src/redact/places.ts'
import { Redactor } from '../../src/redact/redactor.ts'
import { jsonLeg, options, rawLeg } from '../diff/legs.ts'

const redactor = new Redactor({
  redact_words: ['auth', 'token', 'secret', 'key', 'session', 'cookie', 'password'],
  redact_names: [],
  redact_headers: [],
  redact_allow: [],
})

test('a place is secret by the names in its key, as redaction judges names', () => {
  assert.equal(isSecretPlace('json $.session.id', redactor), true)
  assert.equal(isSecretPlace('json $.items[*].access_token', redactor), true)
  assert.equal(isSecretPlace('json $.next<url>.query.api_key', redactor), true)
  assert.equal(isSecretPlace('header set-cookie sid', redactor), true)
  assert.equal(isSecretPlace('header x-auth-user', redactor), true)
  assert.equal(isSecretPlace('json $.request_id', redactor), false)
  assert.equal(isSecretPlace('header location<url>.query.code', redactor), false)
})

test('the report keeps examples of ordinary places and redacts those of secret ones and of text', () => {
  const model = new NoiseModel(100)
  const rules = options({ compareHeaders: ['*'] })
  learnNoise(
    model,
    compare(
      jsonLeg({ request_id: 'r-1', access_token: 'tok-AAA' }),
      jsonLeg({ request_id: 'r-2', access_token: 'tok-BBB' }),
      rules,
    ),
  )
  learnNoise(
    model,
    compare(
      rawLeg('csrf abc1', { headers: { 'content-type': 'text/plain' } }),
      rawLeg('csrf xyz9', { headers: { 'content-type': 'text/plain' } }),
      rules,
    ),
  )
  const report = noiseReport(model, 200, (key) => isSecretPlace(key, redactor))
  const byKey = new Map(report.noise.map((p) => [p.key, p]))
  assert.deepEqual(byKey.get('json $.request_id')?.examples.sort(), ['r-1', 'r-2'])
  assert.deepEqual(byKey.get('json $.access_token')?.examples, ['[REDACTED]'])
  const text = report.noise.find((p) => p.key.startsWith('text '))
  assert.deepEqual(text?.examples, ['[REDACTED]'])
})
