/**
 * The soak's section of BENCHMARKS.md lives between two markers, so that the soak (10 minutes)
 * and the scenarios (their own run) can each rewrite their part without losing the other's.
 */

export const SOAK_START = '<!-- soak:start -->'
export const SOAK_END = '<!-- soak:end -->'

/** The soak section of a report, markers included; undefined when it has none. */
export function extractSoakSection(md: string): string | undefined {
  const start = md.indexOf(SOAK_START)
  const end = md.indexOf(SOAK_END)
  if (start < 0 || end < start) return undefined
  return md.slice(start, end + SOAK_END.length)
}

/** `md` with its soak section replaced by `section` (appended when there is none). */
export function replaceSoakSection(md: string, section: string): string {
  const block = section.startsWith(SOAK_START) ? section : `${SOAK_START}\n${section.trimEnd()}\n${SOAK_END}`
  const old = extractSoakSection(md)
  if (old !== undefined) return md.replace(old, () => block)
  return `${md.trimEnd()}\n\n${block}\n`
}
