/**
 * A pair message with every secret the redactor knows replaced, before it leaves the process
 * (topic, log, management port): headers of the request and both responses; the query of the
 * request's URI and of both upstream URLs; route parameters; fields of JSON bodies and of form
 * bodies (application/x-www-form-urlencoded); and the differing values the divergence lists,
 * when the path runs through a secret field or the value contains one.
 *
 * The fingerprint is kept: it was computed from the real pair and holds no value.
 */
import { isJsonContentType } from '../diff/content.ts'
import type {
  BodyRepr,
  Divergence,
  HeaderRepr,
  JsonPathDifference,
  PairMessage,
  ResponseRepr,
} from '../diff/model.ts'
import { redactHeaders } from './headers.ts'
import { pathNames, redactJson, redactJsonText } from './json.ts'
import { redactPairs, redactUrl } from './query.ts'
import { REDACTED, type Redactor } from './redactor.ts'
import { mentionsSecret, redactText } from './text.ts'

export function redactPair(message: PairMessage, redactor: Redactor): PairMessage {
  const request = message.request
  const out: PairMessage = {
    ...message,
    request: {
      ...request,
      uri: redactUrl(request.uri, redactor),
      params: redactJson(request.params, redactor) as Record<string, string>,
      headers: redactHeaders(request.headers, redactor),
      body: redactBody(request.body, request.headers, redactor),
    },
    reference: {
      ...message.reference,
      url: redactUrl(message.reference.url, redactor),
      response: redactResponse(message.reference.response, redactor),
    },
    candidate: {
      ...message.candidate,
      url: redactUrl(message.candidate.url, redactor),
      response: redactResponse(message.candidate.response, redactor),
    },
  }
  if (message.divergence) out.divergence = redactDivergence(message.divergence, redactor)
  return out
}

function redactResponse(response: ResponseRepr, redactor: Redactor): ResponseRepr {
  if ('error' in response) return response
  return {
    ...response,
    headers: redactHeaders(response.headers, redactor),
    body: redactBody(response.body, response.headers, redactor),
  }
}

const FORM = /^[ \t]*application\/x-www-form-urlencoded[ \t]*(;|$)/i

/** `headers` are those the body came with (its content type decides how it is read). */
export function redactBody(body: BodyRepr, headers: HeaderRepr, redactor: Redactor): BodyRepr {
  if (body === null) return null
  if (body.type === 'json') return { type: 'json', value: redactJson(body.value, redactor) }
  const type = headers['content-type']
  const last = Array.isArray(type) ? type[type.length - 1] : type
  if (last !== undefined && FORM.test(last)) {
    const text = Buffer.from(body.value, 'base64').toString('latin1')
    const redacted = redactPairs(text, redactor)
    if (redacted !== text) return { type: 'bytes', value: Buffer.from(redacted, 'latin1').toString('base64') }
  }
  // A JSON body that could not be represented as JSON (invalid, or nested too deep) is shown as
  // bytes: its text is redacted field by field where it reads like JSON.
  if (last !== undefined && isJsonContentType(last)) {
    const text = Buffer.from(body.value, 'base64').toString('utf8')
    const redacted = redactJsonText(text, redactor)
    if (redacted !== text) return { type: 'bytes', value: Buffer.from(redacted, 'utf8').toString('base64') }
  }
  return body
}

export function redactDivergence(divergence: Divergence, redactor: Redactor): Divergence {
  const out: Divergence = { ...divergence }
  // Header differences (main's header comparison): the header's name comes first in the path.
  if (divergence.header_paths)
    out.header_paths = divergence.header_paths.map((p) => redactHeaderDifference(p, redactor))
  if (divergence.body && divergence.body.paths.length > 0) {
    const kind = divergence.body.kind
    const redactOne =
      kind === 'text' ? redactTextDifference : kind === 'multipart' ? redactPartDifference : redactDifference
    out.body = { ...divergence.body, paths: divergence.body.paths.map((p) => redactOne(p, redactor)) }
  }
  return out
}

/** A JSON difference: hidden when its path runs through a secret field, else redacted inside. */
function redactDifference(p: JsonPathDifference, redactor: Redactor): JsonPathDifference {
  const secret = pathNames(p.path).some((name) => redactor.isSecret(name))
  const out: JsonPathDifference = { ...p }
  if ('reference' in p) out.reference = secret ? REDACTED : redactJson(p.reference, redactor)
  if ('candidate' in p) out.candidate = secret ? REDACTED : redactJson(p.candidate, redactor)
  return out
}

/** A difference in a header's value: hidden for a secret header or a secret part of it. */
function redactHeaderDifference(p: JsonPathDifference, redactor: Redactor): JsonPathDifference {
  const name = p.path.split(/[ <]/, 1)[0]!
  const secret = redactor.isSecretHeader(name) || mentionsSecret(p.path, redactor)
  return hideOrRedactText(p, secret, redactor)
}

/**
 * A difference in a text body (`line 3 after "token="`): hidden when the context it is shown
 * with names a secret; otherwise its text is redacted by pattern. Best effort: text has no
 * names to go by but the ones written in it.
 */
function redactTextDifference(p: JsonPathDifference, redactor: Redactor): JsonPathDifference {
  return hideOrRedactText(p, mentionsSecret(p.path, redactor), redactor)
}

/**
 * A difference inside a multipart body, read by what follows the part (`part[2] `, and `http `
 * for the HTTP message an `application/http` part holds): a JSON path (`part[2] $.token`) as a
 * JSON difference, a header (`part[1] header authorization`) as a header's, anything else (a
 * text place, a whole part) as text.
 */
function redactPartDifference(p: JsonPathDifference, redactor: Redactor): JsonPathDifference {
  const inner = p.path.replace(/^(?:part\[\d+\] (?:http )?)+/, '')
  if (inner.startsWith('$')) return redactDifference(p, redactor)
  if (inner.startsWith('header ')) {
    const name = inner.slice('header '.length).split(/[ <]/, 1)[0]!
    return hideOrRedactText(p, redactor.isSecretHeader(name) || mentionsSecret(inner, redactor), redactor)
  }
  return redactTextDifference(p, redactor)
}

function hideOrRedactText(p: JsonPathDifference, secret: boolean, redactor: Redactor): JsonPathDifference {
  const value = (v: unknown) =>
    secret ? REDACTED : typeof v === 'string' ? redactText(v, redactor) : redactJson(v, redactor)
  const out: JsonPathDifference = { ...p, path: redactText(p.path, redactor) }
  if ('reference' in p) out.reference = value(p.reference)
  if ('candidate' in p) out.candidate = value(p.candidate)
  return out
}
