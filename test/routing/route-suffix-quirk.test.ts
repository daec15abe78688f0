import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteTable } from '../../src/routing/route-table.ts'

// matchit 0.8.6 (src/tree.rs, `NodeType::Param`) tries the suffixes of a parameter longest first
// and follows only the first that matches the segment; it does not come back for a shorter one.
// miffy keeps that, so a 1.0 configuration answers the same paths with the same routes.

test('in a middle segment only the longest matching suffix is followed', () => {
  const t = new RouteTable<string>()
  t.insert('/{name}.tar/list', 'a')
  t.insert('/{name}/extract', 'b')
  assert.equal(t.match('/x.tar/list')?.value, 'a')
  assert.deepEqual(t.match('/x.gz/extract')?.params, { name: 'x.gz' })
  // ".tar" matches the segment, so "/{name}/extract" is not tried for it.
  assert.equal(t.match('/x.tar/extract'), null)
})

test('other candidates are still tried after the committed suffix fails', () => {
  const t = new RouteTable<string>()
  t.insert('/{name}.tar/list', 'param')
  t.insert('/x.tar/{*rest}', 'static then catch-all')
  t.insert('/{*all}', 'root catch-all')
  assert.equal(t.match('/x.tar/extract')?.value, 'static then catch-all')
  assert.equal(t.match('/y.tar/extract')?.value, 'root catch-all')
})

test('in the last segment the longest matching suffix wins', () => {
  const t = new RouteTable<string>()
  t.insert('/{foo}.ts', 'ts')
  t.insert('/{foo}.tst', 'tst')
  t.insert('/{foo}t', 't')
  assert.deepEqual(t.match('/bar.tst'), { value: 'tst', pattern: '/{foo}.tst', params: { foo: 'bar' } })
  assert.deepEqual(t.match('/bar.ts')?.params, { foo: 'bar' })
  assert.deepEqual(t.match('/bart')?.params, { foo: 'bar' })
})
