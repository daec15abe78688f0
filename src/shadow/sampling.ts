/**
 * Which matching requests are mirrored. Uniform sampling uses Math.random; sticky sampling
 * (`sample_by`) hashes the chosen value with FNV-1a, so the same user/session/id is always in or
 * always out, on every replica and across restarts. The route is deliberately not part of the
 * hash: a value that is in at rate 0.1 stays in at 0.2 and on every route, so one user's whole
 * journey is mirrored together.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { SampleBy } from '../config/schema.ts'

/** 32-bit FNV-1a over the UTF-16 code units; stable, cheap, and good enough to spread ids. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** The value sticky sampling keys on, or undefined when the request does not carry it. */
export function stickyValue(
  by: SampleBy,
  headers: IncomingHttpHeaders,
  params: Record<string, string>,
  query: string,
): string | undefined {
  switch (by.kind) {
    case 'header': {
      const v = headers[by.name]
      return Array.isArray(v) ? v[0] : v
    }
    case 'param':
      // own properties only: a parameter named `constructor` must not find Object's
      return Object.hasOwn(params, by.name) ? params[by.name] : undefined
    case 'query':
      return new URLSearchParams(query).get(by.name) ?? undefined
    case 'cookie':
      return cookieValue(headers.cookie, by.name)
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * In or out. Without a sticky value (no `sample_by`, or the request lacks it) the decision is
 * uniform, so such requests are still sampled at the configured rate.
 */
export function isSampled(
  rate: number,
  sticky: string | undefined,
  random: () => number = Math.random,
): boolean {
  if (rate >= 1) return true
  if (rate <= 0) return false
  if (sticky === undefined) return random() < rate
  return fnv1a(sticky) / 0x1_0000_0000 < rate
}
