/**
 * The classification rules of the compatibility suite: every documented difference points at a
 * README anchor that exists, a known breaking one says who fixes it, and anything no rule knows
 * is breaking.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { Difference } from '../../compat/compare.ts'
import { classify, KNOWN_DIFFERENCES } from '../../compat/known-differences.ts'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** Explicit `<a id="…">` anchors and GitHub's heading slugs. */
function anchors(): Set<string> {
  const ids = new Set<string>()
  for (const m of readme.matchAll(/<a id="([^"]+)"/g)) ids.add(m[1]!)
  for (const m of readme.matchAll(/^#+ (.+)$/gm))
    ids.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    )
  return ids
}

test('every compatible or improved difference is documented at a README anchor that exists', () => {
  const ids = anchors()
  for (const k of KNOWN_DIFFERENCES) {
    if (k.class === 'breaking') continue
    assert.ok(k.anchor, `${k.id} has no README anchor`)
    assert.ok(ids.has(k.anchor), `${k.id}: README.md has no #${k.anchor}`)
  }
})

test('every known breaking difference names the fix and who owns it', () => {
  for (const k of KNOWN_DIFFERENCES.filter((x) => x.class === 'breaking')) {
    assert.ok(k.pending && k.pending.length > 10, `${k.id} is breaking without a pending fix`)
  }
})

const diff = (over: Partial<Difference>): Difference => ({
  scenario: 'json-differ',
  aspect: 'topic',
  field: 'payload.request.uri',
  rust: '/api/1',
  miffy: '/api/1',
  ...over,
})

test('a Rust field missing or changed on the topic is breaking', () => {
  assert.equal(classify(diff({ miffy: undefined })).class, 'breaking')
  assert.equal(
    classify(diff({ field: 'payload.request.params.value', rust: 'a%20b', miffy: 'a b' })).class,
    'breaking',
  )
  assert.equal(classify(diff({ field: 'key', rust: 'a%20b', miffy: 'a b' })).class, 'breaking')
  assert.equal(
    classify(diff({ field: 'payload.candidate.response.error', rust: 'request', miffy: 'connection' })).class,
    'breaking',
  )
})

test('a field miffy adds is compatible only when it is one of the documented additive fields', () => {
  assert.equal(classify(diff({ field: 'payload.id', rust: undefined, miffy: 'x' })).class, 'compatible')
  assert.equal(
    classify(diff({ field: 'payload.candidate.response.error_detail', rust: undefined, miffy: 'reset' }))
      .class,
    'compatible',
  )
  assert.equal(
    classify(diff({ field: 'payload.request.extra', rust: undefined, miffy: 'x' })).class,
    'breaking',
  )
})

test('a differing answer or upstream request outside the documented cases is breaking', () => {
  assert.equal(classify(diff({ aspect: 'client', field: 'status', rust: 200, miffy: 502 })).class, 'breaking')
  assert.equal(
    classify(
      diff({
        aspect: 'upstream',
        field: 'reference[0].headers.host',
        rust: 'shop.example',
        miffy: '127.0.0.1:1',
      }),
    ).class,
    'breaking',
  )
  // the healthz rule covers formatting, not a different value
  assert.equal(
    classify(
      diff({
        scenario: 'healthz',
        aspect: 'client',
        field: 'body',
        rust: '{"status": "healthy"}',
        miffy: '{}',
      }),
    ).class,
    'breaking',
  )
})
