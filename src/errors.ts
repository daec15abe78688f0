/**
 * The error catalogue. Every error miffy raises on purpose carries one of these stable codes, so
 * logs, tests and operators can match on the code rather than on prose. `status` is what a client
 * sees when the error ends a request on the client's path; start-up errors have none.
 *
 * docs: README.md "Errors" lists every code; test/errors.test.ts fails when one is missing there.
 */
export const ERRORS = {
  MIFFY_ERR_CONFIG: { status: undefined, summary: 'the configuration is invalid; start-up stops' },
  MIFFY_ERR_CONFIG_FILE: {
    status: undefined,
    summary: 'a configuration file is missing or is not valid TOML',
  },
  MIFFY_ERR_ROUTE: { status: undefined, summary: 'a route pattern is invalid or conflicts with another' },
  MIFFY_ERR_KAFKA_PROPERTY: { status: undefined, summary: 'a Kafka property is unknown or unsupported' },
  MIFFY_ERR_LISTEN: {
    status: undefined,
    summary: 'a port cannot be opened: in use, not permitted, or the host does not resolve; start-up stops',
  },
  MIFFY_ERR_USAGE: {
    status: undefined,
    summary: 'a miffy command line is wrong: an unknown command or option, a missing or bad value',
  },
  MIFFY_ERR_NOT_FOUND: {
    status: undefined,
    summary: 'miffy replay: the management port has no stored divergence with that id',
  },
  MIFFY_ERR_UNSAFE_METHOD: {
    status: undefined,
    summary: 'miffy replay: the stored request is not GET, HEAD or OPTIONS, and --unsafe was not given',
  },
  MIFFY_ERR_MANAGEMENT: {
    status: undefined,
    summary: 'a miffy command could not use the management port: unreachable, or it refused the request',
  },
  MIFFY_ERR_KAFKA: {
    status: undefined,
    summary: 'miffy diffs could not read the topic: the broker is unreachable or the topic does not exist',
  },
  MIFFY_ERR_BAD_REQUEST: { status: 400, summary: 'the request target cannot be proxied safely' },
  MIFFY_ERR_MANAGEMENT_UNAUTHORIZED: {
    status: 401,
    summary: 'a management endpoint that shows captured traffic was called without the bearer token',
  },
  MIFFY_ERR_MANAGEMENT_FORBIDDEN: {
    status: 403,
    summary:
      'a management endpoint that shows captured traffic was called from off the machine, and no token is set',
  },
  MIFFY_ERR_REQUEST_TIMEOUT: {
    status: 408,
    summary:
      'the client did not send its request head or body within headers_timeout, request_timeout or body_timeout',
  },
  MIFFY_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    summary: "the request's header section is larger than Node's limit (16 KiB)",
  },
  MIFFY_ERR_REFERENCE_UNAVAILABLE: {
    status: 502,
    summary: 'the reference refused the connection, reset it, or sent an invalid response',
  },
  MIFFY_ERR_SHUTTING_DOWN: {
    status: 503,
    summary: 'miffy is shutting down: a request on a connection kept open from before; retry elsewhere',
  },
  MIFFY_ERR_REFERENCE_TIMEOUT: {
    status: 504,
    summary: 'the reference did not answer within reference_timeout',
  },
  MIFFY_ERR_RESTART_REQUIRED: {
    status: 409,
    summary: 'a reload changed a key only a restart can change; nothing was reloaded',
  },
  MIFFY_ERR_RELOAD_INCOMPLETE: {
    status: 500,
    summary: 'with workers > 1, some workers did not confirm a reload or a pause; they are named',
  },
  MIFFY_ERR_UNKNOWN_EXPERIMENT: { status: 404, summary: 'no experiment has that route pattern' },
} as const

export type ErrorCode = keyof typeof ERRORS

export class MiffyError extends Error {
  readonly code: ErrorCode
  readonly status: number | undefined

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MiffyError'
    this.code = code
    this.status = ERRORS[code].status
  }
}
