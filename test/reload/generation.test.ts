/**
 * What a reload keeps: an experiment whose settings are unchanged is the same object (every
 * piece of live state with it); a changed one keeps the parts whose own settings are equal.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MiffyError } from '../../src/errors.ts'
import { buildGeneration } from '../../src/reload/generation.ts'
import { testConfig } from '../helpers/proxy.ts'

const at = new Date()
const noBreaker = () => {}

function build(routes: unknown[], extra: Record<string, unknown> = {}) {
  return testConfig({ reference: 'http://127.0.0.1:1', candidate: 'http://127.0.0.1:2', routes, ...extra })
}

test('an unchanged route keeps its experiment object; added, removed and changed ones are named', () => {
  const first = buildGeneration(
    build([{ path: '/a' }, { path: '/b', sample: 0.5 }, { path: '/gone' }]),
    undefined,
    noBreaker,
    at,
  ).generation
  const a = first.experiments.get('/a')!
  a.breaker.failure()
  const { generation, changes } = buildGeneration(
    build([{ path: '/a' }, { path: '/b', sample: 0.1 }, { path: '/new' }]),
    first,
    noBreaker,
    at,
  )
  assert.deepEqual(changes, { added: ['/new'], removed: ['/gone'], changed: ['/b'], unchanged: ['/a'] })
  assert.equal(generation.experiments.get('/a'), a)
  assert.notEqual(generation.experiments.get('/b'), first.experiments.get('/b'))
  assert.equal(generation.experiments.get('/b')!.sample, 0.1)
  assert.equal(generation.routing.routes.match('/new')?.value, generation.experiments.get('/new'))
  assert.equal(generation.routing.routes.match('/gone'), null)
  assert.equal(generation.number, 2)
})

test('a route inheriting a changed top-level default is changed; one that overrides it is not', () => {
  const first = buildGeneration(
    build([{ path: '/inherits' }, { path: '/own', sample: 0.5 }]),
    undefined,
    noBreaker,
    at,
  ).generation
  const { changes } = buildGeneration(
    build([{ path: '/inherits' }, { path: '/own', sample: 0.5 }], { sample: 0.2 }),
    first,
    noBreaker,
    at,
  )
  assert.deepEqual(changes.changed, ['/inherits'])
  assert.deepEqual(changes.unchanged, ['/own'])
})

test('a changed route keeps the limiter, breaker and rotation whose own settings are equal, and its pause', () => {
  const first = buildGeneration(build([{ path: '/x' }]), undefined, noBreaker, at).generation
  const old = first.experiments.get('/x')!
  old.paused = true
  const sampled = buildGeneration(build([{ path: '/x', sample: 0.3 }]), first, noBreaker, at).generation
  const exp = sampled.experiments.get('/x')!
  assert.notEqual(exp, old)
  assert.equal(exp.limiter, old.limiter)
  assert.equal(exp.breaker, old.breaker)
  assert.equal(exp.picker, old.picker)
  assert.equal(exp.paused, true)

  const resized = buildGeneration(
    build([
      { path: '/x', sample: 0.3, max_in_flight: 3, breaker_failures: 2, candidate: 'http://127.0.0.1:9' },
    ]),
    sampled,
    noBreaker,
    at,
  ).generation.experiments.get('/x')!
  assert.notEqual(resized.limiter, exp.limiter)
  assert.equal(resized.limiter.maxInFlight, 3)
  assert.notEqual(resized.breaker, exp.breaker)
  assert.notEqual(resized.picker, exp.picker)
})

test('the reference dispatcher is kept unless reference_timeout changes', async (t) => {
  const first = buildGeneration(build([]), undefined, noBreaker, at).generation
  const same = buildGeneration(
    build([], { reference: 'http://127.0.0.1:5' }),
    first,
    noBreaker,
    at,
  ).generation
  assert.equal(same.routing.referenceDispatcher, first.routing.referenceDispatcher)
  assert.equal(same.routing.reference.url, 'http://127.0.0.1:5')
  const slower = buildGeneration(build([], { reference_timeout: '45s' }), same, noBreaker, at).generation
  t.after(() =>
    Promise.all([first.routing.referenceDispatcher.close(), slower.routing.referenceDispatcher.close()]),
  )
  assert.notEqual(slower.routing.referenceDispatcher, same.routing.referenceDispatcher)
})

test('a route that does not compile throws the configuration error', () => {
  assert.throws(
    () => buildGeneration(build([{ path: '/a/{id}' }, { path: '/a/{other}' }]), undefined, noBreaker, at),
    (err: unknown) => err instanceof MiffyError && /routes\[1\]\.path/.test(err.message),
  )
})
