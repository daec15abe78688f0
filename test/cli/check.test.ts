/**
 * `miffy check`: a valid configuration prints the effective values with their sources (the
 * defaults, the file's path, the variable's name) and exits 0; its output loads again as a config
 * file. An invalid one exits 2 with the very text start-up prints. The [kafka] property names are
 * checked even without a broker, and routes as start-up compiles them. Secrets are masked.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import { cleanEnv, runCli } from '../helpers/cli.ts'
import { ROOT } from '../helpers/process.ts'

function dir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'miffy-check-'))
  t.after(() => rmSync(d, { recursive: true, force: true }))
  return d
}

function file(t: TestContext, text: string, name = 'miffy.toml'): string {
  const path = join(dir(t), name)
  writeFileSync(path, text)
  return path
}

/** What `npm start` prints on stderr for the same configuration (it exits before listening). */
async function startUpError(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'node'), ['src/main.ts'], {
    cwd: ROOT,
    env: cleanEnv({ MIFFY_PORT: '0', MIFFY_MANAGEMENT_PORT: '0', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c
  })
  const [code] = await once(child, 'close')
  return { code, stderr }
}

const line = (stdout: string, key: string) => stdout.split('\n').find((l) => l.startsWith(`${key} = `))

test('valid: exit 0, every value with its source: default, the file, the variable', async (t) => {
  const path = file(
    t,
    'reference = "http://ref.internal:3000"\ncandidate_timeout = "2s"\nroutes = [{ path = "/api/{id}" }]\n[outbox]\nlinger = "5ms"\n',
  )
  const run = await runCli(t, ['check', '--config', path], {
    env: {
      MIFFY_CANDIDATE: 'http://cand.internal',
      MIFFY_PORT: '8181',
      KAFKA_BOOTSTRAP_SERVERS: 'k1:9092,k2:9092',
    },
  })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.stderr, '')
  assert.match(run.stdout, /^# miffy check: the configuration is valid$/m)
  assert.match(line(run.stdout, 'port')!, /^port = 8181 +# MIFFY_PORT$/)
  assert.match(line(run.stdout, 'management_port')!, /^management_port = 9000 +# default$/)
  assert.match(
    line(run.stdout, 'reference')!,
    new RegExp(`^reference = "http://ref.internal:3000" +# ${path}$`),
  )
  assert.match(
    line(run.stdout, 'candidate')!,
    /^candidate = \["http:\/\/cand.internal"\] +# MIFFY_CANDIDATE$/,
  )
  assert.match(line(run.stdout, 'candidate_timeout')!, new RegExp(`^candidate_timeout = "2s" +# ${path}$`))
  assert.match(line(run.stdout, 'linger')!, new RegExp(`^linger = "5ms" +# ${path}$`))
  assert.match(
    line(run.stdout, '"bootstrap.servers"')!,
    /^"bootstrap.servers" = "k1:9092,k2:9092" +# KAFKA_BOOTSTRAP_SERVERS$/,
  )
  assert.match(
    run.stdout,
    new RegExp(`^routes = \\[\\n  \\{ path = "/api/\\{id\\}" \\},\\n\\] +# ${path}$`, 'm'),
  )

  // what it printed is itself a config that loads to the same configuration
  const printed = file(t, run.stdout, 'printed.toml')
  const env = {
    MIFFY_CANDIDATE: 'http://cand.internal',
    MIFFY_PORT: '8181',
    KAFKA_BOOTSTRAP_SERVERS: 'k1:9092,k2:9092',
  }
  assert.deepEqual(loadConfig({ env: {}, file: printed }).config, loadConfig({ env, file: path }).config)
})

test('--json: every key with its value and source', async (t) => {
  const run = await runCli(t, ['check', '--json'], {
    env: { MIFFY_REFERENCE: 'http://ref.internal', MIFFY_OUTBOX_MAX_MESSAGES: '5' },
    cwd: dir(t),
  })
  assert.equal(run.code, 0, run.stderr)
  const out = JSON.parse(run.stdout)
  assert.equal(out.valid, true)
  assert.deepEqual(out.config.reference, { value: 'http://ref.internal', source: 'MIFFY_REFERENCE' })
  assert.deepEqual(out.config['outbox.max_messages'], { value: 5, source: 'MIFFY_OUTBOX_MAX_MESSAGES' })
  assert.deepEqual(out.config.sample, { value: 1, source: 'default' })
})

test('invalid: exit 2 with the text start-up gives, naming keys, values and sources', async (t) => {
  const path = file(t, 'reference = "ftp://x"\nsample = 2\nrefrence = 1\n')
  const env = { MIFFY_CONFIG: path, MIFFY_QUEUE: '-1' }
  const run = await runCli(t, ['check'], { env })
  assert.equal(run.code, 2)
  assert.equal(run.stdout, '')
  assert.match(run.stderr, /^miffy: MIFFY_ERR_CONFIG: invalid configuration/)
  assert.match(run.stderr, /reference = "ftp:\/\/x": expected an http:\/\/ or https:\/\/ URL/)
  assert.match(run.stderr, /queue = -1 \(from MIFFY_QUEUE\)/)
  assert.match(run.stderr, /refrence: unknown key \(did you mean "reference"\?\)/)
  const startUp = await startUpError(env)
  assert.equal(startUp.code, 2)
  assert.equal(run.stderr, startUp.stderr)
})

test('no reference at all: exit 2 naming the key, as start-up', async (t) => {
  const run = await runCli(t, ['check'], { cwd: dir(t) })
  assert.equal(run.code, 2)
  assert.match(run.stderr, /^ {2}- reference = missing: required, no default: .*MIFFY_REFERENCE\)$/m)
})

test('a route start-up would refuse is refused, with the same text', async (t) => {
  const env = {
    MIFFY_REFERENCE: 'http://r',
    MIFFY_CANDIDATE: 'http://c',
    MIFFY_ROUTES: '[{ path = "/a/{id" }]',
  }
  const run = await runCli(t, ['check'], { env, cwd: dir(t) })
  assert.equal(run.code, 2)
  assert.match(run.stderr, /^miffy: MIFFY_ERR_CONFIG: invalid configuration: routes\[0\]\.path = "\/a\/\{id"/)
  const startUp = await startUpError(env)
  assert.equal(run.stderr, startUp.stderr.split('\n').find((l) => l.startsWith('miffy: ')) + '\n')
})

test('[kafka] names are checked even with no broker set; secrets are masked', async (t) => {
  const base = { MIFFY_REFERENCE: 'http://r' }
  const typo = await runCli(t, ['check'], { env: { ...base, KAFKA_SASL_PASWORD: 'x' }, cwd: dir(t) })
  assert.equal(typo.code, 2)
  assert.match(
    typo.stderr,
    /^miffy: MIFFY_ERR_KAFKA_PROPERTY: invalid \[kafka\] properties:\n {2}- unknown kafka property sasl\.pasword \(did you mean sasl\.password\?\)/,
  )

  const sasl = {
    ...base,
    KAFKA_BOOTSTRAP_SERVERS: 'k:9092',
    KAFKA_SECURITY_PROTOCOL: 'sasl_plaintext',
    KAFKA_SASL_MECHANISMS: 'PLAIN',
    KAFKA_SASL_USERNAME: 'miffy',
    KAFKA_SASL_PASSWORD: 'hunter2',
    KAFKA_LINGER_MS: '5',
  }
  const run = await runCli(t, ['check'], { env: sasl, cwd: dir(t) })
  assert.equal(run.code, 0, run.stderr)
  assert.doesNotMatch(run.stdout, /hunter2/)
  assert.match(line(run.stdout, '"sasl.password"')!, /^"sasl.password" = "\*\*\*" +# KAFKA_SASL_PASSWORD$/)
  // a property kafkajs cannot honour: a warning, as start-up logs it
  assert.match(run.stderr, /^miffy: warning: kafka property linger\.ms has no kafkajs equivalent/m)
})
