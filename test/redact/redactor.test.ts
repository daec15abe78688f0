import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Redactor } from '../../src/redact/redactor.ts'
import { testConfig } from '../helpers/proxy.ts'

function redactor(overrides: Record<string, unknown> = {}): Redactor {
  return new Redactor(testConfig(overrides))
}

test('by default a name containing auth, token, secret, key, session, cookie or password is secret', () => {
  const r = redactor()
  for (const name of [
    'X-Api-Key',
    'x-auth-user',
    'Authorization',
    'refresh_token',
    'sessionId',
    'client_secret',
    'PASSWORD',
    'x-cookie-consent',
    'apikey',
  ])
    assert.equal(r.isSecret(name), true, name)
  for (const name of ['accept', 'user', 'id', 'x-request-id', 'content-type', 'keep-alive'])
    assert.equal(r.isSecret(name), false, name)
})

test('the four credential headers are secret whatever the lists say', () => {
  const r = redactor({ redact_words: [], redact_allow: ['authorization', 'cookie', 'set-cookie'] })
  for (const name of ['authorization', 'Proxy-Authorization', 'cookie', 'set-cookie'])
    assert.equal(r.isSecretHeader(name), true, name)
  assert.equal(r.isSecret('authorization'), false, 'only headers are always redacted')
})

test('the allow list wins over the words, not over the deny lists', () => {
  const r = redactor({ redact_allow: ['author', 'x-cache-key', 'x-token'], redact_names: ['x-token'] })
  assert.equal(r.isSecret('author'), false)
  assert.equal(r.isSecret('Author'), false)
  assert.equal(r.isSecretHeader('x-cache-key'), false)
  assert.equal(r.isSecret('x-token'), true)
  assert.equal(r.isSecret('authors'), true)
})

test('redact_names add names everywhere; redact_headers add headers only', () => {
  const r = redactor({ redact_names: ['ssn'], redact_headers: ['x-user'] })
  assert.equal(r.isSecret('ssn'), true)
  assert.equal(r.isSecretHeader('SSN'), true)
  assert.equal(r.isSecretHeader('x-user'), true)
  assert.equal(r.isSecret('x-user'), false)
})

test('the words can be replaced (an empty list keeps only the explicit names)', () => {
  const r = redactor({ redact_words: ['pin'] })
  assert.equal(r.isSecret('pincode'), true)
  assert.equal(r.isSecret('password'), false)
  assert.equal(r.isSecretHeader('cookie'), true)
})
