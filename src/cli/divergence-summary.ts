/**
 * `miffy diffs`' arithmetic: divergences read from the topic, grouped per route and per kind of
 * difference, with a count, first and last seen, an example and what differs.
 *
 * The kind is miffy's `divergence.fingerprint`. Messages from the Rust miffy 1.0 have no
 * `divergence` (nor `id`, nor `timestamp`): they are grouped by route and status pair, their
 * time is the Kafka message's, and their example is named by partition and offset.
 */

/** Where a message sat on the topic, and the broker's timestamp (epoch ms as text). */
export interface TopicPosition {
  partition: number
  offset: string
  timestamp: string
}

export interface KindSummary {
  /** miffy's fingerprint; null for a Rust miffy message */
  fingerprint: string | null
  /** `200→500`, `200→error` (a failed leg) */
  status: string
  count: number
  first_seen: string
  last_seen: string
  /** the message's `id`, or `PARTITION:OFFSET` for a Rust miffy message */
  example_id: string
  /** what differs, from the example: JSON paths, `status`, `header NAME`, `candidate error WORD` */
  differs: string[]
  /** the example listed fewer paths than differed */
  truncated: boolean
}

export interface RouteSummary {
  route: string
  count: number
  kinds: KindSummary[]
}

export interface Summary {
  messages: number
  /** values that were not a JSON divergence message */
  unreadable: number
  routes: RouteSummary[]
}

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export class DivergenceSummary {
  #messages = 0
  #unreadable = 0
  /** route → kind key → summary */
  #routes = new Map<string, Map<string, KindSummary>>()

  get messages(): number {
    return this.#messages
  }

  add(value: Buffer | string | null, at: TopicPosition): void {
    this.#messages++
    let message: unknown
    try {
      message = value === null ? null : JSON.parse(value.toString())
    } catch {
      message = null
    }
    if (!isObject(message) || !isObject(message.request)) {
      this.#unreadable++
      return
    }
    const route = typeof message.request.route === 'string' ? message.request.route : '(no route)'
    const divergence = isObject(message.divergence) ? message.divergence : undefined
    const fingerprint = typeof divergence?.fingerprint === 'string' ? divergence.fingerprint : null
    const status = statusPair(message)
    const key = fingerprint ?? `status ${status}`
    const time = seenAt(message, at)

    let kinds = this.#routes.get(route)
    if (!kinds) {
      kinds = new Map()
      this.#routes.set(route, kinds)
    }
    const known = kinds.get(key)
    if (known) {
      known.count++
      if (time < known.first_seen) known.first_seen = time
      if (time > known.last_seen) known.last_seen = time
      return
    }
    const { differs, truncated } = whatDiffers(message, divergence)
    kinds.set(key, {
      fingerprint,
      status,
      count: 1,
      first_seen: time,
      last_seen: time,
      example_id: typeof message.id === 'string' ? message.id : `${at.partition}:${at.offset}`,
      differs,
      truncated,
    })
  }

  /** Routes by count, kinds by count (most frequent first). */
  summary(): Summary {
    const routes = [...this.#routes].map(([route, kinds]) => {
      const list = [...kinds.values()].sort(
        (a, b) => b.count - a.count || a.first_seen.localeCompare(b.first_seen),
      )
      return { route, count: list.reduce((n, k) => n + k.count, 0), kinds: list }
    })
    routes.sort((a, b) => b.count - a.count || a.route.localeCompare(b.route))
    return { messages: this.#messages, unreadable: this.#unreadable, routes }
  }
}

function side(message: Json, name: 'reference' | 'candidate'): string {
  const leg = message[name]
  const response = isObject(leg) ? leg.response : undefined
  if (isObject(response) && typeof response.status === 'number') return String(response.status)
  if (isObject(response) && response.error !== undefined) return 'error'
  return '?'
}

function statusPair(message: Json): string {
  return `${side(message, 'reference')}→${side(message, 'candidate')}`
}

/** The message's own timestamp (miffy), else the broker's (Rust miffy), as ISO-8601. */
function seenAt(message: Json, at: TopicPosition): string {
  if (typeof message.timestamp === 'string' && !Number.isNaN(Date.parse(message.timestamp)))
    return new Date(message.timestamp).toISOString()
  const ms = Number(at.timestamp)
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : '?'
}

function whatDiffers(message: Json, divergence: Json | undefined): { differs: string[]; truncated: boolean } {
  const differs: string[] = []
  if (!divergence) {
    // a Rust miffy pair: it says only that the pair differed; show what can be seen
    const [ref, cand] = statusPair(message).split('→')
    if (ref !== cand) differs.push('status')
    for (const name of ['reference', 'candidate'] as const) {
      const response = isObject(message[name]) ? (message[name] as Json).response : undefined
      if (isObject(response) && response.error !== undefined)
        differs.push(`${name} error ${String(response.error)}`)
    }
    if (differs.length === 0) differs.push('body')
    return { differs, truncated: false }
  }
  if (isObject(divergence.status)) differs.push('status')
  if (isObject(divergence.error)) {
    for (const [name, word] of Object.entries(divergence.error)) differs.push(`${name} error ${String(word)}`)
  }
  if (Array.isArray(divergence.headers))
    for (const h of divergence.headers) differs.push(`header ${String(h)}`)
  const body = isObject(divergence.body) ? divergence.body : undefined
  if (body) {
    const paths = Array.isArray(body.paths) ? body.paths : []
    for (const p of paths) if (isObject(p) && typeof p.path === 'string') differs.push(p.path)
    if (paths.length === 0) differs.push('body')
  }
  return { differs, truncated: body?.truncated === true }
}
