/**
 * Applying the noise: a difference between the reference and the candidate is noise when the
 * route's learned noise (noise-learn.ts) shows the same place changing *in the same way*:
 *
 * - `value`: the place has changed value before, and
 *   - numbers moved no further than k times the most the noise moved them, or stayed within the
 *     range the noise showed (widened k - 1 times its own span); positive quantities (latencies,
 *     sizes) changed by a factor no larger than the largest factor the noise showed to the power
 *     k, or no more than k times it when they also stayed near (a unit change is never near);
 *     k is 2 for a place seen many times, more for one seen only a few (`slack`); where the
 *     noise showed a per-node value (differing in nearly every pair, by about the same amount,
 *     a good share of the value: a cache lifetime, a counter since start), any number of the
 *     same kind (`perNodeNumber`);
 *   - points in time moved no further than k times the noise, or than the two calls took plus a
 *     second; where the noise showed them a minute or more apart (start times, cache fill
 *     times: per instance, not per request), by up to 30 days. Relative times ("17 minutes
 *     ago") likewise, the two calls' window widened by their unit (they are rounded to it), but
 *     never by 30 days: "5 minutes ago" is not "10 hours ago";
 *   - strings are of a shape the noise showed there (another UUID, another timestamp of the same
 *     format, another token); once a place has shown many shapes, any string passes except an
 *     empty one or a bug marker (`null`, `undefined`, `NaN`, `[object Object]`);
 *   - booleans flipped there before;
 * - `type` (a null included): the noise showed the same pair of types there;
 * - `missing` / `added`: the noise showed that place present on one side only;
 * - `length`: the noise showed lengths varying there, and the candidate's is within them;
 * - `order`: the noise showed that array's order varying.
 *
 * Anything else is a divergence, even inside a response full of noise.
 */
import type { Comparison } from './compare.ts'
import type { Difference } from './model.ts'
import { typePair } from './noise-learn.ts'
import { CHANGE_BITS, type NoiseModel, type PlaceNoise, statusPair, statusPrefix } from './noise-model.ts'
import {
  coarseClass,
  instantDelta,
  isDateOnly,
  isSuspectClass,
  jsonType,
  numericValue,
  relativeTime,
  stringClass,
} from './values.ts'

export interface ExplainContext {
  /**
   * The longest two calls of the same request could be apart in time, ms: a value derived from
   * the clock may differ by that much between the reference and the candidate.
   */
  clockWindowMs: number
  /**
   * How many reference/secondary pairs the route has learned from (NoiseModel.samples): a place
   * that differed in nearly all of them, always by about as much, holds a per-node value.
   */
  samples?: number
}

/** For each difference of `comparison`, whether the learned noise explains it. */
export function explainNoise(model: NoiseModel, comparison: Comparison, context: ExplainContext): boolean[] {
  const { status } = comparison
  const prefix = status ? statusPrefix(statusPair(status.reference, status.candidate)) : ''
  return comparison.differences.map((d) => {
    const place = model.get(prefix + d.key)
    return (
      place !== undefined && explains(place, d, { ...context, samples: context.samples ?? model.samples })
    )
  })
}

/**
 * Whether the statuses of `comparison` are the same, or a pair the reference and the secondary
 * have answered too (below 500: `200` against `202` when a render missed its budget).
 */
export function explainStatus(model: NoiseModel, comparison: Comparison): boolean {
  const { status } = comparison
  return status === undefined || model.statusPairs.has(statusPair(status.reference, status.candidate))
}

/**
 * How far past what the noise showed a value may go: twice, once the place has been seen many
 * times; more while it has been seen only a few (the largest of n samples underestimates the
 * spread the more, the smaller n is: 6× after one sample, 4× after two, 3× after four).
 */
function slack(place: PlaceNoise): number {
  return 2 + 4 / Math.max(1, place.count)
}
/** A second: timestamps printed to the second tick over between two calls. */
const ROUNDING_MS = 1000
const DAY_MS = 86_400_000
/**
 * Points in time the noise showed this far apart belong to an instance (when it started, when
 * its cache was filled), not to a request: another deployment's may be days away.
 */
const PER_INSTANCE_MS = 60_000
const INSTANCE_AGE_MS = 30 * DAY_MS

/** Present on one side only, either side: an optional member is optional both ways. */
const PRESENCE = CHANGE_BITS.missing | CHANGE_BITS.added

export function explains(place: PlaceNoise, d: Difference, context: ExplainContext): boolean {
  const bits = d.change === 'missing' || d.change === 'added' ? PRESENCE : CHANGE_BITS[d.change]
  if ((place.changes & bits) === 0) return false
  const { reference: a, candidate: b } = d
  switch (d.change) {
    case 'order':
      return true
    case 'missing':
    case 'added':
      return sameKindOfString(place, d.change === 'missing' ? a : b)
    case 'type':
      return place.typePairs.has(typePair(a, b)) && sameKindOfString(place, b)
    case 'length':
      return typeof b === 'number' && b >= place.minLength && b <= place.maxLength
    case 'value':
      return valueWithinNoise(place, a, b, context)
  }
}

function valueWithinNoise(place: PlaceNoise, a: unknown, b: unknown, context: ExplainContext): boolean {
  const ta = jsonType(a)
  if (ta !== jsonType(b)) return false
  if (ta === 'boolean') return true
  const delta = place.instants && place.maxInstantDelta > 0 ? instantDelta(a, b) : undefined
  if (delta !== undefined) {
    if (typeof b === 'string' && !place.classes.has(stringClass(b))) return false
    // a relative time ("17 minutes ago") is rounded to its unit; it is an age as of this
    // request, never an instance's start time a deployment away
    const ra = relativeTime(a)
    const rb = relativeTime(b)
    const unit = ra && rb ? Math.max(ra.unitMs, rb.unitMs) : 0
    const perInstance = !ra && place.maxInstantDelta >= PER_INSTANCE_MS ? INSTANCE_AGE_MS : 0
    const window = Math.max(
      slack(place) * place.maxInstantDelta,
      context.clockWindowMs + ROUNDING_MS + unit,
      perInstance,
    )
    return delta <= window + (isDateOnly(b) ? DAY_MS : 0)
  }
  const na = numericValue(a)
  const nb = numericValue(b)
  if (na !== undefined && nb !== undefined)
    return numberWithinNoise(place, na, nb) || perNodeNumber(place, na, nb, context.samples ?? 0)
  if (typeof b === 'string') return sameKindOfString(place, b)
  return false
}

function numberWithinNoise(place: PlaceNoise, a: number, b: number): boolean {
  const k = slack(place)
  const span = place.maxValue - place.minValue
  const widen = (k - 1) * span
  const near =
    Math.abs(a - b) <= k * place.maxDelta ||
    (span > 0 && b >= place.minValue - widen && b <= place.maxValue + widen)
  if (!(place.positive && a > 0 && b > 0)) return near
  // Positive quantities (latencies, sizes, counts) vary by factors: a latency 14 times another
  // is noise where the noise showed 8; a value a thousand times smaller (seconds for
  // milliseconds) is a unit bug even when the noise moved it by as much.
  const ratio = Math.max(a / b, b / a)
  return ratio <= place.maxRatio ** k || (near && ratio <= k * place.maxRatio)
}

/** Pairs a place must have differed in before it can read as a per-node value. */
const PER_NODE_SAMPLES = 10

/**
 * A per-node number: a setting or a counter each instance has its own of (a cache lifetime, a
 * counter since start, a pool size), which the reference and the secondary showed differing in
 * nearly every pair, by about the same amount each time (never less than half the most), and by
 * more than a hundredth of the values themselves. A new instance, the candidate, has its own,
 * which says nothing of how far it may lie: any number of the same kind is noise there (an
 * integer stays an integer, the sign stays, and a zero only where the noise showed zero or
 * less). A value that jitters per request (latencies, sums) moves by varying amounts and is not
 * per node; nor is a shared counter, whose ticks are small beside its value.
 */
function perNodeNumber(place: PlaceNoise, a: number, b: number, samples: number): boolean {
  if (place.numbers < PER_NODE_SAMPLES || place.numbers < 0.9 * samples) return false
  if (!(place.minDelta >= place.maxDelta / 2)) return false
  if (place.maxDelta < 0.01 * Math.max(Math.abs(place.minValue), Math.abs(place.maxValue))) return false
  if (Number.isInteger(a) !== Number.isInteger(b)) return false
  if (b === 0) return place.minValue <= 0
  return Math.sign(b) === Math.sign(a) || place.minValue < 0
}

/**
 * A string of a shape the noise showed at this place; or of a coarse shape the noise showed in
 * several variants (a random pod suffix that happened to have no digit); or, once the place has
 * shown many shapes, anything but an empty string or a bug marker.
 */
function sameKindOfString(place: PlaceNoise, v: unknown): boolean {
  if (typeof v !== 'string') return true
  const c = stringClass(v)
  if (place.classes.has(c)) return true
  if (isSuspectClass(c)) return false
  // a random hex id that drew no letter (12 hex digits: one in 280): digits are hex too
  if (c === 'int' && (place.classes.has(`hex:${v.length}`) || place.classes.has(`HEX:${v.length}`)))
    return true
  if ((place.coarse.get(coarseClass(c)) ?? 0) >= 2) return true
  return place.saturated
}
