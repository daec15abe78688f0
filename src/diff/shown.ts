/**
 * A differing value as it is shown (in the published message, /divergences, the dashboard):
 * bounded, so a huge or deeply nested subtree cannot make a message unpublishable or a page
 * unservable. Exact integers beyond 2^53 keep their digits (JSON.rawJSON).
 */

/** Strings longer than this are cut, with the count of what was left out. */
const MAX_STRING = 512
/** Objects and arrays deeper than this, or with more members, are summarised. */
const MAX_DEPTH = 6
const MAX_MEMBERS = 50

export function shown(value: unknown, depth = 0): unknown {
  if (typeof value === 'bigint') return JSON.rawJSON(value.toString())
  if (typeof value === 'string') {
    return value.length > MAX_STRING
      ? `${value.slice(0, MAX_STRING)}… (${value.length - MAX_STRING} more characters)`
      : value
  }
  if (typeof value !== 'object' || value === null || JSON.isRawJSON(value)) return value
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH || value.length > MAX_MEMBERS) return `[… array of ${value.length} elements]`
    return value.map((v) => shown(v, depth + 1))
  }
  const keys = Object.keys(value)
  if (depth >= MAX_DEPTH || keys.length > MAX_MEMBERS) return `{… object of ${keys.length} members}`
  // fromEntries defines own properties, so a member named "__proto__" stays a member.
  return Object.fromEntries(keys.map((k) => [k, shown((value as Record<string, unknown>)[k], depth + 1)]))
}
