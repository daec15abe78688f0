/**
 * One test per kind of bad value. Each problem line must name the key path, the value as written,
 * and what was expected; the message header names the files that were read.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineFor, load, loadError } from './fixture.ts'

test('the message header names the config file the value came from', (t) => {
  const failure = loadError(t, { toml: 'port = 70000\n' })
  assert.match(failure.lines[0]!, /^invalid configuration/)
  // the file is in the working directory: named relative to it
  assert.ok(
    failure.lines[0]!.includes('read config.default.toml, config.toml') ||
      failure.lines[0]!.includes(', config.toml,'),
    failure.lines[0],
  )
})

test('a port above 65535', (t) => {
  assert.match(lineFor(loadError(t, { toml: 'port = 70000\n' }), 'port'), /^ {2}- port = 70000: .*<=\s*65535/)
})

test('a negative management port', (t) => {
  const line = lineFor(loadError(t, { toml: 'management_port = -1\n' }), 'management_port')
  assert.match(line, /management_port = -1: .*>=\s*0/)
})

test('a fractional port', (t) => {
  assert.match(lineFor(loadError(t, { toml: 'port = 8080.5\n' }), 'port'), /port = 8080\.5: expected int/)
})

test('a port written as a string', (t) => {
  assert.match(lineFor(loadError(t, { toml: 'port = "8080"\n' }), 'port'), /port = "8080": expected number/)
})

test('a logging format that does not exist lists the ones that do', (t) => {
  const line = lineFor(loadError(t, { toml: 'logging = "xml"\n' }), 'logging')
  assert.match(line, /logging = "xml": expected one of "human", "json", "stackdriver"/)
})

test('a log level that does not exist lists the ones that do', (t) => {
  const line = lineFor(loadError(t, { toml: 'log_level = "verbose"\n' }), 'log_level')
  assert.match(line, /log_level = "verbose": expected one of "trace", .*"silent"/)
})

test('a duration without a known unit', (t) => {
  const line = lineFor(loadError(t, { toml: 'candidate_timeout = "5 parsecs"\n' }), 'candidate_timeout')
  assert.match(line, /candidate_timeout = "5 parsecs": expected a duration/)
})

test('a negative duration', (t) => {
  const line = lineFor(loadError(t, { toml: 'reference_timeout = -1\n' }), 'reference_timeout')
  assert.match(line, /reference_timeout = -1: expected a duration/)
})

test('a bad duration in a route names the route', (t) => {
  const failure = loadError(t, { toml: 'routes = [{ path = "/a", breaker_cool_down = "soon" }]\n' })
  assert.match(lineFor(failure, 'routes[0].breaker_cool_down'), /= "soon": expected a duration/)
})

test('a size without a known unit', (t) => {
  const line = lineFor(loadError(t, { toml: 'max_body_bytes = "lots"\n' }), 'max_body_bytes')
  assert.match(line, /max_body_bytes = "lots": expected a size/)
})

test('a size in an unsupported unit, in a nested table', (t) => {
  const line = lineFor(loadError(t, { toml: '[outbox]\nmax_bytes = "1TB"\n' }), 'outbox.max_bytes')
  assert.match(line, /outbox\.max_bytes = "1TB": expected a size/)
})

test('sample above 1', (t) => {
  assert.match(lineFor(loadError(t, { toml: 'sample = 1.5\n' }), 'sample'), /sample = 1\.5: .*<=\s*1/)
})

test('sample below 0, in a route', (t) => {
  const line = lineFor(
    loadError(t, { toml: 'routes = [{ path = "/a", sample = -0.1 }]\n' }),
    'routes[0].sample',
  )
  assert.match(line, /= -0\.1: .*>=\s*0/)
})

test('sample 0 and 1 are both allowed', (t) => {
  assert.equal(load(t, { toml: 'sample = 0\n' }).config.sample, 0)
  assert.equal(load(t, { toml: 'sample = 1\n' }).config.sample, 1)
})

test('a sample_by of an unknown kind lists the kinds', (t) => {
  const line = lineFor(loadError(t, { toml: 'sample_by = "ip:client"\n' }), 'sample_by')
  assert.match(
    line,
    /sample_by = "ip:client": expected "header:NAME", "cookie:NAME", "param:NAME" or "query:NAME"/,
  )
})

test('a sample_by without a name', (t) => {
  assert.match(
    lineFor(loadError(t, { toml: 'sample_by = "header:"\n' }), 'sample_by'),
    /expected "header:NAME"/,
  )
})

test('a method name that is not a token names the element', (t) => {
  const line = lineFor(loadError(t, { toml: 'methods = ["GET", "P0ST"]\n' }), 'methods[1]')
  assert.match(line, /methods\[1\] = "P0ST": expected an HTTP method name/)
})

test('max_in_flight 0', (t) => {
  const line = lineFor(loadError(t, { toml: 'max_in_flight = 0\n' }), 'max_in_flight')
  assert.match(line, /max_in_flight = 0: .*>=\s*1/)
})

test('max_in_flight 0 in a route', (t) => {
  const line = lineFor(
    loadError(t, { toml: 'routes = [{ path = "/a", max_in_flight = 0 }]\n' }),
    'routes[0].max_in_flight',
  )
  assert.match(line, /= 0: .*>=\s*1/)
})

test('a route without a path', (t) => {
  const line = lineFor(loadError(t, { toml: 'routes = [{ sample = 0.5 }]\n' }), 'routes[0].path')
  assert.match(line, /routes\[0\]\.path = missing: expected string/)
})

test('an empty Kafka topic', (t) => {
  assert.match(lineFor(loadError(t, { toml: '[kafka]\ntopic = ""\n' }), 'kafka.topic'), /kafka\.topic = "": /)
})
