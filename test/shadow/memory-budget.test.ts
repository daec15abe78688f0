import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryBudget } from '../../src/shadow/memory-budget.ts'

test('reservations succeed up to the limit exactly', () => {
  const budget = new MemoryBudget(100)
  assert.equal(budget.tryReserve(60), true)
  assert.equal(budget.tryReserve(40), true)
  assert.equal(budget.used, 100)
})

test('a reservation that would pass the limit is refused and reserves nothing', () => {
  const budget = new MemoryBudget(100)
  budget.tryReserve(60)
  assert.equal(budget.tryReserve(41), false)
  assert.equal(budget.used, 60)
  assert.equal(budget.tryReserve(40), true, 'a smaller one still fits')
})

test('release gives the bytes back', () => {
  const budget = new MemoryBudget(100)
  budget.tryReserve(100)
  budget.release(30)
  assert.equal(budget.used, 70)
  assert.equal(budget.tryReserve(30), true)
  assert.equal(budget.tryReserve(1), false)
})

test('releasing more than is used never drives the count below zero', () => {
  const budget = new MemoryBudget(100)
  budget.tryReserve(10)
  budget.release(50)
  assert.equal(budget.used, 0)
  assert.equal(budget.tryReserve(100), true, 'an over-release does not create extra room')
  assert.equal(budget.tryReserve(1), false)
})

test('a zero budget refuses any bytes but accepts an empty reservation', () => {
  const budget = new MemoryBudget(0)
  assert.equal(budget.tryReserve(1), false)
  assert.equal(budget.tryReserve(0), true)
  assert.equal(budget.used, 0)
})
