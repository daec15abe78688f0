/**
 * Parameter values are the raw path text, as matchit gives them to the Rust miffy 1.0: the topic's
 * `request.params` and the Kafka key keep `hello%20world` (issue 11).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolveKey } from '../../src/routing/experiment-key.ts'
import { RouteTable } from '../../src/routing/route-table.ts'

function table(...patterns: string[]): RouteTable<string> {
  const t = new RouteTable<string>()
  for (const p of patterns) t.insert(p, p)
  return t
}

test('parameter values keep their percent-escapes', () => {
  const t = table('/users/{name}', '/files/{*path}')
  assert.deepEqual(t.match('/users/J%C3%BCrgen%20M')?.params, { name: 'J%C3%BCrgen%20M' })
  assert.deepEqual(t.match('/files/a%20b/c%2Bd')?.params, { path: 'a%20b/c%2Bd' })
  assert.deepEqual(t.match('/users/a+b')?.params, { name: 'a+b' }, '"+" is not a space in a path')
})

test('the Kafka key of a parameter is its raw value', () => {
  const t = table('/api/{value}')
  const m = t.match('/api/hello%20world?x=1')!
  assert.equal(resolveKey('value', m.pattern, m.params), 'hello%20world')
})

test('matching happens on the raw path: an encoded slash stays inside its segment', () => {
  const t = table('/users/{name}', '/users/{name}/posts')
  assert.deepEqual(t.match('/users/a%2Fb')?.params, { name: 'a%2Fb' })
  assert.deepEqual(t.match('/users/a%2Fb/posts')?.params, { name: 'a%2Fb' })
})

test('static segments compare raw text, so an encoded path does not match a plain route', () => {
  const t = table('/caf%C3%A9', '/menu')
  assert.equal(t.match('/caf%C3%A9')?.pattern, '/caf%C3%A9')
  assert.equal(t.match('/caf%c3%a9'), null, 'escapes are compared byte for byte, like matchit')
  assert.equal(t.match('/m%65nu'), null)
})

test('a malformed escape is kept as it is and never throws', () => {
  const t = table('/q/{v}', '/rest/{*r}')
  assert.deepEqual(t.match('/q/%zz')?.params, { v: '%zz' })
  assert.deepEqual(t.match('/q/100%')?.params, { v: '100%' })
  assert.deepEqual(t.match('/q/%FF')?.params, { v: '%FF' }, 'not UTF-8')
  assert.deepEqual(t.match('/rest/ok%20/bad%')?.params, { r: 'ok%20/bad%' })
})
