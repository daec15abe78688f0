/**
 * The loader remembers where each value came from (`miffy check` prints it): the defaults file,
 * the config file by its path, or the variable by its name; the last layer that set a key wins.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { load } from './fixture.ts'

test('each key names the layer that set it last', (t) => {
  const { sources, dir } = load(t, {
    toml: 'port = 1234\nreference = "http://r.internal"\n[outbox]\nlinger = "5ms"\n',
    env: {
      MIFFY_PORT: '4321',
      MIFFY_CANDIDATE: 'http://c.internal',
      KAFKA_BOOTSTRAP_SERVERS: 'k:9092',
      MIFFY_KAFKA_TOPIC: 'divs',
    },
  })
  const file = join(dir, 'config.toml')
  assert.deepEqual(sources.get('port'), { layer: 'env', name: 'MIFFY_PORT' })
  assert.deepEqual(sources.get('reference'), { layer: 'file', name: file })
  assert.deepEqual(sources.get('candidate'), { layer: 'env', name: 'MIFFY_CANDIDATE' })
  assert.deepEqual(sources.get('outbox.linger'), { layer: 'file', name: file })
  assert.deepEqual(sources.get('outbox.max_messages'), { layer: 'default', name: 'default' })
  assert.deepEqual(sources.get('kafka."bootstrap.servers"'), {
    layer: 'env',
    name: 'KAFKA_BOOTSTRAP_SERVERS',
  })
  assert.deepEqual(sources.get('kafka.topic'), { layer: 'env', name: 'MIFFY_KAFKA_TOPIC' })
  assert.deepEqual(sources.get('sample'), { layer: 'default', name: 'default' })
})

test('an array is one value: routes from the file, not per element', (t) => {
  const { sources, dir } = load(t, { toml: 'routes = [{ path = "/a" }, { path = "/b" }]\n' })
  assert.deepEqual(sources.get('routes'), { layer: 'file', name: join(dir, 'config.toml') })
  assert.equal(
    [...sources.keys()].some((k) => k.startsWith('routes.')),
    false,
  )
})

test('log_json = true in the file is the source of logging', (t) => {
  const { config, sources, dir } = load(t, { toml: 'log_json = true\n' })
  assert.equal(config.logging, 'json')
  assert.deepEqual(sources.get('logging'), { layer: 'file', name: join(dir, 'config.toml') })
})
