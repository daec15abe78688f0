/**
 * `host_header`: which Host the upstreams get. The top-level key sets it for all; an upstream
 * written as a table `{ url, host_header }` sets its own. Old configs (plain URLs) load unchanged.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineFor, load, loadError } from './fixture.ts'

test('by default every upstream gets the client Host, as in the Rust miffy', (t) => {
  const { config } = load(t, { toml: 'reference = "http://ref.internal"\n' })
  assert.equal(config.host_header, 'client')
  assert.deepEqual(config.reference, { url: 'http://ref.internal' })
})

test('an upstream may be a table with its own host_header', (t) => {
  const { config } = load(t, {
    toml: [
      'reference = { url = "http://ref.internal/v1/", host_header = "upstream" }',
      'candidate = ["http://a.internal", { url = "http://b.internal" }]',
      'routes = [{ path = "/x", candidate = { url = "http://c.internal", host_header = "client" } }]',
      '',
    ].join('\n'),
  })
  assert.deepEqual(config.reference, { url: 'http://ref.internal/v1', host_header: 'upstream' })
  assert.deepEqual(config.candidate, [{ url: 'http://a.internal' }, { url: 'http://b.internal' }])
  assert.deepEqual(config.routes[0]!.candidate, [{ url: 'http://c.internal', host_header: 'client' }])
})

test('MIFFY_HOST_HEADER sets the default for all upstreams', (t) => {
  const { config } = load(t, { env: { MIFFY_HOST_HEADER: 'upstream' } })
  assert.equal(config.host_header, 'upstream')
})

test('a host_header that is neither "client" nor "upstream" names both', (t) => {
  const line = lineFor(loadError(t, { toml: 'host_header = "proxy"\n' }), 'host_header')
  assert.match(line, /host_header = "proxy": expected one of "client", "upstream"/)
})

test('a bad host_header in an upstream table is named at its path', (t) => {
  const failure = loadError(t, { toml: 'reference = { url = "http://r.internal", host_header = "own" }\n' })
  assert.match(lineFor(failure, 'reference.host_header'), /expected one of "client", "upstream"/)
})

test('an upstream table needs a url and takes no other key', (t) => {
  const failure = loadError(t, { toml: 'reference = { host_header = "upstream", uri = "http://r" }\n' })
  assert.match(failure.error.message, /reference\.url = missing/)
  assert.match(failure.error.message, /reference\.uri: unknown key/)
})

test('a bad URL inside an upstream table still says what was expected', (t) => {
  const failure = loadError(t, { toml: 'candidate = [{ url = "ftp://c.internal" }]\n' })
  assert.match(failure.error.message, /candidate\[0\]\.url = "ftp:\/\/c\.internal": expected an http:\/\//)
})

test('two upstreams on one origin that disagree on host_header are an error naming both', (t) => {
  const failure = loadError(t, {
    toml: [
      'reference = "http://ref.internal"',
      'routes = [{ path = "/a", reference = { url = "http://ref.internal/v2", host_header = "upstream" } }]',
      '',
    ].join('\n'),
  })
  assert.match(
    lineFor(failure, 'routes[0].reference'),
    /= "http:\/\/ref\.internal\/v2": gets host_header = "upstream" but reference = "http:\/\/ref\.internal" on the same origin gets "client"/,
  )
})

test('the same origin may be a reference with its own Host and a candidate with the client Host', (t) => {
  const { config } = load(t, {
    toml: 'reference = { url = "http://svc.internal", host_header = "upstream" }\ncandidate = "http://svc.internal"\n',
  })
  assert.equal(config.reference.host_header, 'upstream')
})
