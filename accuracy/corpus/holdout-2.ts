/**
 * The second blind holdout batch: kinds whose non-determinism neither the main corpus nor the
 * first holdout (corpus/holdout.ts) has. Served and run with `--holdout` (appended to HOLDOUT).
 * Same rules as the main corpus (corpus/kind.ts): every node runs the same code and draws its
 * noise from `ctx`; only `bug` changes the regressed node, and every regression changes every
 * answer.
 */
import { createHash, createHmac } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import { cents, product, productIds, user, WAREHOUSES } from './catalog.ts'
import { httpDate, iso, isoSeconds, isoWithOffset, pastInstant } from './clock.ts'
import { esc, json, type Kind, text, uncached } from './kind.ts'
import { segment } from './kinds/commerce.ts'
import { jsonBody } from './node.ts'
import {
  alnum,
  amount,
  base64url,
  dataFor,
  hex,
  int,
  latencyMs,
  pick,
  sample,
  shuffle,
  sumInRandomOrder,
  uuid,
} from './random.ts'

// ---------------------------------------------------------------------------------------------
// 1. JSON:API: a compound document whose `included` resources come in hash order

const jsonApiOrder: Kind = {
  name: 'jsonapi-order',
  family: 'JSON API',
  noise:
    'JSON:API compound document: the heterogeneous `included` array (customers, line-items, products, identified by type+id) in hash order, relationship linkage arrays in set order, per-request meta (query count, cache)',
  request: (_i, r) => ({
    method: 'GET',
    path: `/api/orders/${int(r, 1, 99_999)}?include=customer,items.product`,
    headers: { accept: 'application/vnd.api+json' },
  }),
  respond(req, ctx, bug) {
    const id = segment(req, 2)
    const d = dataFor(`jsonapi:${id}`)
    const customer = user(int(d, 1, 900))
    const items = productIds(d, int(d, 3, 5)).map((pid, k) => ({
      id: `${id}-${k + 1}`,
      product: product(pid),
      qty: int(d, 1, 4),
    }))
    const total = cents(items.reduce((s, it) => cents(s + cents(it.product.price * it.qty)), 0))
    const n = ctx.noise
    const linkage = items
      .filter((_it, k) => !(bug === 'linkage-missing-item' && k === items.length - 1))
      .map((it) => ({ type: 'line-items', id: it.id }))
    const included: unknown[] = [
      {
        type: 'customers',
        id: String(customer.id),
        attributes: { name: customer.name, email: customer.email, locale: customer.locale },
      },
      ...items.map((it) => ({
        type: 'line-items',
        id: it.id,
        attributes: { quantity: it.qty, 'unit-price': it.product.price },
        relationships: { product: { data: { type: 'products', id: String(it.product.id) } } },
      })),
      ...items.map((it) => ({
        type: 'products',
        id: String(it.product.id),
        attributes: {
          sku: it.product.sku,
          name: it.product.name,
          brand: it.product.brand,
          price: bug === 'included-price-cents' ? Math.round(it.product.price * 100) : it.product.price,
        },
        links: { self: `/api/products/${it.product.id}` },
      })),
    ]
    const body = {
      jsonapi: { version: '1.1' },
      data: {
        type: 'orders',
        id,
        attributes: {
          number: `ORD-${id.padStart(6, '0')}`,
          status: pick(d, ['pending', 'paid', 'shipped', 'delivered']),
          total,
          'placed-at': iso(pastInstant(d())),
        },
        relationships: {
          customer: { data: { type: 'customers', id: String(customer.id) } },
          items: { data: shuffle(n, linkage) },
        },
        links: { self: `/api/orders/${id}` },
      },
      included: shuffle(n, included),
      meta: { 'db-queries': int(n, 3, 9), cache: pick(n, ['hit', 'miss', 'stale']) },
    }
    const reply = json(body)
    reply.type = 'application/vnd.api+json'
    return reply
  },
  regressions: {
    'included-price-cents':
      'the included product resources (shuffled among customers and line-items) carry price in cents: 1999 instead of 19.99',
    'linkage-missing-item':
      'relationships.items.data (set order) lacks the last line-item linkage; the line-item is still in included',
  },
}

// ---------------------------------------------------------------------------------------------
// 2. GeoJSON: features from a spatial index, centroids with last-digit float jitter

const CITIES: Record<string, [number, number]> = {
  amsterdam: [4.8952, 52.3702],
  berlin: [13.405, 52.52],
  lisbon: [-9.1393, 38.7223],
  warsaw: [21.0122, 52.2297],
}

const geoStores: Kind = {
  name: 'geo-stores',
  family: 'GeoJSON',
  noise:
    'features in R-tree order (random), Point centroids and the bbox computed by a parallel sum over footprint vertices: longitude/latitude floats jitter in the last digits',
  request: (_i, r) => ({
    method: 'GET',
    path: `/geo/stores?city=${pick(r, Object.keys(CITIES))}&radius_km=${pick(r, [2, 5, 10])}`,
    headers: { accept: 'application/geo+json' },
  }),
  respond(req, ctx, bug) {
    const city = req.query.get('city') ?? 'amsterdam'
    const radius = req.query.get('radius_km') ?? '5'
    const [lon0, lat0] = CITIES[city] ?? [0, 0]
    const d = dataFor(`geo:${city}:${radius}`)
    const n = ctx.noise
    const stores = Array.from({ length: int(d, 4, 7) }, (_v, k) => {
      const cx = lon0 + (d() - 0.5) * 0.1
      const cy = lat0 + (d() - 0.5) * 0.06
      const ring = Array.from({ length: int(d, 5, 8) }, () => [
        cx + (d() - 0.5) * 0.0012,
        cy + (d() - 0.5) * 0.0008,
      ])
      return {
        id: `store-${city}-${k + 1}`,
        name: `Shop ${city[0]!.toUpperCase()}${city.slice(1)} ${pick(d, ['Centrum', 'Noord', 'Zuid', 'Oost', 'West', 'Station'])}`,
        ring,
        area: int(d, 180, 2400),
        entrance: [Math.round(ring[0]![0]! * 1e6) / 1e6, Math.round(ring[0]![1]! * 1e6) / 1e6],
      }
    })
    const features = stores.map((s) => {
      // each worker sums its share of the vertices; the partial sums meet in any order
      let lon = sumInRandomOrder(
        n,
        s.ring.map((p) => p[0]!),
      )
      let lat = sumInRandomOrder(
        n,
        s.ring.map((p) => p[1]!),
      )
      lon /= s.ring.length
      lat /= s.ring.length
      if (bug === 'coords-rounded-5') {
        lon = Math.round(lon * 1e5) / 1e5
        lat = Math.round(lat * 1e5) / 1e5
      }
      return {
        type: 'Feature',
        id: s.id,
        geometry: { type: 'Point', coordinates: bug === 'lat-lon-swapped' ? [lat, lon] : [lon, lat] },
        properties: { name: s.name, area_m2: s.area, entrance: s.entrance },
      }
    })
    const xs = features.map((f) => f.geometry.coordinates[0]!)
    const ys = features.map((f) => f.geometry.coordinates[1]!)
    const reply = json({
      type: 'FeatureCollection',
      bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
      features: shuffle(n, features),
    })
    reply.type = 'application/geo+json'
    return reply
  },
  regressions: {
    'lat-lon-swapped':
      'Point coordinates (jittering floats) are [lat, lon] instead of [lon, lat]; the bbox follows',
    'coords-rounded-5':
      'centroid coordinates rounded to 5 decimals (a change of ~1e-6, inside floats whose last digits jitter); the bbox follows',
  },
}

// ---------------------------------------------------------------------------------------------
// 3. Elasticsearch: replica-dependent scores, hit order following them, random tie order

const TERMS = ['tent', 'lamp', 'mug', 'jacket', 'boots', 'stove', 'glove', 'bottle']

const esSearch: Kind = {
  name: 'es-search',
  family: 'JSON API',
  noise:
    'Elasticsearch _search: took, and _score floats that depend on which shard copy (primary or replica, with slightly different term statistics) answered; hits reorder with the scores, exact ties in random order, max_score follows',
  request: (_i, r) => ({
    method: 'GET',
    path: `/es/products/_search?q=${pick(r, TERMS)}&size=20&from=${pick(r, [0, 0, 20])}`,
  }),
  respond(req, ctx, bug) {
    const q = req.query.get('q') ?? 'tent'
    const from = req.query.get('from') ?? '0'
    const d = dataFor(`es:${q}:${from}`)
    // per shard, the primary's and the replica's scoring factor (their deleted-doc stats differ)
    const copies = [0, 1, 2].map(() => [1, 1 + (d() - 0.5) * 0.006])
    const ids = productIds(d, int(d, 8, 12))
    const docs: { id: number; shard: number; base: number }[] = []
    ids.forEach((id, k) => {
      // every third document duplicates the previous one's text: an exact tie on the same shard
      const prev = docs[k - 1]
      if (k % 3 === 2 && prev) docs.push({ id, shard: prev.shard, base: prev.base })
      else docs.push({ id, shard: int(d, 0, 2), base: 3 + d() * 9 })
    })
    const n = ctx.noise
    const chosen = copies.map((c) => c[int(n, 0, 1)]!)
    const scored = shuffle(n, docs)
      .map((doc) => ({ doc, score: Math.fround(doc.base * chosen[doc.shard]!) }))
      .sort((a, b) => b.score - a.score)
    const hits = scored
      .filter((_h, k) => !(bug === 'hit-dropped' && k === scored.length - 1))
      .map(({ doc, score }) => {
        const p = product(doc.id)
        return {
          _index: 'products-v7',
          _id: String(doc.id),
          _score: score,
          _source: { sku: p.sku, name: p.name, brand: p.brand, price: p.price },
        }
      })
    return json({
      took: latencyMs(n, 6),
      timed_out: false,
      _shards: { total: 3, successful: 3, skipped: 0, failed: 0 },
      hits: {
        total: { value: docs.length, relation: 'eq' },
        max_score: bug === 'max-score-null' ? null : scored[0]!.score,
        hits,
      },
    })
  },
  regressions: {
    'max-score-null': 'hits.max_score (a jittering float) is null while the hits still have scores',
    'hit-dropped':
      'the lowest-scored hit (the hit order itself varies) is missing; hits.total.value still counts it',
  },
}

// ---------------------------------------------------------------------------------------------
// 4. Server-Sent Events: retry jitter, heartbeat comments at random places

const ORDER_STEPS = ['order.created', 'payment.authorized', 'order.paid', 'order.packed', 'order.shipped']

const sseEvents: Kind = {
  name: 'sse-order-events',
  family: 'text',
  noise:
    'text/event-stream: a "retry:" reconnect delay with per-connection jitter, a ": connected <id> <time>" comment, ": heartbeat <epoch ms>" comments interleaved at random points between events',
  request: (_i, r) => ({
    method: 'GET',
    path: `/sse/orders/${int(r, 10_000, 99_999)}/events`,
    headers: { accept: 'text/event-stream', 'last-event-id': String(int(r, 0, 3)) },
  }),
  respond(req, ctx, bug) {
    const order = segment(req, 2)
    const d = dataFor(`sse:${order}`)
    const base = int(d, 1000, 90_000)
    let t = pastInstant(0.95 + d() * 0.04)
    const blocks = ORDER_STEPS.map((type, k) => {
      t += int(d, 5_000, 3_600_000)
      const data = { order: `ORD-${order}`, status: type.split('.')[1], at: iso(t) }
      const lines = bug === 'id-lines-missing' ? [] : [`id: ${base + k}`]
      lines.push(`event: ${type}`, `data: ${JSON.stringify(data)}`)
      return `${lines.join('\n')}\n\n`
    })
    const n = ctx.noise
    const retryMs = 3000 + int(n, 0, 2000)
    const out = [
      `retry: ${bug === 'retry-in-seconds' ? Math.round(retryMs / 1000) : retryMs}\n`,
      `: connected ${hex(n, 16)} at ${iso(ctx.now)}\n\n`,
    ]
    const beats = int(n, 0, 3)
    const at = new Set(Array.from({ length: beats }, () => int(n, 0, blocks.length - 1)))
    blocks.forEach((b, k) => {
      if (at.has(k)) out.push(`: heartbeat ${ctx.now + int(n, 0, 900)}\n\n`)
      out.push(b)
    })
    return uncached(
      text('text/event-stream', out.join(''), 200, {
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      }),
    )
  },
  regressions: {
    'id-lines-missing': 'no "id:" lines: clients cannot resume with Last-Event-ID',
    'retry-in-seconds': 'the "retry:" delay (jittering ms, 3000–5000) is written in seconds: "retry: 4"',
  },
}

// ---------------------------------------------------------------------------------------------
// 5. XML with generated namespace prefixes and attributes in hash order

const NS = {
  inv: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
}

const xmlInvoice: Kind = {
  name: 'xml-invoice',
  family: 'XML',
  noise:
    'UBL invoice from a serializer that numbers namespace prefixes ns0/ns1/ns2 in hash order (every element prefix changes with it), attributes in hash order, an IssueTimestamp with a zone offset',
  request: (_i, r) => ({
    method: 'GET',
    path: `/ubl/invoices/INV-${int(r, 100_000, 999_999)}`,
    headers: { accept: 'application/xml' },
  }),
  respond(req, ctx, bug) {
    const id = segment(req, 2)
    const d = dataFor(`ubl:${id}`)
    const n = ctx.noise
    const uris: Record<keyof typeof NS, string> = {
      ...NS,
      cbc: bug === 'namespace-v3' ? NS.cbc.replace(/-2$/, '-3') : NS.cbc,
    }
    const order = shuffle(n, Object.keys(uris) as (keyof typeof NS)[])
    const prefix = Object.fromEntries(order.map((k, i) => [k, `ns${i}`])) as Record<keyof typeof NS, string>
    const attrs = (pairs: [string, string][]) =>
      shuffle(n, pairs)
        .map(([k, v]) => ` ${k}="${esc(v)}"`)
        .join('')
    const el = (ns: keyof typeof NS, name: string, body: string, pairs: [string, string][] = []) =>
      `<${prefix[ns]}:${name}${attrs(pairs)}>${body}</${prefix[ns]}:${name}>`
    const lines = productIds(d, int(d, 2, 4)).map((pid, k) => {
      const p = product(pid)
      const qty = int(d, 1, 9)
      const currency = bug === 'currency-usd' && k === 0 ? 'USD' : 'EUR'
      return el(
        'cac',
        'InvoiceLine',
        [
          el('cbc', 'ID', String(k + 1)),
          el('cbc', 'InvoicedQuantity', String(qty), [
            ['unitCode', 'EA'],
            ['unitCodeListID', 'UNECERec20'],
          ]),
          el('cbc', 'LineExtensionAmount', cents(p.price * qty).toFixed(2), [
            ['currencyID', currency],
            ['currencyCodeListVersionID', '2001'],
          ]),
          el('cac', 'Item', el('cbc', 'Name', esc(p.name)) + el('cbc', 'SellersItemIdentification', p.sku)),
        ].join(''),
      )
    })
    const decls = order.map((k) => ` xmlns:${prefix[k]}="${uris[k]}"`).join('')
    const issued = pastInstant(d())
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<${prefix.inv}:Invoice${decls}>${el('cbc', 'UBLVersionID', '2.1')}${el('cbc', 'ID', esc(id))}${el('cbc', 'IssueDate', iso(issued).slice(0, 10))}${el('cbc', 'IssueTimestamp', isoWithOffset(ctx.now, 120))}${el(
      'cbc',
      'DocumentCurrencyCode',
      'EUR',
      [
        ['listID', 'ISO 4217 Alpha'],
        ['listAgencyID', '6'],
      ],
    )}
${lines.join('\n')}
</${prefix.inv}:Invoice>
`
    return text('application/xml', xml, 200, { 'cache-control': 'private, no-cache' })
  },
  regressions: {
    'namespace-v3':
      'the CommonBasicComponents namespace URI ends -3 instead of -2 (its declaration position and prefix vary)',
    'currency-usd':
      'the first line\'s LineExtensionAmount has currencyID="USD" (its attributes come in random order)',
  },
}

// ---------------------------------------------------------------------------------------------
// 6. iCalendar: DTSTAMP, a UID minted per export, VEVENTs in hash order

/** `20250501T120000Z` */
function icalUtc(ms: number): string {
  return isoSeconds(ms).replace(/[-:]/g, '')
}

const icalRota: Kind = {
  name: 'ical-rota',
  family: 'text',
  noise:
    'text/calendar: a UID minted per export for every VEVENT, DTSTAMP = export time, VEVENT blocks in hash order, CRLF lines',
  request: (_i, r) => ({
    method: 'GET',
    path: `/calendars/team-${int(r, 1, 200)}/oncall.ics`,
    headers: { accept: 'text/calendar' },
  }),
  respond(req, ctx, bug) {
    const team = segment(req, 1)
    const d = dataFor(`ical:${team}`)
    const n = ctx.noise
    let start = Math.floor(pastInstant(0.97 + d() * 0.02) / 3_600_000) * 3_600_000
    const stamp = icalUtc(ctx.now)
    const events = Array.from({ length: int(d, 3, 6) }, () => {
      const u = user(int(d, 1, 900))
      const hours = pick(d, [8, 12, 24])
      const from = start
      start += hours * 3_600_000
      const when = (ms: number) => (bug === 'dtstart-floating' ? icalUtc(ms).slice(0, -1) : icalUtc(ms))
      const comma = bug === 'comma-unescaped' ? ',' : '\\,'
      return [
        'BEGIN:VEVENT',
        `UID:${uuid(n)}@shop.example.org`,
        `DTSTAMP:${stamp}`,
        `DTSTART:${when(from)}`,
        `DTEND:${when(start)}`,
        `SUMMARY:On call${comma} ${pick(d, ['primary', 'secondary'])}: ${u.name}`,
        `DESCRIPTION:Escalation: ${u.email}`,
        'SEQUENCE:0',
        'END:VEVENT',
      ]
    })
    const lines = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Shop//Rota 1.42//EN',
      'CALSCALE:GREGORIAN',
      `X-WR-CALNAME:${team} on-call`,
      ...shuffle(n, events).flat(),
      'END:VCALENDAR',
    ]
    return text('text/calendar', `${lines.join('\r\n')}\r\n`, 200, {
      'content-disposition': `attachment; filename="${team}-oncall.ics"`,
    })
  },
  regressions: {
    'dtstart-floating': 'DTSTART and DTEND lost their "Z": floating local times (VEVENTs in random order)',
    'comma-unescaped': 'SUMMARY commas are not escaped ("On call, primary" instead of "On call\\, primary")',
  },
}

// ---------------------------------------------------------------------------------------------
// 7. W3C trace context echoed in the body: a propagated trace id next to a fresh span id

const traceEcho: Kind = {
  name: 'trace-echo',
  family: 'JSON API',
  noise:
    "W3C trace context: the propagated trace id (stable, from the request) inside traceparent strings whose span id is fresh per answer, a tracestate with this hop's random vendor entry prepended, a traceresponse header",
  request: (_i, r) => ({
    method: 'GET',
    path: `/debug/trace?hop=${int(r, 1, 5)}`,
    headers: {
      traceparent: `00-${hex(r, 32)}-${hex(r, 16)}-01`,
      tracestate: `congo=${base64url(r, 12)},rojo=${hex(r, 16)}`,
    },
  }),
  respond(req, ctx, bug) {
    const incoming = String(req.headers.traceparent ?? '')
    const [, traceIn = '', parent = ''] = incoming.split('-')
    const n = ctx.noise
    const trace = bug === 'trace-id-regenerated' ? hex(n, 32) : traceIn
    const span = hex(n, 16)
    const flags = bug === 'sampled-flag-dropped' ? '00' : '01'
    const traceparent = `00-${trace}-${span}-${flags}`
    const state = `shop=${hex(n, 16)},${String(req.headers.tracestate ?? '')}`
    return uncached(
      json(
        {
          service: 'shop-api',
          hop: Number(req.query.get('hop')),
          trace_id: trace,
          parent_span_id: parent,
          span_id: span,
          traceparent,
          tracestate: state,
          sampled: true,
        },
        200,
        { traceresponse: traceparent, 'cache-control': 'no-store' },
      ),
    )
  },
  regressions: {
    'trace-id-regenerated':
      'the trace id is not propagated: a fresh random one (in trace_id, traceparent and the traceresponse header)',
    'sampled-flag-dropped':
      'traceparent (body and traceresponse header) ends "-00" instead of "-01": the sampled flag is lost inside a string whose span id is random',
  },
}

// ---------------------------------------------------------------------------------------------
// 8. a paginated list whose total is a planner estimate

const CATEGORIES = ['tents', 'lamps', 'mugs', 'jackets', 'socks', 'stoves']

const estimatedTotal: Kind = {
  name: 'estimated-total',
  family: 'JSON API',
  noise:
    'total is a row-count estimate (from sampled table statistics) within ±1% of the truth, and total_pages and the "last" link follow it',
  request: (_i, r) => ({
    method: 'GET',
    path: `/catalog/items?category=${pick(r, CATEGORIES)}&page=${int(r, 1, 30)}&per_page=20`,
  }),
  respond(req, ctx, bug) {
    const category = req.query.get('category') ?? 'tents'
    const page = Number(req.query.get('page') ?? '1')
    const d = dataFor(`estimate:${category}`)
    const exact = int(d, 2_000, 60_000)
    const rows = dataFor(`estimate:${category}:${page}`)
    const items = productIds(rows, 20)
      .slice(0, bug === 'page-short-by-one' ? 19 : 20)
      .map((id) => {
        const p = product(id)
        return { id, sku: p.sku, name: p.name, price: p.price }
      })
    const n = ctx.noise
    // an estimate over every tenant's rows, not this tenant's
    const truth = bug === 'estimate-all-tenants' ? exact * 37 : exact
    const estimate = Math.round(truth * (1 + (n() - 0.5) * 0.02))
    const pages = Math.ceil(estimate / 20)
    const link = (p: number) => `/catalog/items?category=${category}&page=${p}&per_page=20`
    return json({
      items,
      page,
      per_page: 20,
      total: estimate,
      total_is_estimate: true,
      total_pages: pages,
      links: { self: link(page), next: link(page + 1), last: link(pages) },
    })
  },
  regressions: {
    'estimate-all-tenants':
      'total (a ±1% estimate) counts every tenant: ~37× too high; total_pages and links.last follow',
    'page-short-by-one': 'the page has 19 items while per_page says 20',
  },
}

// ---------------------------------------------------------------------------------------------
// 9. percentages by largest remainder, ties broken in hash order

const pollResults: Kind = {
  name: 'poll-results',
  family: 'JSON API',
  noise:
    'integer percentages that sum to 100 by the largest-remainder method; options with equal remainders get the spare points in hash order (33/33/34 vs 34/33/33)',
  request: (_i, r) => ({ method: 'GET', path: `/polls/${int(r, 1, 5000)}/results` }),
  respond(req, ctx, bug) {
    const poll = segment(req, 1)
    const d = dataFor(`poll:${poll}`)
    const s = int(d, 1, 40)
    // one to three options with exact percentages, three options tied on the rest
    const exact = Array.from({ length: int(d, 1, 3) }, () => int(d, 3, 20))
    let rest = 100 - exact.reduce((a, b) => a + b, 0)
    if (rest % 3 === 0) {
      exact[0]! += 1
      rest -= 1
    }
    const labels = sample(d, ['Red', 'Blue', 'Green', 'Orange', 'Purple', 'Teal', 'Black'], exact.length + 3)
    const counts = [s * rest, s * rest, s * rest, ...exact.map((p) => 3 * s * p)]
    const order = sample(
      d,
      counts.map((_c, i) => i),
      counts.length,
    )
    const options = order.map((i, k) => ({ id: k + 1, label: labels[i]!, votes: counts[i]! }))
    const total = counts.reduce((a, b) => a + b, 0)
    const exactShares = options.map((o) => (o.votes * 100) / total)
    const percent = exactShares.map(Math.floor)
    if (bug !== 'percent-floored') {
      let spare = 100 - percent.reduce((a, b) => a + b, 0)
      // sorted by remainder from a hash map: equal remainders come in any order
      const byRemainder = shuffle(
        ctx.noise,
        options.map((_o, k) => k),
      ).sort((a, b) => exactShares[b]! - percent[b]! - (exactShares[a]! - percent[a]!))
      for (const k of byRemainder) {
        if (spare-- <= 0) break
        percent[k]! += 1
      }
    }
    const leader = options.reduce((a, b) => (b.votes > a.votes ? b : a))
    return json({
      poll: Number(poll),
      total_votes: total,
      leader: leader.label,
      options: options.map((o, k) => ({
        ...o,
        percent: bug === 'percent-as-fraction' ? percent[k]! / 100 : percent[k]!,
      })),
    })
  },
  regressions: {
    'percent-floored':
      'percentages are floored without distributing the spare points: they sum to 98 or 99 (each value alone is one an equal node also shows)',
    'percent-as-fraction': 'percent is a fraction (0.33) instead of a percentage (33)',
  },
}

// ---------------------------------------------------------------------------------------------
// 10. a SQL endpoint: compact rows without ORDER BY, in scan order

const REGIONS = ['north', 'south', 'east', 'west', 'central']

const sqlRows: Kind = {
  name: 'sql-rows',
  family: 'JSON API',
  noise:
    'JSONCompact-style result: rows (arrays of arrays) in the order parallel scan threads finished (random), query_id, elapsed seconds, bytes/rows read',
  request: (_i, r) => {
    const day = `2025-04-${String(int(r, 1, 28)).padStart(2, '0')}`
    return {
      method: 'POST',
      path: '/sql?format=JSONCompact',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `SELECT region, sku, units, revenue FROM sales WHERE day = '${day}' AND region IN ('north','south','east')`,
      }),
    }
  },
  respond(req, ctx, bug) {
    const { query } = jsonBody<{ query: string }>(req)
    const d = dataFor(`sql:${query}`)
    const rows: [string, string, number, string][] = []
    for (const region of REGIONS.slice(0, 3)) {
      for (const pid of productIds(d, int(d, 2, 4))) {
        const units = int(d, 1, 60)
        rows.push([region, product(pid).sku, units, cents(units * product(pid).price).toFixed(2)])
      }
    }
    if (bug === 'row-duplicated') rows.push([...rows[0]!])
    const n = ctx.noise
    // each scan thread yields its granule's rows in order; the threads finish in any order
    const data = shuffle(n, rows).map(([region, sku, units, revenue]) => [
      region,
      sku,
      bug === 'units-as-string' ? String(units) : units,
      revenue,
    ])
    const scanned = int(d, 80_000, 400_000)
    return uncached(
      json({
        meta: [
          { name: 'region', type: 'LowCardinality(String)' },
          { name: 'sku', type: 'String' },
          { name: 'units', type: 'UInt32' },
          { name: 'revenue', type: 'Decimal(18, 2)' },
        ],
        data,
        rows: data.length,
        statistics: {
          elapsed: n() * 0.05 + 0.001,
          rows_read: scanned + int(n, 0, 8192),
          bytes_read: scanned * 38 + int(n, 0, 300_000),
        },
        query_id: uuid(n),
      }),
    )
  },
  regressions: {
    'units-as-string':
      'the units column (a UInt32) comes back as strings ("12") in every row (rows in random order)',
    'row-duplicated': 'one row appears twice and rows counts it (rows in random order)',
  },
}

// ---------------------------------------------------------------------------------------------
// 11. an async job: a random numeric id, Retry-After as an HTTP date, an RFC 2822 date in JSON

/** `Thu, 01 May 2025 12:00:00 +0000` (RFC 2822, as email and some Java/Python services write it). */
function rfc2822(ms: number): string {
  return httpDate(ms).replace(/GMT$/, '+0000')
}

const asyncReport: Kind = {
  name: 'async-report',
  family: 'JSON API',
  noise:
    'a 202 with a random 10-digit numeric job id (a bare JSON number, also in Location and status_url), Retry-After as an HTTP date a few seconds ahead, submitted as an RFC 2822 date ("Thu, 01 May 2025 12:00:00 +0000"), an eta',
  request: (_i, r) => ({
    method: 'POST',
    path: '/reports',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: pick(r, ['sales', 'returns', 'stock']),
      from: `2025-0${int(r, 1, 4)}-01`,
      format: pick(r, ['csv', 'xlsx']),
    }),
  }),
  respond(req, ctx, bug) {
    const params = jsonBody<{ type: string; from: string; format: string }>(req)
    const n = ctx.noise
    const id = 1_000_000_000 + Math.floor(n() * 8_999_999_999)
    const eta = int(n, 2, 9)
    const retry = bug === 'retry-after-delta' ? String(eta) : httpDate(ctx.now + eta * 1000)
    return uncached(
      json(
        {
          job_id: bug === 'job-id-as-string' ? String(id) : id,
          status: 'queued',
          status_url: `/reports/jobs/${id}`,
          submitted: rfc2822(ctx.now),
          eta_seconds: eta,
          params,
        },
        202,
        { location: `/reports/jobs/${id}`, 'retry-after': retry, 'cache-control': 'no-store' },
      ),
    )
  },
  regressions: {
    'retry-after-delta': 'header only: Retry-After is delay-seconds ("5") instead of an HTTP date',
    'job-id-as-string': 'job_id (a random 10-digit number) is a JSON string instead of a number',
  },
}

// ---------------------------------------------------------------------------------------------
// 12. queue messages: JSON inside a string with keys in hash order, and its MD5

const queueReceive: Kind = {
  name: 'queue-receive',
  family: 'JSON API',
  noise:
    'SQS-style ReceiveMessage: each Body is JSON text whose keys come in hash order (so MD5OfBody changes too), a fresh ReceiptHandle per receive, ApproximateReceiveCount ticking',
  request: (_i, r) => ({
    method: 'GET',
    path: `/queues/${pick(r, ['payments', 'fulfilment', 'emails'])}/messages?batch=${int(r, 1, 500)}&max=3`,
  }),
  respond(req, ctx, bug) {
    const queue = segment(req, 1)
    const batch = req.query.get('batch') ?? '1'
    const d = dataFor(`sqs:${queue}:${batch}`)
    const n = ctx.noise
    const messages = Array.from({ length: 3 }, () => {
      const messageId = uuid(d)
      const sent = pastInstant(0.98 + d() * 0.019)
      const amt = amount(d, 5, 900)
      const fields: [string, unknown][] = [
        ['event', `${queue}.${pick(d, ['created', 'updated', 'completed'])}`],
        ['order', `ORD-${int(d, 10_000, 99_999)}`],
        ['amount', bug === 'body-amount-cents' ? Math.round(amt * 100) : amt],
        ['currency', 'EUR'],
        ['customer', int(d, 1, 900)],
      ]
      // a Go map marshalled by a hand-rolled encoder: the keys come out in any order
      const body = JSON.stringify(Object.fromEntries(shuffle(n, fields)))
      return {
        MessageId: messageId,
        ReceiptHandle: `AQEB${base64url(n, 120)}`,
        MD5OfBody: createHash('md5').update(body).digest('hex'),
        Body: body,
        Attributes: {
          ApproximateReceiveCount: String(ctx.counter(`sqs:${messageId}`, 0)),
          SentTimestamp: bug === 'sent-timestamp-seconds' ? String(Math.floor(sent / 1000)) : String(sent),
        },
      }
    })
    return uncached(json({ Messages: messages }, 200, { 'cache-control': 'no-store' }))
  },
  regressions: {
    'body-amount-cents':
      'inside each Body string (keys in random order) amount is in cents (1234) instead of euros (12.34); MD5OfBody follows',
    'sent-timestamp-seconds':
      'Attributes.SentTimestamp is epoch seconds instead of epoch ms (a stable value)',
  },
}

// ---------------------------------------------------------------------------------------------
// 13. an HTML table whose rows come from a hash map

const htmlStockTable: Kind = {
  name: 'html-stock-table',
  family: 'HTML',
  noise: 'a server-rendered table whose <tr> rows come in hash order; a "generated in N ms" caption',
  request: (_i, r) => ({
    method: 'GET',
    path: `/admin/stock?warehouse=${pick(r, WAREHOUSES)}&shelf=${int(r, 1, 40)}`,
    headers: { accept: 'text/html' },
  }),
  respond(req, ctx, bug) {
    const wh = req.query.get('warehouse') ?? 'ams-1'
    const shelf = req.query.get('shelf') ?? '1'
    const d = dataFor(`stock-table:${wh}:${shelf}`)
    const rows = productIds(d, int(d, 5, 9)).map((id, k) => {
      const p = product(id)
      // at least one low-stock row on every shelf
      return { sku: p.sku, name: p.name, qty: k === 0 ? int(d, 0, 9) : int(d, 0, 120) }
    })
    const firstSku = [...rows].sort((a, b) => (a.sku < b.sku ? -1 : 1))[0]!.sku
    const n = ctx.noise
    const body = shuffle(n, rows)
      .map((r) => {
        const qty = bug === 'first-sku-qty-off' && r.sku === firstSku ? r.qty + 1 : r.qty
        const low = r.qty < 10 && bug !== 'low-badge-missing'
        const badge = low ? '<span class="badge low">Low</span>' : '<span class="badge ok">OK</span>'
        return `<tr data-sku="${r.sku}"><td>${r.sku}</td><td>${esc(r.name)}</td><td class="num">${qty}</td><td>${badge}</td></tr>`
      })
      .join('\n')
    const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Stock ${esc(wh)} shelf ${esc(shelf)}</title></head>
<body>
<h1>Stock: ${esc(wh)}, shelf ${esc(shelf)}</h1>
<table class="stock">
<caption>${rows.length} products, generated in ${latencyMs(n, 12)} ms</caption>
<thead><tr><th>SKU</th><th>Product</th><th>Qty</th><th>Status</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`
    return text('text/html', html, 200, { 'cache-control': 'private, no-cache' })
  },
  regressions: {
    'low-badge-missing': 'low-stock rows (qty < 10; rows in random order) show the "OK" badge',
    'first-sku-qty-off': "one row's quantity (the lowest SKU; rows in random order) is one higher",
  },
}

// ---------------------------------------------------------------------------------------------
// 14. a presigned URL next to a stable data: URI

const CRC_TABLE = Array.from({ length: 256 }, (_v, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}

/** A small RGB PNG thumbnail from data; `subFilter` re-encodes the same pixels with PNG's Sub filter. */
function thumbnail(key: string, subFilter: boolean): Buffer {
  const d = dataFor(`thumb:${key}`)
  const w = 12
  const h = 8
  const [r0, g0, b0] = [int(d, 0, 255), int(d, 0, 255), int(d, 0, 255)]
  const raw: number[] = []
  for (let y = 0; y < h; y++) {
    const row: number[] = []
    for (let x = 0; x < w; x++) row.push((r0 + x * 9) & 255, (g0 + y * 13) & 255, (b0 + x * y) & 255)
    raw.push(
      subFilter ? 1 : 0,
      ...(subFilter ? row.map((v, i) => (i < 3 ? v : (v - row[i - 3]!) & 255)) : row),
    )
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.from(raw))),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

const mediaPresigned: Kind = {
  name: 'media-presigned',
  family: 'JSON API',
  noise:
    "an S3 presigned download URL: X-Amz-Date, the pod's temporary credential (ASIA key id, X-Amz-Security-Token) and X-Amz-Signature in the query of a stable path; a stable base64 PNG data: URI beside it",
  request: (_i, r) => ({ method: 'GET', path: `/media/${int(r, 1, 20_000)}` }),
  respond(req, ctx, bug) {
    const id = segment(req, 1)
    const d = dataFor(`media:${id}`)
    const file = `${pick(d, ['hero', 'detail', 'lifestyle', 'pack'])}-${id}.jpg`
    const folder = bug === 'url-originals-path' ? 'originals' : 'renditions/1600w'
    const key = `${folder}/${id}/${file}`
    const node = ctx.node
    // the pod's IRSA credentials: their own key id and session token
    const keyId = `ASIA${alnum(dataFor(`akid:${node.name}`), 16).toUpperCase()}`
    const token = base64url(dataFor(`sts:${node.name}`), 180)
    const amzDate = icalUtc(ctx.now)
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${keyId}/${amzDate.slice(0, 8)}/eu-west-1/s3/aws4_request`,
      'X-Amz-Date': amzDate,
      'X-Amz-Expires': '900',
      'X-Amz-Security-Token': token,
      'X-Amz-SignedHeaders': 'host',
    })
    const signature = createHmac('sha256', node.secret).update(`${key}?${query}`).digest('hex')
    query.set('X-Amz-Signature', signature)
    const png = thumbnail(id, bug === 'preview-reencoded')
    return json(
      {
        id: Number(id),
        filename: file,
        content_type: 'image/jpeg',
        width: 1600,
        height: pick(d, [900, 1067, 1200]),
        bytes: int(d, 80_000, 900_000),
        preview: `data:image/png;base64,${png.toString('base64')}`,
        download_url: `https://shop-media.s3.eu-west-1.amazonaws.com/${key}?${query}`,
        expires_at: isoSeconds(ctx.now + 900_000),
      },
      200,
      { 'cache-control': 'private, max-age=60' },
    )
  },
  regressions: {
    'preview-reencoded':
      'the preview data: URI is the same image re-encoded with the PNG Sub filter: different base64 from the middle on',
    'url-originals-path':
      'the presigned URL (noisy query) points at originals/<id>/… instead of renditions/1600w/<id>/…',
  },
}

export const HOLDOUT_2: readonly Kind[] = [
  jsonApiOrder,
  geoStores,
  esSearch,
  sseEvents,
  xmlInvoice,
  icalRota,
  traceEcho,
  estimatedTotal,
  pollResults,
  sqlRows,
  asyncReport,
  queueReceive,
  htmlStockTable,
  mediaPresigned,
]
