import assert from 'node:assert/strict'
import { test } from 'node:test'
import zlib from 'node:zlib'
import { decodeBody } from '../../src/diff/content.ts'

const text = Buffer.from('{"hello":"world","n":[1,2,3]}')
const MAX = 1024 * 1024

function decoded(encoding: string | string[] | undefined, body: Buffer, max = MAX): string {
  const result = decodeBody(encoding === undefined ? {} : { 'content-encoding': encoding }, body, max)
  assert.ok(result.ok, `expected ok, got ${JSON.stringify(result)}`)
  return result.body.toString()
}

test('no content-encoding and identity return the body as is', () => {
  assert.equal(decoded(undefined, text), text.toString())
  assert.equal(decoded('identity', text), text.toString())
  const result = decodeBody({}, text, MAX)
  assert.ok(result.ok && result.body === text, 'identity does not copy')
})

test('gzip and x-gzip, case-insensitive', () => {
  assert.equal(decoded('gzip', zlib.gzipSync(text)), text.toString())
  assert.equal(decoded('x-gzip', zlib.gzipSync(text)), text.toString())
  assert.equal(decoded('GZip', zlib.gzipSync(text)), text.toString())
})

test('br', () => {
  assert.equal(decoded('br', zlib.brotliCompressSync(text)), text.toString())
})

test('deflate accepts a zlib stream and a raw deflate stream', () => {
  assert.equal(decoded('deflate', zlib.deflateSync(text)), text.toString())
  assert.equal(decoded('deflate', zlib.deflateRawSync(text)), text.toString())
  // a raw stream with a non-default level, and an empty payload
  assert.equal(decoded('deflate', zlib.deflateRawSync(text, { level: 1 })), text.toString())
  assert.equal(decoded('deflate', zlib.deflateRawSync(Buffer.alloc(0))), '')
})

test('several codings are undone right to left (RFC 9110 §8.4.1)', () => {
  const body = zlib.brotliCompressSync(zlib.gzipSync(text))
  assert.equal(decoded('gzip, br', body), text.toString())
  assert.equal(decoded(['gzip', 'br'], body), text.toString())
  assert.equal(decoded('gzip, identity', zlib.gzipSync(text)), text.toString())
})

test('an empty body is empty whatever content-encoding says (HEAD, 204, 304)', () => {
  assert.equal(decoded('gzip', Buffer.alloc(0)), '')
})

test('corrupt gzip: bad header, truncated stream, bad checksum, trailing garbage', () => {
  const gz = zlib.gzipSync(text)
  const badCrc = Buffer.from(gz)
  badCrc[badCrc.length - 6]! ^= 0xff
  for (const body of [
    Buffer.from('not gzip at all'),
    gz.subarray(0, gz.length - 4),
    badCrc,
    Buffer.concat([gz, Buffer.from('junk')]),
  ]) {
    assert.deepEqual(decodeBody({ 'content-encoding': 'gzip' }, body, MAX), { ok: false, reason: 'corrupt' })
  }
  assert.deepEqual(decodeBody({ 'content-encoding': 'br' }, Buffer.from('garbage!'), MAX), {
    ok: false,
    reason: 'corrupt',
  })
  assert.deepEqual(decodeBody({ 'content-encoding': 'deflate' }, Buffer.from([0xff, 0xff, 0xff]), MAX), {
    ok: false,
    reason: 'corrupt',
  })
})

test('unknown codings are unsupported', () => {
  for (const coding of ['compress', 'zstd', 'gzip, snappy', 'a, b, c, d, e, gzip']) {
    assert.deepEqual(decodeBody({ 'content-encoding': coding }, text, MAX), {
      ok: false,
      reason: 'unsupported_encoding',
    })
  }
})

test('the decoded size is capped inside zlib (a bomb never allocates past the cap)', () => {
  const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024))
  assert.ok(bomb.length < 100 * 1024)
  assert.deepEqual(decodeBody({ 'content-encoding': 'gzip' }, bomb, 64 * 1024), {
    ok: false,
    reason: 'too_large',
  })
  assert.deepEqual(
    decodeBody({ 'content-encoding': 'br' }, zlib.brotliCompressSync(Buffer.alloc(1e6)), 1000),
    {
      ok: false,
      reason: 'too_large',
    },
  )
  assert.deepEqual(
    decodeBody({ 'content-encoding': 'deflate' }, zlib.deflateRawSync(Buffer.alloc(1e6)), 1000),
    {
      ok: false,
      reason: 'too_large',
    },
  )
})

test('the cap is inclusive and also applies to identity bodies', () => {
  assert.equal(decoded('gzip', zlib.gzipSync(text), text.length), text.toString())
  assert.deepEqual(decodeBody({ 'content-encoding': 'gzip' }, zlib.gzipSync(text), text.length - 1), {
    ok: false,
    reason: 'too_large',
  })
  assert.deepEqual(decodeBody({}, text, text.length - 1), { ok: false, reason: 'too_large' })
  assert.deepEqual(decodeBody({ 'content-encoding': 'gzip' }, zlib.gzipSync(text), 0), {
    ok: false,
    reason: 'too_large',
  })
})
