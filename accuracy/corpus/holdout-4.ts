/**
 * The fourth blind holdout batch: kinds whose non-determinism none of the main corpus and the
 * first three holdout batches (corpus/holdout.ts, holdout-2.ts, holdout-3.ts) have, and whose
 * regressions hide where a comparison engine is lenient (inside values that legitimately vary,
 * in reorder-like changes, in headers, in null/absent/empty distinctions, in Unicode
 * normalization). Served and run with `--holdout` (appended to HOLDOUT). Same rules as the main
 * corpus (corpus/kind.ts): every node runs the same code and draws its noise from `ctx`; only
 * `bug` changes the regressed node, and every regression changes every answer.
 */
import { cents, product, productIds, user } from './catalog.ts'
import { iso, pastInstant } from './clock.ts'
import { json, type Kind, uncached } from './kind.ts'
import { segment } from './kinds/commerce.ts'
import { jsonBody } from './node.ts'
import { alnum, amount, dataFor, hash32, hex, int, latencyMs, pick, sample, shuffle, uuid } from './random.ts'

// ---------------------------------------------------------------------------------------------
// 1. exchange rates with multiplicative (relative) noise over five orders of magnitude

const FX: [string, number][] = [
  ['USD', 1.0873],
  ['GBP', 0.8531],
  ['JPY', 161.37],
  ['CHF', 0.9612],
  ['SEK', 11.412],
  ['HUF', 393.2],
  ['KWD', 0.3341],
  ['BTC', 0.00001563],
]

const fxBoard: Kind = {
  name: 'fx-board',
  family: 'JSON API',
  noise:
    "rates from each pod's streaming feed snapshot, off by up to ±0.03 % relative (so 0.0000156 vs 0.0000156 and 393.21 vs 393.08: the absolute jitter spans five orders of magnitude), 6 significant digits; a cache_hit boolean that flips, and an as_of that is older on a hit",
  request: (_i, r) => ({ method: 'GET', path: `/fx/board?base=EUR&desk=${int(r, 1, 40)}` }),
  respond(req, ctx, bug) {
    const desk = req.query.get('desk') ?? '1'
    const d = dataFor(`fx:${desk}`)
    const n = ctx.noise
    const rates: Record<string, number | string> = {}
    for (const [code, mid] of FX) {
      const day = mid * (1 + (d() - 0.5) * 0.02)
      const live = day * (1 + (n() - 0.5) * 0.0006)
      let v = Number(live.toPrecision(6))
      if (bug === 'gbp-inverted' && code === 'GBP') v = Number((1 / live).toPrecision(6))
      rates[code] = bug === 'jpy-as-string' && code === 'JPY' ? String(v) : v
    }
    const hit = n() < 0.5
    return uncached(
      json(
        {
          base: 'EUR',
          desk: Number(desk),
          cache_hit: hit,
          as_of: iso(ctx.now - (hit ? int(n, 1_000, 30_000) : int(n, 0, 400))),
          rates,
        },
        200,
        { 'cache-control': 'no-cache' },
      ),
    )
  },
  regressions: {
    'jpy-as-string':
      'rates.JPY (a number with relative jitter) is a JSON string: "161.412" instead of 161.412',
    'gbp-inverted': 'rates.GBP is inverted: GBP→EUR 1.17 instead of EUR→GBP 0.853 (its value jitters anyway)',
  },
}

// ---------------------------------------------------------------------------------------------
// 2. length-hiding padding and an edge pool; personalized headers

const ORIGINS = ['https://m.shop.example.org', 'https://app.shop.example.org', 'https://partner.example.net']
const EDGES = ['edge-fra-03', 'edge-fra-07', 'edge-ams-01', 'edge-ams-04', 'edge-cdg-02']

const accountPrefs: Kind = {
  name: 'account-prefs',
  family: 'JSON API',
  noise:
    'a BREACH-mitigation "pad" field of random length (0–600 random characters), a Via header naming one edge of a pool; Cache-Control private, CORS origin echoed from the request',
  request: (_i, r) => ({
    method: 'GET',
    path: `/account/prefs?user=${int(r, 1, 900)}`,
    headers: { origin: pick(r, ORIGINS), cookie: `sid=${alnum(r, 20)}` },
  }),
  respond(req, ctx, bug) {
    const u = user(Number(req.query.get('user') ?? '1'))
    const n = ctx.noise
    const origin = String(req.headers.origin ?? ORIGINS[0])
    const body = {
      user: u.username,
      email: u.email,
      locale: u.locale,
      channels: u.preferences,
      roles: u.roles,
      pad: alnum(n, int(n, 0, 600)),
    }
    return json(body, 200, {
      'cache-control': bug === 'cache-public' ? 'public, max-age=60' : 'private, max-age=60',
      'access-control-allow-origin': bug === 'acao-fixed' ? 'https://shop.example.org' : origin,
      'access-control-allow-credentials': 'true',
      via: `1.1 ${pick(n, EDGES)} (Varnish/7.4)`,
    })
  },
  regressions: {
    'cache-public':
      'header only: Cache-Control says public instead of private on a per-user answer (shared caches may keep it)',
    'acao-fixed':
      'header only: Access-Control-Allow-Origin is always https://shop.example.org instead of echoing the request Origin',
  },
}

// ---------------------------------------------------------------------------------------------
// 3. an A/B experiment bucket from a fresh visitor id: the whole hero block changes shape

const COUNTRY_LOCALE: Record<string, string> = { DE: 'de-DE', FR: 'fr-FR', NL: 'nl-NL', PL: 'pl-PL' }

const homeLayout: Kind = {
  name: 'home-layout',
  family: 'JSON API',
  noise:
    'an anonymous visitor gets a fresh visitor id, and experiment buckets hashed from it: hero "A" is a 3-slide carousel, hero "B" a 6-tile product grid with prices (a different shape), cta colour 1 of 3',
  request: (_i, r) => ({ method: 'GET', path: `/home?country=${pick(r, Object.keys(COUNTRY_LOCALE))}` }),
  respond(req, ctx, bug) {
    const country = req.query.get('country') ?? 'DE'
    const d = dataFor(`home:${country}`)
    const ids = productIds(d, 6)
    const visitor = uuid(ctx.noise)
    const bucket = hash32(`${visitor}:hero`) % 2 === 0 ? 'A' : 'B'
    const cta = ['blue', 'green', 'orange'][hash32(`${visitor}:cta`) % 3]!
    const shown = bug === 'hero-variant-mismatch' ? (bucket === 'A' ? 'B' : 'A') : bucket
    const hero =
      shown === 'A'
        ? {
            layout: 'carousel',
            slides: ids.slice(0, 3).map((id, k) => ({
              position: k + 1,
              image: `https://img.shop.example.org/hero/${id}-1600w.jpg`,
              link: `/p/${id}`,
            })),
          }
        : {
            layout: 'grid',
            columns: 3,
            tiles: ids.map((id) => {
              const p = product(id)
              return { id, name: p.name, price: p.price, link: `/p/${id}` }
            }),
          }
    const locale = COUNTRY_LOCALE[country] ?? 'de-DE'
    return uncached(
      json(
        {
          visitor_id: visitor,
          experiments: { hero: bucket, cta_colour: cta },
          locale: bug === 'locale-underscore' ? locale.replace('-', '_') : locale,
          currency: 'EUR',
          hero,
          modules: ['recently-viewed', 'deals', 'newsletter'],
        },
        200,
        { 'cache-control': 'private, no-store' },
      ),
    )
  },
  regressions: {
    'hero-variant-mismatch':
      'the hero block shown is the other bucket\'s (carousel when experiments.hero says "B" and vice versa): each value alone is one an equal node shows',
    'locale-underscore': 'locale is "de_DE" (POSIX) instead of the BCP 47 "de-DE"',
  },
}

// ---------------------------------------------------------------------------------------------
// 4. a pick list along a randomized route, with duplicate scans

const PICKERS = ['picker-anna', 'picker-bogdan', 'picker-chen', 'picker-dana', 'picker-emre', 'picker-femi']

const pickList: Kind = {
  name: 'pick-list',
  family: 'JSON API',
  noise:
    'the route optimizer (a randomized heuristic) orders the picks differently every time, so seq numbers and the expected_scans sequence (EAN barcodes, one per unit: duplicates) follow; the picker comes from the pool on shift',
  request: (_i, r) => ({ method: 'GET', path: `/waves/${int(r, 1, 30_000)}/picklist` }),
  respond(req, ctx, bug) {
    const wave = segment(req, 1)
    const d = dataFor(`wave:${wave}`)
    const lines = productIds(d, int(d, 4, 7))
      .sort((a, b) => a - b)
      .map((id, k) => ({
        sku: product(id).sku,
        bin: `${pick(d, ['A', 'B', 'C', 'D'])}-${String(int(d, 1, 40)).padStart(2, '0')}-${int(d, 1, 6)}`,
        ean: `40${String(int(d, 0, 99_999_999_999)).padStart(11, '0')}`,
        qty: k === 0 ? int(d, 2, 4) : int(d, 1, 4),
      }))
    // the first two lines (lowest SKUs) always have different quantities
    if (lines[1]!.qty === lines[0]!.qty) lines[1]!.qty = lines[0]!.qty === 1 ? 2 : 1
    if (bug === 'qty-swapped') [lines[0]!.qty, lines[1]!.qty] = [lines[1]!.qty, lines[0]!.qty]
    const n = ctx.noise
    const route = shuffle(n, lines)
    const scans: string[] = []
    for (const l of route) {
      const units = bug === 'duplicate-scan-dropped' && l === lines[0] ? l.qty - 1 : l.qty
      for (let k = 0; k < units; k++) scans.push(l.ean)
    }
    return uncached(
      json({
        wave: Number(wave),
        picker: pick(n, PICKERS),
        total_units: lines.reduce((s, l) => s + l.qty, 0),
        picks: route.map((l, k) => ({ seq: k + 1, bin: l.bin, sku: l.sku, qty: l.qty })),
        expected_scans: scans,
      }),
    )
  },
  regressions: {
    'qty-swapped':
      'the quantities of the two lowest SKUs are swapped (picks in random route order; total_units unchanged)',
    'duplicate-scan-dropped':
      'expected_scans has one scan too few for the lowest SKU: one of its duplicate barcodes is dropped',
  },
}

// ---------------------------------------------------------------------------------------------
// 5. a seat map: arrays of arrays of arrays of seat states

const seatMap: Kind = {
  name: 'seat-map',
  family: 'JSON API',
  noise:
    "seats[section][row][seat] state codes: about 4 % of available seats are 'H' (held by other shoppers' carts, which come and go) instead of 'A' in each pod's availability snapshot; per-section counts follow; snapshot_at",
  request: (_i, r) => ({ method: 'GET', path: `/events/${int(r, 1, 8000)}/seats` }),
  respond(req, ctx, bug) {
    const event = segment(req, 1)
    const d = dataFor(`seats:${event}`)
    const n = ctx.noise
    const sections = [0, 1, 2].map((k) => ({
      id: `${k + 1}${String(int(d, 1, 30)).padStart(2, '0')}`,
      name: ['Floor', 'Lower tier', 'Upper tier'][k]!,
      price_level: `P${k + 1}`,
      price: cents((3 - k) * 25 + amount(d, 0, 20)),
    }))
    const seats = sections.map((_s, k) => {
      const rows = int(d, 4, 6)
      const width = int(d, 8, 14)
      return Array.from({ length: rows }, (_v, row) =>
        Array.from({ length: width }, (_w, seat) => {
          let state = d() < 0.35 ? 'S' : 'A'
          // the aisle seat of the first floor row is always sold, the far end never
          if (k === 0 && row === 0) state = seat === 0 ? 'S' : seat === width - 1 ? 'A' : state
          return state === 'A' && n() < 0.04 ? 'H' : state
        }),
      )
    })
    if (bug === 'row-reversed') seats[0]![0]!.reverse()
    if (bug === 'prices-swapped')
      [sections[1]!.price, sections[2]!.price] = [sections[2]!.price, sections[1]!.price]
    const counts = seats.map((rows) => {
      const flat = rows.flat()
      return {
        available: flat.filter((s) => s === 'A').length,
        held: flat.filter((s) => s === 'H').length,
        sold: flat.filter((s) => s === 'S').length,
      }
    })
    return uncached(
      json({
        event: Number(event),
        snapshot_at: iso(ctx.now - int(n, 0, 2_000)),
        sections: sections.map((s, k) => ({ ...s, ...counts[k] })),
        seats,
      }),
    )
  },
  regressions: {
    'row-reversed':
      'the first row of the first section is listed right to left (a reorder of codes that themselves vary between pods)',
    'prices-swapped':
      'the prices of the lower and upper tiers are swapped (two fields swapped between two rows)',
  },
}

// ---------------------------------------------------------------------------------------------
// 6. orders grouped by status, read from a lagging replica

const orderHistory: Kind = {
  name: 'order-history',
  family: 'JSON API',
  noise:
    'read from one of three replicas (named), half the time lagging: then the newest order is still in the "open" section instead of "shipped" (an item that moves between parent sections), replica_lag_ms',
  request: (_i, r) => ({ method: 'GET', path: `/customers/${int(r, 1, 900)}/orders` }),
  respond(req, ctx, bug) {
    const customer = segment(req, 1)
    const d = dataFor(`history:${customer}`)
    let t = pastInstant(0.5 + d() * 0.3)
    const count = int(d, 6, 9)
    const orders = Array.from({ length: count }, () => {
      t += int(d, 86_400_000, 20 * 86_400_000)
      return {
        id: `ORD-${int(d, 10_000, 99_999)}`,
        placed_at: iso(t),
        items: int(d, 1, 5),
        total: amount(d, 8, 400),
      }
    })
    const n = ctx.noise
    const lagging = n() < 0.5
    const open: object[] = []
    const shipped: object[] = []
    const delivered: object[] = []
    orders.forEach((o, k) => {
      if (k === count - 1) {
        if (lagging) open.push({ ...o, status: 'open' })
        else shipped.push({ ...o, status: 'shipped', carrier: 'DHL', tracking: `JD01460000${hash32(o.id)}` })
      } else if (k === count - 2) {
        shipped.push({ ...o, status: 'shipped', carrier: 'UPS', tracking: `1Z999AA1${hash32(o.id)}` })
      } else if (bug === 'delivered-in-open' && k === 0) open.push({ ...o, status: 'delivered' })
      else delivered.push({ ...o, status: 'delivered' })
    })
    if (bug === 'delivered-newest-first') delivered.reverse()
    return uncached(
      json({
        customer: Number(customer),
        replica: pick(n, ['orders-db-r1', 'orders-db-r2', 'orders-db-r3']),
        replica_lag_ms: lagging ? int(n, 2_000, 15_000) : int(n, 0, 300),
        sections: [
          { status: 'open', orders: open },
          { status: 'shipped', orders: shipped },
          { status: 'delivered', orders: delivered },
        ],
      }),
    )
  },
  regressions: {
    'delivered-in-open':
      'the oldest delivered order is listed in the "open" section (status still "delivered"), as the lagging newest order sometimes is',
    'delivered-newest-first':
      'the delivered section is sorted newest first instead of oldest first (the reference order is stable)',
  },
}

// ---------------------------------------------------------------------------------------------
// 7. autocomplete with a cache flag, a latency and a shard pool

const PREFIXES = ['ten', 'bac', 'hea', 'jac', 'run', 'mug', 'soc', 'glo', 'cap', 'bot']

const suggest: Kind = {
  name: 'suggest',
  family: 'JSON API',
  noise:
    'took_ms (0–2 on a cache hit, a skewed latency otherwise), a cache_hit boolean that flips, served_by one of four suggest shards',
  request: (_i, r) => ({
    method: 'GET',
    path: `/suggest?q=${pick(r, PREFIXES)}${alnum(r, 1).toLowerCase()}`,
  }),
  respond(req, ctx, bug) {
    const q = req.query.get('q') ?? ''
    const d = dataFor(`suggest:${q}`)
    const want = int(d, 5, 8)
    const scores = new Set<number>()
    while (scores.size < want) scores.add(int(d, 10, 9_999))
    const items = [...scores]
      .sort((a, b) => b - a)
      .map((score) => ({ text: `${q}${alnum(d, int(d, 2, 6)).toLowerCase()}`, score }))
    if (bug === 'ascending-score') items.reverse()
    const n = ctx.noise
    const hit = n() < 0.6
    const took = hit ? int(n, 0, 2) : latencyMs(n, 18)
    return json({
      q,
      took_ms: bug === 'took-as-string' ? String(took) : took,
      cache_hit: hit,
      served_by: `suggest-${int(n, 0, 3)}`,
      suggestions: items,
    })
  },
  regressions: {
    'took-as-string': 'took_ms (a noisy latency) is a JSON string: "7" instead of 7',
    'ascending-score': 'suggestions are sorted by score ascending instead of descending',
  },
}

// ---------------------------------------------------------------------------------------------
// 8. approximate nearest-neighbour geocoding with non-ASCII names

const PLACES = [
  'Zürich',
  'Genève',
  'Neuchâtel',
  'Delémont',
  'Bülach',
  'Küsnacht',
  'Männedorf',
  'Wädenswil',
  'Gruyères',
  'Münsingen',
  'Thônex',
  'Château-d’Œx',
  'Rüti',
  'Porrentruy-Fontenais-Vendlincourt-Höhe',
]

const placeNames: Kind = {
  name: 'place-names',
  family: 'JSON API',
  noise:
    'an approximate nearest-neighbour index (random entry point per query): the top 3 are stable, but scores jitter and results 4–5 may swap or be a different place; took_ms',
  request: (_i, r) => ({
    method: 'GET',
    path: `/geocode?q=${encodeURIComponent(pick(r, ['ch', 'zh', 'rand', 'see', 'berg']))}&near=${int(r, 1, 400)}&limit=5`,
    headers: { 'accept-language': pick(r, ['de-CH,de;q=0.9', 'fr-CH,fr;q=0.9', 'it-CH,it;q=0.8']) },
  }),
  respond(req, ctx, bug) {
    const key = `${req.query.get('q')}:${req.query.get('near')}`
    const d = dataFor(`geo:${key}`)
    const lang = String(req.headers['accept-language'] ?? 'de-CH').split(',')[0]!
    const n = ctx.noise
    const candidates = sample(d, PLACES, 8).map((name, k) => ({
      name,
      lat: Number((45.8 + d() * 1.9).toFixed(5)),
      lon: Number((5.9 + d() * 4.6).toFixed(5)),
      exact: k < 3 ? 0.95 - k * 0.08 : 0.7 - k * 0.02,
    }))
    const results = candidates
      .map((c, k) => ({ ...c, approx: c.exact + (n() - 0.5) * (k < 3 ? 0.004 : 0.09) }))
      .sort((a, b) => b.approx - a.approx)
      .slice(0, 5)
      .map((c) => ({
        name: bug === 'nfd-names' ? c.name.normalize('NFD') : c.name,
        lat: c.lat,
        lon: c.lon,
        score: Number(c.approx.toFixed(4)),
      }))
    return json({ query: req.query.get('q'), took_ms: latencyMs(n, 9), results }, 200, {
      'content-language': bug === 'content-language-generic' ? lang.slice(0, 2) : lang,
    })
  },
  regressions: {
    'nfd-names':
      'place names are in Unicode NFD ("Zu\\u0308rich"): they render the same but compare, sort and index differently',
    'content-language-generic':
      'header only: Content-Language is "de" instead of "de-CH" (the region is lost)',
  },
}

// ---------------------------------------------------------------------------------------------
// 9. a rendition request answered 200 (done in the sync budget) or 202 (still rendering)

interface RenditionRequest {
  asset: number
  width: number
  height: number
  format: string
}

const thumbnailRender: Kind = {
  name: 'thumbnail-render',
  family: 'JSON API',
  noise:
    'HTTP status 200 or 202: when the render misses the 250 ms synchronous budget (about 30 %) the answer is 202 with a Location, a job id, a pending status and poll_after_ms instead of the finished rendition (bytes, render_ms)',
  request: (_i, r) => {
    const width = pick(r, [320, 640, 1024, 1600])
    return {
      method: 'POST',
      path: '/renditions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        asset: int(r, 1, 50_000),
        width,
        height: Math.round(width * pick(r, [0.5625, 0.75, 1.25])),
        format: pick(r, ['webp', 'avif', 'jpeg']),
      }),
    }
  },
  respond(req, ctx, bug) {
    const body = jsonBody<RenditionRequest>(req)
    const n = ctx.noise
    const scheme = bug === 'url-http' ? 'http' : 'https'
    const url = `${scheme}://img.shop.example.org/r/${body.asset}/${body.width}x${body.height}.${body.format}`
    const [width, height] =
      bug === 'width-height-swapped' ? [body.height, body.width] : [body.width, body.height]
    const renderMs = latencyMs(n, 160)
    if (renderMs > 250) {
      const job = uuid(n)
      return uncached(
        json(
          { status: 'pending', job_id: job, url, width, height, format: body.format, poll_after_ms: 500 },
          202,
          { location: `/renditions/jobs/${job}`, 'retry-after': '1' },
        ),
      )
    }
    const bytes = Math.round(body.width * body.height * 0.11 * (1 + (hash32(`${body.asset}`) % 50) / 100))
    return uncached(
      json({ status: 'ready', url, width, height, format: body.format, bytes, render_ms: renderMs }, 200),
    )
  },
  regressions: {
    'url-http': 'the rendition URL is http:// instead of https:// (in both the 200 and the 202 shape)',
    'width-height-swapped':
      'the width and height fields are swapped (the URL still says 640x480) in both shapes',
  },
}

// ---------------------------------------------------------------------------------------------
// 10. a multipart upload session with an adaptive part size

interface UploadRequest {
  filename: string
  size: number
  content_type: string
}

const MiB = 1024 * 1024

const uploadInit: Kind = {
  name: 'upload-init',
  family: 'JSON API',
  noise:
    'a random upload id (also inside every part URL), a 16-byte standard-base64 nonce ("…==") and per-part URL signatures; the part size follows the pod\'s memory pressure (8 or 16 MiB), so the parts array has a different length',
  request: (_i, r) => ({
    method: 'POST',
    path: '/uploads',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      filename: `IMG_${int(r, 1000, 9999)}.${pick(r, ['mov', 'mp4', 'zip'])}`,
      size: int(r, 20 * MiB, 120 * MiB),
      content_type: 'application/octet-stream',
    }),
  }),
  respond(req, ctx, bug) {
    const body = jsonBody<UploadRequest>(req)
    const n = ctx.noise
    const id = bug === 'upload-id-nil' ? '00000000-0000-0000-0000-000000000000' : uuid(n)
    const nonceBytes = Buffer.from(Array.from({ length: 16 }, () => int(n, 0, 255)))
    const nonce = nonceBytes.toString('base64')
    const partSize = n() < 0.3 ? 8 * MiB : 16 * MiB
    const key = `uploads/${hex(dataFor(body.filename), 8)}/${body.filename}`
    const parts = Array.from({ length: Math.ceil(body.size / partSize) }, (_v, k) => ({
      part_number: k + 1,
      url: `https://uploads.s3.eu-west-1.example.org/${key}?partNumber=${k + 1}&uploadId=${id}&X-Amz-Signature=${hex(n, 64)}`,
    }))
    return uncached(
      json(
        {
          upload_id: id,
          key,
          size: body.size,
          part_size: partSize,
          nonce: bug === 'nonce-unpadded' ? nonce.replace(/=+$/, '') : nonce,
          expires_at: iso(ctx.now + 3_600_000),
          parts,
        },
        201,
      ),
    )
  },
  regressions: {
    'upload-id-nil':
      'upload_id (random) is the nil UUID 00000000-0000-0000-0000-000000000000, in the body and in every part URL',
    'nonce-unpadded': 'the random base64 nonce lost its "==" padding (22 characters instead of 24)',
  },
}

// ---------------------------------------------------------------------------------------------
// 11. null fields omitted by the cache serializer path

const TITLES = ['Engineer', 'Senior Engineer', 'Designer', 'Product Manager', 'Analyst', 'Support Lead']

const teamDirectory: Kind = {
  name: 'team-directory',
  family: 'JSON API',
  noise:
    'on a cache hit (a flipping cache_hit) the members come from a serializer that omits null fields: phone and manager are absent instead of null',
  request: (_i, r) => ({ method: 'GET', path: `/teams/${int(r, 1, 2000)}/members` }),
  respond(req, ctx, bug) {
    const team = segment(req, 1)
    const d = dataFor(`directory:${team}`)
    const size = int(d, 4, 8)
    const ids = new Set<number>()
    while (ids.size < size) ids.add(int(d, 1, 900))
    const people = [...ids].map((id, k) => ({
      username: user(id).username,
      name: user(id).name,
      title: pick(d, TITLES),
      // at least one member has no phone on file
      phone: k === 1 || d() < 0.5 ? null : `+49 30 ${int(d, 1_000_000, 9_999_999)}`,
      manager: k === 0 ? null : user([...ids][0]!).username,
    }))
    const hit = ctx.noise() < 0.5
    const members = people.map((p) => {
      const phone = bug === 'phone-empty-string' && p.phone === null ? '' : p.phone
      const m: Record<string, unknown> = { username: p.username, name: p.name, title: p.title }
      if (!hit || phone !== null) m.phone = phone
      if (!hit || p.manager !== null) m.manager = p.manager
      return m
    })
    const info: Record<string, unknown> = {
      id: Number(team),
      name: `Team ${pick(d, ['Atlas', 'Borealis', 'Cobalt', 'Delta', 'Ember'])}`,
      created_at: iso(pastInstant(d())),
    }
    if (bug !== 'archived-at-absent') info.archived_at = null
    return json({ team: info, cache_hit: hit, members })
  },
  regressions: {
    'archived-at-absent':
      "team.archived_at is absent instead of null (members' null fields are legitimately absent on a cache hit)",
    'phone-empty-string': 'members without a phone have phone "" instead of null (or absent)',
  },
}

export const HOLDOUT_4: readonly Kind[] = [
  fxBoard,
  accountPrefs,
  homeLayout,
  pickList,
  seatMap,
  orderHistory,
  suggest,
  placeNames,
  thumbnailRender,
  uploadInit,
  teamDirectory,
]
