/** Shop JSON APIs: product, search, cart, profile, inventory, quote, order, reviews, recommendations, posts. */

import { createHmac } from 'node:crypto'
import { cents, orderLines, product, user, WAREHOUSES } from '../catalog.ts'
import { epochSeconds, iso, isoWithOffset, pastInstant } from '../clock.ts'
import { BigJson, json, type Kind } from '../kind.ts'
import { type Ctx, type Incoming, jsonBody } from '../node.ts'
import {
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
} from '../random.ts'

/** The n-th path segment: `/products/17` → segment(req, 1) = "17". */
export function segment(req: Incoming, n: number): string {
  return req.path.split('/')[n + 1] ?? ''
}

/** The envelope most of our services wrap answers in. */
export function meta(ctx: Ctx) {
  return {
    request_id: uuid(ctx.noise),
    served_by: ctx.node.name,
    generated_at: iso(ctx.now),
    took_ms: latencyMs(ctx.noise, 6),
  }
}

const productKind: Kind = {
  name: 'product',
  family: 'JSON API',
  noise:
    'request id, ISO time, pod name, latency, views counter, tags in hash order, float average, random recommendations',
  request: (_i, r) => ({
    method: 'GET',
    path: `/products/${int(r, 1, 5000)}?lang=${pick(r, ['en', 'de', 'fr'])}`,
  }),
  respond(req, ctx, bug) {
    const p = product(Number(segment(req, 1)))
    const n = ctx.noise
    // a renamed enum value: one tag comes out capitalised
    const tags =
      bug === 'tag-renamed' ? p.tags.map((t, i) => (i === 0 ? t[0]!.toUpperCase() + t.slice(1) : t)) : p.tags
    return json({
      id: p.id,
      sku: p.sku,
      name: p.name,
      brand: p.brand,
      price: {
        amount: bug === 'price-as-string' ? p.price.toFixed(2) : p.price,
        currency: 'EUR',
        formatted: `€${p.price.toFixed(2)}`,
      },
      tags: shuffle(n, tags),
      rating: { average: sumInRandomOrder(n, p.reviews) / p.reviews.length, count: p.reviews.length },
      stock: { available: p.stock, status: p.stock > 0 ? 'in_stock' : 'sold_out' },
      views: ctx.counter(`views:${p.id}`, int(dataFor(`v${p.id}`), 100, 90_000)),
      recommendations: Array.from({ length: 5 }, () => int(n, 1, 5000)),
      meta: meta(ctx),
    })
  },
  regressions: {
    'price-as-string': 'price.amount is the string "19.99" instead of the number 19.99',
    'tag-renamed': 'one tag in the (shuffled) tag set is capitalised: "Organic" instead of "organic"',
  },
}

const TERMS = ['boots', 'rain jacket', 'tent 2p', 'headlamp', 'merino socks', 'bottle', 'stove', 'gloves']

const search: Kind = {
  name: 'search',
  family: 'JSON API',
  noise: 'search id, latency, opaque next cursor, facet buckets in hash order',
  request: (_i, r) => ({
    method: 'GET',
    path: `/search?q=${encodeURIComponent(pick(r, TERMS))}&page=${int(r, 1, 3)}&size=10`,
  }),
  respond(req, ctx, bug) {
    const q = req.query.get('q') ?? ''
    const page = Number(req.query.get('page') ?? '1')
    const d = dataFor(`search:${q}:${page}`)
    const ids = new Set<number>()
    while (ids.size < 10) ids.add(int(d, 1, 5000))
    // distinct, descending relevance scores: the order is the product
    let score = 20 + d() * 5
    const results = [...ids].map((id) => {
      score -= 0.05 + d()
      const p = product(id)
      return { id, name: p.name, brand: p.brand, price: p.price, score: Math.round(score * 1e4) / 1e4 }
    })
    if (bug === 'results-order-broken') [results[0], results[1]] = [results[1]!, results[0]!]
    const total = int(d, 40, 900)
    const brands = new Map<string, number>()
    for (const r of results) brands.set(r.brand, (brands.get(r.brand) ?? 0) + 1)
    const n = ctx.noise
    return json({
      query: q,
      page,
      total: bug === 'total-off-by-one' ? total + 1 : total,
      results,
      facets: {
        brand: shuffle(
          n,
          [...brands].map(([value, count]) => ({ value, count })),
        ),
      },
      next_cursor: base64url(n, 32),
      search_id: uuid(n),
      took_ms: bug === 'took-as-string' ? `${latencyMs(n, 20)}ms` : latencyMs(n, 20),
    })
  },
  regressions: {
    'results-order-broken': 'the two best results swapped (ranked list out of order)',
    'total-off-by-one': 'total is one more than the reference says',
    'took-as-string': 'took_ms (a latency, different every time) is the string "23ms" instead of a number',
  },
}

interface CartRequest {
  items: { sku: string; qty: number }[]
  coupon: string | null
}

const cart: Kind = {
  name: 'cart',
  family: 'JSON API',
  noise: 'cart id, ISO times, float subtotal summed in random order (tax and total inherit the jitter)',
  request(i, r) {
    const lines = orderLines(`cart:${i}:${int(r, 0, 1e6)}`)
    const body: CartRequest = { items: lines.map((l) => ({ sku: l.sku, qty: l.qty })), coupon: null }
    return {
      method: 'POST',
      path: '/cart',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }
  },
  respond(req, ctx, bug) {
    const body = jsonBody<CartRequest>(req)
    const n = ctx.noise
    const items = body.items.map((it) => {
      const p = product(Number(it.sku.slice(4)))
      const line = {
        sku: it.sku,
        name: p.name,
        qty: it.qty,
        unit_price: p.price,
        line_total: cents(p.price * it.qty),
      }
      if (bug === 'line-missing-sku') return { ...line, sku: undefined }
      return line
    })
    const subtotal = sumInRandomOrder(
      n,
      items.map((l) => l.line_total),
    )
    const tax = subtotal * 0.21
    return json(
      {
        cart_id: uuid(n),
        items,
        subtotal,
        tax,
        total: bug === 'total-off-by-a-cent' ? subtotal + tax + 0.01 : subtotal + tax,
        currency: 'EUR',
        // a row written back through the ORM loses the ISO formatting
        updated_at:
          bug === 'updated-at-sql-format' ? iso(ctx.now).replace('T', ' ').slice(0, 19) : iso(ctx.now),
        expires_at: iso(ctx.now + 30 * 60_000),
      },
      201,
    )
  },
  regressions: {
    'total-off-by-a-cent': 'total is 0.01 too high (far beyond float jitter, inside a jittering number)',
    'line-missing-sku': 'the items lose their "sku" key',
    'updated-at-sql-format':
      'updated_at is "2025-05-01 12:00:00" (SQL style, no zone) instead of ISO 8601 with Z',
  },
}

const profile: Kind = {
  name: 'profile',
  family: 'JSON API',
  noise:
    'signed avatar URL (per-node key, expiry), session id, epoch ms, roles and preferences in hash order',
  request: (_i, r) => ({ method: 'GET', path: `/users/${int(r, 1, 900)}/profile` }),
  respond(req, ctx, bug) {
    const u = user(Number(segment(req, 1)))
    const n = ctx.noise
    const exp = epochSeconds(ctx.now) + 3600
    const sig = createHmac('sha256', ctx.node.secret).update(`${u.id}:${exp}`).digest('hex').slice(0, 24)
    return json({
      id: u.id,
      username: u.username,
      email: bug === 'email-null' ? null : u.email,
      display_name: u.name,
      locale: u.locale,
      roles: shuffle(n, u.roles),
      preferences: shuffle(n, u.preferences),
      avatar: { url: `https://cdn.example.org/avatars/${u.id}.png?exp=${exp}&sig=${sig}` },
      last_login_at: u.lastLoginS,
      session: { id: hex(n, 32), started_at: ctx.now - int(n, 0, 600_000) },
    })
  },
  regressions: { 'email-null': 'email is null' },
}

const inventory: Kind = {
  name: 'inventory',
  family: 'JSON API',
  noise: 'warehouse objects in random order, cache HIT/MISS and age, epoch ms',
  request: (_i, r) => ({ method: 'GET', path: `/inventory/SKU-${String(int(r, 1, 5000)).padStart(6, '0')}` }),
  respond(req, ctx, bug) {
    const sku = segment(req, 1)
    const d = dataFor(`inventory:${sku}`)
    let rows = sample(d, WAREHOUSES, int(d, 4, 6)).map((id) => ({
      warehouse: id,
      available: int(d, 0, 300),
      reserved: int(d, 0, 20),
    }))
    const total = rows.reduce((a, w) => a + w.available, 0)
    if (bug === 'warehouse-missing') rows = rows.slice(0, -1)
    if (bug === 'warehouse-qty-changed')
      rows = rows.map((w, i) => (i === 0 ? { ...w, available: w.available + 3 } : w))
    const n = ctx.noise
    const hit = n() < 0.6
    return json({
      sku,
      warehouses: shuffle(n, rows),
      total_available: total,
      cache: { status: hit ? 'HIT' : 'MISS', age_s: hit ? int(n, 1, 120) : 0 },
      checked_at: ctx.now,
    })
  },
  regressions: {
    'warehouse-missing': 'one warehouse is missing from the (shuffled) warehouse list',
    'warehouse-qty-changed': 'one warehouse of the shuffled list reports 3 more units',
  },
}

interface QuoteRequest {
  from: string
  to: string
  amount: number
}

const quote: Kind = {
  name: 'quote',
  family: 'JSON API',
  noise: 'quote id, ISO times, an FX rate multiplied out in random order (last-digit jitter)',
  request: (_i, r) => {
    const body: QuoteRequest = {
      from: 'EUR',
      to: pick(r, ['USD', 'GBP', 'PLN', 'CHF']),
      amount: int(r, 100, 90_000) / 100,
    }
    return {
      method: 'POST',
      path: '/quote',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }
  },
  respond(req, ctx, bug) {
    const q = jsonBody<QuoteRequest>(req)
    const d = dataFor(`fx:${q.to}`)
    // EUR → USD → target, with a spread: three factors multiplied in the order a map yields them
    const factors = [1.0843 + d() / 100, 0.97 + d() / 10, 0.9985]
    const n = ctx.noise
    const rate = shuffle(n, factors).reduce((a, b) => a * b, 1)
    const expires = ctx.now + 15 * 60_000
    return json({
      quote_id: `q_${base64url(n, 20)}`,
      from: q.from,
      to: q.to,
      amount: q.amount,
      rate,
      converted: q.amount * rate,
      fee: q.amount * rate * 0.015,
      created_at: iso(ctx.now),
      expires_at: bug === 'expires-at-local-time' ? isoWithOffset(expires, 120) : iso(expires),
    })
  },
  regressions: {
    'expires-at-local-time': 'expires_at is written in local time with +02:00 instead of UTC "Z"',
  },
}

const STATUSES = ['placed', 'paid', 'packed', 'shipped', 'delivered']

const order: Kind = {
  name: 'order',
  family: 'JSON API',
  noise: 'links carrying the pod host name, ISO fetched_at',
  request: (_i, r) => ({ method: 'GET', path: `/orders/${int(r, 10_000, 99_999)}` }),
  respond(req, ctx, bug) {
    const id = segment(req, 1)
    const n = ctx.noise
    if (bug === 'order-500') {
      return json(
        {
          error: {
            code: 'INTERNAL',
            message: 'ledger timeout',
            request_id: uuid(n),
            timestamp: iso(ctx.now),
          },
        },
        500,
      )
    }
    const d = dataFor(`order:${id}`)
    const placed = pastInstant(d())
    const steps = int(d, 1, STATUSES.length)
    let at = placed
    const timeline = STATUSES.slice(0, steps).map((event) => {
      at += int(d, 600_000, 90_000_000)
      return { event, at: iso(at) }
    })
    const host = ctx.node.host
    return json({
      id: `ORD-${id}`,
      status: STATUSES[steps - 1],
      placed_at: iso(placed),
      lines: orderLines(`order:${id}`),
      timeline,
      tracking:
        steps >= 4 ? { carrier: pick(d, ['DHL', 'UPS', 'PostNL']), number: hex(d, 12).toUpperCase() } : null,
      links: {
        self: `http://${host}:8080/orders/${id}`,
        invoice: `http://${host}:8080/orders/${id}/invoice.pdf`,
      },
      fetched_at: iso(ctx.now),
    })
  },
  regressions: { 'order-500': 'answers 500 with an error envelope' },
}

const reviews: Kind = {
  name: 'reviews',
  family: 'JSON API',
  noise: 'average summed in random order, opaque page token, request id',
  request: (_i, r) => ({ method: 'GET', path: `/products/${int(r, 1, 5000)}/reviews?page=${int(r, 1, 4)}` }),
  respond(req, ctx, bug) {
    const id = segment(req, 1)
    const page = req.query.get('page') ?? '1'
    const d = dataFor(`reviews:${id}:${page}`)
    let t = pastInstant(0.9 + d() / 10)
    const items = Array.from({ length: 10 }, (_v, i) => {
      t -= int(d, 3_600_000, 400_000_000)
      const created = bug === 'review-date-epoch' ? t : iso(t)
      return {
        id: `rv_${hex(d, 10)}`,
        rating: int(d, 1, 5),
        title: `Review ${page}.${i}`,
        created_at: created,
      }
    })
    const n = ctx.noise
    const histogram: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 }
    for (const it of items) histogram[String(it.rating)]!++
    return json({
      product_id: Number(id),
      page: Number(page),
      items,
      average: sumInRandomOrder(
        n,
        items.map((it) => it.rating / items.length),
      ),
      histogram,
      next_page_token: base64url(n, 40),
      request_id: uuid(n),
    })
  },
  regressions: {
    'review-date-epoch': 'created_at of each review is an epoch-ms number instead of an ISO string',
  },
}

const recommendations: Kind = {
  name: 'recommendations',
  family: 'JSON API',
  noise: 'everything but the shape: random items and scores, A/B bucket, ISO time',
  request: (_i, r) => ({
    method: 'GET',
    path: `/recommendations/${int(r, 1, 900)}?slot=${pick(r, ['home', 'cart'])}`,
  }),
  respond(req, ctx, bug) {
    const n = ctx.noise
    const count = bug === 'fewer-recommendations' ? 7 : 8
    let s = 1
    const items = Array.from({ length: count }, () => {
      s -= n() / 10
      return { id: int(n, 1, 5000), score: s, reason: pick(n, ['similar', 'trending', 'bought-together']) }
    })
    return json({
      user_id: Number(segment(req, 1)),
      slot: req.query.get('slot'),
      model: 'two-tower-v12',
      bucket: pick(n, ['A', 'B']),
      generated_at: iso(ctx.now),
      items,
    })
  },
  regressions: { 'fewer-recommendations': '7 recommendations instead of 8 (all of them random anyway)' },
}

/** An odd 19-digit id: never representable as a double, so rounding always shows. */
function snowflake(d: () => number): string {
  const digits = `15${String(Math.floor(d() * 1e9)).padStart(9, '0')}${String(Math.floor(d() * 1e7)).padStart(7, '0')}`
  return digits + String(int(d, 0, 4) * 2 + 1)
}

const post: Kind = {
  name: 'post',
  family: 'JSON API',
  noise: 'a 19-digit impression id per answer, like counter, epoch ms',
  request: (_i, r) => ({ method: 'GET', path: `/posts/${int(r, 1, 100_000)}` }),
  respond(req, ctx, bug) {
    const key = segment(req, 1)
    const d = dataFor(`post:${key}`)
    const id = snowflake(d)
    const author = snowflake(d)
    return json({
      id: bug === 'id-precision-lost' ? Number(id) : new BigJson(id),
      id_str: id,
      text: `Post ${key}: ${pick(d, ['hello', 'new gear day', 'trail report', 'sale!'])}`,
      created_at: iso(pastInstant(d())),
      author: { id: new BigJson(author), handle: `@user${int(d, 1, 900)}` },
      like_count: ctx.counter(`likes:${key}`, int(d, 0, 5000)),
      impression_id: new BigJson(snowflake(ctx.noise)),
      served_at: ctx.now,
    })
  },
  regressions: { 'id-precision-lost': 'the 19-digit id goes through a double and loses its last digits' },
}

export const COMMERCE: readonly Kind[] = [
  productKind,
  search,
  cart,
  profile,
  inventory,
  quote,
  order,
  reviews,
  recommendations,
  post,
]
