/**
 * `miffy replay ID`: is a stored difference real, or noise? It fetches the pair from the
 * management port (GET /divergences/ID), sends its request again to the reference and the
 * candidate (and the secondary when the pair names one) N times, and says per difference
 * whether it is stable, flaky or gone (src/cli/replay-verdict.ts).
 *
 * Safe by default: only GET, HEAD and OPTIONS are replayed unless --unsafe is given (a replayed
 * POST runs its side effects again, N times, on both services). Header values miffy redacted
 * before storing the pair (`[REDACTED]`) are not replayed: they are dropped, and the output says
 * so (the upstreams may then answer 401).
 */
import { type Dispatcher, request } from 'undici'
import { MiffyError } from '../errors.ts'
import { type Command, integerOption, parseCommand, usage } from './command.ts'
import { type Answer, type AspectResult, aspectsOf, judge } from './replay-verdict.ts'
import { textTable } from './text-table.ts'

const help = `usage: miffy replay ID [--management URL] [--token TOKEN] [--times N] [--unsafe]
                    [--timeout MS] [--json]

Fetches the stored pair ID from miffy's management port (GET /divergences/ID; ids are in
GET /divergences and in miffy diffs), sends its request again to the reference and to the
candidate (and to the secondary when the pair names one), N times each, and says for each
difference the pair recorded:
  stable   each side answers the same every time, and the two still differ: a real difference
  flaky    a side answers differently between its own calls: noise, not necessarily a bug
  gone     each side answers the same every time, and now they agree

The request goes to the URLs stored in the pair, with the role header miffy sends
(X-Shadow-Test-Role: reference / candidate). Only GET, HEAD and OPTIONS are replayed unless
--unsafe is given. Header values redacted in the stored pair ([REDACTED]) cannot be replayed:
they are dropped, and the output says which.

options:
  --management URL   miffy's management port (default: http://127.0.0.1:9000)
  --token TOKEN      bearer token for the management port (default: MIFFY_MANAGEMENT_TOKEN)
  --times N          calls per side (default 5)
  --unsafe           also replay methods other than GET, HEAD and OPTIONS
  --timeout MS       per call (default 10000)
  --json             print JSON: {id, method, uri, times, dropped_headers, paths: [...]}
  -h, --help         this help

Exit codes: 0 done (whatever the verdicts), 2 bad input, an unknown id (MIFFY_ERR_NOT_FOUND) or
an unsafe method (MIFFY_ERR_UNSAFE_METHOD), 1 the management port could not be used.
`

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])
/** Not replayed: hop-by-hop (RFC 9110 §7.6.1), and what the HTTP client sets itself. */
const NOT_SENT = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'x-shadow-test-role',
])
const REDACTED = '[REDACTED]'

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export const replay: Command = {
  name: 'replay',
  summary: 'send a stored pair again, N times: is each difference stable, flaky or gone?',
  help,
  async run(args) {
    const { values, positionals } = parseCommand(
      'replay',
      args,
      {
        management: { type: 'string' },
        token: { type: 'string' },
        times: { type: 'string' },
        unsafe: { type: 'boolean' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    )
    if (positionals.length !== 1) throw usage('replay', 'expected one divergence ID')
    const id = positionals[0]!
    const times = integerOption('replay', 'times', values.times, 1) ?? 5
    const timeout = integerOption('replay', 'timeout', values.timeout, 1) ?? 10_000
    const management = (values.management ?? 'http://127.0.0.1:9000').replace(/\/+$/, '')
    if (!/^https?:\/\/[^/]/.test(management))
      throw usage('replay', `--management ${JSON.stringify(management)}: expected an http:// or https:// URL`)
    const token = values.token ?? process.env.MIFFY_MANAGEMENT_TOKEN

    const message = await fetchPair(management, id, token)
    const req = isObject(message.request) ? message.request : {}
    const method = String(req.method ?? 'GET').toUpperCase()
    const uri = String(req.uri ?? '')
    if (!SAFE.has(method) && !values.unsafe)
      throw new MiffyError(
        'MIFFY_ERR_UNSAFE_METHOD',
        `pair ${id} is a ${method} request: replaying it runs its side effects again (${times} times on each side); add --unsafe to do it anyway`,
      )
    const targets = {
      reference: legUrl(message, 'reference', id),
      candidate: legUrl(message, 'candidate', id),
      secondary: isObject(message.secondary) ? legUrl(message, 'secondary', id) : undefined,
    }
    const { headers, dropped } = replayHeaders(req.headers)
    const body = requestBody(req.body)

    const answers: { reference: Answer[]; candidate: Answer[]; secondary?: Answer[] } = {
      reference: [],
      candidate: [],
      ...(targets.secondary ? { secondary: [] } : {}),
    }
    for (let i = 0; i < times; i++) {
      // both sides at once, as miffy sends them
      const [r, c, s] = await Promise.all([
        call(targets.reference, method, headers, body, 'reference', timeout),
        call(targets.candidate, method, headers, body, 'candidate', timeout),
        // a second instance of the reference, so it is asked as the reference
        targets.secondary ? call(targets.secondary, method, headers, body, 'reference', timeout) : undefined,
      ])
      answers.reference.push(r)
      answers.candidate.push(c)
      if (s) answers.secondary!.push(s)
    }
    const results = judge(aspectsOf(message), answers)

    if (values.json) {
      const out = { id, method, uri, times, targets, dropped_headers: dropped, paths: results }
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
    } else {
      process.stdout.write(render(id, method, uri, String(req.route ?? ''), times, targets, dropped, results))
    }
    return 0
  },
}

async function fetchPair(management: string, id: string, token: string | undefined): Promise<Json> {
  const url = `${management}/divergences/${encodeURIComponent(id)}`
  let res: Dispatcher.ResponseData
  try {
    res = await request(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  } catch (err) {
    throw new MiffyError('MIFFY_ERR_MANAGEMENT', `cannot reach ${url}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  const text = await res.body.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (res.statusCode === 404 && isObject(body) && body.error === 'not_found')
    throw new MiffyError(
      'MIFFY_ERR_NOT_FOUND',
      `${typeof body.message === 'string' ? `${management}: ${body.message}` : `${management} has no stored divergence ${id}`}; each replica keeps only its own: ask the one that served the request`,
    )
  if (res.statusCode === 401 || res.statusCode === 403)
    throw new MiffyError(
      'MIFFY_ERR_MANAGEMENT',
      `${url} answered ${res.statusCode}: ${token ? 'the token was refused' : 'it wants a token: give --token or set MIFFY_MANAGEMENT_TOKEN'}`,
    )
  if (res.statusCode !== 200 || !isObject(body) || !isObject(body.request))
    throw new MiffyError('MIFFY_ERR_MANAGEMENT', `${url} answered ${res.statusCode}, not a stored pair`)
  return body
}

function legUrl(message: Json, leg: string, id: string): string {
  const side = message[leg]
  const url = isObject(side) ? side.url : undefined
  if (typeof url !== 'string' || !/^https?:\/\//.test(url))
    throw new MiffyError('MIFFY_ERR_MANAGEMENT', `pair ${id} has no ${leg} URL to replay to`)
  return url
}

function replayHeaders(stored: unknown): { headers: Record<string, string | string[]>; dropped: string[] } {
  const headers: Record<string, string | string[]> = {}
  const dropped: string[] = []
  for (const [name, value] of Object.entries(isObject(stored) ? stored : {})) {
    const lower = name.toLowerCase()
    if (NOT_SENT.has(lower)) continue
    const values = (Array.isArray(value) ? value : [value]).map(String)
    if (values.includes(REDACTED)) {
      dropped.push(lower)
      continue
    }
    headers[lower] = values.length === 1 ? values[0]! : values
  }
  return { headers, dropped }
}

/** The stored body as bytes: JSON is serialised again (the original bytes were not kept). */
function requestBody(stored: unknown): Buffer | undefined {
  if (!isObject(stored)) return undefined
  if (stored.type === 'json') return Buffer.from(JSON.stringify(stored.value))
  if (stored.type === 'bytes' && typeof stored.value === 'string') return Buffer.from(stored.value, 'base64')
  return undefined
}

async function call(
  url: string,
  method: string,
  headers: Record<string, string | string[]>,
  body: Buffer | undefined,
  role: string,
  timeout: number,
): Promise<Answer> {
  try {
    const res = await request(url, {
      method: method as Dispatcher.HttpMethod,
      headers: { ...headers, 'x-shadow-test-role': role },
      ...(body ? { body } : {}),
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
    })
    return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) }
  } catch (err) {
    const e = err as { name?: string; code?: string }
    const word =
      e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
        ? 'timeout'
        : e.code === 'ECONNREFUSED'
          ? 'connection'
          : e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET'
            ? 'reset'
            : 'error'
    return { error: word }
  }
}

const MAX_VALUE = 40

function shown(values: string[]): string {
  const cut = (v: string) => (v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v)
  if (values.length <= 2) return values.map(cut).join(' | ')
  return `${cut(values[0]!)} … (${values.length} values)`
}

function render(
  id: string,
  method: string,
  uri: string,
  route: string,
  times: number,
  targets: { reference: string; candidate: string; secondary: string | undefined },
  dropped: string[],
  results: AspectResult[],
): string {
  const lines = [
    `replayed ${id}: ${method} ${uri}${route ? ` (route ${route})` : ''}, ${times} time${times === 1 ? '' : 's'} each`,
    `  reference  ${targets.reference}`,
    `  candidate  ${targets.candidate}`,
  ]
  if (targets.secondary) lines.push(`  secondary  ${targets.secondary}`)
  if (dropped.length > 0)
    lines.push(
      `  not replayed: ${dropped.join(', ')} (redacted in the stored pair; the upstreams may answer differently)`,
    )
  lines.push('')
  const secondary = results.some((r) => r.secondary)
  const header = ['PATH', 'VERDICT', 'REFERENCE', ...(secondary ? ['SECONDARY'] : []), 'CANDIDATE']
  const rows = results.map((r) => [
    r.path,
    r.verdict,
    shown(r.reference),
    ...(secondary ? [shown(r.secondary ?? [])] : []),
    shown(r.candidate),
  ])
  lines.push(...textTable(header, rows))
  const count = (v: string) => results.filter((r) => r.verdict === v).length
  lines.push('', `${count('stable')} stable, ${count('flaky')} flaky, ${count('gone')} gone`)
  return `${lines.join('\n')}\n`
}
