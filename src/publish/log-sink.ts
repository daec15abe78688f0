/**
 * The sink used when no Kafka brokers are configured: each divergence becomes one log line
 * (route, fingerprint, what differs). The messages themselves stay readable on the management
 * port (GET /divergences). Meant for demos and first tries, not for production.
 */
import type { Logger } from 'pino'
import type { Accepted, DeliveryListener, Publication, Sink, SinkState } from './sink.ts'

export class LogSink implements Sink {
  readonly kind = 'log'
  #log: Logger
  #onDelivery: DeliveryListener
  #closed = false
  #published = 0

  constructor(log: Logger, onDelivery: DeliveryListener = () => {}) {
    this.#log = log
    this.#onDelivery = onDelivery
  }

  get published(): number {
    return this.#published
  }

  publish({ key, summary }: Publication): Accepted {
    if (this.#closed) return 'dropped_closed'
    this.#published++
    this.#log.info(
      {
        key,
        id: summary.id,
        route: summary.route,
        uri: summary.uri,
        trace_id: summary.traceId,
        fingerprint: summary.fingerprint,
        status: summary.status,
        error: summary.error,
        paths: summary.paths.slice(0, 5),
      },
      `divergence on ${summary.method} ${summary.uri}`,
    )
    this.#onDelivery(summary.route, 'published')
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
