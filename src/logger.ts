/**
 * pino, in the three formats of the Rust miffy: `human` (pretty), `json` (one object per line)
 * and `stackdriver` (Google Cloud Logging's `severity` and `message` fields). Secrets in logged
 * headers are redacted by path.
 *
 * pino-pretty is loaded only for `human`, and formats on the main thread as pino's destination
 * stream: as a pino transport it ran in a worker thread, a second V8 isolate that held about
 * 15 MiB of resident memory for lines a person reads in a terminal (issue 13). Production logs
 * JSON (the Docker image sets MIFFY_LOGGING=json), which never loads it.
 */
import { createRequire } from 'node:module'
import pino, { type Logger } from 'pino'
import type PinoPretty from 'pino-pretty'
import type { MiffyConfig } from './config/schema.ts'

const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
}

const REDACT = {
  paths: [
    'headers.authorization',
    'headers.cookie',
    'headers["set-cookie"]',
    'headers["proxy-authorization"]',
  ],
  censor: '[REDACTED]',
}

export function createLogger(
  config: Pick<MiffyConfig, 'logging' | 'log_level'>,
  destination?: pino.DestinationStream,
): Logger {
  const base = { level: config.log_level, redact: REDACT, base: { pid: process.pid } }
  if (config.logging === 'stackdriver') {
    return pino(
      {
        ...base,
        messageKey: 'message',
        formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }) },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      destination,
    )
  }
  if (config.logging === 'json') {
    return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, destination)
  }
  if (destination) return pino(base, destination)
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty
  return pino(
    base,
    pretty({
      colorize: process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
    }),
  )
}
