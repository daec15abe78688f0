import assert from 'node:assert/strict'
import { test } from 'node:test'
import { normaliseTarget } from '../../src/proxy/request-target.ts'

function accepted(raw: string): string {
  const target = normaliseTarget(raw)
  assert.ok(target.ok, `${raw} should be accepted, got: ${!target.ok && target.reason}`)
  return target.url
}

function refused(raw: string): string {
  const target = normaliseTarget(raw)
  assert.ok(!target.ok, `${raw} should be refused, got: ${target.ok && target.url}`)
  return target.reason
}

test('origin-form paths pass unchanged, query kept', () => {
  assert.equal(accepted('/'), '/')
  assert.equal(accepted('/api/users/42'), '/api/users/42')
  assert.equal(accepted('/api/users?id=42&sort=desc'), '/api/users?id=42&sort=desc')
  assert.equal(accepted('/a%20b/c?q=%20'), '/a%20b/c?q=%20')
})

test('absolute-form is normalised to its path and query (RFC 9112 §3.2.2)', () => {
  assert.equal(accepted('http://other.example/x/y?z=1'), '/x/y?z=1')
  assert.equal(accepted('https://other.example:8443/x'), '/x')
  assert.equal(accepted('HTTP://OTHER.EXAMPLE/x'), '/x')
  assert.equal(accepted('http://user:pw@other.example/x'), '/x')
})

test('absolute-form without a path becomes "/"', () => {
  assert.equal(accepted('http://other.example'), '/')
  assert.equal(accepted('http://other.example?q=1'), '/?q=1')
})

test('a path starting with "//" stays a path', () => {
  assert.equal(accepted('//evil.example/x'), '//evil.example/x')
  assert.equal(accepted('http://other.example//evil.example/x'), '//evil.example/x')
})

test('a target that is not a path is refused', () => {
  for (const raw of ['@evil.example/x', '*', 'evil.example/x', '', 'ftp://other.example/x', 'http:/x']) {
    assert.match(refused(raw), /path starting with "\/"/, raw)
  }
})

test('".." segments are refused', () => {
  for (const raw of [
    '/..',
    '/a/../b',
    '/a/..',
    '/../etc/passwd',
    '/a/..?x=1',
    'http://other.example/a/../b',
  ]) {
    assert.match(refused(raw), /"\.\." segment/, raw)
  }
})

test('percent-encoded ".." segments are refused, whatever the case', () => {
  for (const raw of ['/a/%2e%2e/b', '/a/%2E%2E/b', '/a/.%2e/b', '/a/%2e./b', '/a/..%2fb', '/a/%2e%2e%2fb']) {
    assert.match(refused(raw), /"\.\." segment/, raw)
  }
})

test('dots that are not a whole ".." segment pass', () => {
  assert.equal(accepted('/a/..b/c'), '/a/..b/c')
  assert.equal(accepted('/a/b../c'), '/a/b../c')
  assert.equal(accepted('/a/.../c'), '/a/.../c')
  assert.equal(accepted('/file.tar.gz'), '/file.tar.gz')
})

test('".." in the query is not a path segment', () => {
  assert.equal(accepted('/a?path=../../etc'), '/a?path=../../etc')
  assert.equal(accepted('/a?p=%2e%2e/x'), '/a?p=%2e%2e/x')
})

test('a malformed percent-escape in the path is refused', () => {
  for (const raw of ['/a/%zz', '/a%', '/a/%2', '/%E0%A4%A']) {
    assert.match(refused(raw), /malformed percent-escape/, raw)
  }
})

test('a fragment is dropped: it is not part of a request target (RFC 9112 §3.2)', () => {
  assert.equal(accepted('/a/b#frag'), '/a/b')
  assert.equal(accepted('/a?x=1#frag?y=2'), '/a?x=1')
  assert.equal(accepted('/#'), '/')
  assert.equal(accepted('http://other.example/x#y'), '/x')
  // a `..` hidden after the fragment is gone with it; one before it is still refused
  assert.equal(accepted('/a#/../b'), '/a')
  refused('/a/../b#x')
})
