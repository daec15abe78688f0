import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteError, RouteTable } from '../../src/routing/route-table.ts'

function rejects(pattern: string, reason: RegExp, existing: string[] = []): void {
  const t = new RouteTable<string>()
  for (const p of existing) t.insert(p, p)
  assert.throws(
    () => t.insert(pattern, pattern),
    (err: unknown) => {
      assert.ok(err instanceof RouteError)
      assert.ok(err instanceof Error)
      assert.equal(err.code, 'MIFFY_ERR_ROUTE')
      assert.equal(err.pattern, pattern)
      assert.match(err.reason, reason)
      assert.equal(err.message, `invalid route "${pattern}": ${err.reason}`)
      return true
    },
  )
}

test('a pattern must start with "/"', () => {
  rejects('api/users', /must start with "\/"/)
  rejects('', /must start with "\/"/)
  rejects('{*all}', /must start with "\/"/)
})

test('an empty parameter name is rejected', () => {
  rejects('/{}', /empty parameter name at offset 1/)
  rejects('/user{}/', /empty parameter name at offset 5/)
  rejects('/src/{*}', /empty parameter name at offset 5/)
})

test('an unclosed parameter is rejected', () => {
  rejects('/users/{id', /unclosed parameter at offset 7/)
  rejects('/users/{id/posts', /unclosed parameter at offset 7 \(names cannot contain "\/"\)/)
  rejects('/x{y', /unclosed parameter at offset 2/)
  rejects('/{a{b}', /unclosed parameter at offset 1 \("\{" at offset 3\)/)
})

test('an unmatched closing brace is rejected', () => {
  rejects('/}', /unmatched "}" at offset 1 \(write "}}" for a literal brace\)/)
  rejects('/x}/y', /unmatched "}" at offset 2/)
})

test('a catch-all must end the route', () => {
  rejects('/src/{*filepath}/x', /catch-all "\{\*filepath\}" must be at the end of the route/)
  rejects('/src/{*filepath}x', /catch-all "\{\*filepath\}" must be at the end of the route/)
})

test('a "*" inside a parameter name is rejected', () => {
  rejects('/{a*b}', /parameter name at offset 1 contains "\*"/)
  rejects('/{**x}', /parameter name at offset 1 contains "\*"/)
})

test('only one parameter per segment', () => {
  rejects('/{foo}{bar}', /only one parameter is allowed per path segment \(second at offset 6\)/)
  rejects('/{foo}.{ext}', /only one parameter is allowed per path segment/)
  rejects('/{foo}-{*rest}', /only one parameter is allowed per path segment/)
})

test('a parameter name may not repeat', () => {
  rejects('/{id}/posts/{id}', /duplicate parameter name "id"/)
  rejects('/{path}/{*path}', /duplicate parameter name "path"/)
})

test('"__proto__" is not a parameter name', () => {
  rejects('/{__proto__}', /cannot be named "__proto__"/)
})

test('a duplicate route is a conflict that names the existing route', () => {
  rejects('/users', /conflicts with existing route "\/users"/, ['/users'])
  rejects('/', /conflicts with existing route "\/"/, ['/'])
  rejects('/src/{*filepath}', /conflicts with existing route "\/src\/\{\*filepath\}"/, ['/src/{*filepath}'])
})

test('routes that differ only in parameter names conflict', () => {
  rejects(
    '/api/{b}',
    /conflicts with existing route "\/api\/\{a\}".*parameter names do not tell routes apart/,
    ['/api/{a}'],
  )
  rejects('/x/{bar}/bar', /conflicts with existing route "\/x\/\{foo\}\/bar"/, ['/x/{foo}/bar'])
  rejects('/{*other}', /conflicts with existing route "\/\{\*rest\}"/, ['/{*rest}'])
  rejects('/con{nection}', /conflicts with existing route "\/con\{tact\}"/, ['/con{tact}'])
  rejects('/{f}.png', /conflicts with existing route "\/\{file\}\.png"/, ['/{file}.png'])
})

test('a rejected insert leaves the table unchanged', () => {
  const t = new RouteTable<string>()
  t.insert('/a/{x}', 'first')
  assert.throws(() => t.insert('/a/{y}', 'second'), RouteError)
  assert.throws(() => t.insert('/b/{y}/{y}', 'third'), RouteError)
  assert.deepEqual(t.match('/a/1'), { value: 'first', pattern: '/a/{x}', params: { x: '1' } })
  assert.equal(t.match('/b/1/2'), null)
})
