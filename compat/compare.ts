/**
 * Compares what the Rust miffy and miffy did with the same scenario, field by field: what the
 * client got, what each upstream received, the topic messages, and how the processes started and
 * stopped. Every field that differs becomes one Difference; judging them is known-differences.ts'
 * job. Values that can never agree between two runs (the Date header) are normalised first.
 */
import type { ClientResponse } from './client.ts'
import { describeExit, type ExitInfo, type StartUp } from './process.ts'
import type { Received } from './recorder.ts'
import type { Observation, TopicMessage } from './session.ts'

export type Aspect = 'client' | 'upstream' | 'topic' | 'process'

export interface Difference {
  /** scenario id (process scenarios too) */
  scenario: string
  aspect: Aspect
  /**
   * what differs, e.g. `status`, `headers.connection`, `candidate[0].headers.te`, `published`,
   * `payload.request.uri`, `payload.candidate.response.error_detail`, `exit`
   */
  field: string
  /** undefined: absent on that side */
  rust: unknown
  miffy: unknown
}

const VOLATILE_HEADERS = new Set(['date'])

export function compareObservations(
  rust: Observation,
  miffy: Observation,
  scenarioIds: readonly string[],
): Difference[] {
  const out: Difference[] = []
  for (const id of scenarioIds) {
    const push = (aspect: Aspect, field: string, r: unknown, m: unknown) =>
      out.push({ scenario: id, aspect, field, rust: r, miffy: m })
    compareClient(rust.client.get(id), miffy.client.get(id), (f, r, m) => push('client', f, r, m))
    compareUpstreams(rust.upstream.get(id) ?? [], miffy.upstream.get(id) ?? [], (f, r, m) =>
      push('upstream', f, r, m),
    )
    compareTopic(rust.messages.get(id) ?? [], miffy.messages.get(id) ?? [], (f, r, m) =>
      push('topic', f, r, m),
    )
  }
  const strays = (o: Observation) => [
    ...o.strayMessages.map((m) => `message ${stringify(m.payload).slice(0, 200)}`),
    ...o.strayRequests.map((r) => `request ${r.method} ${r.url} at ${r.upstream}`),
  ]
  const rs = strays(rust)
  const ms = strays(miffy)
  if (rs.length > 0 || ms.length > 0)
    out.push({ scenario: '(none)', aspect: 'topic', field: 'unmatched', rust: rs, miffy: ms })

  const exit = (e: ExitInfo) => describeExit(e)
  if (exit(rust.shutdown) !== exit(miffy.shutdown))
    out.push({
      scenario: 'shutdown',
      aspect: 'process',
      field: 'exit',
      rust: exit(rust.shutdown),
      miffy: exit(miffy.shutdown),
    })
  for (const [id, r] of rust.startUps) {
    const m = miffy.startUps.get(id)
    if (!m) continue
    const summary = (s: StartUp) => (s.outcome === 'started' ? 'started' : `refused (${exit(s.exit)})`)
    if (r.outcome !== m.outcome)
      out.push({ scenario: id, aspect: 'process', field: 'outcome', rust: summary(r), miffy: summary(m) })
    else if (r.outcome === 'refused' && m.outcome === 'refused' && exit(r.exit) !== exit(m.exit))
      out.push({ scenario: id, aspect: 'process', field: 'exit', rust: exit(r.exit), miffy: exit(m.exit) })
  }
  return out
}

type Push = (field: string, rust: unknown, miffy: unknown) => void

function compareClient(r: ClientResponse | undefined, m: ClientResponse | undefined, push: Push): void {
  if (!r || !m) {
    if (r !== m) push('answer', r ? 'answered' : undefined, m ? 'answered' : undefined)
    return
  }
  if (r.status !== m.status) push('status', r.status, m.status)
  if (r.error !== m.error) push('error', r.error, m.error)
  compareHeaders(r.headers, m.headers, 'headers', push)
  if (!r.body.equals(m.body)) push('body', bodyText(r.body), bodyText(m.body))
}

function compareUpstreams(r: readonly Received[], m: readonly Received[], push: Push): void {
  const names = [...new Set([...r, ...m].map((x) => x.upstream))].sort()
  for (const name of names) {
    const rs = r.filter((x) => x.upstream === name)
    const ms = m.filter((x) => x.upstream === name)
    if (rs.length !== ms.length) push(`${name}.requests`, rs.length, ms.length)
    for (let i = 0; i < Math.min(rs.length, ms.length); i++) {
      const a = rs[i]!
      const b = ms[i]!
      const at = `${name}[${i}]`
      if (a.method !== b.method) push(`${at}.method`, a.method, b.method)
      if (a.url !== b.url) push(`${at}.url`, a.url, b.url)
      if (a.httpVersion !== b.httpVersion) push(`${at}.version`, a.httpVersion, b.httpVersion)
      compareHeaders(a.headers, b.headers, `${at}.headers`, push)
      if (!a.body.equals(b.body)) push(`${at}.body`, bodyText(a.body), bodyText(b.body))
    }
  }
}

/** Header lines grouped by lower-case name, values in order; the Date header's value masked. */
export function groupHeaders(lines: readonly [string, string][]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [name, value] of lines) {
    const n = name.toLowerCase()
    out.set(n, [...(out.get(n) ?? []), VOLATILE_HEADERS.has(n) ? '<date>' : value])
  }
  return out
}

function compareHeaders(
  r: readonly [string, string][],
  m: readonly [string, string][],
  prefix: string,
  push: Push,
): void {
  const a = groupHeaders(r)
  const b = groupHeaders(m)
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(name)
    const y = b.get(name)
    if (JSON.stringify(x) !== JSON.stringify(y)) push(`${prefix}.${name}`, one(x), one(y))
  }
}

const one = (v: string[] | undefined) => (v === undefined ? undefined : v.length === 1 ? v[0] : v)

function compareTopic(r: readonly TopicMessage[], m: readonly TopicMessage[], push: Push): void {
  if (r.length !== m.length) push('published', r.length, m.length)
  for (let i = 0; i < Math.min(r.length, m.length); i++) {
    const a = r[i]!
    const b = m[i]!
    const at = r.length > 1 ? `[${i}].` : ''
    if (a.key !== b.key) push(`${at}key`, a.key, b.key)
    if (a.partition !== b.partition) push(`${at}partition`, a.partition, b.partition)
    if (JSON.stringify(a.headers) !== JSON.stringify(b.headers))
      push(`${at}record-headers`, a.headers, b.headers)
    const fa = flatten(normalise(a.payload))
    const fb = flatten(normalise(b.payload))
    for (const path of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
      const x = fa.get(path)
      const y = fb.get(path)
      if (!same(x, y)) push(`${at}payload.${path}`, x, y)
    }
  }
}

/** The Date header inside a published response says when, not what: masked like the client's. */
function normalise(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = key === 'headers' && VOLATILE_HEADERS.has(k.toLowerCase()) ? '<date>' : normalise(v, k)
    }
    return out
  }
  return value
}

/** Leaves by path: `request.params.value`, `reference.response.body.value.items[0]`. */
export function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, [])
    value.forEach((v, i) => {
      flatten(v, `${prefix}[${i}]`, out)
    })
  } else if (value && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 0) out.set(prefix, {})
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else {
    out.set(prefix, value)
  }
  return out
}

/** A body for the report: text when it is short printable UTF-8, else its size. */
function bodyText(b: Buffer): string {
  const text = b.toString('utf8')
  if (b.length <= 200 && isPrintable(text)) return text
  return `<${b.length} bytes>`
}

/** JSON text of a value, bigints as `123n` (they come from the exact parse of messages). */
export function stringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? 'undefined'
}

function same(a: unknown, b: unknown): boolean {
  return stringify(a) === stringify(b)
}

function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffd) return false
  }
  return true
}
