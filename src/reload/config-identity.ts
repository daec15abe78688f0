/**
 * Which configuration is active: a short hash of the effective (merged, validated) config and
 * the time it was loaded, as /readyz reports them. Two processes given the same layers report
 * the same hash, so a fleet can be checked for drift; the hash changes when any setting does,
 * except credentials (`sasl.password`, tokens): they are left out, because /readyz is readable
 * by anyone who reaches the management port and a hash of a short secret can be brute-forced.
 * Those keys need a restart anyway (src/reload/restart-only.ts).
 */
import { createHash } from 'node:crypto'
import type { MiffyConfig } from '../config/schema.ts'
import type { ConfigIdentity } from '../management/control.ts'

const SECRET = /password|secret|token|credential/i

/** JSON with object keys sorted at every level, `undefined` members left out: equal configs, equal text. */
export function stableJson(value: unknown): string {
  if (value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const members: string[] = []
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) members.push(`${JSON.stringify(key)}:${stableJson(v)}`)
    }
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value)
}

export type { ConfigIdentity }

export function configHash(config: MiffyConfig): string {
  const withoutSecrets = JSON.parse(stableJson(config), (key, value) =>
    SECRET.test(key) && typeof value === 'string' ? undefined : value,
  ) as unknown
  return createHash('sha256').update(stableJson(withoutSecrets)).digest('hex').slice(0, 16)
}

export function configIdentity(config: MiffyConfig, loadedAt: Date): ConfigIdentity {
  return { hash: configHash(config), loaded_at: loadedAt.toISOString() }
}
