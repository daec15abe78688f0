/**
 * What the compatibility suite sends, and what the upstreams answer: one config and one request
 * set, run through the Rust miffy 1.0.1 and through miffy. Each scenario has its own request
 * target (that is how topic messages are matched to scenarios: the Rust miffy's messages carry
 * no request headers) and its own answers; every request also carries `x-compat-case: <id>`, which
 * is how the recording upstreams know which scenario a request belongs to.
 */
import { gzipSync } from 'node:zlib'

/** Which recording upstream: the default pair, or the pair a route names for itself. */
export type UpstreamName = 'reference' | 'candidate' | 'route-reference' | 'route-candidate'
export type Role = 'reference' | 'candidate'

export interface Answer {
  status?: number
  /** header lines in order; repeated names are sent as separate lines */
  headers?: [string, string][]
  body?: string | Buffer
  /**
   * `length` (default): Content-Length; `chunked`: Transfer-Encoding: chunked; `reset`: the
   * connection is destroyed before any answer; `cut`: the head and half the body, then destroyed
   */
  framing?: 'length' | 'chunked' | 'reset' | 'cut'
}

/** What an upstream answers: fixed, or computed from the request it got (to echo a header). */
export type AnswerSpec =
  | Answer
  | ((received: { headers: Record<string, string | string[] | undefined> }) => Answer)

export interface ScenarioRequest {
  method: string
  /** the request target exactly as written on the request line */
  target: string
  /** header lines after Host; `x-compat-case` is added */
  headers?: [string, string][]
  body?: string | Buffer
  /** send the body with Transfer-Encoding: chunked instead of Content-Length */
  chunked?: boolean
  /** `HTTP/1.0` sends no Host header */
  version?: '1.1' | '1.0'
}

export interface Scenario {
  id: string
  /** what it covers, for the report */
  covers: string
  request: ScenarioRequest
  /** the default upstreams answer `{"case": id}` as JSON: equal */
  reference?: AnswerSpec
  candidate?: AnswerSpec
  /** the management port instead of the proxy */
  management?: boolean
}

/** A process-level scenario: how each implementation starts or stops. */
export interface ProcessScenario {
  id: string
  covers: string
  /** the config file, or `shutdown` for SIGTERM on the running proxy of the main run */
  config?: (ports: UpstreamPorts & { topic: string; brokers: string }) => string
}

/** The Host every request names (unless HTTP/1.0): both implementations must pass it on alike. */
export const CLIENT_HOST = 'shop.example'

export interface UpstreamPorts {
  reference: number
  candidate: number
  'route-reference': number
  'route-candidate': number
  /** nothing listens there */
  dead: number
}

/**
 * The config both implementations run, in the Rust miffy 1.0 format (nothing miffy-only in it:
 * the point is a drop-in). Only the listening ports and the topic differ between the two runs.
 */
export function configToml(
  p: UpstreamPorts & { port: number; management: number; topic: string; brokers: string },
): string {
  const url = (port: number) => `"http://127.0.0.1:${port}"`
  return `# written by compat/scenarios.ts
port = ${p.port}
management_port = ${p.management}
logging = "json"
reference = ${url(p.reference)}
candidate = ${url(p.candidate)}
routes = [
  { path = "/api/{value}", key = "value" },
  { path = "/static/{id}", key = "static-name" },
  { path = "/plain/{id}" },
  { path = "/files/{*rest}", key = "rest" },
  { path = "/routed/{id}", reference = ${url(p['route-reference'])}, candidate = ${url(p['route-candidate'])} },
  { path = "/dead-candidate/{id}", candidate = ${url(p.dead)} },
  { path = "/dead-reference/{id}", reference = ${url(p.dead)} },
]

[kafka]
topic = "${p.topic}"
"bootstrap.servers" = "${p.brokers}"
`
}

const json = (value: unknown, status = 200, type = 'application/json'): Answer => ({
  status,
  headers: [['content-type', type]],
  body: typeof value === 'string' ? value : JSON.stringify(value),
})
const text = (body: string | Buffer, status = 200, type = 'text/plain'): Answer => ({
  status,
  headers: [['content-type', type]],
  body,
})

const BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
const LARGE_JSON = JSON.stringify(Array.from({ length: 12_000 }, (_, i) => ({ i, name: `item-${i}` })))
const LARGE_TEXT = 'abcdefghij'.repeat(20_000)
/** larger than miffy's max_body_bytes (1 MiB) and than librdkafka's message.max.bytes (1 MB) */
const OVER_CAP = 'x'.repeat(1_500_000)
const GET = (target: string, headers?: [string, string][]): ScenarioRequest => ({
  method: 'GET',
  target,
  ...(headers ? { headers } : {}),
})

export const SCENARIOS: Scenario[] = [
  // JSON
  {
    id: 'json-equal',
    covers: 'equal JSON bodies: not published',
    request: GET('/api/json-equal'),
    reference: json({ a: 1, b: [1, 2, 3], c: { d: null } }),
    candidate: json({ a: 1, b: [1, 2, 3], c: { d: null } }),
  },
  {
    id: 'json-differ',
    covers: 'differing JSON bodies: published, bodies as JSON values',
    request: GET('/api/json-differ'),
    reference: json({ v: 1, same: 'x' }),
    candidate: json({ v: 2, same: 'x' }),
  },
  {
    id: 'json-key-order',
    covers: 'JSON differing only in key order: equal',
    request: GET('/api/json-key-order'),
    reference: json('{"a":1,"b":2}'),
    candidate: json('{"b":2,"a":1}'),
  },
  {
    id: 'json-number-spelling',
    covers: 'JSON 1 vs 1.0',
    request: GET('/api/json-number'),
    reference: json('{"n":1}'),
    candidate: json('{"n":1.0}'),
  },
  {
    id: 'json-charset',
    covers: 'differing JSON as application/json; charset=utf-8',
    request: GET('/api/json-charset'),
    reference: json({ v: 1 }, 200, 'application/json; charset=utf-8'),
    candidate: json({ v: 2 }, 200, 'application/json; charset=utf-8'),
  },
  {
    id: 'problem-json',
    covers: 'differing application/problem+json, status 400 on both',
    request: GET('/api/problem'),
    reference: json({ title: 'a' }, 400, 'application/problem+json'),
    candidate: json({ title: 'b' }, 400, 'application/problem+json'),
  },
  {
    id: 'json-big-integers',
    covers: 'integers beyond 2^53 kept exact on the topic',
    request: GET('/api/big-int'),
    reference: json('{"id":12345678901234567890}'),
    candidate: json('{"id":12345678901234567891}'),
  },
  {
    id: 'content-type-only',
    covers: 'the same bytes as application/json and as text/plain',
    request: GET('/api/content-type-only'),
    reference: json('{"a":1}'),
    candidate: text('{"a":1}'),
  },
  // text, binary, empty
  {
    id: 'text-equal',
    covers: 'equal text bodies',
    request: GET('/api/text-equal'),
    reference: text('hello'),
    candidate: text('hello'),
  },
  {
    id: 'text-differ',
    covers: 'differing text bodies: published as bytes',
    request: GET('/api/text-differ'),
    reference: text('hello'),
    candidate: text('world'),
  },
  {
    id: 'binary-equal',
    covers: 'equal binary bodies',
    request: GET('/api/binary-equal'),
    reference: text(BYTES, 200, 'application/octet-stream'),
    candidate: text(BYTES, 200, 'application/octet-stream'),
  },
  {
    id: 'binary-differ',
    covers: 'differing binary bodies: published as base64',
    request: GET('/api/binary-differ'),
    reference: text(BYTES, 200, 'application/octet-stream'),
    candidate: text(Buffer.from(BYTES).reverse(), 200, 'application/octet-stream'),
  },
  {
    id: 'empty-equal',
    covers: 'empty bodies on both sides',
    request: GET('/api/empty-equal'),
    reference: text(''),
    candidate: text(''),
  },
  {
    id: 'no-content',
    covers: '204 on both sides',
    request: GET('/api/no-content'),
    reference: { status: 204 },
    candidate: { status: 204 },
  },
  {
    id: 'no-content-vs-ok',
    covers: '204 vs an empty 200: published, both bodies null',
    request: GET('/api/no-content-vs-ok'),
    reference: { status: 204 },
    candidate: text(''),
  },
  {
    id: 'empty-vs-body',
    covers: 'an empty body vs a non-empty one',
    request: GET('/api/empty-vs-body'),
    reference: text(''),
    candidate: text('x'),
  },
  // status
  {
    id: 'not-found-vs-ok',
    covers: '404 vs 200 with the same body',
    request: GET('/api/not-found'),
    reference: json({ same: true }, 404),
    candidate: json({ same: true }, 200),
  },
  {
    id: 'server-error-equal',
    covers: '500 on both sides, same body: equal',
    request: GET('/api/server-error'),
    reference: json({ error: 'boom' }, 500),
    candidate: json({ error: 'boom' }, 500),
  },
  // encodings and framing
  {
    id: 'gzip-vs-identity',
    covers: 'the same JSON gzip-encoded by the reference, identity by the candidate',
    request: GET('/api/gzip', [['accept-encoding', 'gzip']]),
    reference: {
      headers: [
        ['content-type', 'application/json'],
        ['content-encoding', 'gzip'],
      ],
      body: gzipSync('{"a":1}'),
    },
    candidate: json({ a: 1 }),
  },
  {
    id: 'chunked-response',
    covers: 'the same body chunked by the reference, with Content-Length by the candidate',
    request: GET('/api/chunked'),
    reference: { ...json({ a: 1 }), framing: 'chunked' },
    candidate: json({ a: 1 }),
  },
  {
    id: 'repeated-response-headers',
    covers: 'repeated response headers (Set-Cookie, X-Multi), differing bodies',
    request: GET('/api/repeated-headers'),
    reference: {
      headers: [
        ['content-type', 'application/json'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['x-multi', 'one'],
        ['x-multi', 'two'],
      ],
      body: '{"v":1}',
    },
    candidate: {
      headers: [
        ['content-type', 'application/json'],
        ['set-cookie', 'a=1'],
        ['x-multi', 'one'],
      ],
      body: '{"v":2}',
    },
  },
  // failures
  {
    id: 'dead-candidate',
    covers: 'a candidate that refuses connections',
    request: GET('/dead-candidate/1'),
  },
  {
    id: 'dead-reference',
    covers: 'a reference that refuses connections: the client gets 502',
    request: GET('/dead-reference/1'),
  },
  {
    id: 'candidate-reset',
    covers: 'a candidate that closes the connection without answering',
    request: GET('/api/candidate-reset'),
    candidate: { framing: 'reset' },
  },
  {
    id: 'candidate-cut',
    covers: 'a candidate that closes the connection halfway through its body',
    request: GET('/api/candidate-cut'),
    candidate: { ...text('0123456789'.repeat(100)), framing: 'cut' },
  },
  {
    id: 'reference-cut',
    covers: 'a reference that closes the connection halfway through its body',
    request: GET('/api/reference-cut'),
    reference: { ...text('0123456789'.repeat(100)), framing: 'cut' },
  },
  // large bodies
  {
    id: 'large-equal',
    covers: 'equal ~300 KB JSON bodies',
    request: GET('/api/large-equal'),
    reference: json(LARGE_JSON),
    candidate: json(LARGE_JSON),
  },
  {
    id: 'large-differ',
    covers: '200 KB text bodies differing in the last byte: published',
    request: GET('/api/large-differ'),
    reference: text(LARGE_TEXT),
    candidate: text(`${LARGE_TEXT.slice(0, -1)}!`),
  },
  {
    id: 'over-cap',
    covers: '1.5 MB bodies that differ: above the message size limit',
    request: GET('/api/over-cap'),
    reference: text(OVER_CAP),
    candidate: text(`${OVER_CAP.slice(0, -1)}!`),
  },
  {
    id: 'large-request-body',
    covers: 'a 1.5 MB POST body',
    request: {
      method: 'POST',
      target: '/api/large-post',
      headers: [['content-type', 'text/plain']],
      body: OVER_CAP,
    },
  },
  // requests: query strings, methods, bodies
  {
    id: 'query-string',
    covers: 'a query string with repeats, empty values and escapes',
    request: GET('/api/query?b=2&a=1&a=3&empty=&enc=a%20b+c%2F'),
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'post-json',
    covers: 'a POST with a JSON body: request.body as JSON',
    request: {
      method: 'POST',
      target: '/api/post-json',
      headers: [['content-type', 'application/json']],
      body: '{"x":1,"y":[true,null]}',
    },
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'post-text',
    covers: 'a POST with a text body: request.body as bytes',
    request: {
      method: 'POST',
      target: '/api/post-text',
      headers: [['content-type', 'text/plain']],
      body: 'plain',
    },
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'post-accept-json',
    covers: 'a POST of JSON text as text/plain with Accept: application/json',
    request: {
      method: 'POST',
      target: '/api/post-accept',
      headers: [
        ['content-type', 'text/plain'],
        ['accept', 'application/json'],
      ],
      body: '{"x":1}',
    },
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'put-chunked',
    covers: 'a PUT whose body is sent chunked',
    request: {
      method: 'PUT',
      target: '/api/put-chunked',
      headers: [['content-type', 'application/json']],
      body: '{"chunked":true}',
      chunked: true,
    },
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'delete',
    covers: 'a DELETE is mirrored too',
    request: { method: 'DELETE', target: '/api/delete' },
    reference: { status: 204 },
    candidate: json({ deleted: false }, 409),
  },
  {
    id: 'expect-continue',
    covers: 'a POST with Expect: 100-continue',
    request: {
      method: 'POST',
      target: '/api/expect',
      headers: [
        ['content-type', 'application/json'],
        ['expect', '100-continue'],
      ],
      body: '{"e":1}',
    },
  },
  // routes, params and keys
  {
    id: 'param-encoded',
    covers: 'a route parameter with a percent-escape: params and key keep it',
    request: GET('/api/hello%20world'),
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'param-unicode',
    covers: 'a route parameter with escaped UTF-8',
    request: GET('/api/caf%C3%A9'),
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'catch-all',
    covers: 'a catch-all parameter with an escaped slash, keyed by it',
    request: GET('/files/docs/a%2Fb/read%20me.txt'),
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'static-key',
    covers: 'a route with a static key',
    request: GET('/static/7'),
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'default-key',
    covers: 'a route without key: keyed by the route pattern',
    request: GET('/plain/9'),
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'per-route-upstreams',
    covers: 'a route with its own reference and candidate',
    request: GET('/routed/1'),
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  // headers and request targets
  {
    id: 'host-header',
    covers: 'the client Host reaches both upstreams (they echo it: equal)',
    request: GET('/api/host'),
    reference: (r) => json({ host: r.headers.host }),
    candidate: (r) => json({ host: r.headers.host }),
  },
  {
    id: 'repeated-request-headers',
    covers: 'repeated request header lines (X-Multi, Cookie, Accept)',
    request: GET('/api/repeated-request', [
      ['x-multi', 'a'],
      ['x-multi', 'b'],
      ['cookie', 'a=1'],
      ['cookie', 'b=2'],
      ['accept', 'text/html'],
      ['accept', 'application/json'],
    ]),
  },
  {
    id: 'hop-by-hop-request',
    covers: 'hop-by-hop request headers: Connection-named, TE, Keep-Alive',
    request: GET('/api/hop', [
      ['connection', 'keep-alive, x-hop'],
      ['x-hop', '1'],
      ['te', 'trailers'],
      ['keep-alive', 'timeout=5'],
    ]),
  },
  {
    id: 'role-header-spoof',
    covers: 'a client-sent X-Shadow-Test-Role is replaced on both legs',
    request: GET('/api/role', [['x-shadow-test-role', 'candidate']]),
  },
  {
    id: 'traceparent-valid',
    covers: 'a valid W3C traceparent and tracestate: passed on unchanged',
    request: GET('/api/trace-valid', [
      ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
      ['tracestate', 'vendor=abc'],
    ]),
  },
  {
    id: 'traceparent-invalid',
    covers: 'an invalid traceparent (upper-case hex) with a tracestate',
    request: GET('/api/trace-invalid', [
      ['traceparent', '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01'],
      ['tracestate', 'vendor=abc'],
    ]),
  },
  {
    id: 'absolute-form',
    covers: 'an absolute-form request target naming another host',
    request: GET('http://other.example/api/absolute?q=1'),
    reference: json({ v: 1 }),
    candidate: json({ v: 2 }),
  },
  {
    id: 'dot-segment',
    covers: 'a path with a ".." segment',
    request: GET('/files/a/../b'),
  },
  {
    id: 'encoded-dot-segment',
    covers: 'a path with a percent-encoded ".." segment',
    request: GET('/api/%2e%2e'),
  },
  {
    id: 'malformed-escape',
    covers: 'a path with a malformed percent-escape',
    request: GET('/api/bad%zz'),
  },
  {
    id: 'head',
    covers: 'a HEAD request, mirrored',
    request: { method: 'HEAD', target: '/api/head' },
  },
  {
    id: 'http10-no-host',
    covers: 'an HTTP/1.0 request without Host',
    request: { method: 'GET', target: '/api/http10', version: '1.0' },
    reference: (r) => json({ host: r.headers.host }),
    candidate: (r) => json({ host: r.headers.host }),
  },
  {
    id: 'passthrough',
    covers: 'a path outside every route: proxied to the reference only',
    request: GET('/outside/page?x=1'),
  },
  {
    id: 'passthrough-post',
    covers: 'a POST outside every route',
    request: {
      method: 'POST',
      target: '/outside/form',
      headers: [['content-type', 'text/plain']],
      body: 'data',
    },
  },
  // the management port
  {
    id: 'healthz',
    covers: 'GET /healthz on the management port',
    request: GET('/healthz'),
    management: true,
  },
]

/** Sent last: once its message is on the topic, every earlier one has had its chance. */
export const SENTINEL: Scenario = {
  id: 'sentinel',
  covers: 'the last request of a run (its message marks the end)',
  request: GET('/api/zz-sentinel'),
  reference: json({ v: 1 }),
  candidate: json({ v: 2 }),
}

export const PROCESS_SCENARIOS: ProcessScenario[] = [
  { id: 'shutdown', covers: 'SIGTERM after the run: exit status' },
  {
    id: 'invalid-route',
    covers: 'a config with an invalid route pattern: refused at start-up',
    config: (p) =>
      `reference = "http://127.0.0.1:${p.reference}"\ncandidate = "http://127.0.0.1:${p.candidate}"\nroutes = [{ path = "/api/{value" }]\n`,
  },
  {
    id: 'missing-upstreams',
    covers: 'a config without reference and candidate: refused at start-up',
    config: () => 'routes = [{ path = "/api/{value}" }]\n',
  },
]
