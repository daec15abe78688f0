/**
 * Randomness for the corpus, in two kinds that must never be confused:
 *
 * - **noise**: what a real service makes up per response (request ids, tokens, shuffles, clock
 *   readings). Each node draws it from its own generator, seeded from the OS per request, so no
 *   two nodes are ever seeded to agree; a generator per request lets a regressed node replay the
 *   same noise with and without its bug and prove the bug shows (src: corpus/server.ts).
 * - **data**: what a real service reads from its database. It is derived from the request (the
 *   product id, the query) with a fixed hash, so every node, reference or candidate, "reads" the
 *   same rows, as instances sharing one database would.
 */
import { randomBytes } from 'node:crypto'

/** A uniform number in [0, 1). */
export type Rand = () => number

/** mulberry32: small, fast, and good enough to look random; not for secrets. */
export function seededRandom(seed: number): Rand {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A seed from the OS: what makes two nodes disagree. */
export function freshSeed(): number {
  return randomBytes(4).readUInt32LE(0)
}

/** FNV-1a over the text: the same key gives the same rows on every node. */
export function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** The "database": a generator whose values depend only on the key. */
export function dataFor(key: string): Rand {
  return seededRandom(hash32(key))
}

export function int(r: Rand, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1))
}

export function pick<T>(r: Rand, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!
}

/** A copy in random order (Fisher–Yates). */
export function shuffle<T>(r: Rand, items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** `n` distinct items drawn in random order. */
export function sample<T>(r: Rand, items: readonly T[], n: number): T[] {
  return shuffle(r, items).slice(0, n)
}

const HEX = '0123456789abcdef'
export function hex(r: Rand, length: number): string {
  let s = ''
  for (let i = 0; i < length; i++) s += HEX[Math.floor(r() * 16)]
  return s
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
export function base64url(r: Rand, length: number): string {
  let s = ''
  for (let i = 0; i < length; i++) s += B64URL[Math.floor(r() * 64)]
  return s
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
export function alnum(r: Rand, length: number): string {
  let s = ''
  for (let i = 0; i < length; i++) s += ALNUM[Math.floor(r() * ALNUM.length)]
  return s
}

/** An RFC 9562 version 4 UUID. */
export function uuid(r: Rand): string {
  const h = hex(r, 32).split('')
  h[12] = '4'
  h[16] = '89ab'[Math.floor(r() * 4)]!
  const s = h.join('')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}

/**
 * A float sum in random order, as a service summing a hash map or a parallel reduction does:
 * the last digits come out differently from call to call (0.1 + 0.2 + 0.3 is 0.6 or
 * 0.6000000000000001 depending on the order).
 */
export function sumInRandomOrder(r: Rand, values: readonly number[]): number {
  return shuffle(r, values).reduce((a, b) => a + b, 0)
}

/** A latency in ms, skewed like real ones: mostly small, sometimes large. */
export function latencyMs(r: Rand, typical: number): number {
  return Math.round(typical * Math.exp(r() * r() * 3) * (0.5 + r()))
}

/** Price-like amounts (two decimals) that make float sums jitter. */
export function amount(r: Rand, lo: number, hi: number): number {
  return Math.round((lo + r() * (hi - lo)) * 100) / 100
}
