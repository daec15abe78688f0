/**
 * What every `miffy` command shares: its shape (name, help text, run), argument parsing that
 * turns every mistake into MIFFY_ERR_USAGE, and how an error is printed and which exit code it
 * gets.
 *
 * Exit codes: 0 success; 2 bad input (what the user typed or configured: fix it and run again);
 * 1 a failure at run time (a broker or a management port that could not be used).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { type ErrorCode, MiffyError } from '../errors.ts'

export interface Command {
  name: string
  /** one line, for `miffy --help` */
  summary: string
  /** the whole `miffy NAME --help` text */
  help: string
  /** the exit code, or `running` when the command keeps the process alive (start) */
  run(args: string[]): Promise<number | 'running'>
}

type Options = NonNullable<ParseArgsConfig['options']>

/** `help` is added to every command's options. */
export function parseCommand<const O extends Options>(
  command: string,
  args: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & {
        help: { type: 'boolean'; short: 'h' }
      },
      allowPositionals,
      strict: true,
    })
  } catch (err) {
    // node:util says `Unknown option '--x'. To specify a positional argument starting with a '-'…`
    const text = (err as Error).message
      .split('. ')[0]!
      .replace(/^Option '(--[\w-]+)(?: <value>)?' argument missing$/, '$1 needs a value')
      .replace(/^\w/, (c) => c.toLowerCase())
    throw usage(command, text)
  }
}

export function usage(command: string, message: string): MiffyError {
  return new MiffyError('MIFFY_ERR_USAGE', `${message} (see: miffy${command ? ` ${command}` : ''} --help)`)
}

/** Integers given on the command line (`--times 5`): a bad one names the option. */
export function integerOption(command: string, name: string, raw: string | undefined, min: number) {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min)
    throw usage(command, `--${name} ${JSON.stringify(raw)}: expected an integer >= ${min}`)
  return n
}

const RUNTIME_FAILURES: ReadonlySet<ErrorCode> = new Set(['MIFFY_ERR_MANAGEMENT', 'MIFFY_ERR_KAFKA'])

/** Prints an error in the catalogue's format (`miffy: MIFFY_ERR_…: message`); returns the exit code. */
export function report(err: unknown): number {
  if (err instanceof MiffyError) {
    process.stderr.write(`miffy: ${err.code}: ${err.message}\n`)
    return RUNTIME_FAILURES.has(err.code) ? 1 : 2
  }
  process.stderr.write(`miffy: ${(err as Error)?.stack ?? String(err)}\n`)
  return 1
}
