/** Error answers on the client's path: a status and a small JSON body, never a stack trace. */
import type { ServerResponse } from 'node:http'
import type { MiffyError } from '../errors.ts'
import { errorBody } from './upstream-errors.ts'

export function sendError(res: ServerResponse, err: MiffyError): void {
  if (res.headersSent) {
    // Part of the reference's answer is already on the wire: cutting the connection is the only
    // honest signal left (a 200 with a truncated body would look complete).
    res.destroy()
    return
  }
  const body = errorBody(err)
  res.writeHead(err.status ?? 500, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}
