/**
 * State the nodes share, like instances sharing one database: counters that tick on every call
 * (views, requests served, stock reservations). The reference, the secondary and the candidate
 * read them one after the other, so their answers differ by a tick or two: the kind of noise a
 * secondary shows and a fixed ignore list cannot describe.
 */
const counters = new Map<string, number>()

/** Increments and returns the counter; it starts from a value derived from the key. */
export function tick(key: string, start: number): number {
  const next = (counters.get(key) ?? start) + 1
  counters.set(key, next)
  return next
}
