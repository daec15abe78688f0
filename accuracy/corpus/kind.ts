/**
 * An endpoint kind: the request a client sends it, the reference code that answers it (run by
 * every node), and the regressions a candidate may ship. A regression is a named variant of the
 * same code (`bug`), applied only by the regressed node, and it must change every answer: the
 * server replays each regressed answer without its bug and counts it as a corpus error if the
 * two are the same (corpus/server.ts).
 */
import type { Ctx, Incoming, Reply } from './node.ts'
import type { Rand } from './random.ts'

export interface ClientRequest {
  method: string
  /** path and query after the route prefix, e.g. `/products/17?lang=en` */
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface Kind {
  /** kebab-case; also the route segment (`/eq/<name>/...`) */
  name: string
  /** for the report: JSON API, auth, HTML, CSV, text, XML, ... */
  family: string
  /** what makes two equal nodes' answers differ, for a reader of the report */
  noise: string
  /** the i-th request of a run; `r` is the client's randomness */
  request(i: number, r: Rand): ClientRequest
  /** the reference code; `bug` names the regression a regressed node ships, else undefined */
  respond(req: Incoming, ctx: Ctx, bug: string | undefined): Reply
  /** regression name → what the regressed candidate gets wrong */
  regressions: Readonly<Record<string, string>>
}

/** Numbers beyond 2^53 travel as JSON text, never through a double. */
export class BigJson {
  readonly digits: string
  constructor(digits: string) {
    this.digits = digits
  }
}

/** JSON text with BigJson values written as bare integers. */
export function jsonText(value: unknown, indent?: number): string {
  const marks: string[] = []
  const text = JSON.stringify(
    value,
    (_k, v) => {
      if (v instanceof BigJson) {
        marks.push(v.digits)
        return `\u0000big${marks.length - 1}\u0000`
      }
      return v
    },
    indent,
  )
  return text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]!)
}

export function json(value: unknown, status = 200, headers?: Record<string, string | string[]>): Reply {
  const reply: Reply = { status, type: 'application/json', body: jsonText(value) }
  if (headers) reply.headers = headers
  return reply
}

export function text(
  type: string,
  body: string,
  status = 200,
  headers?: Record<string, string | string[]>,
): Reply {
  const reply: Reply = { status, type, body }
  if (headers) reply.headers = headers
  return reply
}

/** Escapes text for HTML and XML element content and attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** An answer no CDN may keep: the node adds no ETag, X-Cache or Age to it. */
export function uncached(reply: Reply): Reply {
  reply.cache = false
  return reply
}
