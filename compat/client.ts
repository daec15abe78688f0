/**
 * The client of the suite: writes a request byte for byte on a fresh TCP connection (so it can
 * send absolute-form targets, malformed escapes, repeated headers and HTTP/1.0, which HTTP client
 * libraries refuse or rewrite) and reads the answer with its header lines as they came.
 */
import { connect } from 'node:net'
import { CASE_HEADER } from './recorder.ts'
import { CLIENT_HOST, type Scenario } from './scenarios.ts'

export interface ClientResponse {
  status: number
  /** header lines as received: [lower-case name, value][] */
  headers: [string, string][]
  body: Buffer
  /** the answer could not be read completely: why */
  error?: string
}

const TIMEOUT_MS = 15_000

export function requestBytes(s: Scenario): Buffer {
  const r = s.request
  const version = r.version ?? '1.1'
  const lines = [`${r.method} ${r.target} HTTP/${version}`]
  if (version === '1.1') lines.push(`Host: ${CLIENT_HOST}`)
  lines.push('User-Agent: miffy-compat/1', `${CASE_HEADER}: ${s.id}`)
  for (const [name, value] of r.headers ?? []) lines.push(`${name}: ${value}`)
  const body = r.body === undefined ? undefined : Buffer.from(r.body)
  if (body && r.chunked) lines.push('Transfer-Encoding: chunked')
  else if (body) lines.push(`Content-Length: ${body.length}`)
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
  if (!body) return head
  if (!r.chunked) return Buffer.concat([head, body])
  const half = body.length >> 1
  const chunk = (b: Buffer) =>
    Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')])
  return Buffer.concat([
    head,
    chunk(body.subarray(0, half)),
    chunk(body.subarray(half)),
    Buffer.from('0\r\n\r\n'),
  ])
}

/** Sends the scenario's request to `port` on 127.0.0.1 and reads one answer. */
export function send(port: number, s: Scenario): Promise<ClientResponse> {
  const bytes = requestBytes(s)
  const head = s.request.method === 'HEAD'
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let buffered = Buffer.alloc(0)
    let done = false
    const finish = (r: ClientResponse) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(r)
    }
    const timer = setTimeout(() => finish(partial(buffered, 'no complete answer in 15 s')), TIMEOUT_MS)
    socket.on('data', (c: Buffer) => {
      buffered = Buffer.concat([buffered, c])
      const r = parse(buffered, head, false)
      if (r) finish(r)
    })
    const closed = () => finish(parse(buffered, head, true) ?? partial(buffered, 'connection closed early'))
    socket.on('end', closed)
    socket.on('close', closed)
    socket.on('error', (err) => finish(partial(buffered, `socket error: ${err.message}`)))
    socket.write(bytes)
  })
}

/** What came before the connection failed: the head, if any, and the body bytes so far. */
function partial(buffered: Buffer, error: string): ClientResponse {
  const r = parseHead(buffered)
  if (!r) return { status: 0, headers: [], body: Buffer.alloc(0), error }
  return { status: r.status, headers: r.headers, body: buffered.subarray(r.end), error }
}

function parseHead(buf: Buffer): { status: number; headers: [string, string][]; end: number } | undefined {
  let start = 0
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', start)
    if (end < 0) return undefined
    const text = buf.subarray(start, end).toString('latin1')
    const [statusLine, ...lines] = text.split('\r\n')
    const status = Number(statusLine!.split(' ')[1])
    // 1xx answers (100 Continue) come before the real one
    if (status >= 100 && status < 200) {
      start = end + 4
      continue
    }
    const headers: [string, string][] = lines.map((l) => {
      const i = l.indexOf(':')
      return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]
    })
    return { status, headers, end: end + 4 }
  }
}

/** A complete answer, or undefined while more bytes are needed. */
function parse(buf: Buffer, head: boolean, closed: boolean): ClientResponse | undefined {
  const h = parseHead(buf)
  if (!h) return undefined
  const rest = buf.subarray(h.end)
  const get = (name: string) => h.headers.find(([n]) => n === name)?.[1]
  if (head || h.status === 204 || h.status === 304)
    return { status: h.status, headers: h.headers, body: Buffer.alloc(0) }
  if (get('transfer-encoding')?.toLowerCase().includes('chunked')) {
    const body = dechunk(rest)
    return body ? { status: h.status, headers: h.headers, body } : undefined
  }
  const length = get('content-length')
  if (length !== undefined) {
    const n = Number(length)
    return rest.length >= n ? { status: h.status, headers: h.headers, body: rest.subarray(0, n) } : undefined
  }
  return closed ? { status: h.status, headers: h.headers, body: rest } : undefined
}

function dechunk(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = []
  let pos = 0
  for (;;) {
    const eol = buf.indexOf('\r\n', pos)
    if (eol < 0) return undefined
    const size = Number.parseInt(buf.subarray(pos, eol).toString('latin1').split(';')[0]!, 16)
    if (Number.isNaN(size)) return undefined
    // the last chunk, then (no trailers) an empty line
    if (size === 0) return buf.length >= eol + 4 ? Buffer.concat(parts) : undefined
    if (buf.length < eol + 2 + size + 2) return undefined
    parts.push(buf.subarray(eol + 2, eol + 2 + size))
    pos = eol + 2 + size + 2
  }
}
