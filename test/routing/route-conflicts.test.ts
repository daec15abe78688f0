import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteError, RouteTable } from '../../src/routing/route-table.ts'

/** Inserts in order; `ok` false means that insert must throw a conflict. */
function run(steps: [pattern: string, ok: boolean][]): void {
  const t = new RouteTable<string>()
  for (const [pattern, ok] of steps) {
    if (ok) assert.doesNotThrow(() => t.insert(pattern, pattern), pattern)
    else
      assert.throws(
        () => t.insert(pattern, pattern),
        (e: unknown) => e instanceof RouteError,
        pattern,
      )
  }
}

test('routes that overlap but have different priority do not conflict (matchit insert tests)', () => {
  run([
    ['/cmd/{tool}/{sub}', true],
    ['/cmd/vet', true],
    ['/foo/bar', true],
    ['/foo/{name}', true],
    ['/foo/{names}', false],
    ['/cmd/{xxx}/names', true],
    ['/cmd/{tool}/{xxx}/foo', true],
    ['/src/{*filepath}', true],
    ['/src/static.json', true],
    ['/src/$filepathx', true],
    ['/src/', true],
    ['/src/foo/bar', true],
    ['/src1/', true],
    ['/src1/{*filepath}', true],
    ['/src2{*filepath}', true],
    ['/src2/{*filepath}', true],
    ['/src2/', true],
    ['/src2', true],
    ['/src3', true],
    ['/src3/{*filepath}', true],
    ['/search/{query}', true],
    ['/search/valid', true],
    ['/user_{name}', true],
    ['/user_x', true],
    ['/user_{bar}', false],
    ['/id{id}', true],
    ['/id/{id}', true],
    ['/x/{id}', true],
    ['/x/{id}/', true],
    ['/x/{id}y', true],
    ['/x/{id}y/', true],
    ['/x/{id}y', false],
  ])
})

test('duplicates conflict, whatever the parameter names', () => {
  run([
    ['/', true],
    ['/', false],
    ['/doc/', true],
    ['/doc/', false],
    ['/src/{*filepath}', true],
    ['/src/{*other}', false],
    ['/search/{query}', true],
    ['/search/{q}', false],
    ['/hey', true],
    ['/hey/users', true],
    ['/hey/user', true],
    ['/hey/user', false],
  ])
})

test('only the whole route decides a conflict: shared branches with different ends are fine', () => {
  run([
    ['/{y}/bar/baz', true],
    ['/{y}/baz/baz', true],
    ['/{z}/bar/bat', true],
    ['/{z}/bar/baz', false],
    ['/whose/{users}/{name}', true],
    ['/whose/{users}/{user}', false],
  ])
})

test('a catch-all overlapping static routes is fine', () => {
  run([
    ['/foo', true],
    ['/{*bar}', true],
    ['/bar', true],
    ['/baz', true],
    ['/baz/{split}', true],
    ['/', true],
    ['/{*bar}', false],
    ['/{*zzz}', false],
    ['/bar_{x}', true],
    ['/bar_{x}/y', true],
    ['/bar/{x}', true],
  ])
})

test('suffixes tell parameters apart, including a trailing slash', () => {
  run([
    ['/x1/{a}suffix', true],
    ['/x1/{a}', true],
    ['/x1/{a}/', true],
    ['/x1/{a}suffix/', true],
    ['/x1/{b}suffix', false],
    ['/x1/{b}suffix/', false],
    ['/x1/{b}.png', true],
  ])
})
