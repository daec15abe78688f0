/**
 * What `miffy replay` concludes for each difference of a stored pair, after sending its request
 * again N times to each side:
 * - **flaky**: a side answered differently between its own calls (or the reference and its
 *   secondary disagreed): the difference may be noise, not a bug;
 * - **stable**: each side answered the same every time, and the two sides still differ: a real
 *   difference;
 * - **gone**: each side answered the same every time, and now they agree.
 *
 * The aspects checked are those the stored divergence names: the status, a failed leg, each
 * compared header, each differing JSON path, or the body as a whole for non-JSON bodies.
 */
import { createHash } from 'node:crypto'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { MISSING, parseConcretePath, valueAt } from './json-path-value.ts'

/** One answer of one call: a response, or the error word of a call that failed. */
export type Answer =
  | { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
  | { error: string }

export type Verdict = 'stable' | 'flaky' | 'gone'

export interface Aspect {
  /** `status`, `error`, `header content-type`, `$.items[2]`, `body` */
  name: string
  read(answer: Answer): string
}

export interface AspectResult {
  path: string
  verdict: Verdict
  /** the distinct values each side gave, in order of first appearance */
  reference: string[]
  candidate: string[]
  secondary?: string[]
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const NO_RESPONSE = '(no response)'

/** The aspects of a stored message to check. A Rust miffy message names none: status and body. */
export function aspectsOf(message: Json): Aspect[] {
  const d = isObject(message.divergence) ? message.divergence : undefined
  const out: Aspect[] = []
  if (!d || isObject(d.status))
    out.push({ name: 'status', read: (a) => ('error' in a ? NO_RESPONSE : String(a.status)) })
  if (d && isObject(d.error)) out.push({ name: 'error', read: (a) => ('error' in a ? a.error : 'none') })
  if (d && Array.isArray(d.headers)) {
    for (const h of d.headers) {
      const name = String(h).toLowerCase()
      out.push({
        name: `header ${name}`,
        read: (a) => {
          if ('error' in a) return NO_RESPONSE
          const v = a.headers[name]
          return v === undefined ? '(absent)' : Array.isArray(v) ? v.join(', ') : v
        },
      })
    }
  }
  const body = d && isObject(d.body) ? d.body : undefined
  const paths = body && Array.isArray(body.paths) ? body.paths.filter(isObject) : []
  for (const p of paths) {
    const path = String(p.path)
    const segments = parseConcretePath(path)
    if (!segments) continue
    out.push({
      name: path,
      read: (a) => {
        if ('error' in a) return NO_RESPONSE
        const parsed = jsonBody(a)
        if (parsed === MISSING) return '(not JSON)'
        const v = valueAt(parsed, segments)
        return v === MISSING ? '(missing)' : canonical(v)
      },
    })
  }
  if (!d || (body && paths.length === 0)) {
    out.push({
      name: 'body',
      read: (a) => {
        if ('error' in a) return NO_RESPONSE
        const parsed = jsonBody(a)
        if (parsed !== MISSING) return canonical(parsed)
        const bytes = decoded(a)
        return bytes.length <= 64
          ? JSON.stringify(bytes.toString('latin1'))
          : `${bytes.length} bytes, sha256 ${sha(bytes)}`
      },
    })
  }
  return out
}

/** Per aspect: the distinct values of each side over all calls, and the verdict. */
export function judge(
  aspects: readonly Aspect[],
  answers: { reference: Answer[]; candidate: Answer[]; secondary?: Answer[] },
): AspectResult[] {
  return aspects.map((aspect) => {
    const distinct = (list: Answer[]) => [...new Set(list.map((a) => aspect.read(a)))]
    const reference = distinct(answers.reference)
    const candidate = distinct(answers.candidate)
    const secondary = answers.secondary ? distinct(answers.secondary) : undefined
    const referenceSide = new Set([...reference, ...(secondary ?? [])])
    let verdict: Verdict
    if (referenceSide.size > 1 || candidate.length > 1) verdict = 'flaky'
    else verdict = reference[0] === candidate[0] ? 'gone' : 'stable'
    return { path: aspect.name, verdict, reference, candidate, ...(secondary ? { secondary } : {}) }
  })
}

function decoded(a: Extract<Answer, { status: number }>): Buffer {
  const encoding = String(a.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase()
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(a.body)
    if (encoding === 'br') return brotliDecompressSync(a.body)
    if (encoding === 'deflate') return inflateSync(a.body)
  } catch {
    // compared as received
  }
  return a.body
}

function jsonBody(a: Extract<Answer, { status: number }>): unknown {
  try {
    return JSON.parse(decoded(a).toString('utf8'))
  } catch {
    return MISSING
  }
}

/** JSON with object keys sorted: the same value reads the same whatever the key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value) =>
    isObject(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  )
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16)
}
