/** Operations endpoints: Prometheus metrics, health, daily stats, feature-flag config, version. */

import { iso, isoSeconds } from '../clock.ts'
import { json, type Kind, text } from '../kind.ts'
import { amount, dataFor, int, latencyMs, pick, shuffle, sumInRandomOrder } from '../random.ts'
import { segment } from './commerce.ts'

const ROUTES = ['/products/{id}', '/search', '/cart', '/checkout', '/orders/{id}']

const metrics: Kind = {
  name: 'metrics',
  family: 'text',
  noise: 'per-pod counters that tick, memory and lag gauges, start time, pod labels',
  request: () => ({ method: 'GET', path: '/metrics' }),
  respond(_req, ctx, bug) {
    const n = ctx.noise
    const node = ctx.node
    const name = bug === 'metric-renamed' ? 'http_request_total' : 'http_requests_total'
    const lines = [`# HELP ${name} Requests served.`, `# TYPE ${name} counter`]
    for (const route of ROUTES) {
      for (const status of ['200', '404', '500']) {
        const start = int(dataFor(node.name + route + status), 0, 2_000_000)
        lines.push(
          `${name}{method="GET",route="${route}",status="${status}"} ${ctx.counter(`${node.name}${route}${status}`, start)}`,
        )
      }
    }
    lines.push(
      '# HELP http_request_duration_seconds Request latency.',
      '# TYPE http_request_duration_seconds histogram',
    )
    let cumulative = 0
    for (const le of ['0.005', '0.01', '0.05', '0.1', '0.5', '1', '+Inf']) {
      cumulative += int(n, 0, 5000)
      lines.push(`http_request_duration_seconds_bucket{le="${le}"} ${cumulative}`)
    }
    lines.push(
      `http_request_duration_seconds_sum ${n() * 9000}`,
      `http_request_duration_seconds_count ${cumulative}`,
    )
    lines.push(
      '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${Math.floor(node.bootMs / 1000)}`,
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${int(n, 90_000_000, 180_000_000)}`,
      '# HELP nodejs_eventloop_lag_seconds Lag of event loop in seconds.',
      '# TYPE nodejs_eventloop_lag_seconds gauge',
      `nodejs_eventloop_lag_seconds ${n() / 100}`,
      '# HELP shop_build_info Build information.',
      '# TYPE shop_build_info gauge',
      `shop_build_info{version="1.42.0",commit="9f2c4e1",pod="${node.name}",zone="${node.zone}"} 1`,
    )
    return text('text/plain; version=0.0.4', `${lines.join('\n')}\n`, 200, { 'cache-control': 'no-cache' })
  },
  regressions: { 'metric-renamed': 'http_requests_total is exposed as http_request_total' },
}

const CHECKS = ['postgres', 'redis', 'kafka', 'search']

const health: Kind = {
  name: 'health',
  family: 'JSON API',
  noise: 'uptime, pod name, check objects in random order with their latencies',
  request: () => ({ method: 'GET', path: '/health?full=1' }),
  respond(_req, ctx, bug) {
    const n = ctx.noise
    const checks = CHECKS.map((name) => ({
      name,
      status: bug === 'check-status-warn' && name === 'redis' ? 'warn' : 'pass',
      latency_ms: latencyMs(n, 2),
    }))
    return json(
      {
        status: 'pass',
        version: '1.42.0',
        node: ctx.node.name,
        uptime_s: Math.floor((ctx.now - ctx.node.bootMs) / 1000),
        checks: shuffle(n, checks),
        time: iso(ctx.now),
      },
      200,
      { 'cache-control': 'no-cache' },
    )
  },
  regressions: { 'check-status-warn': 'the redis check (in a shuffled list) says "warn" instead of "pass"' },
}

const stats: Kind = {
  name: 'stats',
  family: 'JSON API',
  noise: 'revenue summed in random order and the average derived from it, p95 latency, cache flag',
  request: (_i, r) => ({
    method: 'GET',
    path: `/stats/daily?date=2025-04-${String(int(r, 1, 28)).padStart(2, '0')}`,
  }),
  respond(req, ctx, bug) {
    const date = req.query.get('date') ?? ''
    const d = dataFor(`stats:${date}`)
    const orders = Array.from({ length: int(d, 40, 120) }, () => amount(d, 5, 400))
    const refunds = amount(d, 20, 300)
    const n = ctx.noise
    const revenue = sumInRandomOrder(n, orders)
    return json({
      date,
      orders: orders.length,
      revenue,
      refunds,
      avg_order_value:
        bug === 'avg-excludes-refunds' ? (revenue - refunds) / orders.length : revenue / orders.length,
      p95_latency_ms: latencyMs(n, 120),
      cached: n() < 0.5,
      computed_at: isoSeconds(ctx.now),
    })
  },
  regressions: {
    'avg-excludes-refunds': 'avg_order_value subtracts refunds (a few units off, inside a jittering float)',
  },
}

const FLAGS = ['new_checkout', 'one_click', 'dark_mode', 'reviews_v2', 'gift_cards', 'klarna']

const config: Kind = {
  name: 'config',
  family: 'JSON API',
  noise: 'flags object keys and experiments in hash order, ISO fetched_at, per-node ttl',
  request: (_i, r) => ({ method: 'GET', path: `/config/${pick(r, ['web', 'ios', 'android'])}` }),
  respond(req, ctx, bug) {
    const app = segment(req, 1)
    const d = dataFor(`config:${app}`)
    const flags = Object.fromEntries(
      shuffle(
        ctx.noise,
        FLAGS.map((f) => [f, d() < 0.5] as const),
      ),
    )
    const headers: Record<string, string> = { vary: 'Origin' }
    if (bug !== 'cors-header-lost') headers['access-control-allow-origin'] = 'https://shop.example.org'
    const body = json(
      {
        app,
        revision: int(d, 100, 999),
        flags,
        experiments: shuffle(ctx.noise, ['checkout-cta', 'search-ranker-v3', 'free-shipping-banner']),
        ttl_s: ctx.node.maxAge,
        fetched_at: iso(ctx.now),
      },
      200,
      headers,
    )
    // the same bytes, labelled as text by a refactored serializer
    if (bug === 'content-type-text-plain') body.type = 'text/plain'
    return body
  },
  regressions: {
    'content-type-text-plain': 'Content-Type text/plain instead of application/json, same bytes',
    'cors-header-lost': 'header only: Access-Control-Allow-Origin is gone (browsers can no longer read it)',
  },
}

const version: Kind = {
  name: 'version',
  family: 'JSON API',
  noise: 'pod name and start time only (a quiet endpoint)',
  request: () => ({ method: 'GET', path: '/version' }),
  respond(_req, ctx) {
    return json({
      service: 'shop-api',
      version: '1.42.0',
      commit: '9f2c4e1d0b7a',
      built_at: '2025-04-30T10:00:00Z',
      node: ctx.node.name,
      started_at: iso(ctx.node.bootMs),
    })
  },
  regressions: {},
}

export const OPS: readonly Kind[] = [metrics, health, stats, config, version]
