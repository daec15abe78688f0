/** Content APIs: feed, notifications, comments, an NDJSON event stream, weather, exchange rates. */
import { iso, isoSeconds, pastInstant } from '../clock.ts'
import { json, type Kind, text } from '../kind.ts'
import { base64url, dataFor, hex, int, latencyMs, pick, shuffle, sumInRandomOrder } from '../random.ts'
import { segment } from './commerce.ts'

const feed: Kind = {
  name: 'feed',
  family: 'JSON API',
  noise: 'random promoted posts, opaque cursor, ISO time, unseen counter',
  request: (_i, r) => ({ method: 'GET', path: `/feed?user=${int(r, 1, 900)}&limit=10` }),
  respond(req, ctx, bug) {
    const u = req.query.get('user') ?? '0'
    const d = dataFor(`feed:${u}`)
    let t = pastInstant(0.95)
    const items = Array.from({ length: 10 }, (_v, i) => {
      t -= int(d, 60_000, 9_000_000)
      return {
        id: `p_${hex(d, 12)}`,
        author: `@user${int(d, 1, 900)}`,
        text: `update #${i}`,
        posted_at: iso(t),
      }
    })
    const n = ctx.noise
    return json({
      items: bug === 'feed-item-dropped' ? items.filter((_v, i) => i !== 4) : items,
      promoted: Array.from({ length: 2 }, () => ({ id: `p_${hex(n, 12)}`, campaign: `cmp_${hex(n, 6)}` })),
      cursor: base64url(n, 48),
      unseen: ctx.counter(`unseen:${u}`, int(d, 0, 50)),
      generated_at: iso(ctx.now),
    })
  },
  regressions: { 'feed-item-dropped': 'one post of the timeline is missing (9 items instead of 10)' },
}

const notifications: Kind = {
  name: 'notifications',
  family: 'JSON API',
  noise: 'poll interval chosen at random between 5 and 15 s, server time in epoch ms',
  request: (_i, r) => ({ method: 'GET', path: `/notifications?user=${int(r, 1, 900)}` }),
  respond(req, ctx, bug) {
    const u = req.query.get('user') ?? '0'
    const d = dataFor(`notifications:${u}`)
    let t = pastInstant(0.97)
    const items = Array.from({ length: int(d, 2, 6) }, () => {
      t -= int(d, 60_000, 90_000_000)
      return {
        id: int(d, 1, 1e9),
        type: pick(d, ['order_shipped', 'price_drop', 'review_reply']),
        at: iso(t),
      }
    })
    const n = ctx.noise
    const pollMs = int(n, 5000, 15_000)
    return json({
      unread: int(d, 0, items.length),
      items,
      // clients back off by this much; a unit mix-up makes them hammer the service
      poll_after_ms: bug === 'poll-after-seconds' ? Math.round(pollMs / 1000) : pollMs,
      server_time: ctx.now,
    })
  },
  regressions: {
    'poll-after-seconds': 'poll_after_ms is in seconds (5–15) while the noise moves it within 5000–15000',
  },
}

const comments: Kind = {
  name: 'comments',
  family: 'JSON API',
  noise: 'render time and viewer token; an ordered tree otherwise',
  request: (_i, r) => ({ method: 'GET', path: `/posts/${int(r, 1, 100_000)}/comments` }),
  respond(req, ctx) {
    const id = segment(req, 1)
    const d = dataFor(`comments:${id}`)
    let t = pastInstant(d())
    const node = (depth: number): unknown[] =>
      Array.from({ length: depth > 1 ? 0 : int(d, 1, 3) }, () => {
        t += int(d, 60_000, 3_600_000)
        return { id: int(d, 1, 1e7), body: `comment ${int(d, 1, 999)}`, at: iso(t), replies: node(depth + 1) }
      })
    const n = ctx.noise
    return json({
      post: Number(id),
      comments: node(0),
      viewer: { can_reply: true, token: hex(n, 20) },
      rendered_in_ms: latencyMs(n, 4),
    })
  },
  regressions: {},
}

const EVENT_TYPES = ['order.paid', 'order.shipped', 'refund.created', 'cart.abandoned']

const events: Kind = {
  name: 'events',
  family: 'text',
  noise: 'NDJSON: a heartbeat line with the time and a connection id first',
  request: (_i, r) => ({ method: 'GET', path: `/events?since=${int(r, 1000, 9000)}` }),
  respond(req, ctx, bug) {
    const since = Number(req.query.get('since'))
    const d = dataFor(`events:${since}`)
    const lines = [JSON.stringify({ type: 'heartbeat', ts: ctx.now, connection: hex(ctx.noise, 12) })]
    for (let i = 0; i < 8; i++) {
      let type = i === 0 ? 'order.paid' : pick(d, EVENT_TYPES)
      if (bug === 'event-type-renamed' && type === 'order.paid') type = 'order.payed'
      lines.push(
        JSON.stringify({
          id: since + i + 1,
          type,
          at: iso(pastInstant(0.9 + i / 100)),
          data: { order: `ORD-${int(d, 10_000, 99_999)}` },
        }),
      )
    }
    return text('application/x-ndjson', `${lines.join('\n')}\n`, 200, { 'cache-control': 'no-cache' })
  },
  regressions: { 'event-type-renamed': 'events of type order.paid are emitted as order.payed' },
}

const STATIONS: Record<string, string[]> = {
  Amsterdam: ['EHAM', 'EHKD', 'EHRD'],
  Berlin: ['EDDB', 'EDDT'],
  Lisbon: ['LPPT', 'LPCS'],
  Warsaw: ['EPWA', 'EPMO'],
}

const weather: Kind = {
  name: 'weather',
  family: 'JSON API',
  noise:
    'temperature averaged over sensors in random order, station picked at random, 10-minute observation bucket',
  request: (_i, r) => ({ method: 'GET', path: `/weather?city=${pick(r, Object.keys(STATIONS))}` }),
  respond(req, ctx, bug) {
    const city = req.query.get('city') ?? 'Amsterdam'
    const d = dataFor(`weather:${city}`)
    const sensors = Array.from({ length: 5 }, () => 5 + d() * 20)
    const n = ctx.noise
    const c = sumInRandomOrder(n, sensors) / sensors.length
    return json({
      city,
      temperature: bug === 'fahrenheit' ? (c * 9) / 5 + 32 : c,
      unit: 'C',
      humidity: int(d, 40, 95),
      wind_kph: Math.round(d() * 400) / 10,
      station: pick(n, STATIONS[city] ?? ['XXXX']),
      observed_at: isoSeconds(Math.floor(ctx.now / 600_000) * 600_000),
    })
  },
  regressions: { fahrenheit: 'temperature in Fahrenheit while unit still says "C"' },
}

const CURRENCIES = ['USD', 'GBP', 'CHF', 'PLN', 'SEK', 'JPY', 'CZK']

const rates: Kind = {
  name: 'rates',
  family: 'JSON API',
  noise:
    'cross rates computed through a pivot in random order (last-digit jitter), keys in random order, epoch seconds',
  request: (_i, r) => ({ method: 'GET', path: `/rates?base=${pick(r, ['EUR', 'USD'])}` }),
  respond(req, ctx) {
    const base = req.query.get('base') ?? 'EUR'
    const d = dataFor('rates')
    const usd = Object.fromEntries(CURRENCIES.map((c) => [c, 0.5 + d() * 3]))
    const n = ctx.noise
    // a Go map: the keys come out in a different order every time
    const rates = Object.fromEntries(
      shuffle(
        n,
        CURRENCIES.filter((c) => c !== base),
      ).map((c) => {
        const f = [usd[c]!, 1 / (usd[base] ?? 1.0843), 1.0001]
        return [c, shuffle(n, f).reduce((a, b) => a * b, 1)]
      }),
    )
    return json({ base, date: iso(ctx.now).slice(0, 10), timestamp: Math.floor(ctx.now / 1000), rates })
  },
  regressions: {},
}

export const CONTENT: readonly Kind[] = [feed, notifications, comments, events, weather, rates]
