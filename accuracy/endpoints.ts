/**
 * The endpoint variants a run sends traffic to: for each kind one equal endpoint (`eq/<kind>`),
 * and one endpoint per regression (`rg/<kind>/<bug>`). Each is its own miffy route, so the
 * route's outcome counts are per-request ground truth: every request on an `eq` route should
 * come out not reported, every request on an `rg` route reported.
 */
import { KINDS } from './corpus/index.ts'
import type { Kind } from './corpus/kind.ts'

export interface Endpoint {
  /** `eq/product`, `rg/product/price-as-string` */
  id: string
  kind: Kind
  /** the regression a regressed candidate ships; undefined on equal endpoints */
  bug: string | undefined
  /** what the regression gets wrong, for the report */
  what: string
  /** the path prefix of this endpoint's requests, e.g. `/rg/product/price-as-string` */
  prefix: string
  /** miffy's route pattern for it */
  route: string
}

function endpoint(kind: Kind, bug: string | undefined): Endpoint {
  const id = bug === undefined ? `eq/${kind.name}` : `rg/${kind.name}/${bug}`
  return {
    id,
    kind,
    bug,
    what: bug === undefined ? 'equal candidate' : kind.regressions[bug]!,
    prefix: `/${id}`,
    route: `/${id}/{*rest}`,
  }
}

export function allEndpoints(kinds: readonly Kind[] = KINDS): Endpoint[] {
  const out: Endpoint[] = []
  for (const kind of kinds) {
    out.push(endpoint(kind, undefined))
    for (const bug of Object.keys(kind.regressions)) out.push(endpoint(kind, bug))
  }
  return out
}

/** `product` (the equal endpoint), `eq/product` or `rg/product/price-as-string`. */
export function findEndpoint(name: string, kinds: readonly Kind[] = KINDS): Endpoint | undefined {
  const all = allEndpoints(kinds)
  return all.find((e) => e.id === name || e.id === `eq/${name}` || e.id === name.replace(/^\/+/, ''))
}
