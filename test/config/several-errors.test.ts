import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineFor, loadError } from './fixture.ts'

test('every problem in the file is reported at once, one line each', (t) => {
  const failure = loadError(t, {
    toml: [
      'port = -1',
      'logging = "xml"',
      'sample = 2',
      'refrence = "http://x.internal"',
      'routes = [{ path = "/a", max_in_flight = 0 }]',
      '[outbox]',
      'linger = "forever"',
      '',
    ].join('\n'),
  })
  const problems = failure.lines.filter((l) => l.startsWith('  - '))
  assert.equal(problems.length, 6, failure.error.message)
  for (const key of ['port', 'logging', 'sample', 'refrence', 'routes[0].max_in_flight', 'outbox.linger']) {
    lineFor(failure, key)
  }
})

test('problems from the file and from the environment are reported together, each with its source', (t) => {
  const failure = loadError(t, { toml: 'sample = 2\n', env: { MIFFY_PORT: 'eighty' } })
  assert.doesNotMatch(lineFor(failure, 'sample'), /from MIFFY_/)
  assert.match(lineFor(failure, 'port'), /port = "eighty" \(from MIFFY_PORT\): expected number/)
})
