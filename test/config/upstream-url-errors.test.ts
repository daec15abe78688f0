/**
 * Upstream base URLs: http(s) only, no query, fragment or credentials. `candidate` takes one URL
 * or a list, so its errors come through a union; they must still say what was expected rather
 * than zod's bare "Invalid input".
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineFor, loadError } from './fixture.ts'

test('a non-http reference URL names the scheme', (t) => {
  const line = lineFor(loadError(t, { toml: 'reference = "ftp://files.example"\n' }), 'reference')
  assert.match(
    line,
    /reference = "ftp:\/\/files\.example": expected an http:\/\/ or https:\/\/ URL, not ftp:\/\//,
  )
})

test('a reference that is not a URL at all', (t) => {
  const line = lineFor(loadError(t, { toml: 'reference = "not a url"\n' }), 'reference')
  assert.match(line, /reference = "not a url": expected an absolute http:\/\/ or https:\/\/ URL/)
})

test('a reference URL with a query', (t) => {
  const line = lineFor(loadError(t, { toml: 'reference = "http://ref.internal/v1?debug=1"\n' }), 'reference')
  assert.match(line, /reference = "http:\/\/ref\.internal\/v1\?debug=1": expected a base URL without query/)
})

test('a reference URL with a fragment', (t) => {
  const line = lineFor(loadError(t, { toml: 'reference = "http://ref.internal/#top"\n' }), 'reference')
  assert.match(line, /expected a base URL without query, fragment or credentials/)
})

test('a route reference URL with credentials', (t) => {
  const failure = loadError(t, {
    toml: 'routes = [{ path = "/a", reference = "http://user:pw@ref.internal" }]\n',
  })
  assert.match(
    lineFor(failure, 'routes[0].reference'),
    /expected a base URL without query, fragment or credentials/,
  )
})

// BUG: the union (URL or list of URLs) reports zod's "Invalid input" with no expectation.
test('a non-http candidate URL says what was expected', (t) => {
  const line = lineFor(loadError(t, { toml: 'candidate = "ftp://cand.internal"\n' }), 'candidate')
  assert.match(line, /candidate = "ftp:\/\/cand\.internal": expected .*http:\/\//)
})

// BUG: as above, for one bad element of a candidate list.
test('a bad URL in a candidate list says what was expected', (t) => {
  const failure = loadError(t, { toml: 'candidate = ["http://a.internal", "ftp://b.internal"]\n' })
  const line = failure.lines.find((l) => l.startsWith('  - candidate'))
  assert.ok(line, failure.error.message)
  assert.match(line, /"ftp:\/\/b\.internal".*expected .*http:\/\//)
})

// BUG: as above, for a route's candidate.
test('a route candidate that is not a URL says what was expected', (t) => {
  const failure = loadError(t, { toml: 'routes = [{ path = "/a", candidate = "nope" }]\n' })
  assert.match(lineFor(failure, 'routes[0].candidate'), /= "nope": expected .*http:\/\//)
})

test('an empty candidate list', (t) => {
  const line = lineFor(loadError(t, { toml: 'candidate = []\n' }), 'candidate')
  assert.match(line, /candidate = \[\]: .*>=\s*1/)
})
