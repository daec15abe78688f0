/**
 * Secrets in free text: a line of a text body, a header value, the context a text difference
 * is shown with. There is no structure to walk, so this is best effort by pattern: `name=value`
 * (query strings, forms, cookies), `"name": value` (JSON that did not parse) and `Name: value`
 * (header-like lines), each when the name is a secret.
 */
import { redactJsonText } from './json.ts'
import { REDACTED, type Redactor } from './redactor.ts'

const PAIR = /([A-Za-z0-9_.\-[\]%]+)=([^&;\s,"']+)/g
const FIELD = /^([A-Za-z0-9_-]+)(:[ \t]*)(.*)$/gm

export function redactText(text: string, redactor: Redactor): string {
  let out = redactJsonText(text, redactor)
  out = out.replace(PAIR, (whole, name: string) => (redactor.isSecret(name) ? `${name}=${REDACTED}` : whole))
  out = out.replace(FIELD, (whole, name: string, colon: string) =>
    redactor.isSecretHeader(name) ? `${name}${colon}${REDACTED}` : whole,
  )
  return out
}

/** Whether any word of `text` (letters, digits, `_`, `-`) is a secret name. */
export function mentionsSecret(text: string, redactor: Redactor): boolean {
  for (const word of text.split(/[^A-Za-z0-9_-]+/)) if (word !== '' && redactor.isSecret(word)) return true
  return false
}
