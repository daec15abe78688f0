/**
 * `name=value` lists: a URL's query string and form bodies (application/x-www-form-urlencoded,
 * the same syntax). Values of secret names are replaced; everything else, the order and the
 * names as written, is kept, so the redacted text still reads like the original.
 */
import { REDACTED, type Redactor } from './redactor.ts'

/** `a=1&token=xyz&b` → `a=1&token=[REDACTED]&b`. */
export function redactPairs(text: string, redactor: Redactor): string {
  let changed = false
  const parts = text.split('&')
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (redactor.isSecret(decodeName(part.slice(0, eq)))) {
      parts[i] = `${part.slice(0, eq + 1)}${REDACTED}`
      changed = true
    }
  }
  return changed ? parts.join('&') : text
}

/** A path and query (`/x?token=1`) or an absolute URL with its query redacted. */
export function redactUrl(url: string, redactor: Redactor): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  return url.slice(0, q + 1) + redactPairs(url.slice(q + 1), redactor)
}

function decodeName(raw: string): string {
  const spaced = raw.replaceAll('+', ' ')
  try {
    return decodeURIComponent(spaced)
  } catch {
    return spaced
  }
}
