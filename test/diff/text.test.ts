/** Text bodies by segments and tokens: places that stay the same from one response to the next. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { options, rawLeg } from './legs.ts'

const text = (body: string, type = 'text/plain') => rawLeg(body, { headers: { 'content-type': type } })
const paths = (d: ReturnType<typeof compare>) =>
  d?.body?.paths.map((p) => [p.path, p.change, p.reference, p.candidate])

test('whitespace inside and between lines, and blank lines, are not behaviour', () => {
  assert.equal(compare(text('a  b\n\n\nc'), text('a b\nc\n'), options()), null)
  assert.equal(compare(text('<p>\n  hi\n</p>', 'text/html'), text('<p>hi</p>', 'text/html'), options()), null)
})

test('a minified page is split at its tags: one changed value is one difference', () => {
  const page = (n: string) => `<html><ul><li class="a">1</li><li class="b">${n}</li></ul></html>`
  const d = compare(text(page('2'), 'text/html'), text(page('3'), 'text/html'), options())
  assert.deepEqual(paths(d), [['line 1 after "\\"b\\">"', 'value', '2', '3']])
})

test('a line on one side only is missing or added; its neighbours still compare', () => {
  const d = compare(text('a\nb\nc'), text('a\nc'), options())
  assert.deepEqual(paths(d), [['line 2', 'missing', 'b', undefined]])
})

test('floats printed in full and the same instant stamped a moment later are equal', () => {
  const now = Date.now()
  assert.equal(compare(text('sum 0.30000000000000004'), text('sum 0.3'), options()), null)
  assert.equal(
    compare(
      text(`at ${new Date(now).toISOString()}`),
      text(`at ${new Date(now + 2).toISOString()}`),
      options(),
    ),
    null,
  )
  // but not a formatted figure: 12.50 and 12.5 print differently for a reason
  assert.ok(compare(text('total 12.50'), text('total 12.5'), options()))
})

test('URLs whose query parameters come in another order are equal', () => {
  assert.equal(
    compare(
      text('<a href="/cb?state=s&amp;code=c">go</a>', 'text/html'),
      text('<a href="/cb?code=c&amp;state=s">go</a>', 'text/html'),
      options(),
    ),
    null,
  )
})

test('every row of an export shares its places: the same column, the same key', () => {
  const csv = (rows: string[]) => text(['sku,qty,price', ...rows].join('\n'), 'text/csv')
  const d = compare(csv(['A-1,2,9.99', 'B-2,5,1.50']), csv(['A-1,3,9.99', 'B-2,6,1.50']), options())
  assert.equal(d?.body?.paths.length, 2)
})

test('text_masks hide what they match, in bodies and in headers', () => {
  const rules = options({ textMasks: ['(?<=token=)\\w+', '/(?<=uptime: )\\S+/i'], compareHeaders: ['*'] })
  assert.equal(compare(text('token=abc Uptime: 3h'), text('token=xyz Uptime: 9h'), rules), null)
  assert.equal(
    compare(
      rawLeg('x', { headers: { 'x-session': 'token=a1' } }),
      rawLeg('x', { headers: { 'x-session': 'token=b2' } }),
      rules,
    ),
    null,
  )
})

test('a header of several words is compared token by token', () => {
  const csp = (nonce: string) =>
    rawLeg('x', { headers: { 'content-security-policy': `default-src 'self'; script-src 'nonce-${nonce}'` } })
  const d = compare(csp('abc'), csp('xyz'), options({ compareHeaders: ['*'] }))
  assert.deepEqual(d?.headers, ['content-security-policy'])
  assert.equal(d?.header_paths?.length, 1)
  assert.match(d!.header_paths![0]!.path, /^content-security-policy line 1 after/)
})
