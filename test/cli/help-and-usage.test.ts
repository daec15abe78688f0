/**
 * Every command takes --help (exit 0, its usage on stdout) and answers a bad command line with
 * exit 2 and an error in the catalogue's format on stderr. Run through bin/miffy.js, as a user.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { COMMANDS } from '../../src/cli/main.ts'
import { runCli } from '../helpers/cli.ts'

const USAGE_ERROR = /^miffy: MIFFY_ERR_USAGE: .+ \(see: miffy( \w+)? --help\)\n$/

test('miffy --help lists every command; miffy --version prints the version', async (t) => {
  const help = await runCli(t, ['--help'])
  assert.equal(help.code, 0, help.stderr)
  assert.match(help.stdout, /^usage: miffy \[COMMAND\] \[OPTIONS\]/)
  for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${c.name} +\\S`, 'm'))
  const version = await runCli(t, ['--version'])
  assert.match(version.stdout, /^miffy \d+\.\d+\.\d+/)
})

for (const command of COMMANDS) {
  test(`miffy ${command.name} --help exits 0 with its usage; a bad option exits 2`, async (t) => {
    const help = await runCli(t, [command.name, '--help'])
    assert.equal(help.code, 0, help.stderr)
    assert.equal(help.stderr, '')
    assert.ok(help.stdout.startsWith(`usage: miffy ${command.name}`), help.stdout)
    assert.equal((await runCli(t, ['help', command.name])).stdout, help.stdout)

    const bad = await runCli(t, [command.name, '--no-such-option'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, USAGE_ERROR)
    assert.match(bad.stderr, /unknown option '--no-such-option'/)
  })
}

test('an unknown command exits 2 and suggests the nearest', async (t) => {
  const run = await runCli(t, ['chek'])
  assert.equal(run.code, 2)
  assert.equal(
    run.stderr,
    'miffy: MIFFY_ERR_USAGE: unknown command "chek" (did you mean "check"?) (see: miffy --help)\n',
  )
})

test('missing or bad values exit 2 naming the option', async (t) => {
  const cases: [string[], RegExp][] = [
    [['diffs', '--topic', 't'], /--brokers is required/],
    [['diffs', '--brokers', 'k:9092'], /--topic is required/],
    [['diffs', '--brokers', 'k:9092', '--topic', 't'], /nothing to read: .*--from-beginning/],
    [
      ['diffs', '--brokers', 'k:9092', '--topic', 't', '--follow', '--interval', 'soon'],
      /--interval "soon": expected an integer/,
    ],
    [['replay'], /expected one divergence ID/],
    [['replay', 'a', 'b'], /expected one divergence ID/],
    [['replay', 'x', '--times', '0'], /--times "0": expected an integer >= 1/],
    [['replay', 'x', '--management', 'localhost:9000'], /--management "localhost:9000": expected an http/],
    [['schema', 'extra'], /unexpected argument 'extra'/],
    [['check', '--config'], /--config needs a value/],
  ]
  for (const [args, message] of cases) {
    const run = await runCli(t, args)
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`)
    assert.match(run.stderr, USAGE_ERROR, args.join(' '))
    assert.match(run.stderr, message, args.join(' '))
  }
})
