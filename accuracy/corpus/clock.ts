/** The time formats services put in their answers, from one clock reading in ms. */

/** `2025-05-01T12:00:00.123Z` (JavaScript's toISOString). */
export function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** `2025-05-01T12:00:00Z`: second precision, as many Go and Python services write it. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

/** The same instant as local time with an offset: `2025-05-01T14:00:00.123+02:00`. */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  const hh = String(Math.floor(abs / 60)).padStart(2, '0')
  const mm = String(abs % 60).padStart(2, '0')
  return `${local}${sign}${hh}:${mm}`
}

/** `Thu, 01 May 2025 12:00:00 GMT` (RFC 9110 §5.6.7, RSS's pubDate). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString()
}

export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}

/** A fixed instant in the past, from data: the same on every node. */
export function pastInstant(fraction: number): number {
  const start = Date.UTC(2023, 0, 1)
  const end = Date.UTC(2025, 0, 1)
  return Math.floor(start + fraction * (end - start))
}
