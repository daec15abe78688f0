import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteTable } from '../../src/routing/route-table.ts'

// matchit 0.8.0 removed trailing-slash redirects: "/foo" and "/foo/" are unrelated routes, and a
// path matches only a route with exactly its slashes.

function table(...patterns: string[]): RouteTable<string> {
  const t = new RouteTable<string>()
  for (const p of patterns) t.insert(p, p)
  return t
}

test('"/api/1/" does not match "/api/{v}"', () => {
  const t = table('/api/{v}')
  assert.equal(t.match('/api/1/'), null)
  assert.deepEqual(t.match('/api/1')?.params, { v: '1' })
})

test('a route with a trailing slash matches only with the slash', () => {
  const t = table('/cmd/{tool}/', '/b/')
  assert.deepEqual(t.match('/cmd/vet/')?.params, { tool: 'vet' })
  assert.equal(t.match('/cmd/vet'), null)
  assert.equal(t.match('/b/')?.pattern, '/b/')
  assert.equal(t.match('/b'), null)
})

test('"/x" and "/x/" are separate routes', () => {
  const t = table('/foo/{x}/baz', '/foo/{x}/baz/', '/static', '/static/')
  assert.equal(t.match('/foo/1/baz')?.pattern, '/foo/{x}/baz')
  assert.equal(t.match('/foo/1/baz/')?.pattern, '/foo/{x}/baz/')
  assert.equal(t.match('/static')?.pattern, '/static')
  assert.equal(t.match('/static/')?.pattern, '/static/')
})

test('a static route with a slash does not shadow the parameter route without it', () => {
  const t = table('/foo/{object}/{id}', '/foo/secret/978/')
  assert.equal(t.match('/foo/secret/978/')?.pattern, '/foo/secret/978/')
  assert.deepEqual(t.match('/foo/secret/978')?.params, { object: 'secret', id: '978' })
  assert.equal(table('/foo/{object}/{id}', '/foo/secret/978').match('/foo/secret/978/'), null)
})

test('an empty segment never fills a parameter', () => {
  const t = table('/x/{foo}/z', '/y/{foo}')
  assert.equal(t.match('/x//z'), null)
  assert.equal(t.match('/y/'), null)
  assert.equal(t.match('/y//'), null)
})
