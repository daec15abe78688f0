import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isJsonContentType } from '../../src/diff/content.ts'

test('JSON media types, with parameters, case-insensitive', () => {
  for (const value of [
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/JSON',
    'application/problem+json',
    'application/vnd.api+json; ext="x"',
    'application/ld+json',
    ' application/json ',
    ['text/plain', 'application/json'],
  ]) {
    assert.equal(isJsonContentType(value), true, JSON.stringify(value))
  }
})

test('other media types are not JSON', () => {
  for (const value of [
    undefined,
    '',
    'text/json',
    'text/plain',
    'application/jsonp',
    'application/json-seq',
    'application/x-json-stream',
    'application/+json',
    'application/json+xml',
    'text/html; profile=application/json',
    ['application/json', 'text/plain'],
    [],
  ]) {
    assert.equal(isJsonContentType(value), false, JSON.stringify(value))
  }
})
