import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteTable } from '../../src/routing/route-table.ts'

/** Builds the table in the given order and in reverse, and checks both route identically. */
function inBothOrders(patterns: string[], check: (t: RouteTable<string>) => void): void {
  for (const order of [patterns, [...patterns].reverse()]) {
    const t = new RouteTable<string>()
    for (const p of order) t.insert(p, p)
    check(t)
  }
}

test('static beats parameter beats catch-all in the same segment, in either insertion order', () => {
  inBothOrders(['/api/users', '/api/{id}', '/api/{*rest}'], (t) => {
    assert.equal(t.match('/api/users')?.pattern, '/api/users')
    assert.deepEqual(t.match('/api/42')?.params, { id: '42' })
    assert.deepEqual(t.match('/api/42/posts')?.params, { rest: '42/posts' })
    assert.deepEqual(t.match('/api/users/7')?.params, { rest: 'users/7' })
  })
})

test('a static segment beats a parameter, and the search backtracks when it leads nowhere', () => {
  inBothOrders(['/{object}/{id}', '/secret/{id}/path'], (t) => {
    assert.deepEqual(t.match('/secret/978/path')?.params, { id: '978' })
    assert.deepEqual(t.match('/secret/978')?.params, { object: 'secret', id: '978' })
    assert.deepEqual(t.match('/something/978')?.params, { object: 'something', id: '978' })
  })
})

test('a static segment beats a catch-all, which still takes longer paths', () => {
  inBothOrders(['/path/foo/{arg}', '/path/{*rest}'], (t) => {
    assert.deepEqual(t.match('/path/foo/myarg')?.params, { arg: 'myarg' })
    assert.deepEqual(t.match('/path/foo/myarg/')?.params, { rest: 'foo/myarg/' })
    assert.deepEqual(t.match('/path/foo')?.params, { rest: 'foo' })
  })
})

test('the longer static prefix inside a segment wins', () => {
  inBothOrders(['/{any}', '/v{major}', '/v1'], (t) => {
    assert.equal(t.match('/v1')?.pattern, '/v1')
    assert.deepEqual(t.match('/v2')?.params, { major: '2' })
    assert.deepEqual(t.match('/v')?.params, { any: 'v' }, '"v" leaves the prefixed parameter empty')
    assert.deepEqual(t.match('/x')?.params, { any: 'x' })
  })
})

test('a prefixed catch-all beats a bare parameter in the same segment', () => {
  inBothOrders(['/{page}', '/assets-{*path}'], (t) => {
    assert.deepEqual(t.match('/assets-v1')?.params, { path: 'v1' })
    assert.deepEqual(t.match('/assets-v1/app.js')?.params, { path: 'v1/app.js' })
    assert.deepEqual(t.match('/about')?.params, { page: 'about' })
  })
})

test('the leftmost differing segment decides, not the kind of the last one', () => {
  // Like matchit: at the first segment the static "a" wins over {x}, so the catch-all route is
  // chosen for /a/b even though /{x}/b would match with a parameter.
  inBothOrders(['/a/{*rest}', '/{x}/b'], (t) => {
    assert.deepEqual(t.match('/a/b')?.params, { rest: 'b' })
    assert.deepEqual(t.match('/z/b')?.params, { x: 'z' })
  })
})

test('a parameter with a suffix beats the bare parameter when the suffix matches', () => {
  inBothOrders(['/{name}', '/{name}.json', '/{name}.min.json'], (t) => {
    assert.deepEqual(t.match('/a.min.json')?.params, { name: 'a' })
    assert.equal(t.match('/a.min.json')?.pattern, '/{name}.min.json')
    assert.equal(t.match('/a.json')?.pattern, '/{name}.json')
    assert.equal(t.match('/a.txt')?.pattern, '/{name}')
    assert.deepEqual(
      t.match('/.json')?.params,
      { name: '.json' },
      'the suffixed route needs a non-empty name',
    )
  })
})

test('a parameter and a catch-all with the same prefix coexist, the parameter first', () => {
  // matchit 0.8 rejects this pair as a conflict; miffy accepts it (see route-table.ts).
  inBothOrders(['/src/{file}', '/src/{*filepath}'], (t) => {
    assert.deepEqual(t.match('/src/a.go')?.params, { file: 'a.go' })
    assert.deepEqual(t.match('/src/pkg/a.go')?.params, { filepath: 'pkg/a.go' })
  })
})
