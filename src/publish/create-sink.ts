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
  if (!wantsKafka(config)) return new LogSink(logger.child({ sink: 'log' }), onDelivery)
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
