/** Error envelopes: 404, 429 with Retry-After, 422 validation lists, an equal 500. */
import { iso } from '../clock.ts'
import { json, type Kind } from '../kind.ts'
import { alnum, hex, int, shuffle, uuid } from '../random.ts'
import { segment } from './commerce.ts'

const notFound: Kind = {
  name: 'not-found',
  family: 'errors',
  noise: 'request id and ISO timestamp in the envelope',
  request: (_i, r) => ({ method: 'GET', path: `/api/v2/widgets/${int(r, 100_000, 999_999)}` }),
  respond(req, ctx, bug) {
    const code = bug === 'error-code-renamed' ? 'RESOURCE_NOT_FOUND' : 'NOT_FOUND'
    const error: Record<string, unknown> = {
      code,
      message: `widget ${segment(req, 3)} not found`,
      request_id: uuid(ctx.noise),
      timestamp: iso(ctx.now),
      docs: 'https://docs.example.org/errors#not-found',
    }
    // support cannot find the request in the logs any more
    if (bug === 'request-id-missing') delete error.request_id
    return json({ error }, 404)
  },
  regressions: {
    'error-code-renamed': 'error.code RESOURCE_NOT_FOUND instead of NOT_FOUND',
    'request-id-missing': 'the envelope lost its request_id (a value that is different every time)',
  },
}

const rateLimited: Kind = {
  name: 'rate-limited',
  family: 'errors',
  noise: 'Retry-After and reset time chosen per answer (header and body)',
  request: (_i, r) => ({ method: 'GET', path: `/api/v2/export?token=${alnum(r, 12)}` }),
  respond(_req, ctx, bug) {
    const retry = int(ctx.noise, 1, 30)
    return json(
      { error: { code: 'RATE_LIMITED', message: 'too many requests', retry_after_s: retry } },
      bug === 'status-503' ? 503 : 429,
      {
        'retry-after': String(retry),
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(ctx.now / 1000) + retry),
      },
    )
  },
  regressions: { 'status-503': 'status 503 instead of 429, same body' },
}

const FIELD_ERRORS = [
  { field: 'email', code: 'invalid_format', message: 'must be an email address' },
  { field: 'password', code: 'too_short', message: 'must have at least 12 characters', min: 12 },
  { field: 'age', code: 'out_of_range', message: 'must be between 16 and 130', min: 16, max: 130 },
  { field: 'country', code: 'unsupported', message: 'we do not ship there' },
]

const validation: Kind = {
  name: 'validation',
  family: 'errors',
  noise: 'field errors in hash order, request id',
  request: (_i, r) => ({
    method: 'POST',
    path: '/api/v2/signup',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `nope-${hex(r, 4)}`, password: 'x', age: -int(r, 1, 9), country: 'AQ' }),
  }),
  respond(_req, ctx, bug) {
    const errors = FIELD_ERRORS.filter((e) => !(bug === 'field-error-missing' && e.field === 'password'))
    return json(
      { message: 'validation failed', errors: shuffle(ctx.noise, errors), request_id: uuid(ctx.noise) },
      422,
    )
  },
  regressions: { 'field-error-missing': 'the password error is missing from the (shuffled) error list' },
}

const serverError: Kind = {
  name: 'server-error',
  family: 'errors',
  noise: 'trace id and pod name; both sides fail the same way, which is equal',
  request: (_i, r) => ({ method: 'GET', path: `/api/v2/reports/${int(r, 1, 99)}/pdf` }),
  respond(_req, ctx) {
    return json({ error: 'internal', trace_id: hex(ctx.noise, 32), node: ctx.node.name }, 500)
  },
  regressions: {},
}

export const ERRORS: readonly Kind[] = [notFound, rateLimited, validation, serverError]
