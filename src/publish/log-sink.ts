/**
 * The sink used when no Kafka brokers are configured: each divergence becomes one log line
 * (route, fingerprint, what differs). The messages themselves stay readable on the management
 * port (GET /divergences). Meant for demos and first tries, not for production.
 */
import type { Logger } from 'pino'
import type { PairMessage } from '../diff/model.ts'
import type { Accepted, Sink, SinkState } from './sink.ts'

export class LogSink implements Sink {
  readonly kind = 'log'
  #log: Logger
  #closed = false
  #published = 0

  constructor(log: Logger) {
    this.#log = log
  }

  get published(): number {
    return this.#published
  }

  publish(key: string, message: PairMessage): Accepted {
    if (this.#closed) return 'dropped_closed'
    this.#published++
    const d = message.divergence
    this.#log.info(
      {
        key,
        id: message.id,
        route: message.request.route,
        uri: message.request.uri,
        fingerprint: d?.fingerprint,
        status: d?.status,
        error: d?.error,
        paths: d?.body?.paths.slice(0, 5),
      },
      `divergence on ${message.request.method} ${message.request.uri}`,
    )
    return 'queued'
  }

  state(): SinkState {
    return this.#closed ? 'closed' : 'ready'
  }

  async close(): Promise<{ sent: number; lost: number }> {
    this.#closed = true
    return { sent: this.#published, lost: 0 }
  }
}
