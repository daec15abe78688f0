/**
 * Sends bytes exactly as given over a fresh TCP connection and returns what came back, parsed
 * just enough to assert on: for request targets and headers that HTTP clients refuse to send.
 */
import { connect } from 'node:net'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export function rawRequest(base: string, text: string, timeoutMs = 5000): Promise<RawResponse> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no complete answer within ${timeoutMs} ms: ${Buffer.concat(chunks).toString()}`))
    }, timeoutMs)
    socket.on('data', (c) => {
      chunks.push(c)
      const parsed = parse(Buffer.concat(chunks).toString('latin1'))
      if (parsed) {
        clearTimeout(timer)
        socket.destroy()
        resolve(parsed)
      }
    })
    socket.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.write(text)
  })
}

function parse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  // 1xx informational answers (100 Continue) precede the real one
  if (/^HTTP\/1\.[01] 1\d\d /.test(text)) return parse(text.slice(end + 4))
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const l of lines) {
    const i = l.indexOf(':')
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim()
  }
  const body = text.slice(end + 4)
  const length = headers['content-length']
  if (length !== undefined && Buffer.byteLength(body, 'latin1') < Number(length)) return undefined
  if (length === undefined && headers['transfer-encoding'] === 'chunked' && !body.endsWith('0\r\n\r\n'))
    return undefined
  return { status: Number(statusLine!.split(' ')[1]), headers, body }
}
