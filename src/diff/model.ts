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
export type FailedResponseRepr = { error: string; error_detail?: string }

export type ResponseRepr =
  | {
      status: number
      headers: HeaderRepr
      body: BodyRepr
      /** (additive) a body over `max_body_bytes`: not kept (`body` is null), only hashed and measured */
      body_digest?: { sha256: string; bytes: number }
    }
  | FailedResponseRepr

/** One leg (reference or candidate) as captured by the shadow dispatcher, before representation. */
export type LegResult =
  | {
      ok: true
      status: number
      /** lower-case names; repeated headers as arrays */
      headers: HeaderRepr
      /** the body as received on the wire (possibly content-encoded); empty when `digest` is set */
      body: Buffer
      durationMs: number
      /**
       * Set when the body was larger than the cap: it was not kept, only hashed as it streamed
       * past (SHA-256 of the wire bytes, hex) and measured, so it can still be compared.
       */
      digest?: { sha256: string; bytes: number }
    }
  | {
      ok: false
      /** a short stable word: `timeout`, `connection`, `reset`, `invalid_response`, `memory`, ... */
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

/** How a location differs. */
export type Change =
  /** same type, another value */
  | 'value'
  /** another JSON type (null included) */
  | 'type'
  /** present in the reference only */
  | 'missing'
  /** present in the candidate only */
  | 'added'
  /** an array (or a run of text lines) of another length */
  | 'length'
  /** the same elements in another order */
  | 'order'

export interface JsonPathDifference {
  /**
   * Where: JSONPath of the differing node (`$.items[3].id`, `$` for the root), extended into
   * structured strings (`$.next<url>.query.cursor`, `$.token<jwt>.payload.sub`); `line 12 after
   * "Total:"` in a text body.
   */
  path: string
  /** absent when the node is missing on that side */
  reference?: unknown
  candidate?: unknown
  /** (additive) how it differs */
  change?: Change
  /** (additive) true when learned noise explains this difference */
  noise?: boolean
}

/** Marks the side on which a location does not exist. */
export const ABSENT: unique symbol = Symbol('absent')

/**
 * One difference between two responses, before it is shown: the comparison finds these, noise
 * learning counts them by `key`, noise explains (or not) each one.
 */
export interface Difference {
  area: 'status' | 'header' | 'body'
  /** concrete location, for people (see JsonPathDifference.path); header names as is */
  path: string
  /**
   * The location generalised, so the same place in another response has the same key: array
   * indices as `[*]`, id-like member names as `*`. Prefixed by area: `json $.items[*].price`,
   * `header cache-control max-age`, `text … Total :`.
   */
  key: string
  change: Change
  /** the values, or ABSENT; raw (bounded only when shown) */
  reference: unknown
  candidate: unknown
  /** the fingerprint's line for this difference (values never enter it) */
  fingerprint: string
}

/** What differs, structured. Additive field `divergence` on the topic message. */
export interface Divergence {
  status?: { reference: number; candidate: number }
  /** names of compared headers whose values differ (and noise does not explain) */
  headers?: string[]
  /** (additive) each differing part of a header, with whether noise explained it */
  header_paths?: JsonPathDifference[]
  body?: {
    /**
     * `json` (compared by value), `text` (by lines and tokens), `multipart` (part by part, each
     * part's body by its own content type: paths start with the part, `part[2] $.price`),
     * `bytes` (byte for byte), or `digest` (over `max_body_bytes`: compared by SHA-256 of the
     * wire bytes, `digest` set)
     */
    kind: 'json' | 'text' | 'multipart' | 'bytes' | 'digest'
    /** for json, text and multipart: differing locations (capped); for bytes and digest: empty */
    paths: JsonPathDifference[]
    /** true when more paths differed than were listed */
    truncated: boolean
    /**
     * (additive) set when a side's body could not be decoded (`content-encoding`), so only its
     * wire bytes could be compared: `too_large`, `corrupt` or `unsupported_encoding`
     */
    decodeError?: { reference?: string; candidate?: string }
    /** (additive) for kind `digest`: each side's SHA-256 (hex) and size in bytes */
    digest?: { reference: { sha256: string; bytes: number }; candidate: { sha256: string; bytes: number } }
  }
  /** a leg that failed: its error word */
  error?: { reference?: string; candidate?: string }
  /** stable hash of route + kind of difference; same kind of difference → same fingerprint */
  fingerprint: string
  /** (additive) differences that learned noise explains (listed with `noise: true`) */
  explained?: number
  /** (additive) set when every difference is explained by noise (outcome `noise`, published only with publish_noise) */
  noise_only?: true
}

export interface PairMessage {
  /** unique id of this pair (additive) */
  id: string
  /** ISO-8601 time the request arrived (additive) */
  timestamp: string
  /** W3C trace-id both legs were sent, incoming or started by miffy (additive) */
  trace_id?: string
  request: RequestRepr
  reference: { url: string; response: ResponseRepr; duration_ms?: number }
  candidate: { url: string; response: ResponseRepr; duration_ms?: number }
  divergence?: Divergence
}
