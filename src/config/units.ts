/**
 * Durations and sizes as people write them in config files. A bare number is milliseconds or
 * bytes, as in the Rust miffy; strings carry a unit.
 */

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i
const DURATION_FACTORS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `500` → 500 ms; `"2s"` → 2000; `"1.5m"` → 90000. Returns undefined when it does not parse. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined
  const m = DURATION.exec(value)
  if (!m) return undefined
  return Math.round(Number(m[1]) * DURATION_FACTORS[(m[2] ?? 'ms').toLowerCase()]!)
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$/i
const SIZE_FACTORS: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
}

/** `1024` → 1024 bytes; `"1MiB"` → 1048576; `"10 KB"` → 10000. Undefined when it does not parse. */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
  const m = SIZE.exec(value)
  if (!m) return undefined
  return Math.floor(Number(m[1]) * SIZE_FACTORS[(m[2] ?? 'b').toLowerCase()]!)
}
