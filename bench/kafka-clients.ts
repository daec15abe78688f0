/**
 * kafkajs against another Node Kafka client behind the same job: send N divergence-sized messages
 * (~1.3 KB of JSON, a string key, a content-type header) in batches of 200, acks=all, one batch
 * in flight, to a real broker; CPU per message (user + system of the process), how long each
 * `send()` holds the event loop before it returns, and the resident memory the client's module
 * costs. One fresh process per client per round, rounds interleaved.
 *
 *   npm install --no-save @platformatic/kafka@2.12.1     # not a dependency: only for this comparison
 *   node bench/kafka-clients.ts --brokers 127.0.0.1:9092 [--messages 20000] [--rounds 2]
 *
 * @confluentinc/kafka-javascript and node-rdkafka (librdkafka, as the Rust miffy uses) are not
 * in it: their install downloads a prebuilt binary, which this project's machines cannot fetch.
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const BATCH = 200
const CLIENTS = ['kafkajs', '@platformatic/kafka'] as const
type Client = (typeof CLIENTS)[number]

interface Figures {
  client: Client
  cpuUsPerMessage: number
  syncMsPerSend: number
  moduleRssMiB: number
}

async function measure(client: Client, brokers: string, n: number): Promise<Figures> {
  const topic = `miffy-kafka-clients-${randomUUID().slice(0, 8)}`
  const value = JSON.stringify({
    id: randomUUID(),
    request: { method: 'GET', uri: '/api/42', headers: { accept: 'application/json' } },
    reference: { status: 200, body: 'r'.repeat(550) },
    candidate: { status: 200, body: 'c'.repeat(550) },
  })
  const rss0 = process.memoryUsage().rss
  let send: (batch: { key: string; value: string }[]) => Promise<unknown>
  let close: () => Promise<unknown>
  let moduleRss: number
  if (client === 'kafkajs') {
    const { fixKafkajsIdleLoop } = await import('../src/publish/kafkajs-idle-loop.ts')
    const { Kafka, logLevel } = await import('kafkajs')
    moduleRss = process.memoryUsage().rss - rss0
    fixKafkajsIdleLoop()
    const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true })
    await admin.disconnect()
    const producer = kafka.producer({ allowAutoTopicCreation: false })
    await producer.connect()
    send = (batch) =>
      producer.send({
        topic,
        acks: -1,
        messages: batch.map((m) => ({
          key: Buffer.from(m.key),
          value: Buffer.from(m.value),
          headers: { 'content-type': 'application/json' },
        })),
      })
    close = () => producer.disconnect()
  } else {
    // Not a dependency of miffy: imported by name, present only when installed for this comparison.
    const name: string = client
    const { Producer, Admin, stringSerializers } = await import(name)
    moduleRss = process.memoryUsage().rss - rss0
    const admin = new Admin({ clientId: 'miffy-bench', bootstrapBrokers: [brokers] })
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
    await admin.close()
    const producer = new Producer({
      clientId: 'miffy-bench',
      bootstrapBrokers: [brokers],
      serializers: stringSerializers,
      acks: -1,
    })
    send = (batch) =>
      producer.send({
        messages: batch.map((m) => ({
          topic,
          key: m.key,
          value: m.value,
          headers: { 'content-type': 'application/json' },
        })),
      })
    close = () => producer.close()
  }
  const batch = Array.from({ length: BATCH }, (_, i) => ({ key: `fingerprint-${i}`, value }))
  for (let i = 0; i < 10; i++) await send(batch)
  const cpu0 = process.cpuUsage()
  let held = 0
  const sends = Math.ceil(n / BATCH)
  for (let i = 0; i < sends; i++) {
    const started = performance.now()
    const sent = send(batch)
    held += performance.now() - started
    await sent
  }
  const cpu = process.cpuUsage(cpu0)
  await close()
  return {
    client,
    cpuUsPerMessage: (cpu.user + cpu.system) / (sends * BATCH),
    syncMsPerSend: held / sends,
    moduleRssMiB: moduleRss / 2 ** 20,
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string' },
      messages: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '2' },
      one: { type: 'string' },
    },
  })
  const brokers = values.brokers ?? process.env.KAFKA_BROKERS
  if (!brokers) throw new Error('--brokers host:port (or KAFKA_BROKERS) is required')
  if (values.one) {
    // a child: one client, one line of JSON
    const f = await measure(values.one as Client, brokers, Number(values.messages))
    process.stdout.write(`${JSON.stringify(f)}\n`)
    process.exit(0)
  }
  const self = fileURLToPath(import.meta.url)
  const all: Figures[] = []
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const client of CLIENTS) {
      const out = spawnSync(
        process.execPath,
        [
          '--disable-warning=TimeoutNegativeWarning',
          self,
          '--one',
          client,
          '--brokers',
          brokers,
          '--messages',
          values.messages,
        ],
        { encoding: 'utf8', timeout: 120_000 },
      )
      if (out.status !== 0) throw new Error(`${client}: ${out.stderr}`)
      all.push(JSON.parse(out.stdout) as Figures)
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
  process.stdout.write(
    `| Client | CPU per message | event loop held per send() of ${BATCH} | module RSS |\n| --- | --- | --- | --- |\n`,
  )
  for (const client of CLIENTS) {
    const f = all.filter((x) => x.client === client)
    process.stdout.write(
      `| ${client} | ${median(f.map((x) => x.cpuUsPerMessage)).toFixed(1)} µs | ${median(f.map((x) => x.syncMsPerSend)).toFixed(2)} ms | ${median(f.map((x) => x.moduleRssMiB)).toFixed(1)} MiB |\n`,
    )
  }
}
