/**
 * Learning the noise: where the reference and the secondary (a second instance of the same
 * service) differ on the same request, the route's responses vary by themselves. Each
 * difference of that comparison is recorded at its place (the generalised key), with how it
 * differed: which kind of change, the shapes of the strings, how far numbers and points in time
 * moved, which lengths an array took.
 *
 * Nothing is learned from a pair whose secondary failed, or where either answered 5xx against
 * another status: a secondary in trouble is not the reference's noise, and learning it would
 * hide real regressions. Two statuses below 500 (`200` ready against `202` pending) are the
 * route's noise: the pair is kept (NoiseModel.statusPairs) and its differences are learned
 * apart, under the pair (noise-model.ts statusPrefix).
 */
import type { Comparison } from './compare.ts'
import { ABSENT, type Difference } from './model.ts'
import {
  CHANGE_BITS,
  MAX_CLASSES,
  MAX_STATUS_PAIRS,
  NoiseModel,
  type PlaceNoise,
  statusPair,
  statusPrefix,
} from './noise-model.ts'
import { coarseClass, instantDelta, jsonType, numericValue, stringClass } from './values.ts'

/** Learns from the comparison of the reference with the secondary (null: they were equal). */
export function learnNoise(model: NoiseModel, comparison: Comparison | null, now = Date.now()): void {
  if (comparison === null) {
    model.samples++
    return
  }
  if (comparison.error) {
    model.skipped++
    return
  }
  let prefix = ''
  if (comparison.status) {
    const { reference: r, candidate: s } = comparison.status
    // a failing secondary teaches nothing about the route's answers
    if (r >= 500 || s >= 500) {
      model.skipped++
      return
    }
    const pair = statusPair(r, s)
    if (!model.statusPairs.has(pair)) {
      if (model.statusPairs.size >= MAX_STATUS_PAIRS) {
        model.skipped++
        return
      }
      model.statusPairs.add(pair)
    }
    prefix = statusPrefix(pair)
  }
  model.samples++
  for (const d of comparison.differences) {
    const place = model.place(prefix + d.key, d.path)
    if (place) learnOne(place, d, now)
  }
}

function learnOne(place: PlaceNoise, d: Difference, now: number): void {
  place.count++
  place.path = d.path
  place.lastSeen = now
  place.changes |= CHANGE_BITS[d.change]
  const { reference: a, candidate: b } = d
  switch (d.change) {
    case 'type':
      place.typePairs.add(typePair(a, b))
      shapes(place, a, b)
      return
    case 'value':
      values(place, a, b)
      return
    case 'missing':
    case 'added':
      shapes(place, a, b)
      return
    case 'length':
      for (const n of [a, b]) {
        if (typeof n !== 'number') continue
        place.minLength = Math.min(place.minLength, n)
        place.maxLength = Math.max(place.maxLength, n)
      }
      return
    case 'order':
      return
  }
}

export function typePair(a: unknown, b: unknown): string {
  const ta = a === ABSENT ? 'absent' : jsonType(a)
  const tb = b === ABSENT ? 'absent' : jsonType(b)
  return ta < tb ? `${ta}|${tb}` : `${tb}|${ta}`
}

function values(place: PlaceNoise, a: unknown, b: unknown): void {
  const delta = instantDelta(a, b)
  if (delta !== undefined) {
    place.maxInstantDelta = Math.max(place.maxInstantDelta, delta)
  } else {
    place.instants = false
  }
  const na = numericValue(a)
  const nb = numericValue(b)
  if (na !== undefined && nb !== undefined) {
    place.numbers++
    place.maxDelta = Math.max(place.maxDelta, Math.abs(na - nb))
    place.minDelta = Math.min(place.minDelta, Math.abs(na - nb))
    place.minValue = Math.min(place.minValue, na, nb)
    place.maxValue = Math.max(place.maxValue, na, nb)
    if (na > 0 && nb > 0) place.maxRatio = Math.max(place.maxRatio, na / nb, nb / na)
    else place.positive = false
  }
  shapes(place, a, b)
  NoiseModel.note(place, a)
  NoiseModel.note(place, b)
}

function shapes(place: PlaceNoise, ...vs: unknown[]): void {
  for (const v of vs) {
    if (typeof v !== 'string') continue
    const c = stringClass(v)
    if (place.classes.has(c)) continue
    if (place.classes.size >= MAX_CLASSES) {
      place.saturated = true
      continue
    }
    place.classes.add(c)
    const coarse = coarseClass(c)
    place.coarse.set(coarse, (place.coarse.get(coarse) ?? 0) + 1)
  }
}
