/**
 * The shadow-test pair: the message published for every divergence.
 *
 * The shape is the Rust miffy 1.0 topic format (`request`, `reference`, `candidate`, each response
 * `{ status, headers, body }` or `{ error }`, bodies tagged `json` / `bytes` / null). Consumers of
 * that topic must keep working, so fields here may be added, never renamed or removed.
 */

/** A body as it appears on the topic: parsed JSON, base64 bytes, or null when empty. */
export type BodyRepr = { type: 'json'; value: unknown } | { type: 'bytes'; value: string } | null

/** Response headers as serialised by the Rust miffy (http_serde): one string, or a list when repeated. */
export type HeaderRepr = Record<string, string | string[]>

/**
 * A failed leg on the topic: `error` is the Rust miffy 1.0's word (`request`: no complete response
 * head; `body`: the head came, the body failed; `uri`: the upstream URL was invalid), so consumers
 * that switch on it keep working. `error_detail` (additive) says more: `connection`, `timeout`,
 * `reset`, `invalid_response` or `error`.
 */
export type FailedResponseRepr = { error: 'request' | 'body' | 'uri'; error_detail?: string }

export type ResponseRepr = { status: number; headers: HeaderRepr; body: BodyRepr } | FailedResponseRepr

/** One leg (reference or candidate) as captured by the shadow dispatcher, before representation. */
export type LegResult =
  | {
      ok: true
      status: number
      /** lower-case names; repeated headers as arrays */
      headers: HeaderRepr
      /** the body as received on the wire (possibly content-encoded) */
      body: Buffer
      durationMs: number
    }
  | {
      ok: false
      /** a short stable word: `timeout`, `connection`, `reset`, `invalid_response`, `body_too_large`, ... */
      error: string
      /**
       * (additive) `body` when the failure came after the response head (status and headers), so
       * the topic says `body` as the Rust miffy did; absent or `request`: before it
       */
      phase?: 'request' | 'body'
      durationMs: number
    }

export interface RequestRepr {
  method: string
  /** path and query as the client sent them */
  uri: string
  /** the route pattern that matched (`/api/{value}`) */
  route: string
  params: Record<string, string>
  headers: HeaderRepr
  body: BodyRepr
}

export interface JsonPathDifference {
  /** JSONPath of the differing node: `$.items[3].id`; `$` for the root */
  path: string
  /** absent when the node is missing on that side */
  reference?: unknown
  candidate?: unknown
}

/** What differs, structured. Additive field `divergence` on the topic message. */
export interface Divergence {
  status?: { reference: number; candidate: number }
  /** names of compared headers whose values differ */
  headers?: string[]
  body?: {
    kind: 'json' | 'bytes'
    /** for json: differing paths (capped); for bytes: empty */
    paths: JsonPathDifference[]
    /** true when more paths differed than were listed */
    truncated: boolean
    /**
     * (additive) set when a side's body could not be decoded (`content-encoding`), so only its
     * wire bytes could be compared: `too_large`, `corrupt` or `unsupported_encoding`
     */
    decodeError?: { reference?: string; candidate?: string }
  }
  /** a leg that failed: its error word */
  error?: { reference?: string; candidate?: string }
  /** stable hash of route + kind of difference; same kind of difference → same fingerprint */
  fingerprint: string
}

export interface PairMessage {
  /** unique id of this pair (additive) */
  id: string
  /** ISO-8601 time the request arrived (additive) */
  timestamp: string
  request: RequestRepr
  reference: { url: string; response: ResponseRepr; duration_ms?: number }
  candidate: { url: string; response: ResponseRepr; duration_ms?: number }
  divergence?: Divergence
}
