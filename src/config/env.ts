/**
 * Environment overrides, compatible with the Rust miffy 1.0:
 * - `MIFFY_<KEY>` sets a miffy key; nested keys join with `_` (`MIFFY_OUTBOX_MAX_MESSAGES`,
 *   `MIFFY_KAFKA_TOPIC`). The mapping is schema-aware: the variable name is looked up among the
 *   schema's keys, and the text is coerced to the type that key expects.
 * - `KAFKA_<PROPERTY>` sets a Kafka property: `KAFKA_BOOTSTRAP_SERVERS` → `bootstrap.servers`,
 *   `KAFKA_SASL_PASSWORD` → `sasl.password` (lower case, `_` → `.`), as librdkafka users expect.
 */
import { parse as parseToml } from 'smol-toml'
import { z } from 'zod'
import { configSchema } from './schema.ts'

type JsonSchema = {
  type?: string | string[]
  anyOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
}

export interface EnvLayer {
  /** the overrides as a partial config object, ready to merge over the files */
  values: Record<string, unknown>
  /** config key path (`outbox.max_messages`) → the variable that set it, for error messages */
  sources: Map<string, string>
  warnings: string[]
}

interface EnvKey {
  path: string[]
  types: Set<string>
}

let index: Map<string, EnvKey> | undefined

/** MIFFY_ variable name → key path and accepted JSON types, derived once from the zod schema. */
function envIndex(): Map<string, EnvKey> {
  if (index) return index
  index = new Map()
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  const walk = (node: JsonSchema, path: string[]) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const childPath = [...path, key]
      if (child.properties && !types(child).has('array')) {
        walk(child, childPath)
        continue
      }
      index!.set(`MIFFY_${childPath.join('_').toUpperCase()}`, { path: childPath, types: types(child) })
    }
  }
  walk(root, [])
  return index
}

function types(node: JsonSchema): Set<string> {
  const out = new Set<string>()
  const visit = (n: JsonSchema) => {
    if (typeof n.type === 'string') out.add(n.type === 'integer' ? 'number' : n.type)
    else if (Array.isArray(n.type)) for (const t of n.type) out.add(t === 'integer' ? 'number' : t)
    for (const alt of n.anyOf ?? []) visit(alt)
  }
  visit(node)
  return out
}

const NUMBER = /^-?\d+(\.\d+)?$/

function coerce(raw: string, accepted: Set<string>): unknown {
  const text = raw.trim()
  // A key that takes a list (or one string, like `candidate`) splits on commas: a URL or a method
  // name never contains one.
  if (accepted.has('array')) {
    if (text.startsWith('[')) {
      // TOML inline arrays (what the config file would say) first, JSON second.
      try {
        return (parseToml(`v = ${text}`) as { v: unknown }).v
      } catch {
        try {
          return JSON.parse(text)
        } catch {
          return raw
        }
      }
    }
    return text === '' ? [] : text.split(',').map((s) => s.trim())
  }
  if (accepted.has('boolean') && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
  if (accepted.has('number') && NUMBER.test(text)) return Number(text)
  // Left as text: zod reports "expected number, received string" with the value.
  return raw
}

/**
 * Kubernetes injects `<SERVICE>_PORT=tcp://10.0.0.1:8080`, `<SERVICE>_SERVICE_HOST` and friends
 * for every Service in the namespace, so a Service named `miffy` or `kafka` would otherwise
 * set MIFFY_PORT or Kafka properties called "port" and stop start-up.
 */
function isServiceLink(name: string, value: string): boolean {
  return (
    // a Service named `kafka-headless` gives KAFKA_HEADLESS_SERVICE_HOST, KAFKA_HEADLESS_PORT_9092_TCP…
    /_(SERVICE_(HOST|PORT)(_|$)|PORT_\d+_(TCP|UDP|SCTP)(_|$))/.test(name) ||
    /^(tcp|udp|sctp):\/\//.test(value)
  )
}

export function readEnv(env: NodeJS.ProcessEnv): EnvLayer {
  const values: Record<string, unknown> = {}
  const sources = new Map<string, string>()
  const warnings: string[] = []
  const keys = envIndex()
  const set = (path: string[], value: unknown, from: string) => {
    let node = values
    for (const part of path.slice(0, -1)) {
      node[part] ??= {}
      node = node[part] as Record<string, unknown>
    }
    node[path.at(-1)!] = value
    sources.set(path.join('.'), from)
  }

  // MIFFY_* first, KAFKA_* second: KAFKA_* is the last layer, so KAFKA_TOPIC beats MIFFY_KAFKA_TOPIC.
  const names = Object.keys(env).sort()
  for (const name of [
    ...names.filter((n) => n.startsWith('MIFFY_')),
    ...names.filter((n) => n.startsWith('KAFKA_')),
  ]) {
    const raw = env[name]
    if (raw === undefined) continue
    if (name.startsWith('MIFFY_')) {
      if (name === 'MIFFY_CONFIG') continue
      if (isServiceLink(name, raw)) {
        warnings.push(
          `ignoring ${name}: it looks like a Kubernetes service link (set enableServiceLinks: false)`,
        )
        continue
      }
      const key = keys.get(name)
      if (!key) {
        warnings.push(`ignoring ${name}: no configuration key of that name`)
        continue
      }
      set(key.path, coerce(raw, key.types), name)
    } else if (name.startsWith('KAFKA_') && name.length > 'KAFKA_'.length) {
      if (isServiceLink(name, raw)) continue
      const property = name.slice('KAFKA_'.length).toLowerCase().replaceAll('_', '.')
      set(['kafka', property], raw, name)
    }
  }
  return { values, sources, warnings }
}
