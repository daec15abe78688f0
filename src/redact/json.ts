/**
 * A parsed JSON value with the values of secret fields replaced, as a copy: the value may be
 * shared with the comparison (content.ts caches parses), which must see the original.
 */
import { REDACTED, type Redactor } from './redactor.ts'

/**
 * Deeper than this, a value is not walked but replaced whole: nothing deeper can be checked, so
 * nothing deeper is shown. Parsed bodies stop at 128 levels already (content.ts MAX_JSON_DEPTH).
 */
export const MAX_REDACT_DEPTH = 160
export const TOO_DEEP = '[REDACTED: nested too deep to check]'

export function redactJson(value: unknown, redactor: Redactor, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value
  // exact big integers (JSON.rawJSON) are leaves
  if (JSON.isRawJSON(value)) return value
  if (depth >= MAX_REDACT_DEPTH) return TOO_DEEP
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redactor, depth + 1))
  const out: Record<string, unknown> = {}
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key]
    out[key] = redactor.isSecret(key) ? REDACTED : redactJson(v, redactor, depth + 1)
  }
  return out
}

/** The named segments of a JSONPath as formatted by src/diff/json-path.ts (`$.a['b-c'][3]`). */
export function pathNames(path: string): string[] {
  const names: string[] = []
  const re = /\.([A-Za-z_$][\w$]*)|\['((?:[^'\\]|\\.)*)'\]/g
  for (let m = re.exec(path); m !== null; m = re.exec(path)) names.push(m[1] ?? m[2]!.replace(/\\(.)/g, '$1'))
  return names
}

/**
 * `"name": value` members in text that is meant to be JSON but did not parse (or was nested too
 * deep to walk): a string, number or literal value of a secret name is replaced. One linear
 * scan, whatever the nesting. Best effort: an object or array under a secret name keeps its
 * members, which are checked by their own names.
 */
const MEMBER = /"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,{}[\]"]+)/g

export function redactJsonText(text: string, redactor: Redactor): string {
  return text.replace(MEMBER, (whole, name: string, colon: string, _value: string) =>
    redactor.isSecret(name) ? `"${name}"${colon}"${REDACTED}"` : whole,
  )
}
