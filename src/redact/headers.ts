/** Header values of secret names replaced by a marker (src/redact/redactor.ts decides which). */
import type { HeaderRepr } from '../diff/model.ts'
import { REDACTED, type Redactor } from './redactor.ts'

export function redactHeaders(headers: HeaderRepr, redactor: Redactor): HeaderRepr {
  const out: HeaderRepr = {}
  for (const name in headers) {
    const value = headers[name]!
    out[name] = redactor.isSecretHeader(name)
      ? Array.isArray(value)
        ? value.map(() => REDACTED)
        : REDACTED
      : value
  }
  return out
}
