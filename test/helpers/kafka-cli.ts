/**
 * `npm run kafka -- [--version 4.1] [--port 9092]`: starts a real Kafka broker (the one the tests
 * use) with its PLAINTEXT listener on 127.0.0.1:9092 (or --port; 0 picks a free one), prints
 * where it listens, and stays up until Ctrl-C.
 * `npm run kafka -- --fetch [--version 4.1]`: only downloads the broker jars (all versions unless
 * one is named) into the cache, for CI to do ahead of the tests.
 */
import { parseArgs } from 'node:util'
import { ensureKafkaJars, KAFKA_VERSIONS, resolveVersion, startKafka } from './kafka-broker.ts'

const { values } = parseArgs({
  options: {
    version: { type: 'string', short: 'v' },
    port: { type: 'string', short: 'p', default: '9092' },
    fetch: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (values.help) {
  console.log(
    `usage: npm run kafka -- [--version ${Object.keys(KAFKA_VERSIONS).join('|')}] [--port 9092] [--fetch]`,
  )
  process.exit(0)
}

try {
  if (values.fetch) {
    const versions = values.version ? [resolveVersion(values.version)] : Object.values(KAFKA_VERSIONS)
    for (const v of versions) console.log(`Kafka ${v}: ${await ensureKafkaJars(v)}`)
    process.exit(0)
  }

  const version = resolveVersion(values.version ?? Object.keys(KAFKA_VERSIONS).at(-1)!)
  console.log(`starting Kafka ${version}...`)
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${values.port}: expected 0-65535`)
  const broker = await startKafka(undefined, { version, ...(port > 0 ? { port } : {}) })
  console.log(`Kafka ${broker.version} ready
  PLAINTEXT       ${broker.brokers}
  SASL_PLAINTEXT  ${broker.saslBrokers}   (mechanism PLAIN, user ${broker.sasl.username}, password ${broker.sasl.password})
  log             ${broker.logFile}
Ctrl-C to stop.`)
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    console.log('stopping...')
    await broker.stop()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  // The broker process is unref'd (tests must never wait on it): keep this one alive ourselves.
  setInterval(() => {}, 1 << 30)
} catch (err) {
  console.error((err as Error).message)
  process.exit(1)
}
