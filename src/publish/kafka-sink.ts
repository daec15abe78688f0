/**
 * The Kafka sink: divergences go into a bounded outbox and are delivered in the background.
 * Nothing Kafka does ever reaches the caller of `publish`: it serialises, checks the caps and
 * enqueues, synchronously.
 *
 * The delivery itself (kafkajs, batching, retries, reconnecting: kafka-outbox.ts) runs in a
 * worker thread (kafka-worker.ts). kafkajs encodes record batches and computes their CRC-32C in
 * JavaScript; on the proxy's thread, the backlog sent after a Kafka outage held client requests
 * back for as long as it took (issue 13, BENCHMARKS.md "Kafka back after an outage"). The caps
 * and the counts stay here, exact and synchronous: a message is counted in the outbox from
 * `publish` until the worker reports it delivered or failed, so `miffy_outbox_messages` and
 * `miffy_publish_total` mean what they did with one thread.
 *
 * Messages cross to the worker in packs (message-pack.ts): one transferred buffer per turn of
 * the event loop, however many divergences it produced. The worker delivers and drops them in the
 * order it got them (always from the head of its queue), so its reports are counts, and the routes
 * and sizes stay here in the same order (`#outbox`). A worker that dies is replaced; what it held
 * is counted `failed`.
 */
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { OutboxOptions } from './kafka-outbox.ts'
import {
  type KafkaPropertyValue,
  type MappedKafkaProperties,
  mapKafkaProperties,
} from './kafka-properties.ts'
import type { KafkaWorkerData, ToSink, ToWorker } from './kafka-worker.ts'
import { packMessages } from './message-pack.ts'
import type { Accepted, Delivery, DeliveryListener, Publication, Sink, SinkState } from './sink.ts'

export interface KafkaSinkOptions {
  topic: string
  /** the `[kafka]` table without `topic` (see kafka-properties.ts) */
  properties: Record<string, KafkaPropertyValue>
  outbox: {
    /** messages waiting or in flight; beyond it `publish` answers `dropped_full` */
    maxMessages: number
    /** bytes (key + value) waiting or in flight; beyond it `publish` answers `dropped_full` */
    maxBytes: number
    /** messages per produce request */
    batchSize: number
    /** how long the first message of a batch waits for others */
    lingerMs: number
    /**
     * Tries per message (connecting counts as a try while the broker is unreachable), after which
     * it is dropped and counted `failed`.
     * @default 10
     */
    maxAttempts?: number
  }
  logger: Logger
  registry: Registry
  /** told what became of each message, with its route */
  onDelivery?: DeliveryListener
}

type Result =
  | 'published'
  | 'failed'
  | 'dropped_full'
  | 'dropped_oversize'
  | 'dropped_closed'
  | 'lost_on_shutdown'
const RESULTS: readonly Result[] = [
  'published',
  'failed',
  'dropped_full',
  'dropped_oversize',
  'dropped_closed',
  'lost_on_shutdown',
]

const DEFAULT_MAX_ATTEMPTS = 10
const OVERSIZE_LOG_INTERVAL_MS = 60_000
/** beyond the close deadline, for the worker to disconnect (kafka-outbox.ts allows 2 s) and answer */
const CLOSE_GRACE_MS = 2_500
/** before replacing a worker that died; doubled for each one that dies before it says anything */
const RESPAWN_DELAY_MS = 1_000
const MAX_RESPAWN_DELAY_MS = 60_000
/** the worker's module, beside this one: .ts when run from the sources, .js from dist/ */
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './kafka-worker.ts' : './kafka-worker.js',
  import.meta.url,
)

/**
 * The worker inherits the process's node flags (V8's heap settings, --cpu-prof), except when
 * miffy was started from a string (`node --input-type=module -e ...`): a worker from a file
 * cannot start with --input-type, and naming the flags makes Node refuse the per-process ones
 * (--expose-gc), so then it gets those it accepts, or none.
 */
function newWorker(workerData: KafkaWorkerData): Worker {
  const options = { workerData, name: 'miffy-kafka' }
  if (!process.execArgv.some((a) => a.startsWith('--input-type'))) return new Worker(WORKER_URL, options)
  try {
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'))
    return new Worker(WORKER_URL, { ...options, execArgv })
  } catch {
    return new Worker(WORKER_URL, { ...options, execArgv: [] })
  }
}

export class KafkaSink implements Sink {
  readonly kind = 'kafka'
  readonly #log: Logger
  readonly #onDelivery: DeliveryListener
  readonly #mapped: MappedKafkaProperties
  readonly #limits: Required<KafkaSinkOptions['outbox']>
  readonly #workerData: KafkaWorkerData
  readonly #metrics: {
    total: Counter<'result'>
    messages: Gauge
    bytes: Gauge
    up: Gauge
  }

  /**
   * The outbox as this thread knows it, oldest first: every message published here and not yet
   * reported delivered or failed (entries before #head are gone), with its route and size.
   */
  #outbox: { route: string; size: number }[] = []
  #head = 0
  #bytes = 0
  /** published since the last pack was posted (the newest entries of #outbox) */
  #unposted: { key: Buffer; value: Buffer }[] = []
  #postScheduled = false

  #state: SinkState = 'connecting'
  #worker: Worker
  #closing = false
  #closeResult: Promise<{ sent: number; lost: number }> | undefined
  #onClosed: ((r: { sent: number; lost: number; keys: string[] }) => void) | undefined
  #sent = 0
  #oversize = { lastLog: 0, suppressed: 0 }
  #respawnDelay = RESPAWN_DELAY_MS

  constructor(options: KafkaSinkOptions) {
    this.#log = options.logger
    this.#onDelivery = options.onDelivery ?? (() => {})
    // Throws MiffyError(MIFFY_ERR_KAFKA_PROPERTY) on a bad property: start-up stops with the reason.
    this.#mapped = mapKafkaProperties(options.properties)
    for (const warning of this.#mapped.warnings) this.#log.warn(warning)
    this.#limits = { ...options.outbox, maxAttempts: options.outbox.maxAttempts ?? DEFAULT_MAX_ATTEMPTS }
    const outbox: OutboxOptions = {
      topic: options.topic,
      properties: options.properties,
      batchSize: this.#limits.batchSize,
      lingerMs: this.#limits.lingerMs,
      maxAttempts: this.#limits.maxAttempts,
      logLevel: this.#log.level,
    }
    this.#workerData = { kafkaOutbox: outbox }

    const registers = [options.registry]
    // One sink per registry; a second one on the same registry (a test, a reload) reuses the metrics.
    const existing = <T>(name: string) => options.registry.getSingleMetric(name) as T | undefined
    this.#metrics = {
      total:
        existing<Counter<'result'>>('miffy_publish_total') ??
        new Counter({
          name: 'miffy_publish_total',
          help: 'Divergence messages by outcome: published, failed (retries exhausted), dropped_full, dropped_oversize, dropped_closed, lost_on_shutdown',
          labelNames: ['result'],
          registers,
        }),
      messages:
        existing<Gauge>('miffy_outbox_messages') ??
        new Gauge({
          name: 'miffy_outbox_messages',
          help: 'Messages waiting in the outbox or in flight',
          registers,
        }),
      bytes:
        existing<Gauge>('miffy_outbox_bytes') ??
        new Gauge({
          name: 'miffy_outbox_bytes',
          help: 'Bytes (key + value) waiting in the outbox or in flight',
          registers,
        }),
      up:
        existing<Gauge>('miffy_sink_up') ??
        new Gauge({
          name: 'miffy_sink_up',
          help: '1 when the sink is connected and sending, else 0',
          registers,
        }),
    }
    for (const result of RESULTS) this.#metrics.total.inc({ result }, 0)
    this.#metrics.up.set(0)
    this.#updateGauges()
    this.#worker = this.#spawn()
  }

  publish({ key, value, summary }: Publication): Accepted {
    if (this.#closing) return this.#countResult('dropped_closed')
    const keyBytes = Buffer.from(key)
    const size = keyBytes.length + value.length
    // Dropped whole: cutting the JSON would hand consumers invalid JSON.
    if (size > this.#mapped.maxMessageBytes) {
      this.#logOversize(summary.id, size)
      return this.#countResult('dropped_oversize')
    }
    if (this.#count() >= this.#limits.maxMessages || this.#bytes + size > this.#limits.maxBytes) {
      return this.#countResult('dropped_full')
    }
    this.#outbox.push({ route: summary.route, size })
    this.#bytes += size
    this.#updateGauges()
    this.#unposted.push({ key: keyBytes, value })
    if (!this.#postScheduled) {
      this.#postScheduled = true
      // Once per turn of the event loop: every divergence settled in this turn goes in one pack.
      setImmediate(this.#post)
    }
    return 'queued'
  }

  state(): SinkState {
    return this.#state
  }

  /**
   * Stops accepting, sends what is queued until the outbox is empty or `deadlineMs` has passed,
   * then disconnects. `sent`: messages delivered during close; `lost`: messages still queued or
   * unconfirmed at the deadline (counted `lost_on_shutdown` and logged).
   */
  close(deadlineMs: number): Promise<{ sent: number; lost: number }> {
    this.#closeResult ??= this.#close(deadlineMs)
    return this.#closeResult
  }

  async #close(deadlineMs: number): Promise<{ sent: number; lost: number }> {
    this.#closing = true
    const sentBefore = this.#sent
    this.#post()
    const worker = this.#worker
    // The worker is unref'd so that it never keeps the process alive; now it must.
    worker.ref()
    let timer: NodeJS.Timeout | undefined
    const closed = await new Promise<{ keys: string[] } | undefined>((resolve) => {
      if (worker.threadId === -1) return resolve(undefined)
      this.#onClosed = resolve
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadlineMs) + CLOSE_GRACE_MS)
      worker.postMessage({ type: 'close', deadlineMs: Math.max(0, deadlineMs) } satisfies ToWorker)
    })
    clearTimeout(timer)
    this.#onClosed = undefined
    this.#setState('closed')
    await worker.terminate()

    // Whatever the worker has not reported delivered or failed by now is lost.
    const lost = this.#count()
    if (lost > 0) {
      this.#settle(lost, 'lost_on_shutdown')
      this.#log.warn(
        { lost, deadlineMs, keys: closed?.keys ?? [] },
        `kafka sink closed with ${lost} divergence message(s) not delivered within ${deadlineMs} ms`,
      )
    }
    this.#unposted = []
    const sent = this.#sent - sentBefore
    this.#log.info({ sent, lost }, 'kafka sink closed')
    return { sent, lost }
  }

  // -------------------------------------------------------------------------------------------

  #spawn(): Worker {
    const worker = newWorker(this.#workerData)
    // The proxy's servers keep the process alive; a worker alone must not (see #close).
    worker.unref()
    worker.on('message', (m: ToSink) => this.#onMessage(m))
    worker.on('error', (err) => this.#log.error({ err }, 'kafka sink worker failed'))
    worker.on('exit', (code) => {
      if (this.#closing || worker !== this.#worker) return
      // Everything it held is gone: counted, and a new worker takes the messages that follow.
      const lost = this.#count() - this.#unposted.length
      if (lost > 0) this.#settle(lost, 'failed')
      const delay = this.#respawnDelay
      this.#respawnDelay = Math.min(MAX_RESPAWN_DELAY_MS, delay * 2)
      this.#log.error({ code, lost, retry_ms: delay }, 'kafka sink worker exited; starting a new one')
      this.#setState('connecting')
      setTimeout(() => {
        if (this.#closing) return
        this.#worker = this.#spawn()
        this.#post()
      }, delay).unref()
    })
    return worker
  }

  #onMessage(m: ToSink): void {
    switch (m.type) {
      case 'delivered':
        this.#sent += m.n
        this.#settle(m.n, 'published')
        return
      case 'failed':
        this.#settle(m.n, 'failed')
        return
      case 'state':
        // A worker that got as far as connecting started fine.
        this.#respawnDelay = RESPAWN_DELAY_MS
        if (!this.#closing) this.#setState(m.state)
        return
      case 'log':
        this.#log[m.level](m.fields, m.msg)
        return
      case 'closed':
        this.#onClosed?.(m)
        return
    }
  }

  /** messages in the outbox: published here and not yet delivered, failed or lost */
  #count(): number {
    return this.#outbox.length - this.#head
  }

  /** The `n` oldest messages of the outbox came to `result`: counted, told, and gone. */
  #settle(n: number, result: Delivery): void {
    for (let i = this.#head; i < this.#head + n; i++) {
      const e = this.#outbox[i]!
      this.#bytes -= e.size
      this.#onDelivery(e.route, result)
    }
    this.#head += n
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#outbox.length) {
      this.#outbox = this.#outbox.slice(this.#head)
      this.#head = 0
    }
    this.#metrics.total.inc({ result }, n)
    this.#updateGauges()
  }

  readonly #post = (): void => {
    this.#postScheduled = false
    if (this.#unposted.length === 0 || this.#worker.threadId === -1) return
    const { data, lengths } = packMessages(this.#unposted)
    this.#unposted = []
    this.#worker.postMessage({ type: 'enqueue', data, lengths } satisfies ToWorker, [data, lengths.buffer])
  }

  #setState(state: SinkState): void {
    if (this.#state === 'closed') return
    this.#state = state
    this.#metrics.up.set(state === 'ready' ? 1 : 0)
  }

  #countResult(result: Result): Accepted {
    this.#metrics.total.inc({ result })
    return result as Accepted
  }

  #updateGauges(): void {
    this.#metrics.messages.set(this.#count())
    this.#metrics.bytes.set(this.#bytes)
  }

  #logOversize(id: string, size: number): void {
    const now = Date.now()
    if (now - this.#oversize.lastLog < OVERSIZE_LOG_INTERVAL_MS) {
      this.#oversize.suppressed++
      return
    }
    this.#log.warn(
      { id, size, max: this.#mapped.maxMessageBytes, suppressed: this.#oversize.suppressed },
      'divergence message larger than message.max.bytes; dropped (counted as dropped_oversize)',
    )
    this.#oversize = { lastLog: now, suppressed: 0 }
  }
}
