/**
 * The fingerprint of a divergence: a short stable hash of what kind of difference it is, so the
 * same regression seen ten thousand times is one line on the dashboard and one group in
 * `miffy diffs`. Values never enter it; differences that learned noise explains do not either.
 */
import { hash } from 'node:crypto'
import type { Divergence } from './model.ts'

/** Fingerprints by recipe text: a route diverges the same few ways over and over. */
const FINGERPRINTS = new Map<string, string>()
const MAX_REMEMBERED_FINGERPRINTS = 4096

/**
 * The first 16 hex digits of the SHA-256 of these lines, joined with "\n" (no trailing newline),
 * each present only when that part differs:
 *
 * ```text
 * miffy-fingerprint-v1
 * route <route pattern as a JSON string>
 * error <reference error word or ->><candidate error word or ->
 * status <reference status>><candidate status>
 * headers <differing header names, lower-case, sorted, joined with ",">
 * body <json|text|multipart|bytes|digest>
 * decode <reference decode failure or ->><candidate decode failure or ->
 * path <presence><normalised path>          (one line per distinct entry, sorted)
 * ```
 *
 * Presence is `~` (differs on both sides), `-` (only in the reference), `+` (only in the
 * candidate), `o` (the same elements in another order), `#` (another length). For JSON the
 * normalised path writes every array index as `[*]`, so `$.items[3].price` and `$.items[7].price`
 * give the same line; for text it is the line's template and the token's position (text.ts); in
 * a multipart body it starts with the part, its number as `[*]` too (`part[*] $.price`).
 * Values never enter the hash. Paths come from the listed (capped) differences; `truncated`
 * does not enter the hash. Sorting is by UTF-16 code units (`Array.prototype.sort`). Example:
 * route `/api/{id}`, status 200 vs 500 hashes `miffy-fingerprint-v1\nroute "/api/{id}"\nstatus 200>500`.
 *
 * Changing this recipe regroups every divergence operators have triaged: bump the version line.
 */
export function fingerprint(
  route: string,
  divergence: Omit<Divergence, 'fingerprint'>,
  bodyPaths: readonly string[] | undefined,
): string {
  const lines = ['miffy-fingerprint-v1', `route ${JSON.stringify(route)}`]
  const { error, status, headers, body } = divergence
  if (error) lines.push(`error ${error.reference ?? '-'}>${error.candidate ?? '-'}`)
  if (status) lines.push(`status ${status.reference}>${status.candidate}`)
  if (headers) lines.push(`headers ${[...headers].sort().join(',')}`)
  if (body) {
    lines.push(`body ${body.kind}`)
    const decode = body.decodeError
    if (decode) lines.push(`decode ${decode.reference ?? '-'}>${decode.candidate ?? '-'}`)
    if (bodyPaths) for (const path of [...new Set(bodyPaths)].sort()) lines.push(`path ${path}`)
  }
  const text = lines.join('\n')
  let known = FINGERPRINTS.get(text)
  if (known === undefined) {
    known = hash('sha256', text, 'hex').slice(0, 16)
    // Bounded; when full it starts again rather than tracking which entries are old.
    if (FINGERPRINTS.size >= MAX_REMEMBERED_FINGERPRINTS) FINGERPRINTS.clear()
    FINGERPRINTS.set(text, known)
  }
  return known
}
