/**
 * `miffy [COMMAND] [OPTIONS]`: the dispatcher behind bin/miffy.js. Without a command it starts
 * the proxy, as `npm start` does. Each command lives in its own file of this folder; heavy
 * modules (the app, kafkajs) are loaded by the command that needs them, so `miffy check` in an
 * init container stays quick.
 */
import { readFileSync } from 'node:fs'
import { closestName } from '../did-you-mean.ts'
import { check } from './check.ts'
import { type Command, report, usage } from './command.ts'
import { diffs } from './diffs.ts'
import { replay } from './replay.ts'
import { schema } from './schema.ts'
import { start } from './start.ts'

export const COMMANDS: readonly Command[] = [start, check, schema, diffs, replay]

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  return String(pkg.version)
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return `usage: miffy [COMMAND] [OPTIONS]

miffy is a shadow-testing reverse proxy. Without a command it starts the proxy.

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --help. Exit codes: 0 success, 2 bad input (command line or configuration),
1 failure at run time (a broker or the management port could not be used).
`
}

/** Runs one command line (without `node` and the script); resolves with the exit code. */
export async function runCli(argv: readonly string[]): Promise<number | 'running'> {
  const [first, ...rest] = argv
  try {
    if (
      first === undefined ||
      (first.startsWith('-') && first !== '--help' && first !== '-h' && first !== '--version')
    )
      return await start.run([...argv])
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined
      process.stdout.write(topic ? topic.help : overview())
      return 0
    }
    if (first === '--version') {
      process.stdout.write(`miffy ${version()}\n`)
      return 0
    }
    const command = COMMANDS.find((c) => c.name === first)
    if (!command) {
      const hint = closestName(
        first,
        COMMANDS.map((c) => c.name),
        3,
      )
      throw usage('', `unknown command ${JSON.stringify(first)}${hint ? ` (did you mean "${hint}"?)` : ''}`)
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(command.help)
      return 0
    }
    return await command.run(rest)
  } catch (err) {
    return report(err)
  }
}

/** Resolves once everything written to stdout and stderr has been handed to the OS. */
function flushed(): Promise<unknown> {
  return Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write('', r))))
}

/** The process entry: bin/miffy.js calls it (or imports this file as the main module). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const code = await runCli(argv)
  // A finished command exits now, whatever sockets a client library still holds open.
  if (code !== 'running') {
    await flushed()
    process.exit(code)
  }
}

if (import.meta.main) await main()
