import assert from 'node:assert/strict'
import { test } from 'node:test'
import zlib from 'node:zlib'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { options, rawLeg } from './legs.ts'

const body = '{"items":[{"id":1,"name":"a"},{"id":2,"name":"b"}]}'
const encoded = (encoding: string, data: Buffer | string) =>
  rawLeg(data, { headers: { 'content-type': 'application/json', 'content-encoding': encoding } })
const plain = (data: string) => rawLeg(data, { headers: { 'content-type': 'application/json' } })

test('gzip against identity with the same JSON is equal', () => {
  assert.equal(compare(encoded('gzip', zlib.gzipSync(body)), plain(body), options()), null)
  assert.equal(compare(plain(body), encoded('gzip', zlib.gzipSync(body)), options()), null)
})

test('br and deflate (zlib and raw) are decoded', () => {
  assert.equal(compare(encoded('br', zlib.brotliCompressSync(body)), plain(body), options()), null)
  assert.equal(compare(encoded('deflate', zlib.deflateSync(body)), plain(body), options()), null)
  assert.equal(
    compare(encoded('deflate', zlib.deflateRawSync(body)), encoded('gzip', zlib.gzipSync(body)), options()),
    null,
  )
})

test('decoded JSON is compared by value', () => {
  const other = '{"items":[{"name":"a","id":1},{"id":3,"name":"b"}]}'
  const divergence = compare(
    encoded('gzip', zlib.gzipSync(body)),
    encoded('br', zlib.brotliCompressSync(other)),
    options(),
  )
  assert.deepEqual(divergence?.body?.paths, [
    { path: '$.items[1].id', reference: 2, candidate: 3, change: 'value' },
  ])
})

test('same wire bytes under different content-encodings are decoded before comparing', () => {
  const gz = zlib.gzipSync(body)
  const divergence = compare(
    encoded('gzip', gz),
    rawLeg(gz, { headers: { 'content-type': 'application/json' } }),
    options(),
  )
  assert.equal(divergence?.body?.kind, 'bytes')
})

test('corrupt gzip on one side is a bytes difference marked with decodeError', () => {
  const divergence = compare(plain(body), encoded('gzip', Buffer.from('definitely not gzip')), options())
  assert.deepEqual(divergence?.body, {
    kind: 'bytes',
    paths: [],
    truncated: false,
    decodeError: { candidate: 'corrupt' },
  })
})

test('unsupported encoding and both sides failing', () => {
  const divergence = compare(encoded('zstd', 'xx'), encoded('gzip', 'yy'), options())
  assert.deepEqual(divergence?.body?.decodeError, { reference: 'unsupported_encoding', candidate: 'corrupt' })
})

test('the same corrupt bytes with the same encoding are equal (nothing to decode)', () => {
  assert.equal(compare(encoded('gzip', 'junk'), encoded('gzip', 'junk'), options()), null)
})

test('a body decoding past maxDecodedBytes is marked too_large', () => {
  const big = JSON.stringify({ pad: 'x'.repeat(10_000) })
  const divergence = compare(
    plain('{}'),
    encoded('gzip', zlib.gzipSync(big)),
    options({ maxDecodedBytes: 4096 }),
  )
  assert.deepEqual(divergence?.body?.decodeError, { candidate: 'too_large' })
  assert.equal(
    compare(plain(big), encoded('gzip', zlib.gzipSync(big)), options({ maxDecodedBytes: 100_000 })),
    null,
  )
})

test('decode failures enter the fingerprint', () => {
  const corrupt = compare(plain(body), encoded('gzip', 'bad'), options())!
  const tooLarge = compare(
    plain(body),
    encoded('gzip', zlib.gzipSync('x'.repeat(5000))),
    options({ maxDecodedBytes: 100 }),
  )!
  const plainBytes = compare(plain(body), plain('{'), options())!
  assert.notEqual(corrupt.fingerprint, tooLarge.fingerprint)
  assert.notEqual(corrupt.fingerprint, plainBytes.fingerprint)
})
