/** Builders for compare tests: legs as the shadow dispatcher captures them, and default options. */
import type { CompareOptions } from '../../src/diff/compare.ts'
import { compileIgnore } from '../../src/diff/json-path.ts'
import type { HeaderRepr, LegResult } from '../../src/diff/model.ts'

const JSON_HEADERS: HeaderRepr = { 'content-type': 'application/json' }

/** A JSON leg: objects are serialised with JSON.stringify, strings are taken as the raw JSON text. */
export function jsonLeg(body: unknown, extra: { status?: number; headers?: HeaderRepr } = {}): LegResult {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return rawLeg(Buffer.from(text), { status: extra.status, headers: { ...JSON_HEADERS, ...extra.headers } })
}

export function rawLeg(
  body: Buffer | string,
  extra: { status?: number; headers?: HeaderRepr } = {},
): LegResult {
  return {
    ok: true,
    status: extra.status ?? 200,
    headers: extra.headers ?? {},
    body: typeof body === 'string' ? Buffer.from(body) : body,
    durationMs: 1,
  }
}

export function failedLeg(error: string): LegResult {
  return { ok: false, error, durationMs: 1 }
}

export function options(
  overrides: Partial<CompareOptions> & { ignorePatterns?: string[] } = {},
): CompareOptions {
  const { ignorePatterns, ...rest } = overrides
  return {
    route: '/api/{id}',
    ignore: compileIgnore(ignorePatterns ?? []),
    compareHeaders: [],
    ignoreStatus: false,
    maxDecodedBytes: 1024 * 1024,
    maxPaths: 20,
    ...rest,
  }
}
