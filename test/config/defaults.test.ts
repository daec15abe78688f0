import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parse as parseToml } from 'smol-toml'
import { DEFAULTS_PATH } from '../../src/config/load.ts'
import { load, TEST_CANDIDATE, TEST_REFERENCE } from './fixture.ts'

test('with no config.toml and only the upstreams in the environment, the defaults are loaded with units resolved', (t) => {
  const { config, files, warnings } = load(t)
  assert.deepEqual(files, [DEFAULTS_PATH])
  assert.deepEqual(warnings, [])
  assert.deepEqual(config, {
    port: 8080,
    management_port: 9000,
    host: '0.0.0.0',
    management_host: '0.0.0.0',
    workers: 1,
    logging: 'human',
    log_level: 'info',
    // no default since issue 11: the fixture sets both (MIFFY_REFERENCE, MIFFY_CANDIDATE)
    reference: { url: TEST_REFERENCE },
    candidate: [{ url: TEST_CANDIDATE }],
    host_header: 'client',
    reference_timeout: 30_000,
    shutdown_timeout: 10_000,
    headers_timeout: 30_000,
    request_timeout: 300_000,
    body_timeout: 30_000,
    forwarded_headers: true,
    sample: 1,
    methods: [],
    candidate_timeout: 5_000,
    max_in_flight: 64,
    queue: 256,
    max_body_bytes: 1024 * 1024,
    ignore: [],
    compare_headers: ['*'],
    ignore_headers: [
      'date',
      'age',
      'content-length',
      'content-encoding',
      'transfer-encoding',
      'connection',
      'keep-alive',
      'x-request-id',
      'x-correlation-id',
      'request-id',
      'x-amzn-requestid',
      'x-amzn-trace-id',
      'traceparent',
      'tracestate',
      'x-b3-traceid',
      'x-b3-spanid',
      'x-b3-parentspanid',
      'x-b3-sampled',
      'x-cloud-trace-context',
      'x-trace-id',
      'cf-ray',
      'server-timing',
      'x-response-time',
      'x-runtime',
      'x-envoy-upstream-service-time',
    ],
    presence_headers: [
      'server',
      'x-powered-by',
      'via',
      'etag',
      'last-modified',
      'expires',
      'x-served-by',
      'x-cache',
      'x-cache-hits',
      'x-cache-status',
      'x-timer',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'ratelimit-remaining',
      'ratelimit-reset',
      'x-ratelimit-used',
      'ratelimit',
    ],
    ignore_status: false,
    float_tolerance: 1e-9,
    tolerance: {},
    unordered: [],
    match_by: {},
    text_masks: [],
    noise_sample: 1,
    noise_warmup: 20,
    noise_warmup_wait: 30_000,
    publish_noise: false,
    max_noise_paths: 2000,
    breaker_failures: 20,
    breaker_cool_down: 30_000,
    memory_budget: 64 * 1024 * 1024,
    redact_words: ['auth', 'token', 'secret', 'key', 'session', 'cookie', 'password'],
    redact_names: [],
    redact_headers: [],
    redact_allow: [],
    divergence_log: 1000,
    divergence_log_share: 0.25,
    routes: [],
    outbox: { max_messages: 10_000, max_bytes: 64 * 1024 * 1024, batch_size: 200, linger: 20 },
    kafka: { topic: 'miffy' },
  })
})

test('sample_by, log_json and the management token have no default: absent, not null', (t) => {
  const { config } = load(t)
  assert.equal(Object.hasOwn(config, 'sample_by'), false)
  assert.equal(Object.hasOwn(config, 'log_json'), false)
  assert.equal(Object.hasOwn(config, 'management_token'), false)
  assert.equal(Object.hasOwn(config, 'management_token_file'), false)
})

test('every key written in config.default.toml reaches the config, durations and sizes as numbers', (t) => {
  const { config } = load(t)
  const written = parseToml(readFileSync(DEFAULTS_PATH, 'utf8')) as Record<string, unknown>
  const check = (file: Record<string, unknown>, loaded: Record<string, unknown>, at: string) => {
    for (const [key, value] of Object.entries(file)) {
      assert.ok(Object.hasOwn(loaded, key), `${at}${key} is missing from the loaded config`)
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        check(value as Record<string, unknown>, loaded[key] as Record<string, unknown>, `${at}${key}.`)
      } else if (typeof value === 'string' && /^\d+(\.\d+)?\s*(ms|s|m|h|[KMG]i?B|B)$/i.test(value)) {
        // "30s", "1MiB", "20ms": units are resolved to plain numbers before anyone reads them.
        assert.equal(
          typeof loaded[key],
          'number',
          `${at}${key} = ${JSON.stringify(value)} should be a number`,
        )
      }
    }
  }
  check(written, config as unknown as Record<string, unknown>, '')
})
