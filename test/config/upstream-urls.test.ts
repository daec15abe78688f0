import assert from 'node:assert/strict'
import { test } from 'node:test'
import { load } from './fixture.ts'

test('a path prefix on the reference is kept and a trailing slash dropped', (t) => {
  const { config } = load(t, { toml: 'reference = "http://ref.internal:3000/v2/"\n' })
  assert.deepEqual(config.reference, { url: 'http://ref.internal:3000/v2' })
})

test('a bare origin with a trailing slash becomes the origin', (t) => {
  const { config } = load(t, { toml: 'reference = "https://ref.internal/"\n' })
  assert.deepEqual(config.reference, { url: 'https://ref.internal' })
})

test('a single candidate becomes a one-element list', (t) => {
  const { config } = load(t, { toml: 'candidate = "http://cand.internal:3001/api/"\n' })
  assert.deepEqual(config.candidate, [{ url: 'http://cand.internal:3001/api' }])
})

test('a candidate list keeps its order, each URL normalised', (t) => {
  const { config } = load(t, { toml: 'candidate = ["http://a.internal/x/", "https://b.internal"]\n' })
  assert.deepEqual(config.candidate, [{ url: 'http://a.internal/x' }, { url: 'https://b.internal' }])
})

test('a route may set its own reference and candidate list', (t) => {
  const { config } = load(t, {
    toml: 'routes = [{ path = "/a", reference = "http://r.internal/p/", candidate = ["http://c1.internal", "http://c2.internal/"] }]\n',
  })
  assert.deepEqual(config.routes[0]!.reference, { url: 'http://r.internal/p' })
  assert.deepEqual(config.routes[0]!.candidate, [
    { url: 'http://c1.internal' },
    { url: 'http://c2.internal' },
  ])
})
