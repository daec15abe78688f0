/**
 * pino, in the three formats of the Rust miffy: `human` (pretty), `json` (one object per line)
 * and `stackdriver` (Google Cloud Logging's `severity` and `message` fields). Secrets in logged
 * headers are redacted by path.
 */
import pino, { type Logger } from 'pino'
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
  return pino(
    {
      ...base,
      transport: destination
        ? undefined
        : {
            target: 'pino-pretty',
            options: {
              colorize: process.stdout.isTTY,
              translateTime: 'SYS:HH:MM:ss.l',
              ignore: 'pid,hostname',
              singleLine: true,
            },
          },
    },
    destination,
  )
}
