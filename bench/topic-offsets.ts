/**
 * How many messages a topic holds: the sum of its partitions' end offsets. The Rust miffy has no
 * metrics, so what it published in a window is what its topic gained; one admin connection is
 * kept for the run and reopened after a broker restart.
 */
import { type Admin, Kafka, logLevel } from 'kafkajs'

export class TopicOffsets {
  readonly #brokers: string
  #admin: Promise<Admin> | undefined

  constructor(brokers: string) {
    this.#brokers = brokers
  }

  #connect(): Promise<Admin> {
    this.#admin ??= (async () => {
      const admin = new Kafka({
        clientId: 'miffy-bench-offsets',
        brokers: [this.#brokers],
        logLevel: logLevel.NOTHING,
        retry: { retries: 1 },
      }).admin()
      await admin.connect()
      return admin
    })()
    return this.#admin
  }

  /** the topic's message count so far; rejects when the broker does not answer */
  async end(topic: string): Promise<number> {
    try {
      const admin = await this.#connect()
      const offsets = await admin.fetchTopicOffsets(topic)
      return offsets.reduce((total, p) => total + Number(p.high), 0)
    } catch (err) {
      // A connection from before a broker restart is no good: start over next time.
      const stale = this.#admin
      this.#admin = undefined
      void stale?.then((a) => a.disconnect()).catch(() => {})
      throw err
    }
  }

  async close(): Promise<void> {
    const admin = this.#admin
    this.#admin = undefined
    await admin?.then((a) => a.disconnect()).catch(() => {})
  }
}
