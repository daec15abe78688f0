import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteTable } from '../../src/routing/route-table.ts'

function table(...patterns: string[]): RouteTable<string> {
  const t = new RouteTable<string>()
  for (const p of patterns) t.insert(p, `value of ${p}`)
  return t
}

test('a static route matches only its exact path', () => {
  const t = table('/health', '/api/v1/users')
  assert.deepEqual(t.match('/health'), { value: 'value of /health', pattern: '/health', params: {} })
  assert.equal(t.match('/api/v1/users')?.pattern, '/api/v1/users')
  assert.equal(t.match('/healthz'), null)
  assert.equal(t.match('/health/x'), null)
  assert.equal(t.match('/api/v1'), null)
  assert.equal(t.match('/'), null)
})

test('the root route is "/"', () => {
  const t = table('/')
  assert.equal(t.match('/')?.pattern, '/')
  assert.equal(t.match('/x'), null)
})

test('a named parameter matches one non-empty segment', () => {
  const t = table('/users/{id}')
  assert.deepEqual(t.match('/users/42')?.params, { id: '42' })
  assert.deepEqual(t.match('/users/some-long.name_1')?.params, { id: 'some-long.name_1' })
  assert.equal(t.match('/users/'), null, 'empty segment')
  assert.equal(t.match('/users'), null)
  assert.equal(t.match('/users/42/posts'), null, 'never spans a "/"')
})

test('several parameters are returned by name', () => {
  const t = table('/orgs/{org}/repos/{repo}/issues/{number}')
  assert.deepEqual(t.match('/orgs/acme/repos/miffy/issues/7')?.params, {
    org: 'acme',
    repo: 'miffy',
    number: '7',
  })
})

test('parameter names may differ between routes that share a branch', () => {
  // matchit normalises names: /{a}/x and /{b}/y share the first segment without conflict.
  const t = table('/{tenant}/users', '/{org}/repos')
  assert.deepEqual(t.match('/acme/users')?.params, { tenant: 'acme' })
  assert.deepEqual(t.match('/acme/repos')?.params, { org: 'acme' })
})

test('a parameter may have a static prefix inside its segment', () => {
  const t = table('/img-{id}', '/v{major}/status')
  assert.deepEqual(t.match('/img-3')?.params, { id: '3' })
  assert.deepEqual(t.match('/v2/status')?.params, { major: '2' })
  assert.equal(t.match('/img-'), null, 'the parameter part may not be empty')
  assert.equal(t.match('/img3'), null)
})

test('a parameter may have a static suffix inside its segment (matchit 0.8.6)', () => {
  const t = table('/{file}.png', '/reports/{year}.csv/latest')
  assert.deepEqual(t.match('/logo.png')?.params, { file: 'logo' })
  assert.deepEqual(t.match('/a.b.png')?.params, { file: 'a.b' }, 'the suffix is anchored at the segment end')
  assert.equal(t.match('/.png'), null, 'the parameter part may not be empty')
  assert.equal(t.match('/logo.jpg'), null)
  assert.deepEqual(t.match('/reports/2024.csv/latest')?.params, { year: '2024' })
})

test('a parameter may have both a prefix and a suffix', () => {
  const t = table('/images/img-{id}.png')
  assert.deepEqual(t.match('/images/img-1.png')?.params, { id: '1' })
  assert.equal(t.match('/images/img-1.jpg'), null)
  assert.equal(t.match('/images/img-.png'), null)
})

test('routes and paths are case-sensitive', () => {
  const t = table('/Users/{id}')
  assert.equal(t.match('/users/1'), null)
  assert.equal(t.match('/Users/1')?.pattern, '/Users/{id}')
})

test('the query string is not part of the matched path', () => {
  const t = table('/search', '/items/{id}')
  assert.equal(t.match('/search?q=a/b')?.pattern, '/search')
  assert.deepEqual(t.match('/items/9?expand=1')?.params, { id: '9' })
  assert.equal(t.match('/items/?x=1'), null)
})

test('a path that does not start with "/" matches nothing', () => {
  const t = table('/{*all}')
  assert.equal(t.match(''), null)
  assert.equal(t.match('*'), null)
  assert.equal(t.match('http://example.test/x'), null)
  assert.equal(t.match('?a=1'), null)
})

test('the value stored at insert is returned', () => {
  const t = new RouteTable<{ experiment: string }>()
  const value = { experiment: 'checkout' }
  t.insert('/checkout/{step}', value)
  assert.equal(t.match('/checkout/pay')?.value, value)
})

test('an empty table matches nothing', () => {
  assert.equal(new RouteTable<string>().match('/'), null)
})
