import assert from 'node:assert/strict'
import { test } from 'node:test'
import pino from 'pino'
import { ThrottledWarning } from '../src/throttled-log.ts'

test('a throttled warning logs once per interval and reports what it left out', () => {
  const lines: Record<string, unknown>[] = []
  const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) })
  const w = new ThrottledWarning(log, 'sink refused', 1000)
  for (let i = 0; i < 5; i++) w.warn({ i }, 10_000 + i)
  assert.equal(lines.length, 1)
  assert.equal(lines[0]!.msg, 'sink refused')
  assert.equal(lines[0]!.suppressed, undefined)
  w.warn({ i: 5 }, 11_000)
  assert.equal(lines.length, 2)
  assert.equal(lines[1]!.suppressed, 4)
  assert.equal(lines[1]!.i, 5)
})
