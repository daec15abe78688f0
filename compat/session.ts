/**
 * One run of one implementation: start it on the shared config, send every scenario's request,
 * wait until the sentinel's message is on the topic, read the topic with kcat as an operator
 * would, stop it, then try the start-up scenarios. Everything observed is returned for the
 * comparer; nothing is judged here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createTopic, kcatRead } from '../test/helpers/kafka-broker.ts'
import { type ClientResponse, send } from './client.ts'
import { type ExitInfo, type Implementation, type StartUp, start, startUp } from './process.ts'
import { closedPort, type Received, type Recorders } from './recorder.ts'
import { configToml, PROCESS_SCENARIOS, type Scenario, SENTINEL } from './scenarios.ts'

export interface TopicMessage {
  key: string | null
  partition: number
  /** Kafka record headers, flat [name, value, ...] as kcat -J gives them */
  headers: string[]
  /** the value parsed as JSON (or the raw text when it is not JSON) */
  payload: unknown
}

export interface Observation {
  impl: Implementation
  /** what the client got, by scenario */
  client: Map<string, ClientResponse>
  /** what the upstreams got, by scenario */
  upstream: Map<string, Received[]>
  /** topic messages by scenario (matched on method and request target) */
  messages: Map<string, TopicMessage[]>
  /** messages that match no scenario */
  strayMessages: TopicMessage[]
  /** requests the upstreams got that named no scenario */
  strayRequests: Received[]
  /** how the process ended after SIGTERM */
  shutdown: ExitInfo
  /** start-up with each bad config */
  startUps: Map<string, StartUp>
  /** the config file's text, for the report */
  config: string
}

export interface SessionOptions {
  impl: Implementation
  scenarios: readonly Scenario[]
  recorders: Recorders
  brokers: string
  topic: string
}

const SENTINEL_TIMEOUT_MS = 30_000

export async function observe(o: SessionOptions): Promise<Observation> {
  const dir = mkdtempSync(join(tmpdir(), `miffy-compat-${o.impl.name}-`))
  try {
    o.recorders.reset()
    await createTopic(o.brokers, o.topic)
    const ports = { proxy: await closedPort(), management: await closedPort() }
    const config = configToml({
      ...o.recorders.ports,
      port: ports.proxy,
      management: ports.management,
      topic: o.topic,
      brokers: o.brokers,
    })
    const configPath = join(dir, 'config.toml')
    writeFileSync(configPath, config)
    const running = await start(o.impl, configPath, ports)
    const client = new Map<string, ClientResponse>()
    let messages: TopicMessage[]
    let shutdown: ExitInfo
    try {
      for (const s of [...o.scenarios, SENTINEL]) {
        client.set(s.id, await send(s.management ? ports.management : ports.proxy, s))
      }
      messages = await readWhenSettled(o.brokers, o.topic)
    } finally {
      shutdown = await running.stop()
    }

    const byScenario = new Map<string, TopicMessage[]>()
    const strayMessages: TopicMessage[] = []
    const all = [...o.scenarios, SENTINEL]
    for (const m of messages) {
      const s = all.find((x) => matches(x, m))
      if (!s) strayMessages.push(m)
      else byScenario.set(s.id, [...(byScenario.get(s.id) ?? []), m])
    }

    const startUps = new Map<string, StartUp>()
    for (const p of PROCESS_SCENARIOS) {
      if (!p.config) continue
      const bad = { proxy: await closedPort(), management: await closedPort() }
      const path = join(dir, `${p.id}.toml`)
      writeFileSync(
        path,
        `port = ${bad.proxy}\nmanagement_port = ${bad.management}\n` +
          p.config({ ...o.recorders.ports, topic: o.topic, brokers: o.brokers }),
      )
      startUps.set(p.id, await startUp(o.impl, path, bad))
    }

    return {
      impl: o.impl,
      client,
      upstream: new Map(o.recorders.received),
      messages: byScenario,
      strayMessages,
      strayRequests: [...o.recorders.strays],
      shutdown,
      startUps,
      config,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Reads the topic once the sentinel's message is there and the count has stopped growing: both
 * implementations publish in the background, after the client's answer.
 */
async function readWhenSettled(brokers: string, topic: string): Promise<TopicMessage[]> {
  const deadline = Date.now() + SENTINEL_TIMEOUT_MS
  let last: TopicMessage[] = []
  for (;;) {
    last = (await kcatRead(brokers, topic)).map((m) => ({
      key: m.key,
      partition: m.partition,
      headers: m.headers ?? [],
      payload: parse(m.payload),
    }))
    if (last.some((m) => matches(SENTINEL, m))) break
    if (Date.now() > deadline) {
      throw new Error(
        `the sentinel's message did not reach topic ${topic} within 30 s (${last.length} messages)`,
      )
    }
    await sleep(250)
  }
  for (;;) {
    await sleep(1000)
    const again = (await kcatRead(brokers, topic)).map((m) => ({
      key: m.key,
      partition: m.partition,
      headers: m.headers ?? [],
      payload: parse(m.payload),
    }))
    if (again.length === last.length) return again
    last = again
  }
}

/**
 * A message value parsed as JSON, integers beyond 2^53 kept exact as bigint (both implementations
 * write them digit for digit; a plain JSON.parse would round two different ids to one number).
 */
function parse(text: string | null): unknown {
  if (text === null) return null
  try {
    return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' &&
      !Number.isSafeInteger(value) &&
      context?.source &&
      /^-?\d+$/.test(context.source)
        ? BigInt(context.source)
        : value,
    )
  } catch {
    return text
  }
}

/** `http://other.example/x?q` → `/x?q`: the Rust miffy writes absolute-form targets whole. */
export function pathOf(target: string): string {
  return target.replace(/^https?:\/\/[^/?#]*/i, '') || '/'
}

function matches(s: Scenario, m: TopicMessage): boolean {
  const request = (m.payload as { request?: { method?: string; uri?: string } } | null)?.request
  return request?.method === s.request.method && pathOf(request.uri ?? '') === pathOf(s.request.target)
}
