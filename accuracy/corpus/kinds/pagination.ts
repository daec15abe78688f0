/** Paginated lists: opaque cursors, offset links with the pod's host name, RFC 8288 Link headers. */
import { product } from '../catalog.ts'
import { iso, pastInstant } from '../clock.ts'
import { json, type Kind } from '../kind.ts'
import { base64url, dataFor, int, pick } from '../random.ts'

const cursorList: Kind = {
  name: 'cursor-list',
  family: 'pagination',
  noise: 'next/prev cursors are encrypted with a per-answer IV: opaque and different every time',
  request: (_i, r) => ({ method: 'GET', path: `/v1/items?limit=20&cursor=${base64url(r, 40)}` }),
  respond(req, ctx, bug) {
    const cursor = req.query.get('cursor') ?? ''
    const d = dataFor(`items:${cursor}`)
    let id = int(d, 1, 4000)
    const data = Array.from({ length: 20 }, () => {
      id += int(d, 1, 5)
      const p = product(id)
      return { id, sku: p.sku, name: p.name }
    })
    const n = ctx.noise
    return json({
      data,
      has_more: true,
      next_cursor: bug === 'next-cursor-null' ? null : base64url(n, 40),
      prev_cursor: base64url(n, 40),
    })
  },
  regressions: { 'next-cursor-null': 'next_cursor is null while has_more is true' },
}

const offsetLinks: Kind = {
  name: 'offset-links',
  family: 'pagination',
  noise: 'links built from the pod host name',
  request: (_i, r) => ({ method: 'GET', path: `/articles?page=${int(r, 2, 8)}&per_page=5` }),
  respond(req, ctx, bug) {
    const page = Number(req.query.get('page') ?? '1')
    const d = dataFor(`articles:${page}`)
    const items = Array.from({ length: 5 }, (_v, i) => ({
      id: (page - 1) * 5 + i + 1,
      title: `${pick(d, ['Packing', 'Trail', 'Gear', 'Care'])} guide ${(page - 1) * 5 + i + 1}`,
      published_at: iso(pastInstant(d())),
    }))
    const base = `http://${ctx.node.host}:8080/articles`
    const link = (p: number) => `${base}?page=${p}&per_page=5`
    return json({
      page,
      per_page: 5,
      total: 50,
      total_pages: 10,
      items,
      links: {
        self: link(page),
        first: link(1),
        prev: link(page - 1),
        next: link(bug === 'next-link-wrong-page' ? page : page + 1),
        last: link(10),
      },
    })
  },
  regressions: {
    'next-link-wrong-page': 'links.next points at the current page (inside a URL with a per-pod host)',
  },
}

const linkHeader: Kind = {
  name: 'link-header',
  family: 'pagination',
  noise: 'Link header URLs with the pod host name, a rate-limit counter header',
  request: (_i, r) => ({ method: 'GET', path: `/repos?page=${int(r, 2, 8)}` }),
  respond(req, ctx, bug) {
    const page = Number(req.query.get('page') ?? '1')
    const d = dataFor(`repos:${page}`)
    const repos = Array.from({ length: 6 }, (_v, i) => ({
      id: page * 100 + i,
      name: `repo-${page}-${i}`,
      stars: int(d, 0, 9000),
      language: pick(d, ['TypeScript', 'Rust', 'Go', null]),
    }))
    const url = (p: number) => `<http://${ctx.node.host}:8080/repos?page=${p}>`
    const links = [
      `${url(page + 1)}; rel="next"`,
      `${url(9)}; rel="last"`,
      `${url(1)}; rel="first"`,
      `${url(page - 1)}; rel="prev"`,
    ]
    const used = ctx.counter(`ratelimit:${ctx.node.name}`, 0)
    return json(repos, 200, {
      link: (bug === 'link-next-lost' ? links.slice(1) : links).join(', '),
      'x-total-count': '54',
      'x-ratelimit-remaining': String(5000 - (used % 5000)),
    })
  },
  regressions: { 'link-next-lost': 'header only: the Link header lost its rel="next" entry' },
}

export const PAGINATION: readonly Kind[] = [cursorList, offsetLinks, linkHeader]
