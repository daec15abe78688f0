/** CSV records with line breaks inside quoted fields compare as records. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf } from '../../src/diff/compare.ts'
import { csvRecords } from '../../src/diff/csv.ts'
import { options, rawLeg } from './legs.ts'

const csv = (body: string) => rawLeg(body, { headers: { 'content-type': 'text/csv; charset=utf-8' } })
const ROWS = [
  '"T-1","Printer jams, again","Thanks\nLinus"',
  '"T-2","Refund ""duplicate"", carrier","ok"',
  '"T-3","Login","Line one\nLine two\nLine three"',
]
const doc = (rows: string[]) => `id,subject,body\n${rows.join('\n')}\n`

test('a record is one line, whatever line breaks its quoted fields hold; line numbers stay', () => {
  const out = csvRecords(doc(ROWS))
  assert.equal(out.split('\n').length, doc(ROWS).split('\n').length)
  assert.ok(out.includes('"Thanks\u2424Linus"'))
  // a stray quote inside an unquoted field does not open a quoted one
  assert.equal(csvRecords('a,5" screen,b\nc,d,e\n'), 'a,5" screen,b\nc,d,e\n')
})

test('records in another order are one order difference; a changed field inside a record is not', () => {
  const shuffled = [ROWS[2]!, ROWS[0]!, ROWS[1]!]
  const d = divergenceOf(csv(doc(ROWS)), csv(doc(shuffled)), options())
  assert.deepEqual(
    d?.body?.paths.map((p) => p.change),
    ['order'],
  )
  const flattened = shuffled.map((r) => r.replace('Thanks\nLinus', 'Thanks Linus'))
  const e = divergenceOf(csv(doc(ROWS)), csv(doc(flattened)), options())
  assert.ok(
    e?.body?.paths.some((p) => p.change !== 'order'),
    JSON.stringify(e?.body?.paths),
  )
})

test('rows that moved and carry a fresh value each are put back in order and compared row by row', () => {
  const row = (id: string, subject: string, at: string) => `${id},"${subject}",${at}`
  const a = [
    row('T-1', 'Printer jams', '2026-12-02T03:31:02.967Z'),
    row('T-2', 'Refund', '2026-12-02T03:31:02.968Z'),
  ]
  const b = [
    row('T-2', 'Refund', '2026-12-02T03:31:03.212Z'),
    row('T-1', 'Printer jams', '2026-12-02T03:31:03.213Z'),
  ]
  const d = divergenceOf(csv(doc(a)), csv(doc(b)), options())
  const paths = d?.body?.paths ?? []
  assert.equal(paths[0]?.change, 'order')
  // what remains is the exported_at of each row, at its own place: no row missing or added
  assert.ok(
    paths.slice(1).every((p) => p.change === 'value'),
    JSON.stringify(paths),
  )
  const changed = [
    row('T-2', 'Refund', '2026-12-02T03:31:03.212Z'),
    row('T-1', 'Printer jam', '2026-12-02T03:31:03.213Z'),
  ]
  const e = divergenceOf(csv(doc(a)), csv(doc(changed)), options())
  assert.ok(
    e?.body?.paths.some((p) => p.reference === 'jams'),
    JSON.stringify(e?.body?.paths),
  )
})
