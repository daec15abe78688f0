/**
 * `miffy check [--config FILE] [--json]`: validates every layer of the configuration as start-up
 * does (the same checks, the same error text, exit 2), and also the `[kafka]` property names
 * even when no broker is set, without opening a port or connecting anywhere. On success it prints
 * the effective configuration, each value with the layer it came from. For CI and for an init
 * container.
 */

import pino from 'pino'
import { Registry } from 'prom-client'
import { type ConfigSource, loadConfig, tomlKey } from '../config/load.ts'
import { configSchema, type MiffyConfig } from '../config/schema.ts'
import { type KafkaPropertyValue, mapKafkaProperties } from '../publish/kafka-properties.ts'
import { LogSink } from '../publish/log-sink.ts'
import { type Command, parseCommand } from './command.ts'
import { tomlName, tomlValue } from './toml-text.ts'

const help = `usage: miffy check [--config FILE] [--json]

Validates the configuration as start-up does: config.default.toml, then ./config.toml or the
file named by MIFFY_CONFIG (or --config), then MIFFY_* and KAFKA_* variables; the routes; and
the [kafka] properties, even when no broker is set. Opens no port and connects nowhere.

Valid: prints the effective configuration, each value with where it came from (default, the
file's path, or the variable's name), and exits 0. Secrets are masked. The output loads again
as a config file. Invalid: prints the error start-up would print, and exits 2.

options:
  --config FILE   the config file to read instead of ./config.toml or MIFFY_CONFIG
  --json          one JSON object: {valid, files, warnings, config: {KEY: {value, source}}}
  -h, --help      this help
`

/** Kafka properties whose values are secrets: never printed. */
const SECRET = /password|^ssl\.key\.pem$/

export const check: Command = {
  name: 'check',
  summary: 'validate the configuration and print it with the source of each value',
  help,
  async run(args) {
    const { values } = parseCommand('check', args, {
      config: { type: 'string' },
      json: { type: 'boolean' },
    })
    const { config, files, warnings, sources, input } = loadConfig(
      values.config === undefined ? {} : { file: values.config },
    )
    warnings.push(...(await validateLikeStartUp(config)))

    const entries = flatten(input, sources)
    if (values.json) {
      const out: Record<string, { value: unknown; source: string }> = {}
      for (const e of entries) out[e.key] = { value: e.value, source: e.source }
      process.stdout.write(`${JSON.stringify({ valid: true, files, warnings, config: out }, null, 2)}\n`)
      return 0
    }
    for (const w of warnings) process.stderr.write(`miffy: warning: ${w}\n`)
    process.stdout.write(render(entries, files))
    return 0
  },
}

/**
 * What start-up checks beyond the schema: the app is built (routes compiled, ignore paths
 * parsed, sample_by checked) with a log sink instead of Kafka, and closed again; the [kafka]
 * properties are mapped. Throws what start-up would throw; returns the warnings.
 */
async function validateLikeStartUp(config: MiffyConfig): Promise<string[]> {
  const { buildApp } = await import('../app.ts')
  const logger = pino({ level: 'silent' })
  const app = await buildApp(config, { logger, sink: new LogSink(logger), registry: new Registry() })
  await app.close(0)

  const { topic: _topic, ...properties } = config.kafka as Record<string, KafkaPropertyValue>
  const hasBroker = ['bootstrap.servers', 'metadata.broker.list', 'brokers'].some((p) => p in properties)
  const warnings: string[] = []
  if (!hasBroker) {
    if (Object.keys(properties).length > 0)
      warnings.push('[kafka] properties are set, but no bootstrap.servers: divergences are only logged')
    // the names and values are checked all the same; the address is never used
    properties['bootstrap.servers'] = 'unset.invalid:9092'
  }
  warnings.push(...mapKafkaProperties(properties).warnings)
  return warnings
}

interface Entry {
  key: string
  /** the table it belongs to (`outbox`, `kafka`), or '' for the top level */
  table: string
  line: string
  value: unknown
  source: string
}

/** The values as the layers wrote them (`"30s"`, not 30000), each with its source. */
function flatten(
  input: Readonly<Record<string, unknown>>,
  sources: ReadonlyMap<string, ConfigSource>,
): Entry[] {
  const out: Entry[] = []
  const visit = (node: Record<string, unknown>, path: string[]) => {
    for (const [name, raw] of Object.entries(node)) {
      if (raw === undefined) continue
      const at = [...path, name]
      if (path.length === 0 && isTable(raw)) {
        visit(raw, at)
        continue
      }
      const value = path[0] === 'kafka' && SECRET.test(name) ? '***' : raw
      const key = tomlKey(at)
      out.push({
        key,
        table: path.join('.'),
        line: `${tomlName(name)} = ${tomlValue(value)}`,
        value,
        source: sources.get(key)?.name ?? 'default',
      })
    }
  }
  // in the schema's order (reference and candidate near the top), whatever the layers' order
  const order = Object.keys(configSchema.shape)
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length)
  visit(Object.fromEntries(Object.entries(input).sort(([a], [b]) => rank(a) - rank(b))), [])
  // top-level keys before the tables, as TOML requires
  return [...out.filter((e) => e.table === ''), ...out.filter((e) => e.table !== '')]
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const COLUMN = 44

function render(entries: Entry[], files: readonly string[]): string {
  const lines = [
    '# miffy check: the configuration is valid',
    `# read ${files.join(', ')}, then the environment`,
  ]
  let table = ''
  for (const e of entries) {
    if (e.table !== table) {
      table = e.table
      lines.push('', `[${table}]`)
    }
    let text = e.line
    // one route per line: a long list stays readable
    if (e.key === 'routes' && Array.isArray(e.value) && e.value.length > 0)
      text = `routes = [\n${e.value.map((r) => `  ${tomlValue(r)},`).join('\n')}\n]`
    const last = text.split('\n').at(-1)!
    lines.push(`${text}${' '.repeat(Math.max(1, COLUMN - last.length))}# ${e.source}`)
  }
  return `${lines.join('\n')}\n`
}
