/**
 * The Node floor: the least a Node.js proxy on miffy's stack can do per request, as a yardstick
 * for miffy's own cost. A bare `node:http` server whose handler sends the request to the
 * reference with undici's `Dispatcher.dispatch` (the same agent settings as miffy's), streams the
 * answer to the client, and, with `--candidate`, sends the same request to the candidate and
 * compares the two bodies byte for byte. No routing, sampling, limits, budgets, metrics, header
 * filtering, JSON comparison or publishing: what is left is Node's HTTP server, undici's client
 * and the kernel's loopback, which no TypeScript proxy can avoid.
 *
 *   node bench/node-floor.ts --port N --reference URL [--candidate URL]
 *
 * Prints `{"msg":"node floor listening","port":N}` when ready.
 */
import { createServer, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Dispatcher } from 'undici'
import { upstreamAgent } from '../src/proxy/upstream.ts'
import { type Managed, serveUntilSignalled, startProcess, waitForPort } from './processes.ts'

interface Answer {
  status: number
  body: Buffer
}

function serve(port: number, reference: URL, candidate: URL | undefined): void {
  const refAgent = upstreamAgent(10_000)
  const candAgent = upstreamAgent(10_000)
  let equal = 0
  let differ = 0
  let failed = 0

  const call = (
    agent: Dispatcher,
    origin: URL,
    req: IncomingMessage,
    onHead?: (status: number, headers: OutgoingHttpHeaders) => void,
    onChunk?: (chunk: Buffer) => void,
  ) =>
    new Promise<Answer>((resolve, reject) => {
      const chunks: Buffer[] = []
      let status = 0
      agent.dispatch(
        {
          origin: origin.origin,
          path: req.url!,
          method: req.method as Dispatcher.HttpMethod,
          headers: { host: origin.host },
        },
        {
          // (undici tells the handler API apart by this method)
          onRequestStart() {},
          onResponseStart(_c, statusCode, headers) {
            status = statusCode
            onHead?.(statusCode, headers as OutgoingHttpHeaders)
          },
          onResponseData(_c, chunk) {
            chunks.push(chunk)
            onChunk?.(chunk)
          },
          onResponseEnd() {
            resolve({ status, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) })
          },
          onResponseError(_c, err) {
            reject(err)
          },
        },
      )
    })

  const server = createServer((req, res) => {
    if (req.url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ equal, differ, failed }))
      return
    }
    req.resume()
    const toCandidate = candidate ? call(candAgent, candidate, req) : undefined
    const fromReference = call(
      refAgent,
      reference,
      req,
      (status, headers) => {
        delete headers.connection
        delete headers['keep-alive']
        res.writeHead(status, headers)
      },
      (chunk) => res.write(chunk),
    ).then(
      (answer) => {
        res.end()
        return answer
      },
      (err) => {
        if (process.env.NODE_FLOOR_DEBUG) console.error(err)
        if (!res.headersSent) res.writeHead(502).end()
        else res.destroy()
        return undefined
      },
    )
    if (!toCandidate) return
    Promise.all([fromReference, toCandidate]).then(
      ([ref, cand]) => {
        if (ref && ref.status === cand.status && ref.body.equals(cand.body)) equal++
        else differ++
      },
      () => failed++,
    )
  })
  server.keepAliveTimeout = 60_000
  serveUntilSignalled(server, port, { msg: 'node floor listening' })
}

export interface NodeFloor {
  url: string
  proc: Managed
}

const SELF = fileURLToPath(import.meta.url)

export async function startNodeFloor(o: {
  port: number
  reference: string
  candidate: string | undefined
  dir: string
  /** extra node flags, e.g. --cpu-prof */
  nodeArgs?: string[]
}): Promise<NodeFloor> {
  const args = [...(o.nodeArgs ?? []), SELF, '--port', String(o.port), '--reference', o.reference]
  if (o.candidate) args.push('--candidate', o.candidate)
  const proc = startProcess(`node-floor-${o.port}`, process.execPath, args, {
    dir: o.dir,
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  })
  await waitForPort(o.port, 10_000, proc)
  return { url: `http://127.0.0.1:${o.port}`, proc }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      reference: { type: 'string' },
      candidate: { type: 'string' },
    },
  })
  if (!values.reference) {
    process.stderr.write('node-floor: --reference URL is required\n')
    process.exit(2)
  }
  serve(
    Number(values.port),
    new URL(values.reference),
    values.candidate ? new URL(values.candidate) : undefined,
  )
}
