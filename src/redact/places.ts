/**
 * Whether a noise place (src/diff/noise-model.ts) holds values that may be secret, judged by the
 * names in its key as the rest of redaction judges them: `json $.session.token` (a member named
 * like a secret), `header set-cookie sid`, `json $.next<url>.query.access_token`.
 */
import type { Redactor } from './redactor.ts'

/** Words of a key that structure it rather than name anything. */
const STRUCTURE = new Set([
  '$',
  '*',
  'url',
  'jwt',
  'json',
  'query',
  'path',
  'origin',
  'fragment',
  'header',
  'payload',
])

export function isSecretPlace(key: string, redactor: Redactor): boolean {
  const space = key.indexOf(' ')
  const area = key.slice(0, space)
  const rest = key.slice(space + 1)
  const names = rest.split(/[\s.[\]<>'"]+/).filter((n) => n !== '' && !STRUCTURE.has(n) && !/^\d+$/.test(n))
  if (area === 'header') {
    const [header = '', ...parts] = names
    return redactor.isSecretHeader(header) || parts.some((n) => redactor.isSecret(n))
  }
  return names.some((n) => redactor.isSecret(n))
}
