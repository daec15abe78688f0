/**
 * Reads a topic with kafkajs for `miffy diffs`: to its end, or on and on (`follow`).
 *
 * kafkajs has no manual partition assignment (tulios/kafkajs#373): every consumer is a group
 * member. Without a group of the user's, the reader joins a group of its own with a random name,
 * never commits an offset, and deletes the group when done, so it leaves nothing behind on the
 * broker. With `group`, offsets are committed: the next run continues where this one stopped.
 *
 * "The end" is the high watermarks read before consuming: the reader stops when every partition
 * assigned to it has been read up to its watermark, and ignores what arrives meanwhile, so the
 * result is a snapshot even while miffy replicas keep publishing.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs'
import { MiffyError } from '../errors.ts'
import type { TopicPosition } from './divergence-summary.ts'

export interface ReadOptions {
  kafka: KafkaConfig
  topic: string
  fromBeginning: boolean
  follow: boolean
  /** a consumer group whose offsets are used and committed; absent: none is left behind */
  group?: string
  onMessage(value: Buffer | null, at: TopicPosition): void
  /** ends a `follow` read (and any read early) */
  signal?: AbortSignal
}

export async function readTopic(options: ReadOptions): Promise<void> {
  const { topic } = options
  const where = `topic ${topic} on ${(options.kafka.brokers as string[]).join(',')}`
  const kafka = new Kafka({ ...options.kafka, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  try {
    await admin.connect()
    if (!(await admin.listTopics()).includes(topic))
      throw new MiffyError('MIFFY_ERR_KAFKA', `${where}: the topic does not exist`)
    const watermarks = await admin.fetchTopicOffsets(topic)
    const ends = new Map(watermarks.map((w) => [w.partition, BigInt(w.high)]))

    // partitions with something to read before the end
    const remaining = new Set<number>()
    if (!options.follow) {
      const committed = new Map<number, bigint>()
      if (options.group !== undefined) {
        const [offsets] = await admin.fetchOffsets({ groupId: options.group, topics: [topic] })
        for (const p of offsets?.partitions ?? [])
          if (p.offset !== '-1') committed.set(p.partition, BigInt(p.offset))
      }
      for (const w of watermarks) {
        const low = BigInt(w.low)
        const fallback = options.fromBeginning ? low : BigInt(w.high)
        const from = committed.has(w.partition) ? bigMax(committed.get(w.partition)!, low) : fallback
        if (from < BigInt(w.high)) remaining.add(w.partition)
      }
      if (remaining.size === 0) return
    }

    const groupId = options.group ?? `miffy-diffs-${randomUUID()}`
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      // a crash ends the command with its error rather than restarting quietly
      retry: { ...options.kafka.retry, restartOnFailure: async () => false },
    })
    let finish!: () => void
    let fail!: (err: unknown) => void
    const finished = new Promise<void>((resolve, reject) => {
      finish = resolve
      fail = reject
    })
    const abort = () => finish()
    options.signal?.addEventListener('abort', abort, { once: true })
    if (options.signal?.aborted) finish()
    consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error))
    if (!options.follow && options.group !== undefined) {
      // another member of the user's group may hold some partitions: wait only for ours
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const ours = new Set(payload.memberAssignment[topic] ?? [])
        for (const p of [...remaining]) if (!ours.has(p)) remaining.delete(p)
        if (remaining.size === 0) finish()
      })
    }
    try {
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning })
      await consumer.run({
        autoCommit: options.group !== undefined,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition) ?? 0n
          for (const m of batch.messages) {
            if (!options.follow && BigInt(m.offset) >= end) break
            options.onMessage(m.value, {
              partition: batch.partition,
              offset: m.offset,
              timestamp: m.timestamp,
            })
          }
          if (
            !options.follow &&
            BigInt(batch.lastOffset()) + 1n >= end &&
            remaining.delete(batch.partition)
          ) {
            if (remaining.size === 0) finish()
          }
        },
      })
      await finished
    } finally {
      options.signal?.removeEventListener('abort', abort)
      await consumer.disconnect().catch(() => {})
      // the random group never committed anything; delete it all the same (no-op when the broker
      // already forgot it)
      if (options.group === undefined) await admin.deleteGroups([groupId]).catch(() => {})
    }
  } catch (err) {
    if (err instanceof MiffyError) throw err
    throw new MiffyError('MIFFY_ERR_KAFKA', `${where}: ${(err as Error).message}`, { cause: err })
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
