import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolveKey } from '../../src/routing/experiment-key.ts'
import { RouteTable } from '../../src/routing/route-table.ts'

test('key names a route parameter: the key is its value', () => {
  assert.equal(resolveKey('id', '/users/{id}', { id: '42' }), '42')
  assert.equal(resolveKey('rest', '/files/{*rest}', { rest: 'a/b' }), 'a/b')
})

test('key names no parameter of the route: the key is the setting itself', () => {
  assert.equal(resolveKey('checkout', '/users/{id}', { id: '42' }), 'checkout')
  assert.equal(resolveKey('id', '/health', {}), 'id')
})

test('key absent: the key is the route pattern', () => {
  assert.equal(resolveKey(undefined, '/users/{id}', { id: '42' }), '/users/{id}')
})

test('inherited object properties are not parameters', () => {
  assert.equal(resolveKey('constructor', '/x', {}), 'constructor')
  assert.equal(resolveKey('toString', '/x/{id}', { id: '1' }), 'toString')
})

test('the key uses the raw value from a match, escapes kept as in Rust miffy 1.0', () => {
  const t = new RouteTable<string>()
  t.insert('/users/{id}/orders', 'orders')
  const m = t.match('/users/a%20b/orders')
  assert.ok(m)
  assert.equal(resolveKey('id', m.pattern, m.params), 'a%20b')
  assert.equal(resolveKey(undefined, m.pattern, m.params), '/users/{id}/orders')
})
