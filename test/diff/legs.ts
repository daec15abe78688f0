/** Builders for compare tests: legs as the shadow dispatcher captures them, and compiled rules. */

import type { HeaderRepr, LegResult } from '../../src/diff/model.ts'
import { type CompareRules, compileRules, type RuleSpec } from '../../src/diff/rules.ts'

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

/**
 * Rules for a test: no header compared but Content-Type (by media type), no path rules, the
 * default float tolerance; `ignorePatterns` is `ignore`.
 */
export function options(overrides: Partial<RuleSpec> & { ignorePatterns?: string[] } = {}): CompareRules {
  const { ignorePatterns, ...rest } = overrides
  return compileRules({
    route: '/api/{id}',
    ignore: ignorePatterns ?? [],
    unordered: [],
    tolerance: {},
    matchBy: {},
    floatTolerance: 1e-9,
    compareHeaders: [],
    ignoreHeaders: [],
    presenceHeaders: [],
    ignoreStatus: false,
    textMasks: [],
    maxDecodedBytes: 1024 * 1024,
    maxPaths: 20,
    ...rest,
  })
}
