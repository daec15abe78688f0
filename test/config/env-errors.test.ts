/**
 * A bad value from the environment names the variable it came from, so the operator looks in the
 * deployment manifest rather than in config.toml.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineFor, loadError } from './fixture.ts'

test('a number that does not parse', (t) => {
  const line = lineFor(loadError(t, { env: { MIFFY_PORT: 'eighty' } }), 'port')
  assert.match(line, /port = "eighty" \(from MIFFY_PORT\): expected number/)
})

test('a boolean that is not true or false', (t) => {
  const line = lineFor(loadError(t, { env: { MIFFY_IGNORE_STATUS: 'yes' } }), 'ignore_status')
  assert.match(line, /ignore_status = "yes" \(from MIFFY_IGNORE_STATUS\): expected boolean/)
})

test('a nested key out of range', (t) => {
  const line = lineFor(loadError(t, { env: { MIFFY_OUTBOX_MAX_MESSAGES: '0' } }), 'outbox.max_messages')
  assert.match(line, /outbox\.max_messages = 0 \(from MIFFY_OUTBOX_MAX_MESSAGES\): .*>=\s*1/)
})

test('max_in_flight 0 from the environment', (t) => {
  const line = lineFor(loadError(t, { env: { MIFFY_MAX_IN_FLIGHT: '0' } }), 'max_in_flight')
  assert.match(line, /max_in_flight = 0 \(from MIFFY_MAX_IN_FLIGHT\)/)
})

test('a bad enum value', (t) => {
  const line = lineFor(loadError(t, { env: { MIFFY_LOGGING: 'xml' } }), 'logging')
  assert.match(line, /logging = "xml" \(from MIFFY_LOGGING\): expected one of "human", "json", "stackdriver"/)
})

test('MIFFY_ROUTES that is neither a TOML nor a JSON array', (t) => {
  const line = lineFor(loadError(t, { env: { MIFFY_ROUTES: '[{ path = "/a"' } }), 'routes')
  assert.match(line, /routes = "\[\{ path = \\"\/a\\"" \(from MIFFY_ROUTES\): expected array/)
})

// BUG: `sources` is keyed by the variable's key path ("methods"), but the path is the
// element's ("methods.1"), so errors inside a list lose their "(from ...)".
test('a bad element of a comma list names the variable', (t) => {
  const line = lineFor(loadError(t, { env: { MIFFY_METHODS: 'GET,P0ST' } }), 'methods[1]')
  assert.match(line, /methods\[1\] = "P0ST" \(from MIFFY_METHODS\): expected an HTTP method name/)
})

// BUG: as above, for a field of a route given in MIFFY_ROUTES.
test('a bad field of a route in MIFFY_ROUTES names the variable', (t) => {
  const line = lineFor(
    loadError(t, { env: { MIFFY_ROUTES: '[{ path = "/a", sample = 2 }]' } }),
    'routes[0].sample',
  )
  assert.match(line, /routes\[0\]\.sample = 2 \(from MIFFY_ROUTES\)/)
})

// BUG: as above, for an unknown key in a route given in MIFFY_ROUTES.
test('an unknown key in MIFFY_ROUTES names the variable', (t) => {
  const line = lineFor(
    loadError(t, { env: { MIFFY_ROUTES: '[{ path = "/a", smaple = 0.5 }]' } }),
    'routes[0].smaple',
  )
  assert.match(line, /unknown key/)
  assert.match(line, /MIFFY_ROUTES/)
})
