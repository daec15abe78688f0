/**
 * The JSON Schema (2020-12) of a miffy config file, generated from the zod schema (never written
 * by hand) for editors: taplo and VS Code's Even Better TOML complete and check keys of a file
 * that starts with `#:schema ./config.schema.json`. `miffy schema` prints it; config.schema.json
 * is its committed copy (`npm run schema` regenerates it; test/cli/schema.test.ts compares).
 *
 * Beyond zod's output:
 * - no key is `required` in a file (config.default.toml and the environment fill them in), except
 *   a route's `path`;
 * - each key's `description` and `default` come from config.default.toml, its comment and its
 *   value, so the editor shows the same text as the man-page-like defaults file;
 * - the `[kafka]` table lists the librdkafka property names miffy knows, for completion.
 */
import { readFileSync } from 'node:fs'
import { parse as parseToml } from 'smol-toml'
import { z } from 'zod'
import { DEFAULTS_PATH } from '../config/load.ts'
import { configSchema } from '../config/schema.ts'
import { IGNORED_PROPERTIES, SUPPORTED_PROPERTIES } from '../publish/kafka-properties.ts'

interface Node {
  type?: string | string[]
  description?: string
  default?: unknown
  properties?: Record<string, Node>
  required?: string[]
  items?: Node
  [k: string]: unknown
}

export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Node
  const { $schema, ...rest } = generated
  const root: Node = {
    $schema,
    title: 'miffy configuration file',
    description:
      'config.toml (or the file named by MIFFY_CONFIG). Every key is optional here: config.default.toml holds the defaults, MIFFY_* and KAFKA_* variables override the file. reference (and candidate, when a route has none of its own) must be set somewhere.',
    ...rest,
  }
  const text = readFileSync(DEFAULTS_PATH, 'utf8')
  const defaults = parseToml(text) as Record<string, unknown>
  const comments = keyComments(text)

  delete root.required
  describe(root, comments.get('') ?? new Map(), defaults)
  for (const table of ['outbox', 'kafka']) {
    const node = root.properties![table]!
    delete node.required
    describe(node, comments.get(table) ?? new Map(), defaults[table] as Record<string, unknown>)
  }

  // a route's controls mean what the top-level ones mean; path, key, reference and candidate are
  // described in the comment above `routes`
  const route = root.properties!.routes!.items!
  const routeKeys = routeKeyComments(text)
  for (const [name, node] of Object.entries(route.properties ?? {})) {
    const own = routeKeys.get(name)
    const shared = root.properties![name]?.description?.replace(/\s*env: MIFFY_\w+.*$/, '')
    if (own) node.description = own
    else if (shared) node.description = `${shared} (this route only; default: the top-level ${name})`
  }

  const kafka = root.properties!.kafka!
  for (const p of SUPPORTED_PROPERTIES) {
    for (const name of [p.name, ...(p.aliases ?? [])]) {
      kafka.properties![name] ??= {
        description: `librdkafka property (kafkajs: ${p.mapsTo}): ${p.values}; default: ${p.default}`,
      }
    }
  }
  for (const [name, why] of Object.entries(IGNORED_PROPERTIES)) {
    kafka.properties![name] ??= { description: `accepted with a warning, not honoured: ${why}` }
  }
  return root
}

function describe(node: Node, comments: Map<string, string>, defaults: Record<string, unknown>): void {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const comment = comments.get(name)
    if (comment) child.description = comment
    const value = defaults[name]
    if (value !== undefined && (typeof value !== 'object' || Array.isArray(value))) child.default = value
  }
}

const ASSIGNMENT = /^#?\s*("[^"]+"|[A-Za-z0-9_.-]+)\s*=/

/**
 * table ('' for the top level) → key → the comment block right above it in config.default.toml
 * (also above a commented-out key such as `# sample_by = ...`), whitespace collapsed.
 */
function keyComments(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>([['', new Map()]])
  let table = ''
  let block: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const header = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line)
    if (header) {
      table = header[1]!
      out.set(table, new Map())
      // the block above `[outbox]` describes the table itself
      if (block.length > 0) out.get('')!.set(table, collapse(block))
      block = []
      continue
    }
    const assigned = ASSIGNMENT.exec(line)
    if (assigned && !/^#\s{2,}/.test(line)) {
      const key = assigned[1]!.replace(/^"|"$/g, '')
      if (block.length > 0 && !out.get(table)!.has(key)) out.get(table)!.set(key, collapse(block))
      block = []
      continue
    }
    if (line === '') {
      block = []
      continue
    }
    if (/^#\s*-{3,}/.test(line)) continue
    if (line.startsWith('#')) block.push(line.replace(/^#\s?/, ''))
  }
  return out
}

/** `#   path       the route pattern (required)` and its continuation lines, above `routes`. */
function routeKeyComments(text: string): Map<string, string> {
  const out = new Map<string, string[]>()
  let current: string[] | undefined
  for (const raw of text.split('\n')) {
    const item = /^#\s{3}([a-z_]+)\s{2,}(\S.*)$/.exec(raw)
    if (item) {
      current = [item[2]!]
      out.set(item[1]!, current)
      continue
    }
    const more = /^#\s{6,}(\S.*)$/.exec(raw)
    if (more && current) current.push(more[1]!)
    else current = undefined
  }
  return new Map([...out].map(([k, v]) => [k, collapse(v)]))
}

function collapse(lines: string[]): string {
  return lines.join(' ').replace(/\s+/g, ' ').trim()
}
