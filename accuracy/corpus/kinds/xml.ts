/** XML: an RSS feed, a SOAP service with WS-Addressing, a sitemap. */
import { httpDate, iso, isoSeconds, pastInstant } from '../clock.ts'
import { esc, type Kind, text } from '../kind.ts'
import { dataFor, hex, int, pick, uuid } from '../random.ts'

const rss: Kind = {
  name: 'rss',
  family: 'XML',
  noise: 'lastBuildDate, generator naming the pod, per-node ttl',
  request: (_i, r) => ({
    method: 'GET',
    path: `/news/feed.rss?category=${pick(r, ['gear', 'trails', 'deals'])}`,
  }),
  respond(req, ctx, bug) {
    const cat = req.query.get('category') ?? 'gear'
    const d = dataFor(`rss:${cat}`)
    let items = Array.from({ length: 6 }, (_v, i) => {
      const title = `${cat} news #${int(d, 100, 999)}`
      const link = `https://shop.example.org/news/${cat}/${i}`
      return `<item><title>${esc(title)}</title><link>${link}</link><guid isPermaLink="true">${link}</guid><pubDate>${httpDate(pastInstant(0.99 - i / 50))}</pubDate></item>`
    })
    if (bug === 'item-missing') items = items.filter((_v, i) => i !== 3)
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>Shop news: ${esc(cat)}</title>
<link>https://shop.example.org/news/${cat}</link>
<description>News from the shop</description>
<lastBuildDate>${httpDate(ctx.now)}</lastBuildDate>
<generator>shop-api 1.42.0 (${ctx.node.name})</generator>
<ttl>${Math.ceil(ctx.node.maxAge / 60)}</ttl>
${items.join('\n')}
</channel>
</rss>
`
    return text('application/rss+xml', xml)
  },
  regressions: { 'item-missing': 'one <item> is missing from the feed' },
}

const soap: Kind = {
  name: 'soap',
  family: 'XML',
  noise: 'WS-Addressing MessageID, WS-Security Created/Expires timestamps',
  request: (_i, r) => {
    const account = `NL${int(r, 10, 99)}BANK0${int(r, 100_000_000, 999_999_999)}`
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://www.w3.org/2005/08/addressing">
<soap:Header><wsa:MessageID>urn:uuid:${uuid(r)}</wsa:MessageID><wsa:Action>GetBalance</wsa:Action></soap:Header>
<soap:Body><GetBalance><AccountId>${account}</AccountId></GetBalance></soap:Body>
</soap:Envelope>`
    return {
      method: 'POST',
      path: '/soap/AccountService',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: 'GetBalance' },
      body,
    }
  },
  respond(req, ctx, bug) {
    const xmlIn = req.body.toString('utf8')
    const account = /<AccountId>([^<]+)<\/AccountId>/.exec(xmlIn)?.[1] ?? ''
    const relates = /<wsa:MessageID>([^<]+)<\/wsa:MessageID>/.exec(xmlIn)?.[1] ?? ''
    const d = dataFor(`balance:${account}`)
    let cents = int(d, 0, 5_000_000)
    if (bug === 'amount-changed') cents += 100
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
<soap:Header>
<wsa:MessageID>urn:uuid:${uuid(ctx.noise)}</wsa:MessageID>
<wsa:RelatesTo>${relates}</wsa:RelatesTo>
<wsu:Timestamp><wsu:Created>${isoSeconds(ctx.now)}</wsu:Created><wsu:Expires>${isoSeconds(ctx.now + 300_000)}</wsu:Expires></wsu:Timestamp>
</soap:Header>
<soap:Body>
<GetBalanceResponse>
<AccountId>${account}</AccountId>
<Balance currency="EUR">${(cents / 100).toFixed(2)}</Balance>
<AsOf>${iso(pastInstant(0.99)).slice(0, 10)}</AsOf>
</GetBalanceResponse>
</soap:Body>
</soap:Envelope>
`
    return text('text/xml', xml)
  },
  regressions: { 'amount-changed': 'the balance is 1.00 higher' },
}

const sitemap: Kind = {
  name: 'sitemap',
  family: 'XML',
  noise: 'a generated-by comment with time, pod and a build hash',
  request: (_i, r) => ({ method: 'GET', path: `/sitemap-${int(r, 1, 5)}.xml` }),
  respond(req, ctx) {
    const d = dataFor(`sitemap:${req.path}`)
    const urls = Array.from(
      { length: 12 },
      () =>
        `<url><loc>https://shop.example.org/p/item-${int(d, 1, 5000)}</loc><lastmod>${iso(pastInstant(d())).slice(0, 10)}</lastmod></url>`,
    )
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- generated ${iso(ctx.now)} by ${ctx.node.name} (${hex(ctx.noise, 7)}) -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`
    return text('application/xml', xml)
  },
  regressions: {},
}

export const XML: readonly Kind[] = [rss, soap, sitemap]
