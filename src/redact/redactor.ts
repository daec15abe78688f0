/**
 * What is a secret, by name (issue 10). A header, query parameter, route parameter or body field
 * is redacted when its name (case-insensitive)
 *
 * - is one of the four headers that always carry credentials (below; `redact_allow` cannot
 *   bring them back), or is listed in `redact_names` (anywhere) or `redact_headers` (headers);
 * - or contains one of `redact_words` (`auth`, `token`, `secret`, `key`, `session`, `cookie`,
 *   `password` by default) and is not listed in `redact_allow`.
 *
 * "Contains" is deliberate: `X-Api-Key`, `x-auth-user`, `refresh_token`, `sessionId` and
 * `client_secret` are all caught without a list of every spelling. The price is that `author`
 * or `monkey` are redacted too, until allowed. Redaction happens after comparison: only what is
 * shown (topic, log, management port) changes, never what is compared.
 */
import type { MiffyConfig } from '../config/schema.ts'

export const REDACTED = '[REDACTED]'

/** Headers that carry credentials by definition; always redacted, whatever the lists say. */
export const ALWAYS_REDACTED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
])

export type RedactionConfig = Pick<
  MiffyConfig,
  'redact_words' | 'redact_names' | 'redact_headers' | 'redact_allow'
>

/** Names seen are few and repeat on every request: decisions are remembered, up to this many. */
const MEMO_LIMIT = 4096

export class Redactor {
  readonly #words: readonly string[]
  readonly #names: ReadonlySet<string>
  readonly #headers: ReadonlySet<string>
  readonly #allow: ReadonlySet<string>
  readonly #memo = new Map<string, boolean>()

  constructor(config: RedactionConfig) {
    this.#words = config.redact_words.map((w) => w.toLowerCase())
    this.#names = new Set(config.redact_names.map((n) => n.toLowerCase()))
    this.#headers = new Set(config.redact_headers.map((n) => n.toLowerCase()))
    this.#allow = new Set(config.redact_allow.map((n) => n.toLowerCase()))
  }

  /** Whether a header of this name is redacted. */
  isSecretHeader(name: string): boolean {
    const lower = name.toLowerCase()
    return ALWAYS_REDACTED_HEADERS.has(lower) || this.#headers.has(lower) || this.isSecret(lower)
  }

  /** Whether a query parameter, route parameter or body field of this name is redacted. */
  isSecret(name: string): boolean {
    const known = this.#memo.get(name)
    if (known !== undefined) return known
    const lower = name.toLowerCase()
    const secret =
      this.#names.has(lower) || (!this.#allow.has(lower) && this.#words.some((w) => lower.includes(w)))
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear()
    this.#memo.set(name, secret)
    return secret
  }
}
