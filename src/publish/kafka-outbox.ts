/**
 * The Kafka outbox's delivery loop: messages queued in memory, sent in batches with kafkajs,
 * retried, and reported one way or the other. It runs in the Kafka sink's worker thread
 * (kafka-worker.ts): kafkajs's record encoding and CRC-32C are plain JavaScript, and a backlog
 * sent after an outage kept the proxy's event loop busy for seconds (issue 13). The caps, the
 * counting and everything the proxy asks synchronously stay with KafkaSink on the main thread;
 * this loop only says what became of each message (`delivered`, `failed`).
 *
 * Why an outbox of our own: kafkajs has no client-side queue (each `send()` is one request) and
 * drops the messages of a send whose retries ran out (tulios/kafkajs#628), so buffering, retrying
 * and counting what is lost are ours to do.
 *
 * Lifecycle of the connection: `connecting` → `ready`, or `unavailable` when the broker cannot be
 * reached or refuses us (wrong SASL password). The loop keeps reconnecting with backoff; a broker
 * that comes up later is used without restarting miffy. A failed send throws the producer away
 * and reconnects with a fresh one. An outage is logged once when it starts and once when it ends.
 */
import { Kafka, type LogEntry, logLevel, type Message, type Producer } from 'kafkajs'
import {
  type KafkaPropertyValue,
  type MappedKafkaProperties,
  mapKafkaProperties,
} from './kafka-properties.ts'
import { fixKafkajsIdleLoop } from './kafkajs-idle-loop.ts'
import type { SinkState } from './sink.ts'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error'

/** What the loop tells its owner; every message ends in exactly one `delivered` or `failed`. */
export interface OutboxEvents {
  /** `n` messages (`bytes` of key + value) from the head are on the broker */
  delivered(n: number, bytes: number): void
  /** `n` messages from the head used their last try and are dropped */
  failed(n: number, bytes: number): void
  state(state: SinkState): void
  log(level: LogLevel, fields: Record<string, unknown>, msg: string): void
}

export interface OutboxOptions {
  topic: string
  /** the `[kafka]` table without `topic` (see kafka-properties.ts) */
  properties: Record<string, KafkaPropertyValue>
  /** messages per produce request */
  batchSize: number
  /** how long the first message of a batch waits for others */
  lingerMs: number
  /**
   * Tries per message (connecting counts as a try while the broker is unreachable), after which
   * it is dropped and counted `failed`.
   */
  maxAttempts: number
  /** the sink's log level, for how much of kafkajs's own logging to ask for */
  logLevel: string
}

interface Entry {
  key: Buffer
  value: Buffer
  /** key + value bytes */
  size: number
  enqueuedAt: number
  attempts: number
}

const HEADERS = { 'content-type': 'application/json' }
const DEFAULT_BACKOFF_MS = 250
const DEFAULT_MAX_BACKOFF_MS = 5_000
/**
 * Retries inside one kafkajs send when `retries` is not set (kafkajs's own default is 5). Few,
 * because the outbox retries the whole batch anyway: a broker that hangs costs
 * (retries + 1) × socket.timeout.ms before the outbox hears of it and says so.
 */
const DEFAULT_SEND_RETRIES = 2
/** at most this long for kafkajs to disconnect (close() and discarded producers) */
const DISCONNECT_GRACE_MS = 2_000
/** Kafka's per-record framing plus our header, for sizing batches below message.max.bytes */
const RECORD_OVERHEAD_BYTES = 100
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']

export class KafkaOutbox {
  readonly #topic: string
  readonly #mapped: MappedKafkaProperties
  readonly #kafka: Kafka
  readonly #events: OutboxEvents
  readonly #limits: { batchSize: number; lingerMs: number; maxAttempts: number }
  readonly #backoff: { initial: number; max: number }

  /** the outbox: entries before #head are gone; the first batch from #head may be in flight */
  #queue: Entry[] = []
  #head = 0

  #state: SinkState = 'connecting'
  #producer: Producer | undefined
  /** true from the first failure of an outage to the next success, so it is logged once */
  #outage = false
  #everConnected = false
  #failures = 0
  #closing = false
  #stopped = false
  #closeResult: Promise<{ sent: number; lost: number; keys: string[] }> | undefined
  #sent = 0
  #waiter: { done: () => void; wakeOnPublish: boolean } | undefined
  readonly #loop: Promise<void>
  #lastError: unknown

  constructor(options: OutboxOptions, events: OutboxEvents) {
    this.#topic = options.topic
    this.#events = events
    fixKafkajsIdleLoop()
    // The main thread has mapped the same properties already, and stopped start-up on an error.
    this.#mapped = mapKafkaProperties(options.properties)
    this.#limits = {
      batchSize: options.batchSize,
      lingerMs: options.lingerMs,
      maxAttempts: options.maxAttempts,
    }
    const retry = this.#mapped.kafka.retry ?? {}
    this.#backoff = {
      initial: retry.initialRetryTime ?? DEFAULT_BACKOFF_MS,
      max: retry.maxRetryTime ?? DEFAULT_MAX_BACKOFF_MS,
    }
    const enabled = (level: string) => LEVELS.indexOf(options.logLevel) <= LEVELS.indexOf(level)

    this.#kafka = new Kafka({
      ...this.#mapped.kafka,
      // One try per connect(): the outbox loop owns reconnecting (with backoff, and it can stop at
      // close()), whereas a kafkajs retry chain cannot be cancelled and goes on after disconnect()
      // (tulios/kafkajs#1174). Sends keep kafkajs's retries: see the producer below.
      retry: { ...retry, retries: 0 },
      logLevel: enabled('trace') ? logLevel.DEBUG : enabled('debug') ? logLevel.INFO : logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const {
          message,
          timestamp: _t,
          logger: _l,
          ...extra
        } = entry.log as LogEntry['log'] & { logger?: unknown }
        // kafkajs logs every failed connection and retry at ERROR: during an outage that is a line
        // per retry. The sink reports each outage and each loss itself, so these are debug detail.
        const level =
          entry.level === logLevel.ERROR
            ? 'debug'
            : entry.level === logLevel.WARN
              ? 'warn'
              : entry.level === logLevel.INFO
                ? 'debug'
                : 'trace'
        if (enabled(level))
          this.#events.log(level, { component: 'kafkajs', namespace: entry.namespace, ...extra }, message)
      },
    })

    // The loop handles its own errors; this catch is the last line against an unhandled rejection.
    this.#loop = this.#run().catch((err: unknown) => {
      this.#events.log('error', { err: describe(err) }, 'kafka sink loop stopped unexpectedly')
      this.#setState('unavailable')
    })
  }

  /** Queues a message the caller has already checked against the caps. */
  enqueue(key: Buffer, value: Buffer): void {
    if (this.#closing) {
      this.#events.failed(1, key.length + value.length)
      return
    }
    const count = this.#queue.length - this.#head
    this.#queue.push({ key, value, size: key.length + value.length, enqueuedAt: Date.now(), attempts: 0 })
    // Wake the loop when it waits for a first message, or lingers and now has a full batch.
    if (count === 0 || count + 1 >= this.#limits.batchSize) this.#wake(true)
  }

  /**
   * Stops accepting, sends what is queued until the outbox is empty or `deadlineMs` has passed,
   * then disconnects. `sent`: messages delivered during close; `lost`: messages still queued or
   * unconfirmed at the deadline (with the first keys, for the log).
   */
  close(deadlineMs: number): Promise<{ sent: number; lost: number; keys: string[] }> {
    this.#closeResult ??= this.#close(deadlineMs)
    return this.#closeResult
  }

  async #close(deadlineMs: number): Promise<{ sent: number; lost: number; keys: string[] }> {
    this.#closing = true
    const deadlineAt = Date.now() + Math.max(0, deadlineMs)
    const sentBefore = this.#sent
    this.#wake(false)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      this.#loop,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs)))),
    ])
    clearTimeout(timer)
    this.#stopped = true
    this.#wake(false)

    const lost = this.#queue.length - this.#head
    const keys = this.#queue.slice(this.#head, this.#head + 10).map((e) => e.key.toString())
    this.#queue = []
    this.#head = 0
    const producer = this.#producer
    this.#producer = undefined
    // The deadline is the whole budget; a disconnect after a completed flush takes milliseconds.
    if (producer)
      await withTimeout(
        producer.disconnect(),
        Math.min(DISCONNECT_GRACE_MS, Math.max(100, deadlineAt - Date.now())),
      )
    this.#setState('closed')
    return { sent: this.#sent - sentBefore, lost, keys }
  }

  // -------------------------------------------------------------------------------------------

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const count = this.#queue.length - this.#head
      if (count === 0) {
        if (this.#closing) return
        if (this.#producer === undefined) {
          // Connect even with nothing to send, so the state (and miffy_sink_up) says whether Kafka
          // is reachable before the first divergence.
          if (this.#state === 'unavailable') {
            await this.#sleep(this.#nextBackoff(), true)
            if (this.#stopped || this.#queue.length > this.#head) continue
          }
          await this.#connect()
          continue
        }
        await this.#sleep(Number.POSITIVE_INFINITY, true)
        continue
      }

      // Linger: let a batch fill up, unless closing or the oldest message has waited enough.
      const waitMs = this.#queue[this.#head]!.enqueuedAt + this.#limits.lingerMs - Date.now()
      if (!this.#closing && count < this.#limits.batchSize && waitMs > 0) {
        await this.#sleep(waitMs, true)
        continue
      }

      const batch = this.#peekBatch()
      if (this.#producer === undefined && !(await this.#connect())) {
        // close() may have given up on us while connect() was pending, and emptied the outbox.
        if (this.#stopped) return
        this.#failed(batch, this.#lastError)
        await this.#sleep(this.#nextBackoff(), false)
        continue
      }
      const producer = this.#producer!
      try {
        const messages: Message[] = batch.map((e) => ({ key: e.key, value: e.value, headers: HEADERS }))
        const { acks, timeout, compression } = this.#mapped.send
        await producer.send({ topic: this.#topic, messages, acks, timeout, compression })
        if (this.#stopped) return
        this.#delivered(batch)
      } catch (err) {
        if (this.#stopped) return
        this.#lastError = err
        this.#failures++
        this.#failed(batch, err)
        if (!this.#outage) {
          this.#outage = true
          this.#events.log('warn', { err: describe(err) }, 'kafka send failed; reconnecting')
        } else {
          this.#events.log('debug', { err: describe(err) }, 'kafka send failed again')
        }
        // A fresh producer next time: after a broker bounce kafkajs may keep stale connections and
        // metadata, and its failed send is done with (its retries ran out).
        this.#producer = undefined
        this.#setState('connecting')
        void withTimeout(producer.disconnect(), DISCONNECT_GRACE_MS)
        await this.#sleep(this.#nextBackoff(), false)
      }
    }
  }

  async #connect(): Promise<boolean> {
    const retry = this.#mapped.kafka.retry ?? {}
    const producer = this.#kafka.producer({
      ...this.#mapped.producer,
      // kafkajs merges this over the client's retry (retries 0 above): sends retry inside kafkajs
      // as configured, connects do not.
      retry: { ...retry, retries: retry.retries ?? DEFAULT_SEND_RETRIES },
    })
    try {
      // Awaited here, never left floating: a connect() rejection nobody awaits is
      // tulios/kafkajs#418's unhandled rejection.
      await producer.connect()
    } catch (err) {
      this.#lastError = err
      void withTimeout(producer.disconnect(), DISCONNECT_GRACE_MS)
      if (this.#stopped) return false
      if (!this.#outage) {
        this.#outage = true
        this.#events.log(
          'warn',
          { err: describe(err), brokers: this.#mapped.kafka.brokers },
          'kafka unavailable; divergences are queued in the outbox while the sink retries in the background',
        )
      } else {
        this.#events.log('debug', { err: describe(err) }, 'kafka still unavailable')
      }
      this.#failures++
      this.#setState('unavailable')
      return false
    }
    if (this.#stopped) {
      void withTimeout(producer.disconnect(), DISCONNECT_GRACE_MS)
      return false
    }
    this.#producer = producer
    this.#setState('ready')
    if (!this.#everConnected) {
      this.#everConnected = true
      this.#events.log(
        'info',
        { brokers: this.#mapped.kafka.brokers, topic: this.#topic },
        'kafka sink connected',
      )
    }
    // With messages waiting, the outage ends when one is delivered (a broker may accept the
    // connection and still refuse the topic).
    if (this.#queue.length === this.#head) this.#recovered()
    return true
  }

  #recovered(): void {
    if (!this.#outage) return
    this.#outage = false
    this.#events.log(
      'info',
      { brokers: this.#mapped.kafka.brokers, topic: this.#topic },
      'kafka reachable again',
    )
  }

  /**
   * The first messages from the head, capped by count and by bytes: the broker's message.max.bytes
   * limits a whole record batch, not only one record.
   */
  #peekBatch(): Entry[] {
    const batch: Entry[] = []
    let bytes = 0
    for (let i = this.#head; i < this.#queue.length && batch.length < this.#limits.batchSize; i++) {
      const e = this.#queue[i]!
      const framed = e.size + RECORD_OVERHEAD_BYTES
      if (batch.length > 0 && bytes + framed > this.#mapped.maxMessageBytes) break
      batch.push(e)
      bytes += framed
    }
    return batch
  }

  #delivered(batch: Entry[]): void {
    const bytes = this.#removeHead(batch.length)
    this.#sent += batch.length
    this.#failures = 0
    this.#events.delivered(batch.length, bytes)
    this.#recovered()
  }

  /** One more try used by `batch`; drops (and reports) the messages that have none left. */
  #failed(batch: Entry[], err: unknown): void {
    let exhausted = 0
    for (const e of batch) {
      e.attempts++
      if (e.attempts >= this.#limits.maxAttempts) exhausted++
    }
    if (exhausted === 0) return
    // The oldest messages lead the batch and have the most tries: the exhausted ones are a prefix.
    const bytes = this.#removeHead(exhausted)
    this.#events.failed(exhausted, bytes)
    this.#events.log(
      'warn',
      { dropped: exhausted, attempts: this.#limits.maxAttempts, err: describe(err) },
      `kafka sink dropped ${exhausted} divergence message(s) after ${this.#limits.maxAttempts} tries`,
    )
  }

  /** Removes `n` entries from the head; returns their bytes. */
  #removeHead(n: number): number {
    let bytes = 0
    for (let i = 0; i < n; i++) bytes += this.#queue[this.#head + i]!.size
    this.#head += n
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    return bytes
  }

  #nextBackoff(): number {
    const exp = Math.min(
      this.#backoff.max,
      this.#backoff.initial * 2 ** Math.min(20, Math.max(0, this.#failures - 1)),
    )
    // ±20% jitter, as kafkajs does, so many miffy instances do not reconnect in lockstep.
    return Math.round(exp * (0.8 + Math.random() * 0.4))
  }

  /** Sleeps `ms`; close() always wakes it, enqueue() only when `wakeOnPublish`. */
  #sleep(ms: number, wakeOnPublish: boolean): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const done = () => {
        clearTimeout(timer)
        if (this.#waiter?.done === done) this.#waiter = undefined
        resolve()
      }
      if (Number.isFinite(ms)) {
        timer = setTimeout(done, ms)
        // A backoff alone must not keep the thread alive; lingering messages do.
        if (!wakeOnPublish) timer.unref()
      }
      this.#waiter = { done, wakeOnPublish }
    })
  }

  #wake(byPublish: boolean): void {
    const waiter = this.#waiter
    if (waiter && (!byPublish || waiter.wakeOnPublish)) waiter.done()
  }

  #setState(state: SinkState): void {
    if (this.#state === 'closed') return
    this.#state = state
    this.#events.state(state)
  }
}

/** A kafkajs error, short: its name, message and the cause kafkajs wraps in retries-exceeded errors. */
export function describe(err: unknown): { name?: string; message: string; cause?: string } {
  if (!(err instanceof Error)) return { message: String(err) }
  const cause =
    (err as { cause?: unknown; originalError?: unknown }).cause ??
    (err as { originalError?: unknown }).originalError
  return {
    name: err.name,
    message: err.message,
    ...(cause instanceof Error ? { cause: `${cause.name}: ${cause.message}` } : {}),
  }
}

/** Waits for `p` at most `ms`; never rejects (used for disconnects, which may hang or fail). */
function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    p.then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      () => {
        clearTimeout(timer)
        resolve()
      },
    )
  })
}
