/**
 * The Kafka sink's worker thread: kafkajs and the outbox's delivery loop (kafka-outbox.ts), fed
 * by KafkaSink on the main thread. Messages arrive in packs (message-pack.ts); what becomes of
 * them, the connection state and the log lines go back as messages of the `ToSink` union.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { KafkaOutbox, type LogLevel, type OutboxOptions } from './kafka-outbox.ts'
import { unpackMessages } from './message-pack.ts'
import type { SinkState } from './sink.ts'

/** main thread → worker */
export type ToWorker =
  | { type: 'enqueue'; data: ArrayBuffer; lengths: Uint32Array }
  | { type: 'close'; deadlineMs: number }

/** worker → main thread */
export type ToSink =
  | { type: 'delivered'; n: number; bytes: number }
  | { type: 'failed'; n: number; bytes: number }
  | { type: 'state'; state: SinkState }
  | { type: 'log'; level: LogLevel; fields: Record<string, unknown>; msg: string }
  | { type: 'closed'; sent: number; lost: number; keys: string[] }

/** what KafkaSink passes as `workerData` */
export interface KafkaWorkerData {
  kafkaOutbox: OutboxOptions
}

const options = (workerData as Partial<KafkaWorkerData> | undefined)?.kafkaOutbox
if (parentPort && options) {
  const port = parentPort
  const send = (m: ToSink) => port.postMessage(m)
  const outbox = new KafkaOutbox(options, {
    delivered: (n, bytes) => send({ type: 'delivered', n, bytes }),
    failed: (n, bytes) => send({ type: 'failed', n, bytes }),
    state: (state) => send({ type: 'state', state }),
    log: (level, fields, msg) => send({ type: 'log', level, fields, msg }),
  })
  port.on('message', (m: ToWorker) => {
    if (m.type === 'enqueue') {
      for (const { key, value } of unpackMessages(m.data, m.lengths)) outbox.enqueue(key, value)
    } else if (m.type === 'close') {
      void outbox.close(m.deadlineMs).then((r) => {
        send({ type: 'closed', ...r })
        port.close()
      })
    }
  })
}
