/**
 * Which sink the config asks for: Kafka when brokers are configured ("bootstrap.servers", or the
 * Rust miffy's legacy `brokers` list), otherwise the log sink.
 */
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { MiffyConfig } from '../config/schema.ts'
import { LogSink } from './log-sink.ts'
import type { DeliveryListener, Sink } from './sink.ts'

export function wantsKafka(config: MiffyConfig): boolean {
  const k = config.kafka
  return (
    k['bootstrap.servers'] !== undefined || k['metadata.broker.list'] !== undefined || k.brokers !== undefined
  )
}

/** kafkajs is loaded only when Kafka is configured: a demo or log-only run never pays for it. */
export async function createSink(
  config: MiffyConfig,
  logger: Logger,
  registry: Registry,
  onDelivery: DeliveryListener = () => {},
): Promise<Sink> {
  if (!wantsKafka(config)) {
    await checkUnusedKafkaTable(config, logger)
    return new LogSink(logger.child({ sink: 'log' }), onDelivery)
  }
  const { KafkaSink } = await import('./kafka-sink.ts')
  const { topic, ...properties } = config.kafka
  return new KafkaSink({
    topic,
    properties,
    outbox: {
      maxMessages: config.outbox.max_messages,
      maxBytes: config.outbox.max_bytes,
      batchSize: config.outbox.batch_size,
      lingerMs: config.outbox.linger,
    },
    logger: logger.child({ sink: 'kafka' }),
    registry,
    onDelivery,
  })
}

/**
 * A `[kafka]` table (or KAFKA_* variable) without a broker address is still checked, exactly as
 * it would be with one (issue 10: `"bootstrap.server"`, `KAFKA_BOOTSTRAP_SERVER` and refused
 * properties used to start silently with the log sink). Valid properties without a broker are
 * then said to be unused, once.
 */
async function checkUnusedKafkaTable(config: MiffyConfig, logger: Logger): Promise<void> {
  const { topic: _topic, ...properties } = config.kafka
  const names = Object.keys(properties)
  if (names.length === 0) return
  const { mapKafkaProperties } = await import('./kafka-properties.ts')
  mapKafkaProperties(properties, { requireBrokers: false })
  logger.warn(
    { properties: names },
    'Kafka properties are set but no bootstrap.servers: divergences are only logged and kept for GET /divergences',
  )
}
