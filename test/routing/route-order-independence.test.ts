import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RouteError, RouteTable } from '../../src/routing/route-table.ts'

// Random route sets over a tiny alphabet, so routes overlap a lot. Seeded: failures reproduce.

function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<E>(rand: () => number, items: readonly E[]): E {
  return items[Math.floor(rand() * items.length)] as E
}

function randomPattern(rand: () => number): string {
  const depth = 1 + Math.floor(rand() * 3)
  let out = ''
  let n = 0
  for (let i = 0; i < depth; i++) {
    const kind = rand()
    if (kind < 0.45) out += '/' + pick(rand, ['a', 'b', 'ab', 'a.x', ''])
    else if (kind < 0.85)
      out += '/' + pick(rand, ['', '', 'a', 'v']) + `{p${n++}}` + pick(rand, ['', '', '.x', 'b'])
    else return out + '/' + pick(rand, ['', '', 'a']) + `{*rest}`
  }
  return out
}

function randomPath(rand: () => number): string {
  const depth = 1 + Math.floor(rand() * 4)
  let out = ''
  for (let i = 0; i < depth; i++)
    out += '/' + pick(rand, ['a', 'b', 'ab', 'a.x', 'v1', 'ab.x', 'vb', '', 'q'])
  return out
}

/** A regular expression for what `pattern` can match, to check each answer independently. */
function regexFor(pattern: string): RegExp {
  const parts = pattern.split(/(\{\*?\w+\})/).map((part) => {
    if (part.startsWith('{*')) return '(.+)'
    if (part.startsWith('{')) return '([^/]+)'
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  })
  return new RegExp(`^${parts.join('')}$`)
}

function shuffled<E>(rand: () => number, items: readonly E[]): E[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j] as E, out[i] as E]
  }
  return out
}

test('random route sets route the same in any insertion order, and every match fits its pattern', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rand = prng(seed)
    const accepted: string[] = []
    const first = new RouteTable<string>()
    for (let i = 0; i < 12; i++) {
      const p = randomPattern(rand)
      try {
        first.insert(p, p)
        accepted.push(p)
      } catch (err) {
        assert.ok(err instanceof RouteError, `seed ${seed}: ${String(err)}`)
      }
    }
    const second = new RouteTable<string>()
    for (const p of shuffled(rand, accepted)) second.insert(p, p)

    for (let i = 0; i < 60; i++) {
      const path = randomPath(rand)
      const a = first.match(path)
      const b = second.match(path)
      assert.deepEqual(a, b, `seed ${seed}, path ${path}, routes ${JSON.stringify(accepted)}`)
      if (a !== null) {
        const m = regexFor(a.pattern).exec(path)
        assert.ok(m, `seed ${seed}: ${path} does not fit ${a.pattern}`)
        assert.deepEqual(Object.values(a.params), m.slice(1), `seed ${seed}: ${path} params for ${a.pattern}`)
      }
    }
  }
})
