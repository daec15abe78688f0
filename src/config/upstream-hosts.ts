/**
 * Which upstreams get their own `Host` (`host_header = "upstream"`) rather than the client's, as
 * a set of origins per side: the reference side (the default reference and routes' own) and the
 * shadow side (candidates and secondaries), which have separate dispatchers.
 *
 * undici's dispatch sees an origin and a path, not which configured upstream a request is for, so
 * the choice is made per origin; two upstreams on one origin that disagree are a config error
 * (reported with the other config errors, so a reload that introduces one is refused too).
 */
import type { z } from 'zod'
import type { HostHeader, MiffyConfig, UpstreamConfig } from './schema.ts'

export type Side = 'reference' | 'shadow'

interface Placed {
  /** where it is configured: `reference`, `routes[2].candidate[1]` */
  key: (string | number)[]
  url: string
  origin: string
  hostHeader: HostHeader
}

function placed(config: MiffyConfig, side: Side): Placed[] {
  const out: Placed[] = []
  const add = (key: (string | number)[], u: UpstreamConfig | string | undefined) => {
    if (u === undefined) return
    const url = typeof u === 'string' ? u : u.url
    const own = typeof u === 'string' ? undefined : u.host_header
    out.push({ key, url, origin: new URL(url).origin, hostHeader: own ?? config.host_header })
  }
  if (side === 'reference') {
    add(['reference'], config.reference)
    for (const [i, r] of config.routes.entries()) add(['routes', i, 'reference'], r.reference)
  } else {
    for (const [j, c] of config.candidate.entries()) add(['candidate', j], c)
    add(['secondary'], config.secondary)
    for (const [i, r] of config.routes.entries()) {
      for (const [j, c] of (r.candidate ?? []).entries()) add(['routes', i, 'candidate', j], c)
      add(['routes', i, 'secondary'], r.secondary)
    }
  }
  return out
}

/** The origins of one side that are sent their own `Host`. */
export function ownHostOrigins(config: MiffyConfig, side: Side): Set<string> {
  return new Set(
    placed(config, side)
      .filter((p) => p.hostHeader === 'upstream')
      .map((p) => p.origin),
  )
}

/** Whether two configs send the same origins their own `Host` on this side (a reload keeps the dispatcher). */
export function sameOwnHost(a: MiffyConfig, b: MiffyConfig, side: Side): boolean {
  const x = ownHostOrigins(a, side)
  const y = ownHostOrigins(b, side)
  return x.size === y.size && [...x].every((o) => y.has(o))
}

/** One issue per upstream whose `host_header` disagrees with an earlier one on the same origin. */
export function hostHeaderConflicts(config: MiffyConfig): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = []
  for (const side of ['reference', 'shadow'] as const) {
    const seen = new Map<string, Placed>()
    for (const p of placed(config, side)) {
      const first = seen.get(p.origin)
      if (!first) {
        seen.set(p.origin, p)
        continue
      }
      if (first.hostHeader === p.hostHeader) continue
      issues.push({
        code: 'custom',
        path: p.key,
        input: p.url,
        message:
          `gets host_header = "${p.hostHeader}" but ${keyText(first.key)} = "${first.url}" on the same origin ` +
          `gets "${first.hostHeader}"; the Host is chosen per origin (${p.origin}), so give both the same host_header`,
      })
    }
  }
  return issues
}

function keyText(key: readonly (string | number)[]): string {
  return key.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k),
    '',
  )
}
