/**
 * The learned noise for people (GET /noise, the dashboard): per place, how often and how it
 * varied, and a rule to copy into the config to make that noise explicit (useful without a
 * secondary, or to stop paying for one). Suggestions are a starting point: read them before
 * pasting, a rule silences that place for every request of the route.
 */
import { CHANGE_BITS, type NoiseModel, type PlaceNoise, unprefixed } from './noise-model.ts'

export interface PlaceReport {
  /** the generalised location */
  key: string
  /** the last concrete location seen */
  path: string
  count: number
  changes: string[]
  shapes: string[]
  /** the largest numeric difference seen, when numbers varied */
  max_delta?: number
  /** the largest difference between two points in time, ms, when the values read as such */
  max_time_delta_ms?: number
  /** lengths seen where an array or a run of lines varied */
  lengths?: [number, number]
  examples: string[]
  last_seen: string
  /** a TOML line for the route (or the top level) that would silence this place */
  suggestion: string
}

export interface NoiseReport {
  /** pairs of reference and secondary learned from */
  samples: number
  /** pairs not learned from (the secondary failed, or either answered 5xx against another status) */
  skipped: number
  /** statuses the reference and the secondary answered differently (`200|202`) */
  status_pairs: string[]
  places: number
  max_places: number
  /** places not learned because the model was full */
  overflow: number
  /** most frequent first */
  noise: PlaceReport[]
}

/**
 * Whether the values seen at a place may be secret (the redaction rules, by the names in its
 * key). Their examples are then not shown: /noise must not leak what the topic redacts.
 */
export type SecretPlace = (key: string) => boolean

export function noiseReport(model: NoiseModel, limit = 200, secret: SecretPlace = () => false): NoiseReport {
  const places = [...model.places()].sort((a, b) => b.count - a.count).slice(0, limit)
  return {
    samples: model.samples,
    skipped: model.skipped,
    status_pairs: [...model.statusPairs].sort(),
    places: model.size,
    max_places: model.maxPlaces,
    overflow: model.overflow,
    noise: places.map((p) => {
      const r = report(p)
      // text places have no names to judge by: their tokens are never shown
      if (unprefixed(p.key).startsWith('text ') || secret(unprefixed(p.key)))
        r.examples = r.examples.length > 0 ? ['[REDACTED]'] : []
      return r
    }),
  }
}

function report(p: PlaceNoise): PlaceReport {
  const out: PlaceReport = {
    key: p.key,
    path: p.path,
    count: p.count,
    changes: Object.entries(CHANGE_BITS)
      .filter(([, bit]) => (p.changes & bit) !== 0)
      .map(([name]) => name),
    shapes: [...p.classes, ...(p.saturated ? ['…'] : [])],
    examples: [...p.values],
    last_seen: new Date(p.lastSeen).toISOString(),
    suggestion: suggest(p),
  }
  if (p.maxDelta > 0 && !(p.instants && p.maxInstantDelta > 0)) out.max_delta = p.maxDelta
  if (p.instants && p.maxInstantDelta > 0) out.max_time_delta_ms = p.maxInstantDelta
  if (p.maxLength > 0) out.lengths = [p.minLength, p.maxLength]
  return out
}

const toml = (s: string) => JSON.stringify(s)
/** TOML literal string: regular expressions read best without a second layer of escapes. */
const literal = (s: string) => (s.includes("'") ? JSON.stringify(s) : `'${s}'`)
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

export function suggest(p: PlaceNoise): string {
  if (p.key !== unprefixed(p.key)) return suggest({ ...p, key: unprefixed(p.key) })
  const space = p.key.indexOf(' ')
  const area = p.key.slice(0, space)
  const where = p.key.slice(space + 1)
  if (area === 'json') {
    if (where.endsWith('<name>'))
      return '# entries of this map are named by generated ids: their names are noise; no rule needed'
    const path = where.replace(/<(url|jwt|json|base64|traceparent)>/g, '')
    if ((p.changes & CHANGE_BITS.order) !== 0 && p.changes === CHANGE_BITS.order)
      return `unordered = [${toml(path)}]`
    if (p.changes === CHANGE_BITS.value && p.maxDelta > 0 && !(p.instants && p.maxInstantDelta > 0)) {
      return `tolerance = { ${toml(path)} = ${niceCeiling(2 * p.maxDelta)} }`
    }
    const query = /<url>\.query\.([A-Za-z_][\w-]*)$/.exec(where)
    if (query) return `text_masks = [${literal(`(?<=[?&]${escapeRegex(query[1]!)}=)[^&#"]*`)}]`
    return `ignore = [${toml(path)}]`
  }
  if (area === 'header') {
    const [name = '', ...rest] = where.split(' ')
    const directive = rest.join(' ')
    if (!directive || name.includes('<')) return `ignore_headers = [${toml(name.split('<')[0]!)}]`
    if (name === 'set-cookie') return `text_masks = [${literal(`(?<=${escapeRegex(directive)}=)[^;]*`)}]`
    return `text_masks = [${literal(`(?<=${escapeRegex(directive)}=)[^,;\\s]*`)}]`
  }
  if (area === 'text') {
    if (where === 'order') return '# lines come in another order here (rows, entries): no rule needed'
    const after = /after ("(?:[^"\\]|\\.)*")$/.exec(p.path)
    if (after) {
      const context = JSON.parse(after[1]!) as string
      const tokens =
        context.match(/[\p{L}\p{N}_.+@%~#-][\p{L}\p{N}_.:+@%~#-]*|[^\s\p{L}\p{N}_.:+@%~#-]/gu) ?? []
      const tail = tokens.slice(-3).map(escapeRegex).join('\\s*')
      return `text_masks = [${literal(`(?<=${tail}\\s*)[^\\s"'<>&,;]+`)}]`
    }
    return '# a whole line varies here: compare this route without it, or add a mask for its text'
  }
  if (area === 'multipart') {
    // a place in a part: the route's rules reach inside parts (ignore paths, header lists, masks)
    const inner = p.key.replace(/^(?:multipart \[\d+\] (?:http )?)+/, '')
    if (inner !== p.key && /^(?:json|header|text) /.test(inner)) return suggest({ ...p, key: inner })
    return '# a part of the multipart body varies here: no rule can narrow it'
  }
  return '# the whole body varies (binary): no rule can narrow it'
}

/** A round number just above `x`, so a suggested tolerance reads as chosen, not computed. */
function niceCeiling(x: number): number {
  if (x <= 0) return 0
  const magnitude = 10 ** Math.floor(Math.log10(x))
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= x) return step * magnitude
  return 10 * magnitude
}

/** Several processes' reports of one route as one (workers > 1): counts add up, places merge by key. */
export function mergeNoiseReports(reports: readonly NoiseReport[]): NoiseReport {
  const places = new Map<string, PlaceReport>()
  for (const r of reports) {
    for (const p of r.noise) {
      const known = places.get(p.key)
      if (!known) {
        places.set(p.key, { ...p, changes: [...p.changes], shapes: [...p.shapes], examples: [...p.examples] })
        continue
      }
      known.count += p.count
      const union = (a: string[], b: string[]) => [...new Set([...a, ...b])]
      known.changes = union(known.changes, p.changes)
      known.shapes = union(known.shapes, p.shapes)
      known.examples = union(known.examples, p.examples).slice(0, 8)
      if ((p.max_delta ?? 0) > (known.max_delta ?? 0)) {
        known.max_delta = p.max_delta
        known.suggestion = p.suggestion
      }
      if ((p.max_time_delta_ms ?? 0) > (known.max_time_delta_ms ?? 0))
        known.max_time_delta_ms = p.max_time_delta_ms
      if (p.lengths) {
        known.lengths = known.lengths
          ? [Math.min(known.lengths[0], p.lengths[0]), Math.max(known.lengths[1], p.lengths[1])]
          : p.lengths
      }
      if (p.last_seen > known.last_seen) {
        known.last_seen = p.last_seen
        known.path = p.path
      }
    }
  }
  return {
    samples: reports.reduce((n, r) => n + r.samples, 0),
    skipped: reports.reduce((n, r) => n + r.skipped, 0),
    status_pairs: [...new Set(reports.flatMap((r) => r.status_pairs ?? []))].sort(),
    places: places.size,
    max_places: Math.max(0, ...reports.map((r) => r.max_places)),
    overflow: reports.reduce((n, r) => n + r.overflow, 0),
    noise: [...places.values()].sort((a, b) => b.count - a.count),
  }
}
