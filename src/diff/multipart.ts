/**
 * Multipart bodies (RFC 2046 §5.1) read as parts, so that two answers that differ only in their
 * random boundary compare equal and a difference inside a part has a place (compare.ts):
 *
 * - the boundary is the `boundary` parameter of the body's own Content-Type (each side its own);
 * - a delimiter is `--boundary` at the start of a line (CRLF or LF), followed by optional
 *   whitespace and a line break; the line break before it belongs to the delimiter; the closing
 *   one is `--boundary--`; what comes before the first delimiter (preamble) and after the
 *   closing one (epilogue) is not part of the message;
 * - a part is header lines (folded lines unfolded, names lower-cased, repeated names as a list),
 *   a blank line, then its body; a part with no blank line before its end is all headers;
 * - a part of type `application/http` holds an HTTP message (Google, OData and other batch
 *   APIs): its start line, headers and body are read too (`parseHttpMessage`).
 *
 * Bounded: a body with more parts than the caller allows is not read as parts.
 */
import type { HeaderRepr } from './model.ts'

export interface Part {
  headers: HeaderRepr
  body: Buffer
}

export interface Multipart {
  parts: Part[]
  /** the closing delimiter was found (a body cut short has none) */
  closed: boolean
}

export interface HttpMessage {
  /** the start line as it is (`HTTP/1.1 200 OK`, `GET /x HTTP/1.1`) */
  startLine: string
  /** the status code of a response; undefined for a request */
  status: number | undefined
  headers: HeaderRepr
  body: Buffer
}

const LF = 0x0a
const CR = 0x0d
const SP = 0x20
const HT = 0x09
const DASH = 0x2d

/** `multipart/<anything>` (RFC 2046 §5.1), case-insensitive, parameters allowed. */
const MULTIPART = /^[ \t]*multipart\/[!#$%&'*+.^_`|~0-9a-z-]+[ \t]*(?:;|$)/i
/** The boundary parameter: a token or a quoted string (RFC 2046 §5.1.1: at most 70 characters). */
const BOUNDARY = /;[ \t]*boundary[ \t]*=[ \t]*(?:"([^"]{1,70})"|([^\s;",]{1,70}))/i

/** The last value of a header (a repeated Content-Type is read by its last value). */
export function lastValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[value.length - 1]
}

export function isMultipartContentType(value: string | string[] | undefined): boolean {
  const last = lastValue(value)
  return last !== undefined && MULTIPART.test(last)
}

/** The boundary of a `multipart/*` content type, or undefined when it names none. */
export function boundaryOf(value: string | string[] | undefined): string | undefined {
  const last = lastValue(value)
  if (last === undefined || !MULTIPART.test(last)) return undefined
  const m = BOUNDARY.exec(last)
  const boundary = m?.[1] ?? m?.[2]
  // RFC 2046: a boundary does not end in a space
  return boundary === undefined ? undefined : boundary.replace(/ +$/, '') || undefined
}

/**
 * The parts of a multipart body; undefined when it is not one (no delimiter line anywhere) or
 * has more than `maxParts` parts.
 */
export function parseMultipart(body: Buffer, boundary: string, maxParts: number): Multipart | undefined {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1')
  const parts: Part[] = []
  /** where the current part's content starts; -1 before the first delimiter */
  let start = -1
  let from = 0
  while (from <= body.length - delimiter.length) {
    const at = body.indexOf(delimiter, from)
    if (at < 0) break
    from = at + 1
    if (at > 0 && body[at - 1] !== LF) continue
    const after = at + delimiter.length
    const close = body[after] === DASH && body[after + 1] === DASH
    const lineEnd = endOfDelimiterLine(body, close ? after + 2 : after)
    if (lineEnd < 0) continue
    if (start >= 0) {
      // the line break before the delimiter is the delimiter's
      let end = at > 0 ? at - 1 : at
      if (end > start && body[end - 1] === CR) end--
      if (parts.length >= maxParts) return undefined
      parts.push(parsePart(body.subarray(start, Math.max(start, end))))
    }
    if (close) return { parts, closed: true }
    start = lineEnd
    from = lineEnd
  }
  if (start < 0) return undefined
  // no closing delimiter: the last part runs to the end of the body
  if (parts.length >= maxParts) return undefined
  parts.push(parsePart(body.subarray(start)))
  return { parts, closed: false }
}

/**
 * Past the line break that ends a delimiter line (whitespace allowed before it; the end of the
 * body ends it too), or -1 when something else follows the boundary (a longer string that only
 * starts with it).
 */
function endOfDelimiterLine(body: Buffer, at: number): number {
  let i = at
  while (i < body.length && (body[i] === SP || body[i] === HT)) i++
  if (i === body.length) return i
  if (body[i] === LF) return i + 1
  if (body[i] === CR && body[i + 1] === LF) return i + 2
  if (body[i] === CR && i + 1 === body.length) return i + 1
  return -1
}

function parsePart(content: Buffer): Part {
  const head = parseHead(content, 0)
  if (head === undefined) return { headers: Object.create(null) as HeaderRepr, body: content }
  return { headers: head.headers, body: content.subarray(head.bodyStart) }
}

/** An HTTP message (`application/http`): start line, headers, body; undefined when it is not one. */
export function parseHttpMessage(content: Buffer): HttpMessage | undefined {
  let i = 0
  // blank lines before the start line are tolerated (RFC 9112 §2.2)
  while (i < content.length && (content[i] === CR || content[i] === LF)) i++
  const nl = content.indexOf(LF, i)
  const lineEnd = nl < 0 ? content.length : nl
  const startLine = content.toString('latin1', i, lineEnd).trim()
  const response = /^HTTP\/\d(?:\.\d)? (\d{3})(?: |$)/.exec(startLine)
  if (!response && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d(?:\.\d)?$/.test(startLine)) return undefined
  const head =
    nl < 0
      ? { headers: Object.create(null) as HeaderRepr, bodyStart: content.length }
      : parseHead(content, nl + 1)
  if (head === undefined) return undefined
  return {
    startLine,
    status: response ? Number(response[1]) : undefined,
    headers: head.headers,
    body: content.subarray(head.bodyStart),
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * Header lines from `from` up to a blank line: the headers and where the body starts. A part
 * that ends before a blank line is all headers, its body empty. Undefined when a line is not a
 * header: then there are no headers, the whole part is body.
 */
function parseHead(content: Buffer, from: number): { headers: HeaderRepr; bodyStart: number } | undefined {
  // no prototype: a header named `__proto__` is a header like any other
  const headers: HeaderRepr = Object.create(null)
  let last: string | undefined
  let i = from
  while (i < content.length) {
    const nl = content.indexOf(LF, i)
    const next = nl < 0 ? content.length : nl + 1
    let end = nl < 0 ? content.length : nl
    if (end > i && content[end - 1] === CR) end--
    if (end === i) return { headers, bodyStart: next }
    const line = content.toString('latin1', i, end)
    i = next
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      // a folded line continues the previous header's value
      const value = headers[last]!
      const more = line.trim()
      if (typeof value === 'string') headers[last] = `${value} ${more}`.trim()
      else value[value.length - 1] = `${value[value.length - 1]} ${more}`.trim()
      continue
    }
    const colon = line.indexOf(':')
    const name = colon < 0 ? '' : line.slice(0, colon).trim().toLowerCase()
    if (!HEADER_NAME.test(name)) return undefined
    const value = line.slice(colon + 1).trim()
    const known = Object.hasOwn(headers, name) ? headers[name] : undefined
    if (known === undefined) headers[name] = value
    else if (typeof known === 'string') headers[name] = [known, value]
    else known.push(value)
    last = name
  }
  return { headers, bodyStart: content.length }
}

/** A part's body with its `Content-Transfer-Encoding: base64` undone (other encodings as they are). */
export function partContent(part: Part): Buffer {
  const encoding = lastValue(part.headers['content-transfer-encoding'])
  if (encoding === undefined || encoding.trim().toLowerCase() !== 'base64') return part.body
  return Buffer.from(part.body.toString('latin1'), 'base64')
}
