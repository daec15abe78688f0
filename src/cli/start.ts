/**
 * `miffy start [--config FILE]` (also plain `miffy`): runs the proxy exactly as `npm start` does,
 * through src/main.ts. With `workers > 1`, node:cluster forks this same command line, so each
 * worker comes back through here.
 */
import { resolve } from 'node:path'
import { type Command, parseCommand } from './command.ts'

const help = `usage: miffy start [--config FILE]
       miffy [--config FILE]

Starts the proxy and the management port, as npm start does. The configuration comes from
config.default.toml, then ./config.toml or the file named by MIFFY_CONFIG, then MIFFY_* and
KAFKA_* variables. A bad configuration stops start-up with exit code 2 before any port opens.
SIGTERM or SIGINT drains in-flight requests and mirrors, flushes the outbox and exits 0.

options:
  --config FILE   the config file to read instead of ./config.toml (sets MIFFY_CONFIG)
  -h, --help      this help
`

export const start: Command = {
  name: 'start',
  summary: 'run the proxy (the default command)',
  help,
  async run(args) {
    const { values } = parseCommand('start', args, { config: { type: 'string' } })
    if (values.help) {
      process.stdout.write(help)
      return 0
    }
    // through the environment, so that cluster workers read the same file
    if (values.config !== undefined) process.env.MIFFY_CONFIG = resolve(values.config)
    const { main } = await import('../main.ts')
    await main()
    // npm forwards a terminal's Ctrl-C to a process that already got it from the terminal, and
    // so does bin/miffy.js. main.ts handles the first SIGINT/SIGTERM (drain, flush, exit 0)
    // once; without a listener of our own, the duplicate would kill the process mid-drain.
    const ignore = () => {}
    process.on('SIGINT', ignore)
    process.on('SIGTERM', ignore)
    return 'running'
  },
}
