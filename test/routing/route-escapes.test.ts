import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteTable } from '../../src/routing/route-table.ts'

function table(...patterns: string[]): RouteTable<string> {
  const t = new RouteTable<string>()
  for (const p of patterns) t.insert(p, p)
  return t
}

test('"{{" and "}}" are literal braces in static text', () => {
  const t = table('/{{', '/}}', '/{{x', '/}}y{{', '/{{id}}', '/{{/xyz')
  assert.equal(t.match('/{')?.pattern, '/{{')
  assert.equal(t.match('/}')?.pattern, '/}}')
  assert.equal(t.match('/{x')?.pattern, '/{{x')
  assert.equal(t.match('/}y{')?.pattern, '/}}y{{')
  assert.equal(t.match('/{id}')?.pattern, '/{{id}}')
  assert.equal(t.match('/{/xyz')?.pattern, '/{{/xyz')
  assert.equal(t.match('/{{'), null, 'the escape is not matched literally')
})

test('escaped braces sit next to parameters', () => {
  const t = table('/baz/{xxx}/xy{{', '/baz/{xxx}/}}xy{{{{', '/{{/{x}')
  assert.deepEqual(t.match('/baz/x/xy{')?.params, { xxx: 'x' })
  assert.equal(t.match('/baz/x/xy{{'), null)
  assert.deepEqual(t.match('/baz/x/}xy{{')?.params, { xxx: 'x' })
  assert.deepEqual(t.match('/{/abc')?.params, { x: 'abc' })
})

test('doubled braces inside a parameter name are part of the name', () => {
  // From matchit's tests: "{ba{{r}" is the parameter "ba{r".
  const t = table('/{ba{{r}', '/xxx/{x}}{{}}}}{{}}{{{{}}y}')
  assert.deepEqual(t.match('/foo')?.params, { 'ba{r': 'foo' })
  assert.deepEqual(t.match('/xxx/foo')?.params, { 'x}{}}{}{{}y': 'foo' })
})

test('a literal brace in the path is matched against the raw path, not a decoded one', () => {
  const t = table('/a/{{b}}')
  assert.equal(t.match('/a/{b}')?.pattern, '/a/{{b}}')
  assert.equal(t.match('/a/%7Bb%7D'), null)
})
