/** Server-rendered HTML pages: CSRF tokens, CSP nonces, random blocks, render footers. */
import { cents, orderLines, product } from '../catalog.ts'
import { httpDate } from '../clock.ts'
import { esc, type Kind, text } from '../kind.ts'
import type { Ctx, Reply } from '../node.ts'
import { base64url, dataFor, hex, int, latencyMs, pick, uuid } from '../random.ts'

const SLUGS = ['trail-runner', 'rain-jacket', 'camp-mug', 'head-lamp', 'day-pack']

/** A page as our template engine renders it: the noisy parts come from `ctx`. */
function page(ctx: Ctx, title: string, main: string, status = 200): Reply {
  const n = ctx.noise
  const csrf = base64url(n, 43)
  const nonce = base64url(n, 22)
  const rid = uuid(n)
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)} – Shop</title>
<meta name="csrf-token" content="${csrf}">
<link rel="stylesheet" href="/assets/app.3f9a1c.css">
<script nonce="${nonce}">window.__BOOT__={"rid":"${rid}","node":"${ctx.node.name}","t":${ctx.now}}</script>
</head>
<body>
${main.replaceAll('{{csrf}}', csrf)}
<footer>Rendered by ${ctx.node.name} in ${latencyMs(n, 9)} ms at ${httpDate(ctx.now)}</footer>
<!-- rid: ${rid} -->
</body>
</html>
`
  return text('text/html', html, status, {
    'content-security-policy': `default-src 'self'; script-src 'nonce-${nonce}'`,
    'cache-control': 'private, no-cache',
    'set-cookie': `AWSALB=${base64url(n, 40)}; Expires=${httpDate(ctx.now + 7 * 86_400_000)}; Path=/`,
  })
}

const htmlProduct: Kind = {
  name: 'html-product',
  family: 'HTML',
  noise: 'CSRF token (meta and form), CSP nonce, random "also viewed" block, render footer, LB cookie',
  request: (_i, r) => ({
    method: 'GET',
    path: `/p/${pick(r, SLUGS)}-${int(r, 1, 5000)}`,
    headers: { accept: 'text/html' },
  }),
  respond(req, ctx, bug) {
    const id = Number(req.path.split('-').at(-1))
    const p = product(id)
    const also = Array.from({ length: 4 }, () => {
      const q = product(int(ctx.noise, 1, 5000))
      return `<li><a href="/p/item-${q.id}">${esc(q.name)}</a></li>`
    }).join('\n')
    const form = `<form method="post" action="/cart">
<input type="hidden" name="_csrf" value="{{csrf}}">
<input type="hidden" name="sku" value="${p.sku}">
<button type="submit">Add to cart</button>
</form>`
    const main = `<h1>${esc(p.name)}</h1>
<p class="brand">${esc(p.brand)}</p>
<p class="price">€${p.price.toFixed(2)}</p>
<p class="stock">${p.stock > 0 ? `${p.stock} in stock` : 'Sold out'}</p>
${bug === 'add-to-cart-missing' ? '' : form}
<section class="also-viewed"><h2>Customers also viewed</h2>
<ul>
${also}
</ul></section>`
    return page(ctx, p.name, main)
  },
  regressions: { 'add-to-cart-missing': 'the add-to-cart form (with its CSRF input) is gone from the page' },
}

const htmlCheckout: Kind = {
  name: 'html-checkout',
  family: 'HTML',
  noise: 'CSRF token, CSP nonce, order reference, render footer, LB cookie',
  request: (_i, r) => ({
    method: 'GET',
    path: `/checkout?cart=${hex(r, 12)}`,
    headers: { accept: 'text/html' },
  }),
  respond(req, ctx, bug) {
    const lines = orderLines(`checkout:${req.query.get('cart')}`)
    let total = 0
    const rows = lines
      .map((l) => {
        const lt = cents(l.qty * l.unitPrice)
        total = cents(total + lt)
        return `<tr><td>${esc(l.name)}</td><td>${l.qty}</td><td>€${l.unitPrice.toFixed(2)}</td><td>€${lt.toFixed(2)}</td></tr>`
      })
      .join('\n')
    if (bug === 'total-changed') total = cents(total + 1)
    const main = `<h1>Checkout</h1>
<p class="ref">Order reference ${hex(ctx.noise, 10).toUpperCase()}</p>
<table class="lines">
${rows}
</table>
<p class="total">Total: <strong>€${total.toFixed(2)}</strong></p>
<form method="post" action="/checkout/pay">
<input type="hidden" name="_csrf" value="{{csrf}}">
<button type="submit">Pay now</button>
</form>`
    return page(ctx, 'Checkout', main)
  },
  regressions: {
    'total-changed': 'the page total is €1.00 higher (in a page whose CSRF token changes every time)',
  },
}

const htmlSearch: Kind = {
  name: 'html-search',
  family: 'HTML',
  noise: 'a random sponsored block, "About N results (0.23 seconds)", CSRF, nonce, footer',
  request: (_i, r) => ({
    method: 'GET',
    path: `/s?q=${pick(r, ['tent', 'mug', 'lamp', 'socks'])}`,
    headers: { accept: 'text/html' },
  }),
  respond(req, ctx) {
    const q = req.query.get('q') ?? ''
    const d = dataFor(`html-search:${q}`)
    const results = Array.from({ length: 8 }, () => product(int(d, 1, 5000)))
    const sponsored = Array.from({ length: 2 }, () => product(int(ctx.noise, 1, 5000)))
    const main = `<h1>Results for “${esc(q)}”</h1>
<p class="stats">About ${int(d, 100, 900)} results (${(ctx.noise() * 0.6).toFixed(2)} seconds)</p>
<aside class="sponsored">${sponsored.map((p) => `<a href="/p/item-${p.id}">${esc(p.name)}</a>`).join(' ')}</aside>
<ol class="results">
${results.map((p) => `<li><a href="/p/item-${p.id}">${esc(p.name)}</a> €${p.price.toFixed(2)}</li>`).join('\n')}
</ol>`
    return page(ctx, `Search: ${q}`, main)
  },
  regressions: {},
}

const html404: Kind = {
  name: 'html-404',
  family: 'HTML',
  noise: 'error reference, CSRF, nonce, footer',
  request: (_i, r) => ({
    method: 'GET',
    path: `/p/discontinued-${int(r, 1, 99_999)}x`,
    headers: { accept: 'text/html' },
  }),
  respond(_req, ctx, bug) {
    const main = `<h1>Page not found</h1>
<p>The page you are looking for is gone. Reference: ${uuid(ctx.noise)}</p>
<p><a href="/">Back to the shop</a></p>`
    return page(ctx, 'Not found', main, bug === 'soft-404' ? 200 : 404)
  },
  regressions: { 'soft-404': 'status 200 for the not-found page (a "soft 404")' },
}

export const HTML: readonly Kind[] = [htmlProduct, htmlCheckout, htmlSearch, html404]
