/**
 * The third blind holdout batch: kinds whose non-determinism neither the main corpus nor the
 * first two holdout batches (corpus/holdout.ts, corpus/holdout-2.ts) have. Served and run with
 * `--holdout` (appended to HOLDOUT). Same rules as the main corpus (corpus/kind.ts): every node
 * runs the same code and draws its noise from `ctx`; only `bug` changes the regressed node, and
 * every regression changes every answer.
 */
import { createHmac } from 'node:crypto'
import { cents, orderLines, product, productIds, user } from './catalog.ts'
import { epochSeconds, iso, isoSeconds, pastInstant } from './clock.ts'
import { esc, json, type Kind, text, uncached } from './kind.ts'
import { segment } from './kinds/commerce.ts'
import { jsonBody } from './node.ts'
import {
  alnum,
  base64url,
  dataFor,
  hash32,
  hex,
  int,
  latencyMs,
  pick,
  sample,
  shuffle,
  uuid,
} from './random.ts'

/** `12345` → `12,345`; `-2500` → `-2,500`. */
function grouped(n: number): string {
  const s = String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return n < 0 ? `-${s}` : s
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad2 = (n: number) => String(n).padStart(2, '0')

/** British short form, UTC: `2 Dec 2026, 03:14`. */
function ukDateTime(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`
}

/** `14 Mar 2024`. */
function ukDate(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
}

/** American short form, UTC: `Dec 2, 2026, 3:14 AM`. */
function usDateTime(ms: number): string {
  const d = new Date(ms)
  const h = d.getUTCHours()
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad2(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`
}

// ---------------------------------------------------------------------------------------------
// 1. an object keyed by minute timestamps over a sliding window

const ROUTES = ['checkout', 'search', 'cart', 'login', 'product']

const minuteBuckets: Kind = {
  name: 'minute-buckets',
  family: 'JSON API',
  noise:
    'an object keyed by minute timestamps ("2026-12-02T03:14:00Z") over the 30 minutes before each pod\'s last rollup (refreshed every minute at a per-pod phase, sometimes late): the window slides by 0–3 minutes between pods, so keys, their first/last entries and the window total shift; rolled_up_at',
  request: (_i, r) => ({
    method: 'GET',
    path: `/metrics/requests/per-minute?route=${pick(r, ROUTES)}&window=30m`,
  }),
  respond(req, ctx, bug) {
    const route = req.query.get('route') ?? 'checkout'
    const n = ctx.noise
    const phase = hash32(ctx.node.name) % 60_000
    const rolledUp = Math.floor((ctx.now - phase) / 60_000) * 60_000 + phase - int(n, 0, 2) * 60_000
    // the minute in progress at the rollup is not complete: the window ends before it
    const current = Math.floor(rolledUp / 60_000) * 60_000
    const buckets: Record<string, number> = {}
    let total = 0
    for (let k = 30; k >= 1; k--) {
      const start = current - k * 60_000
      // the metrics store: every pod reads the same count for the same minute
      const count = int(dataFor(`rpm:${route}:${start}`), 200, 4000)
      total += count
      const label = bug === 'bucket-label-end' ? start + 60_000 : start
      buckets[isoSeconds(label)] = bug === 'rate-per-second' ? Math.round((count / 60) * 100) / 100 : count
    }
    return uncached(
      json({ route, step: '1m', window: '30m', rolled_up_at: iso(rolledUp), total, buckets }, 200, {
        'cache-control': 'no-cache',
      }),
    )
  },
  regressions: {
    'bucket-label-end':
      "every bucket is keyed by its end minute instead of its start: 03:14's count is filed under 03:15 (an off-by-one inside the sliding keys)",
    'rate-per-second':
      'bucket values are per-second rates (41.27) instead of per-minute counts (2476); total unchanged',
  },
}

// ---------------------------------------------------------------------------------------------
// 2. a Prometheus range query: [timestamp, "value"] pairs over a sliding window

const promRange: Kind = {
  name: 'prom-range',
  family: 'JSON API',
  noise:
    'Prometheus query_range matrix: series (by code label) in the order the HA replicas merged them (random), each a [epoch-seconds, "value"] array over 30 minutes at 30 s steps ending at the answering replica\'s newest sample (0–60 s behind): the window slides by 0–2 steps',
  request: (_i, r) => ({
    method: 'GET',
    path: `/prom/api/v1/query_range?query=${encodeURIComponent(`sum by (code) (rate(http_requests_total{service="${pick(r, ROUTES)}"}[1m]))`)}&range=30m&step=30s`,
  }),
  respond(req, ctx, bug) {
    const query = req.query.get('query') ?? ''
    const service = /service="([^"]+)"/.exec(query)?.[1] ?? 'checkout'
    const n = ctx.noise
    const end = Math.floor((ctx.now - int(n, 0, 60_000)) / 30_000) * 30_000
    const ranges: [string, number, number][] = [
      ['2xx', 1500, 12_000],
      ['4xx', 30, 600],
      ['5xx', 0, 90],
    ]
    const result = ranges.map(([code, lo, hi]) => {
      const values: [number, string][] = []
      if (!(bug === 'error-series-empty' && code === '5xx')) {
        for (let t = end - 30 * 60_000; t <= end; t += 30_000) {
          const count = int(dataFor(`prom:${service}:${code}:${t}`), lo, hi)
          const rate = count / 30
          values.push([t / 1000, String(bug === 'rate-per-minute' ? rate * 60 : rate)])
        }
      }
      return { metric: { code }, values }
    })
    return uncached(
      json({ status: 'success', data: { resultType: 'matrix', result: shuffle(n, result) } }, 200, {
        'cache-control': 'no-store',
      }),
    )
  },
  regressions: {
    'rate-per-minute':
      'every value is an increase per minute (60× the per-second rate): "246" instead of "4.1", in windows that slide',
    'error-series-empty': 'the code="5xx" series (random position) has values: [] instead of its 61 points',
  },
}

// ---------------------------------------------------------------------------------------------
// 3. a text statement with thousands separators and localized dates

const loyaltyStatement: Kind = {
  name: 'loyalty-statement',
  family: 'text',
  noise:
    'a plain-text statement: "Balance as of 2 Dec 2026, 03:14 UTC" from a per-pod balance cache (up to 10 minutes old), an estimated pending figure "~1,234 points" (±3 %), a live counter "9,998" crossing thousands, a random statement reference',
  request: (_i, r) => ({ method: 'GET', path: `/rewards/members/${int(r, 1, 900)}/statement.txt` }),
  respond(req, ctx, bug) {
    const id = Number(segment(req, 2))
    const u = user(id)
    const d = dataFor(`loyalty:${id}`)
    let t = pastInstant(0.6 + d() * 0.2)
    let balance = int(d, 2_000, 40_000)
    const rows = Array.from({ length: int(d, 4, 7) }, () => {
      t += int(d, 86_400_000, 30 * 86_400_000)
      const redeem = d() < 0.25
      const points = redeem ? -int(d, 5, 40) * 100 : int(d, 150, 4_800)
      balance += points
      const what = redeem
        ? `Redeemed voucher V-${int(d, 10_000, 99_999)}`
        : `Order ORD-${int(d, 10_000, 99_999)}`
      const sign = points > 0 ? '+' : ''
      return `${ukDate(t).padEnd(14)}${what.padEnd(32)}${(sign + grouped(points)).padStart(8)}`
    })
    const pendingTrue = int(d, 300, 6_000)
    const n = ctx.noise
    const asOf = ctx.now - int(n, 0, 600_000)
    const pending = Math.round(pendingTrue * (1 + (n() - 0.5) * 0.06))
    const ref = `LS-${hex(n, 8).toUpperCase()}`
    const online = ctx.counter('loyalty:collecting', 9_940)
    const shown = bug === 'balance-off-by-one' ? balance - 1 : balance
    const stamp = bug === 'asof-us-format' ? usDateTime(asOf) : ukDateTime(asOf)
    const lines = [
      'SHOP REWARDS – POINTS STATEMENT',
      `Member:  ${u.name} (No. ${String(id).padStart(7, '0')})`,
      `Tier:    ${balance >= 20_000 ? 'Gold' : balance >= 8_000 ? 'Silver' : 'Bronze'}`,
      `Balance as of ${stamp} UTC: ${grouped(shown)} points`,
      `Pending (estimated): ~${grouped(pending)} points`,
      `Statement ref: ${ref}`,
      '',
      `${'Date'.padEnd(14)}${'Activity'.padEnd(32)}${'Points'.padStart(8)}`,
      ...rows,
      '',
      `Members collecting points right now: ${grouped(online)}`,
    ]
    return uncached(
      text('text/plain', `${lines.join('\n')}\n`, 200, { 'cache-control': 'private, no-cache' }),
    )
  },
  regressions: {
    'balance-off-by-one':
      'the balance (stable, "12,345", on the same line as the noisy as-of time) is one point short: "12,344"',
    'asof-us-format':
      'the noisy as-of time is printed in US form, "Dec 2, 2026, 3:14 AM", instead of "2 Dec 2026, 03:14"',
  },
}

// ---------------------------------------------------------------------------------------------
// 4. markdown release notes with a generated table of contents

const SECTIONS = ['Features', 'Bug fixes', 'Performance', 'Documentation', 'Dependencies']
const TITLES: Record<string, string[]> = {
  Features: ['Add gift wrapping to checkout', 'Support Apple Pay', 'Saved searches', 'Wishlist sharing'],
  'Bug fixes': ['Fix double charge on retry', 'Fix cart badge count', 'Fix VAT rounding', 'Fix login loop'],
  Performance: ['Cache product facets', 'Batch stock lookups', 'Lazy-load reviews', 'Index orders by day'],
  Documentation: ['Document webhook retries', 'Update API examples', 'Add migration guide'],
  Dependencies: ['Bump undici to 6.19', 'Bump pg to 8.12', 'Bump zod to 3.23'],
}

function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-')
}

const releaseNotes: Kind = {
  name: 'release-notes',
  family: 'markdown',
  noise:
    'markdown release notes: sections grouped from a hash map, so they and the generated table of contents come in random order; an italic "_Generated <ISO> by release-bot on <pod>_" line',
  request: (_i, r) => ({
    method: 'GET',
    path: `/releases/1.${int(r, 20, 60)}.${int(r, 0, 4)}/notes.md`,
    headers: { accept: 'text/markdown' },
  }),
  respond(req, ctx, bug) {
    const version = segment(req, 1)
    const d = dataFor(`release:${version}`)
    let pr = int(d, 1000, 9000)
    const entries = new Map<string, string[]>()
    for (const s of SECTIONS) {
      const min = s === 'Performance' || s === 'Bug fixes' ? 2 : 1
      const titles = sample(d, TITLES[s]!, int(d, min, Math.min(4, TITLES[s]!.length)))
      entries.set(
        s,
        titles.map((title) => {
          pr += int(d, 1, 40)
          return `- ${title} (#${pr}, @${user(int(d, 1, 900)).username})`
        }),
      )
    }
    if (bug === 'entry-wrong-section') {
      const moved = entries.get('Performance')!.shift()!
      entries.get('Bug fixes')!.push(moved)
    }
    const n = ctx.noise
    const order = shuffle(n, SECTIONS)
    const toc = order.map(
      (s) => `- [${s}](#${slug(s)}${bug === 'toc-anchor-suffix' && s === 'Bug fixes' ? '-1' : ''})`,
    )
    const body = order.map((s) => `## ${s}\n\n${entries.get(s)!.join('\n')}\n`)
    const md = [
      `# Release ${version}`,
      '',
      `_Generated ${iso(ctx.now)} by release-bot on ${ctx.node.name}_`,
      '',
      '## Contents',
      '',
      ...toc,
      '',
      ...body,
    ].join('\n')
    return text('text/markdown', md)
  },
  regressions: {
    'toc-anchor-suffix':
      'the table-of-contents link for "Bug fixes" (random position) points at #bug-fixes-1, a heading that does not exist',
    'entry-wrong-section':
      'the first Performance entry is listed at the end of Bug fixes instead (sections in random order)',
  },
}

// ---------------------------------------------------------------------------------------------
// 5. a JSON body carrying the exact JSON text of a signed webhook payload

interface ReplayRequest {
  invoice: number
  event_type: string
}

const webhookReplay: Kind = {
  name: 'webhook-replay',
  family: 'JSON API',
  noise:
    'attempt.payload is a JSON string (the exact bytes signed) holding a fresh event id and a "created" epoch; the Stripe-style signature "t=<epoch>,v1=<hmac>" over it; the attempt duration',
  request: (_i, r) => ({
    method: 'POST',
    path: `/webhooks/we_${hex(r, 12)}/replay`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      invoice: int(r, 1, 200_000),
      event_type: pick(r, ['invoice.paid', 'invoice.finalized', 'invoice.payment_failed']),
    }),
  }),
  respond(req, ctx, bug) {
    const endpoint = segment(req, 1)
    const body = jsonBody<ReplayRequest>(req)
    const d = dataFor(`invoice:${body.invoice}`)
    const customer = user(int(d, 1, 900))
    const amountCents = int(d, 500, 250_000)
    const n = ctx.noise
    const created = epochSeconds(ctx.now)
    const event = {
      id: `evt_${alnum(n, 24)}`,
      object: 'event',
      api_version: '2024-06-20',
      created,
      livemode: bug === 'livemode-flipped',
      type: body.event_type,
      data: {
        object: {
          id: `in_${hex(d, 20)}`,
          object: 'invoice',
          amount_paid: bug === 'amount-decimal' ? amountCents / 100 : amountCents,
          currency: 'eur',
          customer: `cus_${hex(d, 14)}`,
          customer_email: customer.email,
          lines: { total_count: int(d, 1, 6) },
        },
      },
    }
    const payload = JSON.stringify(event)
    // the endpoint's signing secret lives in the shared database
    const secret = `whsec_${hex(dataFor(`whsec:${endpoint}`), 32)}`
    const v1 = createHmac('sha256', secret).update(`${created}.${payload}`).digest('hex')
    return uncached(
      json({
        endpoint,
        attempt: {
          url: `https://hooks.partner.example/${endpoint}/shop`,
          request_headers: { 'content-type': 'application/json', 'shop-signature': `t=${created},v1=${v1}` },
          payload,
          response_status: 200,
          duration_ms: latencyMs(n, 80),
        },
      }),
    )
  },
  regressions: {
    'livemode-flipped': 'inside the nested JSON string payload, livemode is true instead of false',
    'amount-decimal':
      'inside the nested JSON string payload, data.object.amount_paid is 123.45 (euros) instead of 12345 (cents)',
  },
}

// ---------------------------------------------------------------------------------------------
// 6. several Set-Cookie headers in random order

const sessionCookies: Kind = {
  name: 'session-cookies',
  family: 'auth',
  noise:
    'six Set-Cookie headers written from a hash map (random order): a fresh session id, a rotated refresh token with an Expires 30 days out, a CSRF token, a load-balancer cookie, and stable locale and A/B cookies; expiry times in the body',
  request: (_i, r) => ({
    method: 'POST',
    path: '/auth/refresh',
    headers: { cookie: `refresh_token=rt_${int(r, 1, 900)}.${base64url(r, 32)}; locale=en-GB` },
  }),
  respond(req, ctx, bug) {
    const cookie = String(req.headers.cookie ?? '')
    const id = Number(/refresh_token=rt_(\d+)\./.exec(cookie)?.[1] ?? '0')
    const u = user(id)
    const n = ctx.noise
    const refreshAttrs = [
      'Path=/auth',
      `Expires=${new Date(ctx.now + 30 * 86_400_000).toUTCString()}`,
      'HttpOnly',
      'Secure',
      'SameSite=Strict',
    ]
    if (bug === 'refresh-secure-lost') refreshAttrs.splice(3, 1)
    const csrf = base64url(n, 32)
    const cookies = [
      `__Host-sid=${base64url(n, 43)}; Path=/; Max-Age=900; HttpOnly; Secure; SameSite=Lax`,
      `refresh_token=rt_${id}.${base64url(n, 32)}; ${refreshAttrs.join('; ')}`,
      `XSRF-TOKEN=${csrf}; Path=/; Secure; SameSite=Lax`,
      `AWSALB=${base64url(n, 40)}; Expires=${new Date(ctx.now + 7 * 86_400_000).toUTCString()}; Path=/`,
      `locale=${u.locale}; Path=/; Max-Age=${bug === 'locale-max-age-ms' ? 31_536_000_000 : 31_536_000}; SameSite=Lax`,
      `ab_checkout=${hash32(`ab:${id}`) % 2 === 0 ? 'A' : 'B'}; Path=/; Max-Age=2592000; SameSite=Lax`,
    ]
    return json(
      {
        user: id,
        csrf_token: csrf,
        session_expires_at: iso(ctx.now + 900_000),
        refresh_expires_at: iso(ctx.now + 30 * 86_400_000),
      },
      200,
      { 'set-cookie': shuffle(n, cookies), 'cache-control': 'no-store' },
    )
  },
  regressions: {
    'refresh-secure-lost':
      'header only: the refresh_token cookie (random position among six) lost its Secure attribute',
    'locale-max-age-ms':
      'header only: the locale cookie has Max-Age=31536000000 (milliseconds) instead of 31536000 (seconds)',
  },
}

// ---------------------------------------------------------------------------------------------
// 7. CSV with quoted fields containing commas, quotes and newlines

const OPENERS = ['Hi,', 'Hello team,', 'Dear support,', 'Hi there,']
const COMPLAINTS = [
  'I was charged twice for order ORD-%, see "Payments" page.',
  'The parcel for ORD-% arrived damaged, box "crushed", contents wet.',
  'Order ORD-% says "delivered" but nothing arrived, neighbours checked.',
  'My voucher for ORD-% was "not valid", although it expires next month.',
]
const CLOSERS = ['Thanks, %', 'Regards,\n%', 'Best, %', 'Cheers,\n%']

function csvField(s: string, bug: string | undefined): string {
  let v = s
  if (bug === 'newline-flattened') v = v.replace(/\n/g, ' ')
  if (!/[",\n\r]/.test(v)) return v
  return `"${v.replace(/"/g, bug === 'quote-escape-backslash' ? '\\"' : '""')}"`
}

const ticketsCsv: Kind = {
  name: 'tickets-csv',
  family: 'CSV',
  noise:
    'support tickets exported by parallel shard readers: rows in random order, each stamped with the ms it was written (exported_at); quoted multi-line fields with commas and quotes inside',
  request: (_i, r) => ({
    method: 'GET',
    path: `/support/tickets.csv?queue=${pick(r, ['billing', 'delivery', 'returns'])}&day=2025-03-${pad2(int(r, 1, 28))}`,
    headers: { accept: 'text/csv' },
  }),
  respond(req, ctx, bug) {
    const queue = req.query.get('queue') ?? 'billing'
    const day = req.query.get('day') ?? '2025-03-01'
    const d = dataFor(`tickets:${queue}:${day}`)
    const dayMs = Date.parse(`${day}T00:00:00Z`)
    const tickets = Array.from({ length: int(d, 5, 9) }, () => {
      const u = user(int(d, 1, 900))
      const order = String(int(d, 10_000, 99_999))
      const body = [
        pick(d, OPENERS),
        pick(d, COMPLAINTS).replace('%', order),
        pick(d, CLOSERS).replace('%', u.name.split(' ')[0]!),
      ].join('\n')
      return [
        `T-${int(d, 100_000, 999_999)}`,
        isoSeconds(dayMs + int(d, 0, 86_399) * 1000),
        pick(d, ['low', 'normal', 'high', 'urgent']),
        `${u.name} <${u.email}>`,
        `Order ${order}, ${queue} issue`,
        body,
        sample(d, ['refund', 'carrier', 'vip', 'duplicate', 'voucher'], int(d, 1, 3)).join(','),
      ]
    })
    const n = ctx.noise
    let at = ctx.now
    const rows = shuffle(n, tickets).map((t) => {
      at += int(n, 0, 4)
      return [...t, iso(at)].map((f) => csvField(f, bug)).join(',')
    })
    const csv = `ticket_id,created_at,priority,customer,subject,body,tags,exported_at\r\n${rows.join('\r\n')}\r\n`
    return uncached(
      text('text/csv', csv, 200, {
        'content-disposition': `attachment; filename="tickets-${queue}-${day}.csv"`,
        'cache-control': 'no-store',
      }),
    )
  },
  regressions: {
    'newline-flattened': 'line breaks inside the quoted body fields are replaced by spaces',
    'quote-escape-backslash': 'quotes inside quoted fields are escaped \\" instead of "" (RFC 4180)',
  },
}

// ---------------------------------------------------------------------------------------------
// 8. a schema.org JSON-LD blob inside an HTML page

const ldjsonProduct: Kind = {
  name: 'ldjson-product',
  family: 'HTML',
  noise:
    'a <script type="application/ld+json"> schema.org Product whose dateModified is the render time and offers.inventoryLevel a live stock figure that ticks down; a render id comment and a data-rendered-at attribute',
  request: (_i, r) => ({
    method: 'GET',
    path: `/shop/products/${int(r, 1, 5000)}`,
    headers: { accept: 'text/html' },
  }),
  respond(req, ctx, bug) {
    const p = product(Number(segment(req, 2)))
    const n = ctx.noise
    const reserved = ctx.counter(`reserved:${p.id}`, 0)
    const available = p.stock > 0
    const ratings = p.reviews
    const avg = Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 10) / 10
    const ld = {
      '@context': 'https://schema.org',
      '@type': 'Product',
      name: p.name,
      sku: p.sku,
      brand: { '@type': 'Brand', name: p.brand },
      offers: {
        '@type': 'Offer',
        url: `https://shop.example.org/shop/products/${p.id}`,
        price: bug === 'price-decimal-comma' ? p.price.toFixed(2).replace('.', ',') : p.price.toFixed(2),
        priceCurrency: 'EUR',
        availability: `${bug === 'availability-http' ? 'http' : 'https'}://schema.org/${available ? 'InStock' : 'OutOfStock'}`,
        inventoryLevel: {
          '@type': 'QuantitativeValue',
          value: available ? p.stock * 20 + 5_000 - reserved : 0,
        },
      },
      aggregateRating: { '@type': 'AggregateRating', ratingValue: avg, reviewCount: ratings.length },
      dateModified: iso(ctx.now),
    }
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(p.name)} – Shop</title>
<link rel="canonical" href="https://shop.example.org/shop/products/${p.id}">
<script type="application/ld+json">${JSON.stringify(ld).replace(/</g, '\\u003c')}</script>
</head>
<body data-rendered-at="${ctx.now}">
<h1>${esc(p.name)}</h1>
<p class="brand">${esc(p.brand)}</p>
<p class="price">€${p.price.toFixed(2)}</p>
<p class="stock">${available ? 'In stock' : 'Sold out'}</p>
<!-- render ${hex(n, 16)} -->
</body>
</html>
`
    return text('text/html', html, 200, { 'cache-control': 'public, max-age=60, stale-while-revalidate=30' })
  },
  regressions: {
    'availability-http':
      'in the JSON-LD blob, offers.availability is "http://schema.org/InStock" instead of "https://…"',
    'price-decimal-comma':
      'in the JSON-LD blob, offers.price is "19,99" (locale formatting) instead of "19.99"',
  },
}

// ---------------------------------------------------------------------------------------------
// 9. an HTML page with an inline JSON state blob

const FLAGS = ['newCheckout', 'giftCards', 'darkMode', 'reviewsV2', 'klarna', 'expressShipping']

const ssrState: Kind = {
  name: 'ssr-state',
  family: 'HTML',
  noise:
    'window.__STATE__ = {...} inline: a request id, serverTime in epoch ms, a CSRF token, feature flags whose keys come in hash order, a session expiry; the rendered cart beside it is stable',
  request: (_i, r) => ({ method: 'GET', path: `/app/cart/${hex(r, 10)}`, headers: { accept: 'text/html' } }),
  respond(req, ctx, bug) {
    const cartId = segment(req, 2)
    const d = dataFor(`ssr-cart:${cartId}`)
    const lines = orderLines(`ssr:${cartId}`)
    const giftWrap = d() < 0.3
    const flags = Object.fromEntries(FLAGS.map((f) => [f, d() < 0.5]))
    const items = lines.map((l, k) => ({
      sku: l.sku,
      name: l.name,
      qty: bug === 'qty-null' && k === lines.length - 1 ? null : l.qty,
      unitPrice: l.unitPrice,
    }))
    const subtotal = cents(lines.reduce((s, l) => cents(s + cents(l.unitPrice * l.qty)), 0))
    const n = ctx.noise
    const state = {
      requestId: uuid(n),
      serverTime: ctx.now,
      session: { csrf: base64url(n, 32), expiresAt: iso(ctx.now + 1_800_000) },
      flags: Object.fromEntries(shuffle(n, Object.entries(flags))),
      cart: {
        id: cartId,
        items,
        giftWrap: bug === 'giftwrap-flipped' ? !giftWrap : giftWrap,
        coupon: null,
        subtotal,
        currency: 'EUR',
      },
    }
    const rows = lines
      .map(
        (l) =>
          `<li data-sku="${l.sku}">${esc(l.name)} × ${l.qty} <span>€${l.unitPrice.toFixed(2)}</span></li>`,
      )
      .join('\n')
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Your cart – Shop</title>
<script src="/assets/app.9c41e2.js" defer></script>
</head>
<body>
<div id="root"><h1>Your cart</h1>
<ul class="cart">
${rows}
</ul>
<p class="subtotal">Subtotal: €${subtotal.toFixed(2)}</p>
<label><input type="checkbox" name="gift"${giftWrap ? ' checked' : ''}> Gift wrap</label>
</div>
<script>window.__STATE__ = ${JSON.stringify(state).replace(/</g, '\\u003c')};</script>
</body>
</html>
`
    return uncached(text('text/html', html, 200, { 'cache-control': 'private, no-store' }))
  },
  regressions: {
    'giftwrap-flipped': 'in the inline state blob, cart.giftWrap is flipped (the rendered checkbox is not)',
    'qty-null':
      'in the inline state blob, the last cart item has qty: null (the rendered list still shows it)',
  },
}

// ---------------------------------------------------------------------------------------------
// 10. a GraphQL partial answer: errors in completion order

const ORDER_QUERY =
  'query Order($id: ID!) { order(id: $id) { id status items { sku qty shippingEstimate { days carrier } } } }'

const graphqlPartial: Kind = {
  name: 'graphql-partial',
  family: 'GraphQL',
  noise:
    'a partial GraphQL answer: errors (one per failed shippingEstimate, no ids, stable message/locations/path) appended in the order parallel resolvers failed (random), each with extensions.requestId and a timestamp',
  request: (_i, r) => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: ORDER_QUERY,
      variables: { id: String(int(r, 10_000, 99_999)) },
      operationName: 'Order',
    }),
  }),
  respond(req, ctx, bug) {
    const { variables } = jsonBody<{ variables: { id: string } }>(req)
    const id = variables.id
    const d = dataFor(`gql-order:${id}`)
    const lines = orderLines(`gql:${id}`, int(d, 3, 6))
    const failed = lines.map((_l, k) => k < 2 || d() < 0.4)
    const column = ORDER_QUERY.indexOf('shippingEstimate') + 1
    const n = ctx.noise
    const requestId = uuid(n)
    const items = lines.map((l, k) => ({
      sku: l.sku,
      qty: l.qty,
      shippingEstimate: failed[k]
        ? bug === 'estimate-zero-not-null'
          ? { days: 0, carrier: null }
          : null
        : { days: int(d, 1, 6), carrier: pick(d, ['DHL', 'PostNL', 'DPD']) },
    }))
    let at = ctx.now
    const errors = shuffle(
      n,
      lines.flatMap((l, k) =>
        failed[k] ? [{ k, message: `Shipping estimate unavailable for ${l.sku}: carrier timeout` }] : [],
      ),
    ).map(({ k, message }) => {
      at += int(n, 0, 40)
      return {
        message,
        locations: [{ line: 1, column }],
        path: ['order', 'items', bug === 'path-index-off-by-one' ? k + 1 : k, 'shippingEstimate'],
        extensions: { code: 'SERVICE_UNAVAILABLE', requestId, timestamp: iso(at) },
      }
    })
    return uncached(
      json({
        errors,
        data: { order: { id, status: pick(d, ['PAID', 'PACKED', 'SHIPPED']), items } },
      }),
    )
  },
  regressions: {
    'path-index-off-by-one':
      'every error path has a 1-based item index: ["order","items",3,…] for the item at 2',
    'estimate-zero-not-null':
      'failed items have shippingEstimate {days: 0, carrier: null} instead of null, while the errors remain',
  },
}

// ---------------------------------------------------------------------------------------------
// 11. NDJSON whose lines arrive in random order

const ndjsonExport: Kind = {
  name: 'ndjson-export',
  family: 'text',
  noise:
    'application/x-ndjson product export written by parallel workers: the product lines arrive in random order; a final summary line with an export id and the elapsed time',
  request: (_i, r) => ({
    method: 'GET',
    path: `/export/products.ndjson?category=${pick(r, ['tents', 'lamps', 'mugs', 'jackets', 'boots'])}&page=${int(r, 1, 30)}`,
  }),
  respond(req, ctx, bug) {
    const cat = req.query.get('category') ?? 'tents'
    const page = req.query.get('page') ?? '1'
    const d = dataFor(`ndjson:${cat}:${page}`)
    const ids = productIds(d, int(d, 6, 12))
    const top = Math.max(...ids)
    const lines = ids
      .filter((id) => !(bug === 'line-missing' && id === top))
      .map((id) => {
        const p = product(id)
        const m = dataFor(`dims:${id}`)
        const grams = int(m, 80, 9000)
        return JSON.stringify({
          sku: p.sku,
          name: p.name,
          brand: p.brand,
          price: p.price,
          dimensions: {
            weight_g: bug === 'weight-in-kg' ? grams / 1000 : grams,
            length_mm: int(m, 50, 900),
            width_mm: int(m, 30, 500),
            height_mm: int(m, 10, 400),
          },
          stock: p.stock,
        })
      })
    const n = ctx.noise
    const summary = JSON.stringify({
      type: 'summary',
      lines: ids.length,
      export_id: hex(n, 16),
      elapsed_ms: latencyMs(n, 30),
    })
    return uncached(
      text('application/x-ndjson', `${[...shuffle(n, lines), summary].join('\n')}\n`, 200, {
        'cache-control': 'no-store',
      }),
    )
  },
  regressions: {
    'weight-in-kg': 'dimensions.weight_g holds kilograms (1.25) instead of grams (1250) on every line',
    'line-missing':
      'the line of the product with the highest id (random position) is missing; the summary still counts it',
  },
}

// ---------------------------------------------------------------------------------------------
// 12. deeply nested arrays of objects without ids, each level in random order

interface QuoteRequest {
  from: string
  to: string
  parcels: { weight_g: number }[]
}

const CARRIERS = ['DHL', 'PostNL', 'DPD', 'UPS', 'GLS']
const LEVELS = ['economy', 'standard', 'express']
const FEATURES = ['tracking', 'insurance', 'carbon-neutral', 'weekend-delivery', 'pickup-point']

const shippingQuotes: Kind = {
  name: 'shipping-quotes',
  family: 'JSON API',
  noise:
    'carriers → services → options → features: arrays of objects without ids, every level in the order parallel carrier calls returned (random); quote id, quoted_at, expires_at',
  request: (_i, r) => ({
    method: 'POST',
    path: '/shipping/quotes',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: 'NL',
      to: pick(r, ['DE', 'BE', 'FR', 'PL', 'ES', 'NL']),
      parcels: Array.from({ length: int(r, 1, 3) }, () => ({ weight_g: int(r, 1, 60) * 250 })),
    }),
  }),
  respond(req, ctx, bug) {
    const q = jsonBody<QuoteRequest>(req)
    const grams = q.parcels.reduce((s, p) => s + p.weight_g, 0)
    const d = dataFor(`quote:${q.from}:${q.to}:${grams}`)
    const n = ctx.noise
    const carriers = sample(d, CARRIERS, int(d, 2, 4)).map((carrier, ci) => ({
      carrier,
      services: sample(d, LEVELS, int(d, 2, 3)).map((level, si) => ({
        level,
        options: ['drop-off', 'pickup'].slice(0, int(d, 1, 2)).map((handover, oi) => {
          const signature = d() < 0.5
          const price = cents(int(d, 3, 40) + pick(d, [0.25, 0.49, 0.95, 0.99]))
          return {
            handover,
            days: int(d, 1, 6),
            price: { amount: bug === 'price-ceil' ? Math.ceil(price) : price, currency: 'EUR' },
            features: shuffle(n, sample(d, FEATURES, int(d, 1, 4))),
            requires_signature:
              bug === 'signature-flipped' && ci === 0 && si === 0 && oi === 0 ? !signature : signature,
          }
        }),
      })),
    }))
    const shuffled = shuffle(
      n,
      carriers.map((c) => ({
        carrier: c.carrier,
        services: shuffle(
          n,
          c.services.map((s) => ({ level: s.level, options: shuffle(n, s.options) })),
        ),
      })),
    )
    return json(
      {
        quote_id: `q_${base64url(n, 22)}`,
        quoted_at: iso(ctx.now),
        expires_at: iso(ctx.now + 900_000),
        parcels: q.parcels.length,
        total_weight_g: grams,
        carriers: shuffled,
      },
      201,
      { 'cache-control': 'no-store' },
    )
  },
  regressions: {
    'signature-flipped':
      'one option deep inside (first carrier, first service, first handover in data order; every level shuffled) has requires_signature flipped',
    'price-ceil': 'every option price is rounded up to whole euros: 12.49 → 13',
  },
}

// ---------------------------------------------------------------------------------------------
// 13. a SOAP 1.1 fault with a timestamp and validation errors in random order

const soapFault: Kind = {
  name: 'soap-fault',
  family: 'XML',
  noise:
    'a SOAP 1.1 fault (HTTP 500) whose detail carries a Timestamp and a TraceId, and validation errors collected from rules run concurrently (random order, no ids)',
  request: (_i, r) => {
    const lines = Array.from({ length: int(r, 3, 6) }, () => ({
      sku: `SKU-${pad2(int(r, 1, 99))}${int(r, 1000, 9999)}`,
      qty: int(r, 1, 20),
    }))
    // at least two invalid lines: a zero quantity and a malformed SKU
    const a = int(r, 0, lines.length - 1)
    const b = (a + int(r, 1, lines.length - 1)) % lines.length
    lines[a]!.qty = pick(r, [0, 150, 999])
    lines[b]!.sku = `sku_${int(r, 1, 999)}`
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:shop:orders:v1">
<soap:Body><o:SubmitOrder><o:CustomerId>${int(r, 1, 900)}</o:CustomerId>${lines.map((l) => `<o:Line><o:Sku>${l.sku}</o:Sku><o:Quantity>${l.qty}</o:Quantity></o:Line>`).join('')}</o:SubmitOrder></soap:Body>
</soap:Envelope>`
    return {
      method: 'POST',
      path: '/soap/OrderService',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:shop:orders:v1/SubmitOrder"' },
      body: xml,
    }
  },
  respond(req, ctx, bug) {
    const xmlIn = req.body.toString('utf8')
    const lines = [...xmlIn.matchAll(/<o:Sku>([^<]*)<\/o:Sku><o:Quantity>(\d+)<\/o:Quantity>/g)].map((m) => ({
      sku: m[1]!,
      qty: Number(m[2]),
    }))
    const errors: string[] = []
    lines.forEach((l, k) => {
      const field = (f: string) => `line[${bug === 'field-index-zero-based' ? k : k + 1}].${f}`
      if (!/^SKU-\d{6}$/.test(l.sku))
        errors.push(
          `<ns2:Error field="${field('sku')}" code="SKU_FORMAT">SKU ${esc(l.sku)} does not match SKU-nnnnnn</ns2:Error>`,
        )
      if (l.qty < 1 || l.qty > 99)
        errors.push(
          `<ns2:Error field="${field('quantity')}" code="QTY_RANGE">Quantity ${l.qty} is out of range 1..99</ns2:Error>`,
        )
    })
    const n = ctx.noise
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
<soap:Body>
<soap:Fault>
<faultcode>soap:Client</faultcode>
<faultstring>Order validation failed: ${errors.length} error(s)</faultstring>
<faultactor>https://shop.example.org/soap/OrderService</faultactor>
<detail>
<ns2:ValidationFault xmlns:ns2="urn:shop:orders:v1">
<ns2:Timestamp>${iso(ctx.now)}</ns2:Timestamp>
<ns2:TraceId>${hex(n, 32)}</ns2:TraceId>
<ns2:Errors>
${shuffle(n, errors).join('\n')}
</ns2:Errors>
</ns2:ValidationFault>
</detail>
</soap:Fault>
</soap:Body>
</soap:Envelope>
`
    return text('text/xml', xml, bug === 'fault-status-200' ? 200 : 500, { 'cache-control': 'no-store' })
  },
  regressions: {
    'fault-status-200': 'the fault comes with HTTP 200 instead of 500 (same body)',
    'field-index-zero-based':
      'the field of every validation error (random order) is 0-based: line[1].quantity for the second line',
  },
}

// ---------------------------------------------------------------------------------------------
// 14. protobuf JSON (grpc-gateway): int64 as strings, Timestamp and Duration text

/** protobuf JSON Timestamp: 0, 3, 6 or 9 fractional digits, whichever is the fewest exact. */
function protoTimestamp(ms: number, subMsNanos: number): string {
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)
  const nanos = (ms % 1000) * 1_000_000 + subMsNanos
  return `${base}${protoFraction(nanos)}Z`
}

function protoFraction(nanos: number): string {
  if (nanos === 0) return ''
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, '0')}`
  if (nanos % 1000 === 0) return `.${String(nanos / 1000).padStart(6, '0')}`
  return `.${String(nanos).padStart(9, '0')}`
}

/** protobuf JSON Duration: `0.003214s`, `1.500s`, `2s`. */
function protoDuration(nanos: number): string {
  return `${Math.floor(nanos / 1e9)}${protoFraction(nanos % 1e9)}s`
}

const PLANS = ['PLAN_TIER_FREE', 'PLAN_TIER_STARTER', 'PLAN_TIER_PRO', 'PLAN_TIER_ENTERPRISE']

const grpcUsage: Kind = {
  name: 'grpc-usage',
  family: 'JSON API',
  noise:
    'protobuf JSON from a gRPC gateway: an int64 api-call counter as a string that ticks between reads (also in quotas[].used), computedAt a Timestamp with 3/6/9 fraction digits, computeTime a Duration ("0.003214s")',
  request: (_i, r) => ({ method: 'GET', path: `/v1/accounts/${int(r, 1, 50_000)}/usage` }),
  respond(req, ctx, bug) {
    const id = Number(segment(req, 2))
    const d = dataFor(`usage:${id}`)
    const planIndex = int(d, 0, 3)
    const calls = ctx.counter(`api-calls:${id}`, int(d, 1, 9) * 1_000_000_000 + int(d, 0, 999_999_999))
    const storage = String(int(d, 1, 900) * 1_000_000_000 + int(d, 0, 999_999_999))
    const n = ctx.noise
    const now = new Date(ctx.now)
    const periodStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
    // the clock has µs resolution: whole-µs nanos, sometimes whole ms
    const subMs = n() < 0.2 ? 0 : int(n, 0, 999) * 1000
    const body: Record<string, unknown> = {
      accountId: String(7_000_000_000_000 + id * 7919),
      plan: bug === 'enum-as-number' ? planIndex + 1 : PLANS[planIndex],
      periodStart: protoTimestamp(periodStart, 0),
      apiCalls: String(calls),
    }
    body[bug === 'storage-bytes-snake' ? 'storage_bytes' : 'storageBytes'] = storage
    body.quotas = [
      { metric: 'api_calls', limit: '20000000000', used: String(calls) },
      { metric: 'storage_bytes', limit: '1000000000000', used: storage },
    ]
    body.computedAt = protoTimestamp(ctx.now, subMs)
    body.computeTime = protoDuration(int(n, 200, 90_000) * 1000)
    return uncached(
      json(body, 200, { 'cache-control': 'no-store', 'grpc-metadata-content-type': 'application/grpc' }),
    )
  },
  regressions: {
    'enum-as-number': 'plan is the enum number (3) instead of its name "PLAN_TIER_PRO"',
    'storage-bytes-snake': 'the storageBytes field is spelled storage_bytes (proto name), same value',
  },
}

export const HOLDOUT_3: readonly Kind[] = [
  minuteBuckets,
  promRange,
  loyaltyStatement,
  releaseNotes,
  webhookReplay,
  sessionCookies,
  ticketsCsv,
  ldjsonProduct,
  ssrState,
  graphqlPartial,
  ndjsonExport,
  shippingQuotes,
  soapFault,
  grpcUsage,
]
