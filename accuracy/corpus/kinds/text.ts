/** Plain-text endpoints: a message of the day, robots.txt, a log tail. */
import { httpDate, iso } from '../clock.ts'
import { type Kind, text } from '../kind.ts'
import { dataFor, int, pick, uuid } from '../random.ts'

const motd: Kind = {
  name: 'motd',
  family: 'text',
  noise: 'pod name, zone, uptime, HTTP date and request id in the text',
  request: (_i, r) => ({ method: 'GET', path: `/motd?lang=${pick(r, ['en', 'en-GB'])}` }),
  respond(_req, ctx, bug) {
    const up = Math.floor((ctx.now - ctx.node.bootMs) / 60_000)
    const day = bug === 'word-changed' ? 'Saturday' : 'Sunday'
    const lines = [
      'Welcome to the shop API (production).',
      `Node: ${ctx.node.name} (${ctx.node.zone})   Uptime: ${Math.floor(up / 60)}h ${up % 60}m`,
      `Time: ${httpDate(ctx.now)}`,
      `Request: ${uuid(ctx.noise)}`,
      `Maintenance window: ${day} 02:00-04:00 UTC`,
      'Status page: https://status.example.org',
    ]
    return text('text/plain', `${lines.join('\n')}\n`)
  },
  regressions: { 'word-changed': 'the maintenance day reads Saturday instead of Sunday' },
}

const robots: Kind = {
  name: 'robots',
  family: 'text',
  noise: 'none in the body; per-node Last-Modified, ETag, max-age, X-Cache',
  request: () => ({ method: 'GET', path: '/robots.txt' }),
  respond(_req, ctx, bug) {
    const lines = [
      'User-agent: *',
      'Disallow: /cart',
      'Disallow: /checkout',
      'Disallow: /account',
      'Allow: /',
      '',
    ]
    if (bug === 'disallow-line-lost') lines.splice(2, 1)
    lines.push('Sitemap: https://shop.example.org/sitemap.xml')
    return text('text/plain', `${lines.join('\n')}\n`, 200, { 'last-modified': httpDate(ctx.node.bootMs) })
  },
  regressions: { 'disallow-line-lost': 'the "Disallow: /checkout" line is gone' },
}

const MESSAGES = [
  'GET /products/{id} 200',
  'cache refresh done',
  'POST /cart 201',
  'GET /search 200',
  'payment webhook accepted',
  'GET /orders/{id} 200',
]

const logTail: Kind = {
  name: 'log-tail',
  family: 'text',
  noise: 'each line starts with a fresh timestamp and a random worker number',
  request: (_i, r) => ({ method: 'GET', path: `/logs/tail?n=${int(r, 8, 14)}&stream=app` }),
  respond(req, ctx, bug) {
    const count = Number(req.query.get('n') ?? '10')
    const d = dataFor(`logs:${count}`)
    const lines = Array.from({ length: count }, (_v, i) => {
      const level = bug === 'level-changed' && i === 2 ? 'WARN' : 'INFO'
      const at = iso(ctx.now - (count - i) * int(ctx.noise, 5, 900))
      return `${at} ${level} [worker-${int(ctx.noise, 1, 8)}] ${pick(d, MESSAGES)}`
    })
    return text('text/plain', `${lines.join('\n')}\n`, 200, { 'cache-control': 'no-cache' })
  },
  regressions: { 'level-changed': 'the third line is logged at WARN instead of INFO' },
}

export const TEXT: readonly Kind[] = [motd, robots, logTail]
