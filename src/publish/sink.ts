/**
 * Where divergences go. Implementations keep all I/O off the caller's path: `publish` only
 * enqueues (or drops, and says why), delivery happens in the background.
 *
 * A message is serialised exactly once, by the orchestration, and every consumer (the Kafka
 * outbox, the log, the recent-divergences list behind GET /divergences) shares those bytes.
 */

/** What a sink says synchronously when handed a pair; it never blocks the caller. */
export type Accepted = 'queued' | 'dropped_full' | 'dropped_oversize' | 'dropped_closed'

/** What finally became of a queued message. */
export type Delivery = 'published' | 'failed' | 'lost_on_shutdown'

export type SinkState = 'ready' | 'connecting' | 'unavailable' | 'closed'

/** A few fields of a published pair, read without parsing its JSON: for logs, filters, merges. */
export interface PairSummary {
  id: string
  /** ISO-8601 time the request arrived */
  timestamp: string
  method: string
  uri: string
  route: string
  /** the W3C trace-id both legs were sent */
  traceId?: string | undefined
  fingerprint: string | undefined
  status: { reference: number; candidate: number } | undefined
  error: { reference?: string; candidate?: string } | undefined
  /** the first differing JSON paths or text/header locations */
  paths: string[]
}

export interface Publication {
  /** the Kafka message key */
  key: string
  /** the message as UTF-8 JSON */
  value: Buffer
  summary: PairSummary
}

export interface Sink {
  readonly kind: string
  publish(publication: Publication): Accepted
  state(): SinkState
  /** Flush what is queued within `deadlineMs`, then release resources. */
  close(deadlineMs: number): Promise<{ sent: number; lost: number }>
}

/** Told what became of each queued message, with its route, for the per-route books. */
export type DeliveryListener = (route: string, result: Delivery) => void
