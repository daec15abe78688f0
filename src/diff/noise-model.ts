/**
 * What a route has learned about its own noise: for each place where two calls of the reference
 * (the reference and the secondary) have differed, how they differed. Learned in noise-learn.ts,
 * applied in noise-apply.ts, shown on GET /noise. Bounded: at most `maxKeys` places per route;
 * beyond it new places are not learned, and counted.
 */
import type { Change } from './model.ts'

/** Distinct string shape classes kept per place; beyond it any string of a sane class passes. */
export const MAX_CLASSES = 6
/** Distinct short values kept per place, for people (GET /noise). */
const MAX_VALUES = 8

export const CHANGE_BITS: Readonly<Record<Change, number>> = {
  value: 1,
  type: 2,
  missing: 4,
  added: 8,
  length: 16,
  order: 32,
}

/** How one place has differed. */
export interface PlaceNoise {
  /** the generalised location (`json $.items[*].price`) */
  key: string
  /** the last concrete location it was seen at, for people */
  path: string
  /** times it differed between the reference and the secondary */
  count: number
  /** the kinds of change seen (CHANGE_BITS) */
  changes: number
  /** type changes seen, as sorted pairs (`null|string`) */
  typePairs: Set<string>
  /** the largest difference seen between two numbers */
  maxDelta: number
  /** the smallest difference seen between two numbers that differed */
  minDelta: number
  /** how many times two numbers differed here */
  numbers: number
  /** the smallest and largest numbers seen */
  minValue: number
  maxValue: number
  /** every number seen was positive */
  positive: boolean
  /** the largest ratio seen between two (positive) numbers, ≥ 1 */
  maxRatio: number
  /** every value seen at this place reads as a point in time */
  instants: boolean
  /** the largest difference seen between two points in time, ms */
  maxInstantDelta: number
  /** shape classes of the strings seen (values.ts stringClass) */
  classes: Set<string>
  /** coarse shapes (values.ts coarseClass) → how many distinct classes were seen with each */
  coarse: Map<string, number>
  /** more shape classes were seen than MAX_CLASSES */
  saturated: boolean
  /** a few values seen (short ones), for people */
  values: Set<string>
  /** lengths seen where a length differed */
  minLength: number
  maxLength: number
  /** epoch ms */
  lastSeen: number
}

/** Status pairs kept per route (sorted `200|202`); beyond it new pairs are not learned. */
export const MAX_STATUS_PAIRS = 16

/** `200|202`: a pair of statuses, either way round. */
export function statusPair(a: number, b: number): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`
}

/**
 * Places learned from a pair whose statuses differ (`202 pending` against `200 ready`) are kept
 * apart, under `when <pair> `, and explain only a candidate pair with the same two statuses:
 * what a pending answer lacks says nothing of what a ready one may lack.
 */
export function statusPrefix(pair: string): string {
  return `when ${pair} `
}

/** A place's key without its status prefix. */
export function unprefixed(key: string): string {
  return key.startsWith('when ') ? key.slice(key.indexOf(' ', 5) + 1) : key
}

export class NoiseModel {
  readonly maxPlaces: number
  /** reference/secondary pairs learned from */
  samples = 0
  /** pairs not learned from: the secondary failed (or answered 5xx against another status) */
  skipped = 0
  /** statuses the reference and the secondary answered differently, below 500 (`200|202`) */
  readonly statusPairs = new Set<string>()
  /** places not learned because the model was full */
  overflow = 0
  readonly #places = new Map<string, PlaceNoise>()

  constructor(maxPlaces: number) {
    this.maxPlaces = maxPlaces
  }

  get size(): number {
    return this.#places.size
  }

  get(key: string): PlaceNoise | undefined {
    return this.#places.get(key)
  }

  /** The place for `key`, created when there is room; undefined (and counted) when full. */
  place(key: string, path: string): PlaceNoise | undefined {
    let p = this.#places.get(key)
    if (p) return p
    if (this.#places.size >= this.maxPlaces) {
      this.overflow++
      return undefined
    }
    p = {
      key,
      path,
      count: 0,
      changes: 0,
      typePairs: new Set(),
      maxDelta: 0,
      minDelta: Number.POSITIVE_INFINITY,
      numbers: 0,
      minValue: Number.POSITIVE_INFINITY,
      maxValue: Number.NEGATIVE_INFINITY,
      positive: true,
      maxRatio: 1,
      instants: true,
      maxInstantDelta: 0,
      classes: new Set(),
      coarse: new Map(),
      saturated: false,
      values: new Set(),
      minLength: Number.POSITIVE_INFINITY,
      maxLength: 0,
      lastSeen: 0,
    }
    this.#places.set(key, p)
    return p
  }

  /**
   * Whether the order of the array at `key` has been seen to vary (for the comparison). A bound
   * function: the comparison passes it on on its own.
   */
  readonly order = (key: string): boolean => {
    const p = this.#places.get(key)
    return p !== undefined && (p.changes & CHANGE_BITS.order) !== 0
  }

  places(): IterableIterator<PlaceNoise> {
    return this.#places.values()
  }

  /** Remember a short value seen at a place, for people. */
  static note(place: PlaceNoise, value: unknown): void {
    if (place.values.size >= MAX_VALUES) return
    if (typeof value === 'string' && value.length <= 40) place.values.add(value)
    else if (typeof value === 'number' || typeof value === 'boolean') place.values.add(String(value))
  }
}
