import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toBodyRepr } from '../../src/diff/content.ts'

const json = { 'content-type': 'application/json; charset=utf-8' }

test('empty body is null', () => {
  assert.equal(toBodyRepr(json, Buffer.alloc(0)), null)
  assert.equal(toBodyRepr({}, Buffer.alloc(0)), null)
})

test('JSON body is {"type":"json","value":...}', () => {
  const repr = toBodyRepr(json, Buffer.from('{"b":[1,2.5,null],"a":"x"}'))
  assert.equal(JSON.stringify(repr), '{"type":"json","value":{"b":[1,2.5,null],"a":"x"}}')
  assert.equal(
    JSON.stringify(toBodyRepr({ 'content-type': 'application/problem+json' }, Buffer.from('3'))),
    '{"type":"json","value":3}',
  )
})

test('bytes [1,2,3] are {"type":"bytes","value":"AQID"}', () => {
  assert.equal(JSON.stringify(toBodyRepr({}, Buffer.from([1, 2, 3]))), '{"type":"bytes","value":"AQID"}')
  assert.equal(
    JSON.stringify(toBodyRepr({ 'content-type': 'application/octet-stream' }, Buffer.from([1, 2, 3]))),
    '{"type":"bytes","value":"AQID"}',
  )
})

test('JSON text with a non-JSON content type is bytes', () => {
  assert.deepEqual(toBodyRepr({ 'content-type': 'text/plain' }, Buffer.from('{}')), {
    type: 'bytes',
    value: 'e30=',
  })
})

test('a JSON content type with an invalid body is bytes', () => {
  assert.deepEqual(toBodyRepr(json, Buffer.from('{nope')), {
    type: 'bytes',
    value: Buffer.from('{nope').toString('base64'),
  })
})

test('invalid UTF-8 is bytes even if it would parse with replacement characters', () => {
  const body = Buffer.concat([Buffer.from('"'), Buffer.from([0xff]), Buffer.from('"')])
  assert.deepEqual(toBodyRepr(json, body), { type: 'bytes', value: body.toString('base64') })
})

test('integers beyond 2^53 keep their digits when the message is serialised', () => {
  const text = '{"id":12345678901234567891,"small":9007199254740991,"f":1.5,"e":1e+300}'
  const repr = toBodyRepr(json, Buffer.from(text))
  assert.equal(JSON.stringify(repr), `{"type":"json","value":${text}}`)
})

test('JSON nested deeper than 128 levels is bytes', () => {
  const ok = '['.repeat(128) + ']'.repeat(128)
  assert.equal(toBodyRepr(json, Buffer.from(ok))?.type, 'json')
  const deep = '['.repeat(129) + ']'.repeat(129)
  assert.equal(toBodyRepr(json, Buffer.from(deep))?.type, 'bytes')
})
