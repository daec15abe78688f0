/** The rest: an empty 204, an asynchronous 202, a binary image. */
import { createHash } from 'node:crypto'
import { httpDate, iso } from '../clock.ts'
import { json, type Kind } from '../kind.ts'
import { hex, int, pick, uuid } from '../random.ts'
import { segment } from './commerce.ts'

const noContent: Kind = {
  name: 'no-content',
  family: 'misc',
  noise: 'headers only (request id, pod, timing)',
  request: (_i, r) => ({ method: 'DELETE', path: `/cart/items/${int(r, 1, 5000)}` }),
  respond(_req, _ctx, bug) {
    return { status: bug === 'ok-instead-of-no-content' ? 200 : 204 }
  },
  regressions: { 'ok-instead-of-no-content': 'status 200 instead of 204 (both without a body)' },
}

const webhook: Kind = {
  name: 'webhook',
  family: 'misc',
  noise: 'a receipt id and the queueing time',
  request: (_i, r) => ({
    method: 'POST',
    path: '/webhooks/payments',
    headers: { 'content-type': 'application/json', 'stripe-signature': `t=${Date.now()},v1=${hex(r, 64)}` },
    body: JSON.stringify({
      id: `evt_${hex(r, 24)}`,
      type: pick(r, ['payment_intent.succeeded', 'charge.refunded']),
    }),
  }),
  respond(_req, ctx, bug) {
    // Python's time.time(): float epoch seconds, different on every call
    const queued = (ctx.now + ctx.noise()) / 1000
    return json(
      {
        received: true,
        receipt: uuid(ctx.noise),
        queued_at: bug === 'queued-at-local-epoch' ? queued + 7200 : queued,
        received_at: iso(ctx.now),
      },
      202,
    )
  },
  regressions: {
    'queued-at-local-epoch': 'queued_at (float epoch seconds) is local time, 7200 s ahead: 4e-6 relative',
  },
}

/** A PNG signature and bytes derived from the id: the same image on every node. */
function image(id: string): Buffer {
  const chunks = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])]
  for (let i = 0; i < 48; i++) chunks.push(createHash('sha256').update(`${id}:${i}`).digest())
  return Buffer.concat(chunks)
}

const img: Kind = {
  name: 'image',
  family: 'misc',
  noise: 'binary body, per-node Last-Modified, ETag, max-age, X-Cache',
  request: (_i, r) => ({
    method: 'GET',
    path: `/img/${int(r, 1, 5000)}.png`,
    headers: { accept: 'image/avif,image/png' },
  }),
  respond(req, ctx, bug) {
    return {
      status: 200,
      type: bug === 'content-type-octet-stream' ? 'application/octet-stream' : 'image/png',
      body: image(segment(req, 1)),
      headers: { 'last-modified': httpDate(ctx.node.bootMs) },
    }
  },
  regressions: {
    'content-type-octet-stream': 'Content-Type application/octet-stream instead of image/png, same bytes',
  },
}

/** Above the default max_body_bytes (1 MiB), decoded or not. */
const BUNDLE_BYTES = 1.5 * 1024 * 1024
const bundles = new Map<string, Buffer>()

/** A minified-looking build artefact: the same bytes for the same build on every node. */
function bundle(build: string): Buffer {
  let b = bundles.get(build)
  if (!b) {
    const parts = [`/*! shop-web ${build} | (c) Example */\n`]
    let size = parts[0]!.length
    // the two builds differ only in their banner and in one function near the end
    for (let i = 0; size < BUNDLE_BYTES; i++) {
      const tag = i === 20_000 ? build : '1.42.0'
      const line = `function f${i}(a){return a+${createHash('sha256').update(`${tag}:${i}`).digest('hex').slice(0, 12)}}\n`
      parts.push(line)
      size += line.length
    }
    b = Buffer.from(parts.join(''))
    bundles.set(build, b)
  }
  return b
}

const download: Kind = {
  name: 'large-download',
  family: 'misc',
  noise:
    'a 1.5 MiB body (over the default max_body_bytes), per-node ETag, Last-Modified, max-age, gzip or not',
  request: (_i, r) => ({ method: 'GET', path: `/assets/app.3f9a1c.js?v=${int(r, 1, 9)}` }),
  respond(_req, ctx, bug) {
    return {
      status: 200,
      type: 'application/javascript',
      body: bundle(bug === 'stale-build' ? '1.41.9' : '1.42.0'),
      headers: { 'last-modified': httpDate(ctx.node.bootMs), 'accept-ranges': 'bytes' },
    }
  },
  regressions: { 'stale-build': 'the previous build: 1.5 MiB, a few dozen bytes differ' },
}

export const MISC: readonly Kind[] = [noContent, webhook, img, download]
