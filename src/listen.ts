/**
 * Opening a port, with the failures a user can cause turned into catalogue errors: a port in
 * use, a port below 1024 without the capability, a host that does not resolve or is not an
 * address of this machine. They used to end start-up with exit 1 and a stack trace (issue 10);
 * now they stop it like a bad config value: exit 2, naming the key and what to do.
 */
import type { FastifyInstance } from 'fastify'
import { MiffyError } from './errors.ts'

const WHY: Record<string, string> = {
  EADDRINUSE: 'the port is in use by another process',
  EACCES: 'not permitted (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
  EPERM: 'not permitted',
  EADDRNOTAVAIL: 'the host is not an address of this machine',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (temporary DNS failure)',
  EAI_NONAME: 'the host name does not resolve',
}

/** The address a listening Fastify server got, as `host:port`. */
export function addressOf(server: FastifyInstance): string {
  const a = server.server.address()
  return typeof a === 'object' && a ? `${a.address}:${a.port}` : String(a)
}

export async function listenOrExplain(
  server: FastifyInstance,
  key: 'port' | 'management_port',
  port: number,
  host: string,
): Promise<void> {
  try {
    await server.listen({ port, host })
  } catch (cause) {
    throw listenError(cause, key, port, host)
  }
}

export function listenError(cause: unknown, key: string, port: number, host: string): MiffyError {
  const code = (cause as { code?: unknown }).code
  const why = (typeof code === 'string' && WHY[code]) || (cause as Error).message
  const hostKey = key === 'port' ? 'host' : 'management_host'
  return new MiffyError(
    'MIFFY_ERR_LISTEN',
    `cannot listen on ${hostKey} = ${JSON.stringify(host)}, ${key} = ${port}: ${why}${typeof code === 'string' ? ` (${code})` : ''}`,
    { cause },
  )
}
