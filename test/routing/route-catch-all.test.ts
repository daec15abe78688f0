import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteTable } from '../../src/routing/route-table.ts'

function table(...patterns: string[]): RouteTable<string> {
  const t = new RouteTable<string>()
  for (const p of patterns) t.insert(p, p)
  return t
}

test('a catch-all matches the rest of the path, slashes included', () => {
  const t = table('/static/{*path}')
  assert.deepEqual(t.match('/static/app.js')?.params, { path: 'app.js' })
  assert.deepEqual(t.match('/static/css/site/main.css')?.params, { path: 'css/site/main.css' })
  assert.deepEqual(t.match('/static/dir/')?.params, { path: 'dir/' }, 'a trailing slash is part of the rest')
  assert.deepEqual(t.match('/static//x')?.params, { path: '/x' })
})

test('a catch-all never matches an empty rest (matchit: "/{*p}" does not match "/")', () => {
  const t = table('/static/{*path}', '/{*all}')
  assert.equal(t.match('/static/')?.pattern, '/{*all}', 'falls back to the root catch-all')
  const only = table('/static/{*path}')
  assert.equal(only.match('/static/'), null)
  assert.equal(only.match('/static'), null)
  assert.equal(table('/{*all}').match('/'), null)
})

test('a catch-all may start after static text inside its segment', () => {
  const t = table('/ab/hello{*rest}', '/yyy{*x}')
  assert.deepEqual(t.match('/ab/hello-world/x')?.params, { rest: '-world/x' })
  assert.deepEqual(t.match('/yyy/')?.params, { x: '/' })
  assert.equal(t.match('/ab/hello'), null)
})

test('a catch-all after parameters', () => {
  const t = table('/files/{dir}/{*filepath}')
  assert.deepEqual(t.match('/files/js/inc/framework.js')?.params, { dir: 'js', filepath: 'inc/framework.js' })
  assert.equal(t.match('/files/js/'), null)
})

test('the root catch-all takes whatever nothing else matches', () => {
  const t = table('/', '/foo', '/baz/', '/baz/{x}', '/{*rest}')
  assert.equal(t.match('/')?.pattern, '/')
  assert.equal(t.match('/foo')?.pattern, '/foo')
  assert.deepEqual(t.match('/foo/')?.params, { rest: 'foo/' })
  assert.deepEqual(t.match('/baz')?.params, { rest: 'baz' })
  assert.equal(t.match('/baz/')?.pattern, '/baz/')
  assert.deepEqual(t.match('/baz/1/2')?.params, { rest: 'baz/1/2' })
  assert.deepEqual(t.match('/%3F%3F%3F')?.params, { rest: '%3F%3F%3F' })
  assert.equal(t.match('/???')?.pattern, '/', 'a raw "?" starts the query')
})
