/**
 * Markup written another way by the same code: attributes in another order, XML namespace
 * prefixes numbered in another order, table rows in another order. None of it is a difference
 * (or, for rows, one `order` difference that noise can explain); a changed value still is.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf } from '../../src/diff/compare.ts'
import { canonicalMarkup } from '../../src/diff/markup.ts'
import { options, rawLeg } from './legs.ts'

const xml = (body: string) => rawLeg(body, { headers: { 'content-type': 'application/xml' } })
const html = (body: string) => rawLeg(body, { headers: { 'content-type': 'text/html' } })
const paths = (d: ReturnType<typeof divergenceOf>) =>
  d?.body?.paths.map((p) => [p.change, p.reference, p.candidate])

test('attributes in another order are the same element; a changed attribute is not', () => {
  const a = '<root>\n<amount currencyID="EUR" unit="C62">12.50</amount>\n</root>'
  const b = '<root>\n<amount unit="C62" currencyID="EUR">12.50</amount>\n</root>'
  assert.equal(divergenceOf(xml(a), xml(b), options()), null)
  const usd = '<root>\n<amount unit="C62" currencyID="USD">12.50</amount>\n</root>'
  assert.deepEqual(paths(divergenceOf(xml(a), xml(usd), options())), [['value', 'EUR', 'USD']])
})

test('namespace prefixes are named after their namespaces; a changed namespace is a difference', () => {
  const doc = (p: [string, string], v = '2') =>
    `<${p[0]}:Invoice xmlns:${p[0]}="urn:inv" xmlns:${p[1]}="urn:cbc-${v}">\n<${p[1]}:ID>A-1</${p[1]}:ID>\n</${p[0]}:Invoice>`
  assert.equal(divergenceOf(xml(doc(['ns0', 'ns1'])), xml(doc(['ns2', 'ns0'])), options()), null)
  const d = divergenceOf(xml(doc(['ns0', 'ns1'])), xml(doc(['ns0', 'ns1'], '3')), options())
  assert.ok(d, 'urn:cbc-2 → urn:cbc-3 is a difference')
  assert.match(JSON.stringify(paths(d)), /cbc-2.*cbc-3|cbc-3/)
  // a tag on several lines keeps the line numbers of what follows
  assert.equal(canonicalMarkup('<a\n  b="1"\n  c="2">\nx').split('\n').length, 4)
})

test('table rows in another order are one order difference; a changed cell is still a value', () => {
  const rows = [
    ['SKU-1', 'Classic Tent', '5'],
    ['SKU-2', 'Nordic Mug', '55'],
    ['SKU-3', 'Daily Headlamp', '84'],
  ]
  const page = (rs: string[][]) =>
    `<table>\n${rs.map(([s, n, q]) => `<tr data-sku="${s}"><td>${n}</td><td class="num">${q}</td></tr>`).join('\n')}\n</table>`
  const swapped = [rows[2]!, rows[0]!, rows[1]!]
  assert.deepEqual(
    divergenceOf(html(page(rows)), html(page(swapped)), options())?.body?.paths.map((p) => p.change),
    ['order'],
  )
  const changed = swapped.map((r) => (r[0] === 'SKU-2' ? [r[0]!, r[1]!, '56'] : r))
  const d = divergenceOf(html(page(rows)), html(page(changed)), options())
  assert.ok(
    d?.body?.paths.some((p) => p.change !== 'order'),
    JSON.stringify(paths(d)),
  )
})
