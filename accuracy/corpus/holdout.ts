/**
 * A blind holdout corpus: kinds whose non-determinism the main corpus (corpus/index.ts) does not
 * have, for measuring miffy's noise handling on noise it was not tuned on. Run with
 * `npm run accuracy -- --holdout`. Same rules as the main corpus (corpus/kind.ts): every node
 * runs the same code and draws its noise from `ctx`; only `bug` changes the regressed node, and
 * every regression changes every answer.
 */
import { createHash } from 'node:crypto'
import { cents, orderLines, product, user } from './catalog.ts'
import { epochSeconds, pastInstant } from './clock.ts'
import { HOLDOUT_2 } from './holdout-2.ts'
import { HOLDOUT_3 } from './holdout-3.ts'
import { HOLDOUT_4 } from './holdout-4.ts'
import { BigJson, esc, json, type Kind, text, uncached } from './kind.ts'
import { segment } from './kinds/commerce.ts'
import { jsonBody } from './node.ts'
import {
  alnum,
  amount,
  dataFor,
  hash32,
  hex,
  int,
  pick,
  type Rand,
  sample,
  shuffle,
  sumInRandomOrder,
  uuid,
} from './random.ts'

// ---------------------------------------------------------------------------------------------
// formats

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A ULID: 48-bit ms time and 80 random bits, Crockford base32, 26 characters. */
function ulid(ms: number, r: Rand): string {
  let t = ms
  let time = ''
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time
    t = Math.floor(t / 32)
  }
  let rand = ''
  for (let i = 0; i < 16; i++) rand += CROCKFORD[Math.floor(r() * 32)]
  return time + rand
}

/** An RFC 9562 version 7 UUID: a ms timestamp, then random bits. */
function uuidv7(ms: number, r: Rand): string {
  const t = ms.toString(16).padStart(12, '0')
  const v = `7${hex(r, 3)}`
  const w = `${'89ab'[Math.floor(r() * 4)]}${hex(r, 3)}`
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-${v}-${w}-${hex(r, 12)}`
}

const SNOWFLAKE_EPOCH = 1_288_834_974_657n

/** A snowflake id: ms since an epoch, a 10-bit worker id (per pod), a 12-bit per-pod sequence. */
function snowflake(ms: number, worker: number, sequence: number): bigint {
  return ((BigInt(ms) - SNOWFLAKE_EPOCH) << 22n) | (BigInt(worker & 1023) << 12n) | BigInt(sequence & 4095)
}

/**
 * Go's time.Format(time.RFC3339Nano): the fraction's trailing zeros are trimmed, so the same
 * clock gives `.123456Z`, `.12345Z` or `.12Z`. `micros` is the sub-millisecond part (µs clock).
 */
function rfc3339Nano(ms: number, micros: number): string {
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)
  const frac = String((ms % 1000) * 1_000_000 + micros * 1000)
    .padStart(9, '0')
    .replace(/0+$/, '')
  return `${base}${frac ? `.${frac}` : ''}Z`
}

function trimFraction(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

/** Go's time.Duration.String(): the unit follows the magnitude (`812.5µs`, `12.3456ms`, `1.2s`, `1m2.5s`). */
function goDuration(ns: number): string {
  if (ns < 1000) return `${ns}ns`
  if (ns < 1e6) return `${trimFraction((ns / 1e3).toFixed(3))}µs`
  if (ns < 1e9) return `${trimFraction((ns / 1e6).toFixed(6))}ms`
  const s = ns / 1e9
  if (s < 60) return `${trimFraction(s.toFixed(9))}s`
  const m = Math.floor(s / 60)
  return `${m}m${trimFraction((s - m * 60).toFixed(9))}s`
}

/** A duration in ns around `typicalNs`, skewed like real ones. */
function durationNs(r: Rand, typicalNs: number): number {
  return Math.max(1, Math.round(typicalNs * Math.exp(r() * r() * 3) * (0.5 + r())))
}

/** "just now", "42 seconds ago", "1 minute ago", "17 minutes ago", "an hour ago", "3 hours ago". */
function ago(seconds: number, minutesWord = 'minutes'): string {
  if (seconds < 10) return 'just now'
  if (seconds < 60) return `${seconds} seconds ago`
  const m = Math.floor(seconds / 60)
  if (m < 60) return m === 1 ? '1 minute ago' : `${m} ${minutesWord} ago`
  const h = Math.floor(m / 60)
  return h === 1 ? 'an hour ago' : `${h} hours ago`
}

// ---------------------------------------------------------------------------------------------
// 1. a map keyed by freshly generated job ids

interface BulkRequest {
  items: { sku: string; action: string }[]
}

const bulkJobs: Kind = {
  name: 'bulk-jobs',
  family: 'JSON API',
  noise: 'a "jobs" object keyed by freshly generated job UUIDs (the keys differ every time), batch id',
  request(_i, r) {
    const items = Array.from({ length: int(r, 3, 6) }, () => ({
      sku: `SKU-${String(int(r, 1, 5000)).padStart(6, '0')}`,
      action: pick(r, ['reindex', 'reprice', 'resync-stock']),
    }))
    return {
      method: 'POST',
      path: '/jobs/bulk',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    }
  },
  respond(req, ctx, bug) {
    const { items } = jsonBody<BulkRequest>(req)
    const n = ctx.noise
    const jobs: Record<string, unknown> = {}
    items.forEach((it, i) => {
      const id = uuid(n)
      if (bug === 'job-dropped' && i === 1) return
      const last = i === items.length - 1
      jobs[id] =
        bug === 'last-job-rejected' && last
          ? { sku: it.sku, action: it.action, status: 'rejected', reason: 'quota_exceeded', position: i + 1 }
          : { sku: it.sku, action: it.action, status: 'queued', position: i + 1 }
    })
    return json({ batch_id: uuid(n), accepted: items.length, jobs }, 202)
  },
  regressions: {
    'job-dropped': 'the jobs map (keyed by random ids) lost its second entry; accepted still counts it',
    'last-job-rejected':
      'the last job in the random-keyed map is "rejected" (with a reason) instead of "queued"',
  },
}

// ---------------------------------------------------------------------------------------------
// 2. time-ordered ids: ULID, UUIDv7, snowflake

interface OrderRequest {
  customer: number
  lines: { sku: string; qty: number }[]
}

const orderCreate: Kind = {
  name: 'order-create',
  family: 'JSON API',
  noise:
    'a ULID order id, a 19-digit snowflake order number (time, per-pod worker id, per-pod sequence) as a string, a UUIDv7 event id',
  request(i, r) {
    const lines = orderLines(`holdout-order:${i}:${int(r, 0, 1e6)}`)
    const body: OrderRequest = {
      customer: int(r, 1, 900),
      lines: lines.map((l) => ({ sku: l.sku, qty: l.qty })),
    }
    return {
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }
  },
  respond(req, ctx, bug) {
    const body = jsonBody<OrderRequest>(req)
    const n = ctx.noise
    let total = 0
    const lines = body.lines.map((l) => {
      const p = product(Number(l.sku.slice(4)))
      const lineTotal = cents(p.price * l.qty)
      total = cents(total + lineTotal)
      return { sku: l.sku, qty: l.qty, unit_price: p.price, line_total: lineTotal }
    })
    const worker = hash32(ctx.node.name) % 1024
    const seq = ctx.counter(`snowflake:${ctx.node.name}`, int(dataFor(ctx.node.name), 0, 4000))
    const number = snowflake(ctx.now, worker, seq).toString()
    const id = ulid(ctx.now, n)
    return json(
      {
        id: bug === 'id-lowercase' ? id.toLowerCase() : id,
        // JavaScript clients cannot hold 64-bit integers: the number travels as a string
        number: bug === 'number-as-json-number' ? new BigJson(number) : number,
        event_id: uuidv7(ctx.now, n),
        customer_id: body.customer,
        lines,
        total,
        currency: 'EUR',
        status: 'created',
      },
      201,
    )
  },
  regressions: {
    'number-as-json-number':
      'the 19-digit snowflake order number is a bare JSON integer instead of a string (clients lose precision)',
    'id-lowercase': 'the ULID order id is lowercase (a different, non-canonical id)',
  },
}

// ---------------------------------------------------------------------------------------------
// 3. RFC3339Nano timestamps with trimmed fractions

const ACTIONS = ['create', 'update', 'approve', 'ship', 'refund', 'comment']

const auditLog: Kind = {
  name: 'audit-log',
  family: 'JSON API',
  noise:
    'Go RFC3339Nano clock readings whose fraction has 1–9 digits (".12Z", ".123456Z"), an audit query duration in Go duration text',
  request: (_i, r) => ({ method: 'GET', path: `/audit?entity=order:${int(r, 1, 99_999)}&limit=5` }),
  respond(req, ctx, bug) {
    const entity = req.query.get('entity') ?? ''
    const d = dataFor(`audit:${entity}`)
    let t = pastInstant(d() * 0.8)
    const entries = Array.from({ length: 5 }, (_v, i) => {
      t += int(d, 60_000, 86_400_000)
      const micros = int(d, 1, 999)
      return {
        seq: i + 1,
        actor: user(int(d, 1, 900)).username,
        action: pick(d, ACTIONS),
        // stored with µs precision by the database: the same on every node
        at:
          bug === 'entry-times-truncated'
            ? `${new Date(t).toISOString().slice(0, 19)}Z`
            : rfc3339Nano(t, micros),
      }
    })
    const n = ctx.noise
    const took = durationNs(n, 900_000)
    const started = ctx.now - Math.ceil(took / 1e6)
    const serverTime = rfc3339Nano(ctx.now, int(n, 0, 999))
    return json({
      entity,
      entries,
      query: { started_at: rfc3339Nano(started, int(n, 0, 999)), took: goDuration(took) },
      // a naive datetime: the zone designator is gone
      server_time: bug === 'naive-server-time' ? serverTime.slice(0, -1) : serverTime,
    })
  },
  regressions: {
    'entry-times-truncated':
      'the stored entry times (stable data, same format as the noisy clock readings) lose their fraction: ".123456Z" → "Z"',
    'naive-server-time': 'server_time (a clock reading) lost its "Z": a naive datetime',
  },
}

// ---------------------------------------------------------------------------------------------
// 4. human relative times

const presence: Kind = {
  name: 'presence',
  family: 'JSON API',
  noise: 'human relative times per member ("just now", "42 seconds ago", "17 minutes ago", "3 hours ago")',
  request: (_i, r) => ({ method: 'GET', path: `/teams/${int(r, 1, 300)}/presence` }),
  respond(req, ctx, bug) {
    const team = segment(req, 1)
    const d = dataFor(`presence:${team}`)
    const n = ctx.noise
    const members = Array.from({ length: int(d, 4, 8) }, (_v, i) => {
      const u = user(int(d, 1, 900))
      // each pod's presence cache heard the last heartbeat at a different moment
      const seconds = i === 0 ? int(n, 120, 3000) : int(n, 1, 20_000)
      return {
        user: u.username,
        name: u.name,
        status: pick(d, ['online', 'away', 'busy', 'online']),
        last_seen: ago(seconds, bug === 'minutes-as-hours' ? 'hours' : 'minutes'),
      }
    })
    const online = members.filter((m) => m.status === 'online').length
    return json({
      team: Number(team),
      online: bug === 'online-count-off' ? online + 1 : online,
      members,
    })
  },
  regressions: {
    'minutes-as-hours':
      'relative times in the minutes range say "hours": "17 hours ago" instead of "17 minutes ago"',
    'online-count-off': 'online (stable) is one more than the members marked online',
  },
}

// ---------------------------------------------------------------------------------------------
// 5. durations in text (Go duration strings, unit follows magnitude)

const SELF_CHECKS: [string, number][] = [
  ['database', 2_000_000],
  ['cache', 300_000],
  ['search index', 40_000_000],
  ['payments API', 400_000_000],
  ['object storage', 80_000_000],
  ['mail relay', 20_000_000],
]

const selfTest: Kind = {
  name: 'self-test',
  family: 'text',
  noise:
    'each check line ends "(took 812.5µs)", "(took 12.3456ms)", "(took 1.02s)": Go durations whose unit follows the magnitude',
  request: (_i, r) => ({ method: 'GET', path: `/selftest?verbose=${int(r, 0, 1)}` }),
  respond(_req, ctx, bug) {
    const n = ctx.noise
    let total = 0
    let failed = 0
    const lines = ['shop-api self-test (build 1.42.0)']
    for (const [name, typical] of SELF_CHECKS) {
      const ns = durationNs(n, typical)
      total += ns
      if (bug === 'check-line-lost' && name === 'search index') continue
      const label = `${name} `.padEnd(18, '.')
      if (bug === 'cache-check-fails' && name === 'cache') {
        failed++
        lines.push(`${label} FAIL: dial tcp 10.0.3.7:6379: connection refused (took ${goDuration(ns)})`)
      } else lines.push(`${label} ok (took ${goDuration(ns)})`)
    }
    const passed = SELF_CHECKS.length - failed
    lines.push(
      failed > 0
        ? `${passed} of ${SELF_CHECKS.length} checks passed in ${goDuration(total)}`
        : `${SELF_CHECKS.length} checks passed in ${goDuration(total)}`,
    )
    return uncached(
      text('text/plain', `${lines.join('\n')}\n`, 200, {
        'cache-control': 'no-store',
      }),
    )
  },
  regressions: {
    'cache-check-fails':
      'the cache check line says FAIL (connection refused) and the summary "5 of 6 checks passed"',
    'check-line-lost': 'the "search index" line is missing; the summary still says 6 checks passed',
  },
}

// ---------------------------------------------------------------------------------------------
// 6. decimals sent as strings, with float jitter inside the strings

const SYMBOLS = ['ACME', 'NWND', 'CTSO', 'GLBX', 'INTC', 'UMBR', 'HOOL', 'PIED', 'STRK', 'WAYN']

const valuation: Kind = {
  name: 'valuation',
  family: 'JSON API',
  noise:
    'decimal strings computed from floats summed in random order: total_value "12345.670000000002" vs "12345.67", weights inherit the jitter',
  request: (_i, r) => ({ method: 'GET', path: `/accounts/${int(r, 1, 20_000)}/valuation` }),
  respond(req, ctx, bug) {
    const account = segment(req, 1)
    const d = dataFor(`valuation:${account}`)
    const rows = sample(d, SYMBOLS, int(d, 3, 6)).map((symbol) => {
      const qty = int(d, 1, 400)
      const price = amount(d, 5, 900)
      return { symbol, qty, price, value: cents(qty * price) }
    })
    const cash = amount(d, 0, 5000)
    const n = ctx.noise
    const total = sumInRandomOrder(n, [...rows.map((p) => p.value), cash])
    return json({
      account,
      currency: 'EUR',
      positions: rows.map((p) => ({
        symbol: p.symbol,
        quantity: bug === 'quantity-as-number' ? p.qty : String(p.qty),
        price: p.price.toFixed(2),
        value: String(p.value),
        weight: String(p.value / total),
      })),
      cash: cash.toFixed(2),
      total_value: String(bug === 'total-off-by-ten' ? total + 10 : total),
    })
  },
  regressions: {
    'quantity-as-number': 'positions[].quantity is the number 12 instead of the string "12"',
    'total-off-by-ten': 'total_value (a jittering decimal string) is 10.00 too high',
  },
}

// ---------------------------------------------------------------------------------------------
// 7. a base64 JSON blob with a time and a nonce inside

interface SessionRequest {
  cart_id: string
  amount_cents: number
  currency: string
}

const checkoutSession: Kind = {
  name: 'checkout-session',
  family: 'JSON API',
  noise:
    'a random session id (also in the URL), expires_at, and client_state: standard base64 of a JSON object with an issue time and a nonce',
  request: (_i, r) => ({
    method: 'POST',
    path: '/checkout/sessions',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      cart_id: `cart_${hex(r, 16)}`,
      amount_cents: int(r, 500, 90_000),
      currency: 'EUR',
    }),
  }),
  respond(req, ctx, bug) {
    const body = jsonBody<SessionRequest>(req)
    const n = ctx.noise
    const id = `cs_live_${alnum(n, 24)}`
    const state = {
      v: 1,
      cart: body.cart_id,
      amount: bug === 'state-amount-euros' ? body.amount_cents / 100 : body.amount_cents,
      currency: bug === 'state-currency-usd' ? 'USD' : body.currency,
      iat: epochSeconds(ctx.now),
      nonce: alnum(n, 16),
    }
    return json(
      {
        id,
        object: 'checkout.session',
        url: `https://pay.example.org/c/${id}`,
        amount_total: body.amount_cents,
        currency: body.currency.toLowerCase(),
        client_state: Buffer.from(JSON.stringify(state)).toString('base64'),
        expires_at: epochSeconds(ctx.now) + 1800,
      },
      201,
    )
  },
  regressions: {
    'state-currency-usd': 'inside the base64 client_state, currency is "USD" instead of "EUR"',
    'state-amount-euros':
      'inside the base64 client_state, amount is in euros (123.45) instead of cents (12345)',
  },
}

// ---------------------------------------------------------------------------------------------
// 8. a ranking whose ties are broken at random

const TIE_PATTERNS = [
  [2, 1, 3, 1, 2, 1],
  [1, 2, 2, 1, 3, 1],
  [3, 1, 1, 2, 1, 2],
  [1, 1, 2, 2, 2, 2],
]

const leaderboard: Kind = {
  name: 'leaderboard',
  family: 'JSON API',
  noise:
    'players with equal scores come in random order (an unstable sort), so rank ↔ player pairs change within ties',
  request: (_i, r) => ({
    method: 'GET',
    path: `/leaderboards/${pick(r, ['blitz', 'trivia', 'kart'])}?season=${int(r, 1, 40)}&top=10`,
  }),
  respond(req, ctx, bug) {
    const board = segment(req, 1)
    const season = req.query.get('season') ?? '1'
    const d = dataFor(`leaderboard:${board}:${season}`)
    const pattern = pick(d, TIE_PATTERNS)
    // distinct levels on both sides of 1000, so a string sort misorders every board
    const levels = new Set<number>([int(d, 1000, 1500), int(d, 600, 999)])
    while (levels.size < pattern.length) levels.add(int(d, 600, 1500))
    const players = sample(
      d,
      Array.from({ length: 900 }, (_v, i) => i + 1),
      10,
    ).map((id) => user(id).username)
    const rows: { player: string; score: number }[] = []
    ;[...levels].forEach((score, i) => {
      for (let k = 0; k < pattern[i]!; k++) rows.push({ player: players[rows.length]!, score })
    })
    const n = ctx.noise
    // sort, then shuffle within ties: what an unstable sort of a hash map's values gives
    const byScore = new Map<number, { player: string; score: number }[]>()
    for (const row of rows) byScore.set(row.score, [...(byScore.get(row.score) ?? []), row])
    const keys = [...byScore.keys()].sort((a, b) =>
      bug === 'lexicographic-sort' ? (String(a) < String(b) ? 1 : -1) : b - a,
    )
    const ordered = keys.flatMap((k) => shuffle(n, byScore.get(k)!))
    let bumped = false
    const entries = ordered.map((row, i) => {
      let score = row.score
      if (bug === 'tied-score-plus-one' && !bumped && (byScore.get(row.score)?.length ?? 0) > 1) {
        bumped = true
        score += 1
      }
      return { rank: i + 1, player: row.player, score }
    })
    return json({ board, season: Number(season), entries })
  },
  regressions: {
    'lexicographic-sort': 'scores sorted as strings: "999" ranks above "1450"',
    'tied-score-plus-one': 'the first player of the first tie (random order) has a score one higher',
  },
}

// ---------------------------------------------------------------------------------------------
// 9. server-rendered SPA markup with generated element ids

const htmlApp: Kind = {
  name: 'html-app',
  family: 'HTML',
  noise:
    'Ember-style generated element ids (id="ember1234", label for=, aria-describedby=, data-ember-action-1234) numbered from a per-render counter; fingerprinted asset URLs are the same per build',
  request: (_i, r) => ({
    method: 'GET',
    path: `/app/category/${pick(r, ['tents', 'lamps', 'mugs', 'jackets'])}?page=${int(r, 1, 5)}`,
    headers: { accept: 'text/html' },
  }),
  respond(req, ctx, bug) {
    const category = segment(req, 2)
    const page = req.query.get('page') ?? '1'
    const d = dataFor(`html-app:${category}:${page}`)
    const items = Array.from({ length: 6 }, () => product(int(d, 1, 5000)))
    let next = int(ctx.noise, 150, 9000)
    const id = () => `ember${next++}`
    const root = id()
    const search = id()
    const hint = id()
    const cart = id()
    const cards = items
      .map((p) => {
        const card = id()
        const action = next++
        return `<div id="${card}" class="ember-view product-card" data-sku="${p.sku}">
  <h3>${esc(p.name)}</h3><span class="price">€${p.price.toFixed(2)}</span>
  <button type="button" data-ember-action="" data-ember-action-${action}="${action}">Add to cart</button>
</div>`
      })
      .join('\n')
    const app = bug === 'asset-hash-stale' ? 'shop-web-1b2c3d4e5f' : 'shop-web-8e41f07a2c'
    const integrity = createHash('sha384').update(app).digest('base64')
    const cartButton =
      bug === 'aria-label-lost'
        ? `<button id="${cart}" class="ember-view icon-button" type="button"><svg class="icon-cart"></svg></button>`
        : `<button id="${cart}" class="ember-view icon-button" type="button" aria-label="Open cart"><svg class="icon-cart"></svg></button>`
    const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(category)} – Shop</title>
<link rel="stylesheet" href="/assets/vendor-5d02c91b7e.css">
<link rel="stylesheet" href="/assets/shop-web-0c9d5e11aa.css">
</head>
<body class="ember-application">
<div id="${root}" class="ember-view">
<header>
  <label for="${search}">Search</label>
  <input id="${search}" class="ember-text-field ember-view" type="search" aria-describedby="${hint}">
  <small id="${hint}">Try “tent” or “mug”</small>
  ${cartButton}
</header>
<main>
<h1>${esc(category)}</h1>
${cards}
</main>
</div>
<script src="/assets/vendor-a41f9e3b20.js" integrity="sha384-Hn3v2mJ0m3fOqXh3bQ2c0Y9b5i7v0l2yW0p3o6u1ZK3q1n8sR4t5u6v7w8x9y0z"></script>
<script src="/assets/${app}.js" integrity="sha384-${integrity}"></script>
</body>
</html>
`
    return text('text/html', html, 200, { 'cache-control': 'private, no-cache' })
  },
  regressions: {
    'asset-hash-stale':
      "the page loads the previous build's bundle (/assets/shop-web-1b2c3d4e5f.js, its integrity too)",
    'aria-label-lost': 'the icon-only cart button (with a generated id) lost aria-label="Open cart"',
  },
}

// ---------------------------------------------------------------------------------------------
// 10. a YAML status page with runtime gauges

const QUEUES: [string, number][] = [
  ['email', 4],
  ['webhooks', 2],
  ['search-sync', 8],
]

const statusYaml: Kind = {
  name: 'status-yaml',
  family: 'YAML',
  noise:
    'runtime gauges in YAML: per-pod pid, goroutines, heap bytes, a GC cycle counter, last GC pause (Go duration), connection-pool and queue depths',
  request: (_i, r) => ({ method: 'GET', path: `/debug/status.yaml?v=${int(r, 1, 3)}` }),
  respond(_req, ctx, bug) {
    const n = ctx.noise
    const pid = 1 + (hash32(`pid:${ctx.node.name}`) % 60)
    const inUse = int(n, 0, 7)
    const lines = [
      'service: shop-worker',
      'version: 1.42.0',
      'build: 9f2c4e1',
      `pid: ${pid}`,
      'runtime:',
      `  goroutines: ${int(n, 38, 95)}`,
      `  heap_alloc_bytes: ${int(n, 12_000_000, 48_000_000)}`,
      `  gc_cycles: ${ctx.counter(`gc:${ctx.node.name}`, int(dataFor(`gc${ctx.node.name}`), 100, 9000))}`,
      `  last_gc_pause: ${goDuration(durationNs(n, 250_000))}`,
      'database:',
      '  pool_max: 20',
      `  pool_in_use: ${inUse}`,
      `  pool_idle: ${20 - inUse}`,
      `  read_only: ${bug === 'read-only-true' ? 'true' : 'false'}`,
      'queues:',
    ]
    for (const [name, consumers] of QUEUES) {
      lines.push(
        `  - name: ${name}`,
        `    depth: ${int(n, 0, 40)}`,
        `    consumers: ${bug === 'consumers-zero' && name === 'webhooks' ? 0 : consumers}`,
      )
    }
    lines.push('replicas: 3')
    return uncached(text('application/yaml', `${lines.join('\n')}\n`, 200, { 'cache-control': 'no-store' }))
  },
  regressions: {
    'read-only-true': 'database.read_only says true',
    'consumers-zero': 'the webhooks queue has 0 consumers instead of 2 (next to a noisy depth gauge)',
  },
}

// ---------------------------------------------------------------------------------------------
// 11. a CORS preflight: header token lists built from sets, a trace context, a RateLimit header

const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
const ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'x-request-id']

const corsPreflight: Kind = {
  name: 'cors-preflight',
  family: 'headers',
  noise:
    'Allow, Access-Control-Allow-Methods and -Headers token lists in random (set) order, a W3C traceparent, a RateLimit header with remaining and reset',
  request: (_i, r) => ({
    method: 'OPTIONS',
    path: `/api/v3/orders/${int(r, 1, 99_999)}`,
    headers: {
      origin: 'https://shop.example.org',
      'access-control-request-method': pick(r, ['PUT', 'PATCH', 'DELETE']),
      'access-control-request-headers': 'authorization, content-type',
    },
  }),
  respond(_req, ctx, bug) {
    const n = ctx.noise
    const methods = METHODS.filter((m) => !(bug === 'delete-not-allowed' && m === 'DELETE'))
    const allowed = ALLOWED_HEADERS.filter(
      (h) => !(bug === 'idempotency-key-not-allowed' && h === 'idempotency-key'),
    )
    const used = ctx.counter('ratelimit:preflight', 0)
    return {
      status: 204,
      cache: false,
      headers: {
        allow: shuffle(n, methods).join(', '),
        'access-control-allow-origin': 'https://shop.example.org',
        'access-control-allow-methods': shuffle(n, methods).join(', '),
        'access-control-allow-headers': shuffle(n, allowed).join(', '),
        'access-control-allow-credentials': 'true',
        'access-control-max-age': '600',
        traceparent: `00-${hex(n, 32)}-${hex(n, 16)}-01`,
        ratelimit: `limit=300, remaining=${300 - (used % 300)}, reset=${int(n, 1, 60)}`,
        'ratelimit-policy': '300;w=60',
      },
    }
  },
  regressions: {
    'delete-not-allowed':
      'header only: DELETE is gone from Allow and Access-Control-Allow-Methods (both shuffled)',
    'idempotency-key-not-allowed':
      'header only: idempotency-key is gone from Access-Control-Allow-Headers (shuffled)',
  },
}

// ---------------------------------------------------------------------------------------------
// 12. a CSV download with a timestamped filename and rows tied on the sort key

/** `2025-05-01_12-00-00-123`: a filename-safe timestamp. */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', '_').replace(/:/g, '-').replace('.', '-').slice(0, -1)
}

const exportCsv: Kind = {
  name: 'export-csv',
  family: 'CSV',
  noise:
    'Content-Disposition filename with an export timestamp (ms), rows sorted by day only so rows of the same day come in random order',
  request: (_i, r) => ({
    method: 'GET',
    path: `/exports/orders.csv?from=2025-04-${String(int(r, 1, 20)).padStart(2, '0')}&days=4`,
    headers: { accept: 'text/csv' },
  }),
  respond(req, ctx, bug) {
    const from = req.query.get('from') ?? '2025-04-01'
    const d = dataFor(`export:${from}`)
    const day0 = Date.parse(`${from}T00:00:00Z`)
    const rows = Array.from({ length: 12 }, () => ({
      order: `ORD-${int(d, 10_000, 99_999)}`,
      day: new Date(day0 + int(d, 0, 3) * 86_400_000).toISOString().slice(0, 10),
      customer: user(int(d, 1, 900)).email,
      total: amount(d, 5, 400).toFixed(2),
    }))
    const days = [...new Set(rows.map((r) => r.day))].sort()
    const ordered = days.flatMap((day) =>
      shuffle(
        ctx.noise,
        rows.filter((r) => r.day === day),
      ),
    )
    const sep = bug === 'delimiter-semicolon' ? ';' : ','
    const lines = [['order_id', 'date', 'customer', 'total'].join(sep)]
    for (const r of ordered) lines.push([r.order, r.day, r.customer, r.total].join(sep))
    const name = `orders_${fileStamp(ctx.now)}.csv`
    return uncached(
      text('text/csv', `${lines.join('\r\n')}\r\n`, 200, {
        'content-disposition': `${bug === 'disposition-inline' ? 'inline' : 'attachment'}; filename="${name}"`,
        'cache-control': 'private, no-store',
      }),
    )
  },
  regressions: {
    'delimiter-semicolon': 'the CSV uses ";" as the delimiter',
    'disposition-inline':
      'header only: Content-Disposition says inline instead of attachment (filename still timestamped)',
  },
}

// ---------------------------------------------------------------------------------------------
// 13. a multipart/mixed batch answer with a random boundary

interface BatchRequest {
  requests: { id: string; method: string; path: string }[]
}

function partBody(p: ReturnType<typeof product>, priceShift: number): string {
  return JSON.stringify({ id: p.id, sku: p.sku, name: p.name, price: cents(p.price + priceShift) })
}

const batchMultipart: Kind = {
  name: 'batch-multipart',
  family: 'multipart',
  noise: 'a random multipart boundary (in Content-Type and between every part)',
  request: (_i, r) => {
    const requests = Array.from({ length: int(r, 2, 4) }, (_v, k) => ({
      id: `r${k + 1}`,
      method: 'GET',
      path: `/products/${int(r, 1, 5000)}`,
    }))
    return {
      method: 'POST',
      path: '/batch',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests }),
    }
  },
  respond(req, ctx, bug) {
    const { requests } = jsonBody<BatchRequest>(req)
    const boundary = `batch_${alnum(ctx.noise, 24)}`
    const parts = requests.map((sub, k) => {
      const p = product(Number(sub.path.split('/').at(-1)))
      let status = '200 OK'
      let body = partBody(p, bug === 'price-changed-in-part' && k === 0 ? 1 : 0)
      if (bug === 'part-status-500' && k === 1) {
        status = '500 Internal Server Error'
        body = JSON.stringify({ error: { code: 500, message: 'internal error' } })
      }
      const etag = createHash('sha1').update(body).digest('hex').slice(0, 16)
      return [
        `--${boundary}`,
        'Content-Type: application/http',
        `Content-ID: <response-${sub.id}>`,
        '',
        `HTTP/1.1 ${status}`,
        'Content-Type: application/json; charset=UTF-8',
        `ETag: "${etag}"`,
        '',
        body,
      ].join('\r\n')
    })
    return text('multipart/mixed', `${parts.join('\r\n')}\r\n--${boundary}--\r\n`, 200, {
      'content-type': `multipart/mixed; boundary=${boundary}`,
      'cache-control': 'no-store',
    })
  },
  regressions: {
    'part-status-500': 'the second part of the batch is an HTTP 500 with an error body',
    'price-changed-in-part': "the first part's product price is 1.00 higher (and its ETag follows)",
  },
}

/** The first holdout batch. */
const FIRST: readonly Kind[] = [
  bulkJobs,
  orderCreate,
  auditLog,
  presence,
  selfTest,
  valuation,
  checkoutSession,
  leaderboard,
  htmlApp,
  statusYaml,
  corsPreflight,
  exportCsv,
  batchMultipart,
]

/**
 * Every holdout kind: the first batch, then the second (corpus/holdout-2.ts), third
 * (corpus/holdout-3.ts) and fourth (corpus/holdout-4.ts).
 */
export const HOLDOUT: readonly Kind[] = [...FIRST, ...HOLDOUT_2, ...HOLDOUT_3, ...HOLDOUT_4]
