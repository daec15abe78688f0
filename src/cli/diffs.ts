/**
 * `miffy diffs`: the fleet-wide view. Every replica publishes to the same topic, so reading the
 * topic shows all of them: per route and per kind of difference, how often, since when, an
 * example and what differs. Without --follow it stops at the end of the topic; with it, it
 * refreshes in place (a terminal) or prints a new table each time something arrived (a pipe).
 */
import type { KafkaConfig } from 'kafkajs'
import { readEnv } from '../config/env.ts'
import { type KafkaPropertyValue, mapKafkaProperties } from '../publish/kafka-properties.ts'
import { type Command, integerOption, parseCommand, usage } from './command.ts'
import { DivergenceSummary, type Summary } from './divergence-summary.ts'
import { textTable } from './text-table.ts'

const help = `usage: miffy diffs --brokers HOST:PORT --topic TOPIC [--from-beginning] [--follow]
                   [--json] [--group GROUP] [--interval MS]

Reads the divergences every miffy replica published to TOPIC and prints, per route and per
kind of difference (the fingerprint; for Rust miffy messages, the status pair): the count,
first and last seen, an example id (replay it with miffy replay ID) and what differs.

Without --follow it reads up to the end of the topic as it was when it started, prints, and
exits. With --follow it keeps reading: on a terminal the table is redrawn in place; otherwise a
new table is printed whenever something arrived. Ctrl-C (SIGINT) or SIGTERM stops it.

It leaves no consumer group offsets behind: kafkajs needs a group, so it uses a random one,
never commits, and deletes it at the end. With --group it uses that group and commits its
offsets, so the next run with the same group reads only what is new.

options:
  --brokers LIST      bootstrap servers, comma-separated (default: KAFKA_BOOTSTRAP_SERVERS)
  --topic TOPIC       the topic (default: MIFFY_KAFKA_TOPIC)
  --from-beginning    start at the oldest message (without it: the group's offsets, or the end)
  --follow            keep reading and refreshing
  --json              print JSON: {topic, messages, unreadable, routes: [{route, count, kinds}]}
                      (with --follow, one object per line)
  --group GROUP       a consumer group whose offsets are used and committed
  --interval MS       how often --follow refreshes (default 2000)
  -h, --help          this help

Other KAFKA_* variables (security.protocol, sasl.*, ssl.*) apply as they do to miffy itself.
Exit codes: 0 done, 2 bad input, 1 the broker or the topic could not be read.
`

export const diffs: Command = {
  name: 'diffs',
  summary: "summarise the divergences on the topic: every replica's, per route and kind",
  help,
  async run(args) {
    const { values } = parseCommand('diffs', args, {
      brokers: { type: 'string' },
      topic: { type: 'string' },
      'from-beginning': { type: 'boolean' },
      follow: { type: 'boolean' },
      json: { type: 'boolean' },
      group: { type: 'string' },
      interval: { type: 'string' },
    })
    const interval = integerOption('diffs', 'interval', values.interval, 100) ?? 2000
    const fromEnv = (readEnv(process.env).values.kafka ?? {}) as Record<string, KafkaPropertyValue>
    const { topic: envTopic, ...properties } = fromEnv
    const topic = values.topic ?? (typeof envTopic === 'string' ? envTopic : undefined)
    if (!topic) throw usage('diffs', '--topic is required (or set MIFFY_KAFKA_TOPIC)')
    if (values.brokers !== undefined) properties['bootstrap.servers'] = values.brokers
    if (properties['bootstrap.servers'] === undefined)
      throw usage('diffs', '--brokers is required (or set KAFKA_BOOTSTRAP_SERVERS)')
    const follow = values.follow === true
    const fromBeginning = values['from-beginning'] === true
    if (!follow && !fromBeginning && values.group === undefined)
      throw usage(
        'diffs',
        'nothing to read: without --follow or --group, reading starts at the end of the topic; add --from-beginning',
      )
    const kafka = kafkaConfig(properties)

    const summary = new DivergenceSummary()
    const show = (final: boolean) => print(summary.summary(), topic, values.json === true, follow, final)
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    // --follow prints when something arrived since the last print, at most once per interval
    let shown = -1
    const refresh = () => {
      if (summary.messages === shown) return
      shown = summary.messages
      show(false)
    }
    const timer = follow ? setInterval(refresh, interval) : undefined
    try {
      if (follow) refresh()
      await readTopic({
        kafka,
        topic,
        fromBeginning,
        follow,
        ...(values.group !== undefined ? { group: values.group } : {}),
        onMessage: (value, at) => summary.add(value, at),
        signal: stop.signal,
      })
    } finally {
      clearInterval(timer)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    if (!follow || summary.messages !== shown) show(true)
    return 0
  },
}

async function readTopic(options: Parameters<typeof import('./topic-reader.ts').readTopic>[0]) {
  // kafkajs is loaded only by the command that needs it
  const reader = await import('./topic-reader.ts')
  return reader.readTopic(options)
}

/** KAFKA_* variables as miffy maps them, with a client id of its own and quicker give-up. */
function kafkaConfig(properties: Record<string, KafkaPropertyValue>): KafkaConfig {
  properties['client.id'] ??= 'miffy-diffs'
  const mapped = mapKafkaProperties(properties).kafka
  // a command line should say "unreachable" in seconds, not after kafkajs's minute of retries
  return { ...mapped, retry: { retries: 2, ...mapped.retry } }
}

function print(summary: Summary, topic: string, json: boolean, follow: boolean, final: boolean): void {
  if (json) {
    const text = JSON.stringify({ topic, ...summary }, null, follow ? 0 : 2)
    process.stdout.write(`${text}\n`)
    return
  }
  const lines = render(summary, topic)
  if (follow && process.stdout.isTTY && !final) {
    // redraw in place: cursor home, clear the screen
    process.stdout.write(`\x1b[H\x1b[2J${lines.join('\n')}\n\n(following; Ctrl-C to stop)\n`)
    return
  }
  if (follow) lines.unshift(`--- ${new Date().toISOString()}`)
  process.stdout.write(`${lines.join('\n')}\n`)
}

const MAX_DIFFERS = 4

export function render(summary: Summary, topic: string): string[] {
  const routes = summary.routes.length
  const lines = [
    `topic ${topic}: ${summary.messages} divergence${summary.messages === 1 ? '' : 's'} on ${routes} route${routes === 1 ? '' : 's'}` +
      (summary.unreadable > 0 ? ` (${summary.unreadable} unreadable messages skipped)` : ''),
  ]
  for (const r of summary.routes) {
    lines.push('', `${r.route}  (${r.count}, ${r.kinds.length} kind${r.kinds.length === 1 ? '' : 's'})`)
    const rows = r.kinds.map((k) => {
      const shown = k.differs.slice(0, MAX_DIFFERS)
      const more = k.differs.length - shown.length
      const differs = shown.join(', ') + (more > 0 ? `, +${more} more` : '') + (k.truncated ? ', …' : '')
      return [
        String(k.count),
        seconds(k.first_seen),
        seconds(k.last_seen),
        k.status,
        k.fingerprint ?? '(rust)',
        k.example_id,
        differs,
      ]
    })
    const table = textTable(
      ['COUNT', 'FIRST SEEN', 'LAST SEEN', 'STATUS', 'KIND', 'EXAMPLE ID', 'DIFFERS AT'],
      rows,
      new Set([0]),
    )
    lines.push(...table.map((l) => `  ${l}`))
  }
  return lines
}

/** `2026-12-01T23:21:20.123Z` → `2026-12-01T23:21:20Z`: to the second is enough to read. */
function seconds(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z')
}
