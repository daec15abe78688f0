/**
 * Secrets in free text: a line of a text body, a header value, the context a text difference
 * is shown with. There is no structure to walk, so this is best effort by pattern: `name=value`
 * (query strings, forms, cookies), `"name": value` (JSON that did not parse) and `Name: value`
 * (header-like lines), each when the name is a secret.
 */
import { redactJsonText } from './json.ts'
import { REDACTED, type Redactor } from './redactor.ts'

const FIELD = /^([A-Za-z0-9_-]+)(:[ \t]*)(.*)$/gm

export function redactText(text: string, redactor: Redactor): string {
  let out = redactJsonText(text, redactor)
  out = redactAssignments(out, redactor)
  out = out.replace(FIELD, (whole, name: string, colon: string) =>
    redactor.isSecretHeader(name) ? `${name}${colon}${REDACTED}` : whole,
  )
  return out
}

const isNameChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || // 0-9
  (c >= 0x41 && c <= 0x5a) || // A-Z
  (c >= 0x61 && c <= 0x7a) || // a-z
  c === 0x5f ||
  c === 0x2e ||
  c === 0x2d ||
  c === 0x5b ||
  c === 0x5d ||
  c === 0x25 // _ . - [ ] %
const isValueEnd = (c: number) =>
  c === 0x26 || c === 0x3b || c === 0x2c || c === 0x22 || c === 0x27 || c <= 0x20 // & ; , " ' space
/**
 * `name=value` pairs, by a single scan from each `=` (a regex here backtracked quadratically on
 * a long run of name characters without `=`: a 200 KB text line stalled the process).
 */
function redactAssignments(text: string, redactor: Redactor): string {
  let out = ''
  let copied = 0
  for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    let start = eq
    while (start > copied && isNameChar(text.charCodeAt(start - 1))) start--
    if (start === eq || !redactor.isSecret(text.slice(start, eq))) continue
    // only a secret's value is scanned, and never twice: the next `=` is looked for after it
    let end = eq + 1
    while (end < text.length && !isValueEnd(text.charCodeAt(end))) end++
    if (end === eq + 1) continue
    out += `${text.slice(copied, eq + 1)}${REDACTED}`
    copied = end
    eq = end - 1
  }
  return copied === 0 ? text : out + text.slice(copied)
}

/** Whether any word of `text` (letters, digits, `_`, `-`) is a secret name. */
export function mentionsSecret(text: string, redactor: Redactor): boolean {
  for (const word of text.split(/[^A-Za-z0-9_-]+/)) if (word !== '' && redactor.isSecret(word)) return true
  return false
}
