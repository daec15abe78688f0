/**
 * `reference` and `candidate` have no default (issue 11 item 5): the demo's 127.0.0.1:3000/3001
 * must never be used silently. A missing reference is always an error; a missing candidate is
 * one as soon as a route relies on it.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineFor, load, loadError } from './fixture.ts'

test('without reference, loading fails naming the key and how to set it', (t) => {
  const failure = loadError(t, { bare: true, env: { MIFFY_CANDIDATE: 'http://c.internal' } })
  assert.match(lineFor(failure, 'reference'), /reference = missing: required, no default: .*MIFFY_REFERENCE/)
})

test('without candidate, a route that has none of its own is an error naming the route', (t) => {
  const failure = loadError(t, {
    bare: true,
    toml: 'reference = "http://r.internal"\nroutes = [{ path = "/own", candidate = "http://c.internal" }, { path = "/api/{id}" }]\n',
  })
  const line = lineFor(failure, 'candidate')
  assert.match(
    line,
    /candidate = missing: required: routes\[1\] \("\/api\/\{id\}"\) has no candidate of its own/,
  )
  assert.match(line, /MIFFY_CANDIDATE/)
})

test('both missing are reported together', (t) => {
  const failure = loadError(t, { bare: true, toml: 'routes = [{ path = "/a" }]\n' })
  lineFor(failure, 'reference')
  lineFor(failure, 'candidate')
})

test('without candidate, routes that all name their own candidate load', (t) => {
  const { config } = load(t, {
    bare: true,
    toml: 'reference = "http://r.internal"\nroutes = [{ path = "/a", candidate = "http://c.internal" }]\n',
  })
  assert.deepEqual(config.routes[0]?.candidate, [{ url: 'http://c.internal' }])
  assert.deepEqual(config.candidate, [])
})

test('a pure passthrough (no routes) needs only the reference', (t) => {
  const { config } = load(t, { bare: true, env: { MIFFY_REFERENCE: 'http://r.internal' } })
  assert.deepEqual(config.reference, { url: 'http://r.internal' })
  assert.deepEqual(config.routes, [])
})
