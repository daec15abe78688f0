/**
 * GET /dashboard on the management port: one self-contained page for operators (inline CSS and
 * vanilla JS, no assets, no build step: the management port is often reached with no internet).
 * The page polls the JSON endpoints next to it (`divergences/summary`, `divergences?limit=50`,
 * `readyz`) every 2 s through relative URLs, so it also works behind a path prefix.
 *
 * Everything shown comes from upstream responses (bodies, header names, URIs), so the script
 * builds DOM nodes and sets text with `textContent` / `append(string)`, never `innerHTML`; the
 * server never interpolates data into the page. The Content-Security-Policy allows only this
 * page's own script and style (by hash) and same-origin fetches: a second line of defence if a
 * future edit forgets the first.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'

const STYLE = `
:root {
  --bg: #f6f7f9; --panel: #fff; --fg: #1d2330; --muted: #667085; --line: #e3e6eb; --head: #eef1f5;
  --accent: #2459c7; --ok: #18794e; --ok-bg: #e3f4ea; --warn: #9a6700; --warn-bg: #fff3d1;
  --bad: #b42318; --bad-bg: #fde8e6; --chip: #eef1f5; --active: #dbe6fd;
  --mono: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171c; --panel: #1c2027; --fg: #e3e7ee; --muted: #8c95a3; --line: #2d333d; --head: #232831;
    --accent: #7aa5ff; --ok: #5fd39a; --ok-bg: #143324; --warn: #f0c05a; --warn-bg: #3a2f12;
    --bad: #ff8a80; --bad-bg: #3d1a18; --chip: #2a303a; --active: #243a66;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; background: var(--bg); color: var(--fg); }
body { font: 13px/1.4 system-ui, "DejaVu Sans", "Segoe UI", sans-serif; }
body.stale main { opacity: .55; }
header {
  position: sticky; top: 0; z-index: 2; display: flex; align-items: center; gap: 12px;
  padding: 8px 16px; background: var(--panel); border-bottom: 1px solid var(--line);
}
header h1 { margin: 0; font-size: 16px; letter-spacing: .02em; }
header .sub { color: var(--muted); }
.spacer { flex: 1; }
main { padding: 12px 16px 24px; display: grid; gap: 14px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
h2 { margin: 0 0 8px; font-size: 14px; display: flex; gap: 10px; align-items: baseline; }
.muted { color: var(--muted); font-weight: normal; }
code, .mono { font-family: var(--mono); font-size: 12px; }
button {
  font: inherit; color: inherit; background: var(--chip); border: 1px solid var(--line);
  border-radius: 4px; padding: 2px 8px; cursor: pointer;
}
button:hover { border-color: var(--accent); }
button:focus-visible, select:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--head); font-weight: 600; font-size: 12px; white-space: nowrap; position: sticky; top: 0; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: var(--chip); white-space: nowrap; }
.badge[data-state="ready"] { background: var(--ok-bg); color: var(--ok); }
.badge[data-state="connecting"] { background: var(--warn-bg); color: var(--warn); }
.badge[data-state="unavailable"], .badge[data-state="error"] { background: var(--bad-bg); color: var(--bad); }
.chip { display: inline-block; margin: 0 4px 2px 0; padding: 0 6px; border-radius: 3px; background: var(--chip); font-family: var(--mono); font-size: 11.5px; white-space: nowrap; }
.chip.warn { background: var(--warn-bg); color: var(--warn); }
.bad { color: var(--bad); font-weight: 600; }
.good { color: var(--ok); }
.slow { color: var(--warn); font-weight: 600; }
#routes tr.route td { border-bottom: none; padding-top: 6px; font-size: 13.5px; }
#routes tr.route td.name { font-weight: 600; }
#routes tr.route.collapsed td { border-bottom: 1px solid var(--line); padding-bottom: 6px; }
#routes tr.detail > td { padding: 0 8px 10px 30px; }
.toggle { border: none; background: none; padding: 0 4px 0 0; width: 18px; color: var(--muted); }
.detail-grid { display: grid; grid-template-columns: minmax(170px, 230px) 1fr; gap: 16px; }
table.mini th, table.mini td { padding: 1px 6px; font-size: 12px; }
table.mini thead th { position: static; background: none; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); }
table.mini tr:last-child td { border-bottom: none; }
table.mini td.paths { width: 100%; }
.noise-route { margin-bottom: 10px; }
.noise-route h3 { margin: 4px 0; font-size: 13px; font-weight: 600; }
td.suggestion { white-space: pre-wrap; word-break: break-all; }
.fp { font-family: var(--mono); font-size: 12px; padding: 0 6px; color: var(--accent); background: none; border-color: transparent; }
.fp:hover, .fp.active { background: var(--active); border-color: var(--accent); }
.linkish { border: none; background: none; padding: 0; text-align: left; font-family: var(--mono); font-size: 12px; }
.linkish:hover { text-decoration: underline; color: var(--accent); }
.filters { display: flex; gap: 14px; align-items: center; margin-bottom: 6px; flex-wrap: wrap; }
.filters label { display: flex; gap: 6px; align-items: center; color: var(--muted); }
select, input { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 2px 6px; }
input { font-family: var(--mono); font-size: 12px; width: 190px; }
#divergences { table-layout: fixed; }
#divergences .c-time { width: 76px; } #divergences .c-method { width: 62px; } #divergences .c-uri { width: 15%; }
#divergences .c-route { width: 130px; } #divergences .c-fp { width: 150px; } #divergences .c-status { width: 186px; }
#divergences td { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#divergences td.diffs { white-space: normal; }
.diff { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: var(--mono); font-size: 12px; }
.diff .path { color: var(--accent); margin-right: 6px; }
.more { color: var(--muted); font-size: 11.5px; }
.empty { color: var(--muted); padding: 10px 8px; }
#login { max-width: 460px; margin: 40px auto; }
#login form { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
#login input { width: 280px; }
#login p { margin: 0 0 10px; color: var(--muted); }
`

const BODY = `
<header>
  <h1>miffy</h1>
  <span class="sub">shadow-test dashboard</span>
  <span id="sink" class="badge" data-state="unknown" title="the divergence sink, from /readyz">sink: …</span>
  <span class="spacer"></span>
  <span id="status" class="muted" role="status">loading…</span>
  <button id="pause" type="button">Pause</button>
  <button id="signout" type="button" hidden title="forget the token in this tab">Sign out</button>
</header>
<section id="login" hidden aria-labelledby="login-title">
  <h2 id="login-title">Sign in</h2>
  <p id="login-why">The divergences contain captured traffic: this miffy asks for its management token.</p>
  <form id="login-form">
    <input id="token" type="password" autocomplete="current-password" spellcheck="false" aria-label="management token" placeholder="management_token" required>
    <button type="submit">Sign in</button>
  </form>
</section>
<main>
  <section aria-labelledby="routes-title">
    <h2 id="routes-title">Experiments <span id="totals" class="muted"></span></h2>
    <table id="routes">
      <thead><tr>
        <th>route</th>
        <th class="num" title="requests that matched the route (every outcome)">matched</th>
        <th class="num" title="matched minus paused, sampled_out and method_skipped">sampled</th>
        <th class="num">equal</th>
        <th class="num" title="differed only where the route's learned noise explains it (not published)">noise</th>
        <th class="num">diverged</th>
        <th class="num" title="diverged / (equal + diverged)">rate</th>
        <th title="published although not a divergence: a leg that failed or timed out">failed legs</th>
        <th title="mirrors given up on miffy's side, by reason">drops by reason</th>
        <th class="num" title="reported pairs that never reached the sink's destination (outbox full, too large, retries exhausted, lost at shutdown)">not published</th>
        <th class="num" title="milliseconds, over the last 2048 responses">reference p50 / p99 ms</th>
        <th class="num" title="milliseconds, over the last 2048 responses">candidate p50 / p99 ms</th>
      </tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section aria-labelledby="noise-title">
    <h2 id="noise-title">Learned noise <span class="muted">where each route's reference and its secondary differ; a candidate difference there, of the same kind, is not reported</span></h2>
    <div id="noise"></div>
  </section>
  <section aria-labelledby="list-title">
    <h2 id="list-title">Recent divergences <span id="count" class="muted"></span></h2>
    <div class="filters">
      <label>route <select id="f-route"><option value="">all routes</option></select></label>
      <label>fingerprint <input id="f-fp" spellcheck="false" autocomplete="off" placeholder="any"></label>
      <button id="f-clear" type="button">Clear filters</button>
    </div>
    <table id="divergences">
      <colgroup>
        <col class="c-time"><col class="c-method"><col class="c-uri"><col class="c-route">
        <col class="c-fp"><col class="c-status"><col>
      </colgroup>
      <thead><tr>
        <th>time</th><th>method</th><th>uri</th><th>route</th><th>fingerprint</th><th>status</th>
        <th>first differences (reference → candidate)</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <div id="empty" class="empty" hidden></div>
  </section>
</main>
`

// Plain JS for the browser: no template literals or `${` here (this is a TS template string),
// and no innerHTML anywhere: `el()` sets attributes with setAttribute and text with Text nodes.
const SCRIPT = String.raw`
'use strict'
;(() => {
  const POLL_MS = 2000
  const LIST_LIMIT = 50
  const SHOWN_DIFFS = 3
  const byId = (id) => document.getElementById(id)
  const ui = {
    sink: byId('sink'), status: byId('status'), pause: byId('pause'), totals: byId('totals'),
    routes: document.querySelector('#routes tbody'), list: document.querySelector('#divergences tbody'),
    count: byId('count'), empty: byId('empty'), route: byId('f-route'), fp: byId('f-fp'), clear: byId('f-clear'),
    noise: byId('noise'),
    login: byId('login'), loginForm: byId('login-form'), loginWhy: byId('login-why'), token: byId('token'),
    signout: byId('signout'), main: document.querySelector('main'),
  }
  // The management token, if this miffy has one: kept for this tab only (sessionStorage) and sent
  // as a bearer header by every fetch; a browser cannot attach one to a navigation by itself.
  const TOKEN_KEY = 'miffy.management_token'
  const storedToken = () => sessionStorage.getItem(TOKEN_KEY)
  class Locked extends Error {}
  const state = { route: '', fingerprint: '', paused: false, locked: false, timer: 0, seq: 0, collapsed: new Set(), routeNames: '' }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue
      if (k === 'class') node.className = v
      else if (k === 'onclick') node.addEventListener('click', v)
      else node.setAttribute(k, String(v))
    }
    for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c)
    return node
  }

  const count = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—')
  const ms = (v) => (v === null || v === undefined ? '—' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : String(Math.round(v)))
  const pad = (n) => String(n).padStart(2, '0')
  function clock(iso) {
    const d = new Date(iso)
    return Number.isNaN(d.getTime()) ? String(iso) : pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds())
  }
  function ago(iso) {
    const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000)
    if (Number.isNaN(s)) return String(iso)
    if (s < 60) return Math.max(s, 0) + 's ago'
    if (s < 3600) return Math.floor(s / 60) + 'm ago'
    if (s < 86400) return Math.floor(s / 3600) + 'h ago'
    return new Date(iso).toLocaleDateString()
  }
  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + '…' : text
  }
  function value(p, side) {
    if (!Object.prototype.hasOwnProperty.call(p, side)) return '(absent)'
    const text = JSON.stringify(p[side])
    return shorten(text === undefined ? String(p[side]) : text, 120)
  }

  /** What differs in a divergence, as { path, detail } items in reading order. */
  function differences(d) {
    const out = []
    if (!d) return out
    for (const side of ['reference', 'candidate']) {
      if (d.error && d.error[side]) out.push({ path: side + ' error', detail: String(d.error[side]) })
    }
    if (d.status) out.push({ path: 'status', detail: d.status.reference + ' → ' + d.status.candidate })
    // header parts that differ (explained ones marked), or just the names from older messages
    const parts = d.header_paths || []
    for (const h of parts) out.push({ path: 'header ' + h.path, detail: value(h, 'reference') + ' → ' + value(h, 'candidate') + (h.noise ? ' (noise)' : '') })
    if (parts.length === 0) for (const h of d.headers || []) out.push({ path: 'header ' + h, detail: '' })
    const b = d.body
    if (b) {
      if (b.decodeError) {
        const sides = Object.entries(b.decodeError).map(([k, v]) => k + ': ' + v).join(', ')
        out.push({ path: 'body', detail: 'not decodable (' + sides + ')' })
      }
      if (b.kind === 'bytes') out.push({ path: 'body', detail: 'bytes differ' })
      for (const p of b.paths || []) out.push({ path: String(p.path), detail: value(p, 'reference') + ' → ' + value(p, 'candidate') + (p.noise ? ' (noise)' : '') })
      if (b.truncated) out.push({ path: '…', detail: 'more paths differ' })
    }
    return out
  }
  const asText = (items) => items.map((x) => (x.detail ? x.path + '  ' + x.detail : x.path)).join('\n')

  function leg(response) {
    if (!response) return '?'
    return 'error' in response ? 'error: ' + response.error : String(response.status)
  }

  function fingerprintButton(fp) {
    return el('button', {
      type: 'button', class: fp === state.fingerprint ? 'fp active' : 'fp', 'data-fingerprint': fp,
      title: 'show only divergences with this fingerprint', onclick: () => setFilters(state.route, fp),
    }, fp)
  }

  function renderRoute(r) {
    const frag = document.createDocumentFragment()
    const open = !state.collapsed.has(r.route)
    const compared = r.equal + r.diverged
    const drops = Object.entries(r.dropped || {}).filter(([, n]) => n > 0)
    const legErrors = Object.entries(r.reported || {}).filter(([reason, n]) => reason !== 'diverged' && n > 0)
    const publishing = r.publishing || {}
    const unpublished = ['dropped_full', 'dropped_oversize', 'dropped_closed', 'failed', 'lost_on_shutdown']
      .map((reason) => [reason, publishing[reason] || 0]).filter(([, n]) => n > 0)
    const chips = (list, kind) => list.length === 0
      ? el('span', { class: 'muted' }, '—')
      : list.map(([reason, n]) => el('span', { class: 'chip ' + kind, 'data-reason': reason }, reason + ' ' + count(n)))
    const ref = r.latency_ms.reference
    const cand = r.latency_ms.candidate
    const slower = ref.p99 !== null && cand.p99 !== null && cand.p99 > ref.p99 * 1.5 && cand.p99 - ref.p99 > 5
    const toggle = () => {
      if (open) state.collapsed.add(r.route)
      else state.collapsed.delete(r.route)
      render()
    }
    frag.append(el('tr', { class: open ? 'route' : 'route collapsed', 'data-route': r.route },
      el('td', { class: 'name' },
        el('button', { type: 'button', class: 'toggle', 'aria-expanded': String(open), title: 'show or hide details', onclick: toggle }, open ? '▾' : '▸'),
        el('code', null, r.route)),
      el('td', { class: 'num', 'data-field': 'matched' }, count(r.matched)),
      el('td', { class: 'num', 'data-field': 'sampled' }, count(r.sampled)),
      el('td', { class: 'num good', 'data-field': 'equal' }, count(r.equal)),
      el('td', { class: 'num', 'data-field': 'noise' }, count(r.noise || 0)),
      el('td', { class: r.diverged > 0 ? 'num bad' : 'num', 'data-field': 'diverged' }, count(r.diverged)),
      el('td', { class: 'num', 'data-field': 'rate' }, compared > 0 ? ((100 * r.diverged) / compared).toFixed(1) + '%' : '—'),
      el('td', { 'data-field': 'leg-errors' }, chips(legErrors, 'bad')),
      el('td', { 'data-field': 'drops' }, chips(drops, 'warn')),
      el('td', { class: (publishing.not_published || 0) > 0 ? 'num bad' : 'num', 'data-field': 'not-published',
        title: unpublished.map(([reason, n]) => reason + ' ' + n).join(', ') || 'every reported pair was handed on' },
        count(publishing.not_published || 0)),
      el('td', { class: 'num', 'data-field': 'reference-latency', title: ref.samples + ' samples' }, ms(ref.p50) + ' / ' + ms(ref.p99)),
      el('td', { class: slower ? 'num slow' : 'num', 'data-field': 'candidate-latency', title: cand.samples + ' samples' + (slower ? '; p99 over 1.5× the reference' : '') }, ms(cand.p50) + ' / ' + ms(cand.p99))))
    if (!open) return frag

    const transitions = Object.entries(r.status_transitions || {})
    const tTable = transitions.length === 0
      ? el('div', { class: 'muted' }, 'no status transitions yet')
      : el('table', { class: 'mini' },
          el('thead', null, el('tr', null, el('th', null, 'status transition'), el('th', { class: 'num' }, 'count'))),
          el('tbody', null, ...transitions.map(([key, n]) => {
            const [a, b] = String(key).split('→')
            return el('tr', { 'data-transition': key },
              el('td', { class: a === b ? 'mono' : 'mono bad' }, a + ' → ' + b),
              el('td', { class: 'num' }, count(n)))
          })))

    const fps = r.top_fingerprints || []
    const fTable = fps.length === 0
      ? el('div', { class: 'muted' }, 'no divergences yet')
      : el('table', { class: 'mini' },
          el('thead', null, el('tr', null,
            el('th', null, 'top fingerprint'), el('th', { class: 'num' }, 'count'), el('th', null, 'last seen'),
            el('th', null, 'differing paths (example)'))),
          el('tbody', null, ...fps.map((f) => {
            const items = differences(f.example && f.example.divergence)
            const paths = items.map((x) => x.path)
            return el('tr', { 'data-fingerprint-row': f.fingerprint },
              el('td', null, fingerprintButton(f.fingerprint)),
              el('td', { class: 'num' }, count(f.count)),
              el('td', { title: f.last_seen }, ago(f.last_seen)),
              el('td', { class: 'mono paths', title: asText(items) },
                paths.slice(0, 5).join(', '), paths.length > 5 ? el('span', { class: 'more' }, '  +' + (paths.length - 5) + ' more') : null))
          })))

    frag.append(el('tr', { class: 'detail', 'data-route-detail': r.route },
      el('td', { colspan: 12 }, el('div', { class: 'detail-grid' },
        el('div', null, tTable),
        el('div', null, fTable)))))
    return frag
  }

  function syncRouteOptions(names) {
    const key = JSON.stringify(names)
    if (key === state.routeNames) return
    state.routeNames = key
    const options = [el('option', { value: '' }, 'all routes'), ...names.map((n) => el('option', { value: n }, n))]
    if (state.route && !names.includes(state.route)) options.push(el('option', { value: state.route }, state.route))
    ui.route.replaceChildren(...options)
    ui.route.value = state.route
  }

  let last = { summary: null, list: null, noise: null }

  const NOISE_PLACES = 12

  function renderNoise(noise) {
    const routes = ((noise && noise.routes) || []).filter((r) => r.secondary)
    if (routes.length === 0) {
      ui.noise.replaceChildren(el('div', { class: 'muted' }, 'No route has a secondary: set secondary to learn each route\u2019s noise.'))
      return
    }
    ui.noise.replaceChildren(...routes.map((r) => el('div', { class: 'noise-route', 'data-noise-route': r.route },
      el('h3', null, el('code', null, r.route), el('span', { class: 'muted' },
        ' · ' + count(r.samples) + ' pairs learned from · ' + count(r.places) + ' noisy places' +
        (r.skipped ? ' · ' + count(r.skipped) + ' not learned from (secondary failed)' : '') +
        (r.overflow ? ' · ' + count(r.overflow) + ' over the cap of ' + count(r.max_places) : ''))),
      r.noise.length === 0
        ? el('div', { class: 'muted' }, 'nothing has varied yet')
        : el('table', { class: 'mini' },
            el('thead', null, el('tr', null,
              el('th', null, 'where'), el('th', { class: 'num' }, 'times'), el('th', null, 'how'),
              el('th', null, 'rule to make it explicit'))),
            el('tbody', null, ...r.noise.slice(0, NOISE_PLACES).map((p) => el('tr', { 'data-noise-key': p.key },
              el('td', { class: 'mono', title: p.key }, p.path),
              el('td', { class: 'num' }, count(p.count)),
              el('td', { class: 'mono' }, p.changes.join(', ') + (p.shapes.length ? ' · ' + p.shapes.slice(0, 3).join(' ') : '')),
              el('td', { class: 'mono suggestion' }, p.suggestion))))))))
  }

  function renderSummary(summary) {
    const routes = (summary && summary.routes) || []
    syncRouteOptions(routes.map((r) => r.route))
    const frag = document.createDocumentFragment()
    let matched = 0
    let diverged = 0
    let equal = 0
    for (const r of routes) {
      matched += r.matched
      diverged += r.diverged
      equal += r.equal
      frag.append(renderRoute(r))
    }
    if (routes.length === 0) frag.append(el('tr', null, el('td', { colspan: 12, class: 'empty' }, 'No experiments configured.')))
    ui.routes.replaceChildren(frag)
    ui.totals.textContent = routes.length + (routes.length === 1 ? ' route' : ' routes') + ' · ' + count(matched) +
      ' matched · ' + count(equal) + ' equal · ' + count(diverged) + ' diverged'
  }

  function renderList(divergences) {
    const rows = divergences.map((m) => {
      const req = m.request || {}
      const d = m.divergence
      const items = differences(d)
      const fp = d && d.fingerprint
      return el('tr', { 'data-id': m.id, 'data-fingerprint': fp || '', 'data-route': req.route },
        el('td', { class: 'mono', title: m.timestamp }, clock(m.timestamp)),
        el('td', { class: 'mono' }, req.method),
        el('td', { class: 'mono', title: req.uri }, req.uri),
        el('td', { title: req.route }, el('button', {
          type: 'button', class: 'linkish', title: 'show only this route', onclick: () => setFilters(req.route, state.fingerprint),
        }, req.route)),
        el('td', null, fp ? fingerprintButton(fp) : '—'),
        el('td', { class: 'mono' }, leg(m.reference && m.reference.response) + ' → ' + leg(m.candidate && m.candidate.response)),
        el('td', { class: 'diffs', title: asText(items) },
          ...items.slice(0, SHOWN_DIFFS).map((x) => el('span', { class: 'diff' }, el('span', { class: 'path' }, x.path), x.detail)),
          items.length > SHOWN_DIFFS ? el('span', { class: 'more' }, '+' + (items.length - SHOWN_DIFFS) + ' more') : null))
    })
    ui.list.replaceChildren(...rows)
    const filtered = state.route || state.fingerprint
    ui.empty.hidden = rows.length > 0
    ui.empty.textContent = filtered ? 'No divergences match these filters.' : 'No divergences yet.'
    ui.count.textContent = (rows.length >= LIST_LIMIT ? 'the latest ' + LIST_LIMIT : rows.length + ' shown') + ', newest first' +
      (filtered ? ' · filtered' : '')
  }

  function renderSink(ready) {
    const sink = ready && ready.sink
    ui.sink.dataset.state = sink ? sink.state : 'unknown'
    ui.sink.textContent = sink ? 'sink: ' + sink.kind + ' · ' + sink.state : 'sink: unknown'
  }

  function render() {
    if (last.summary) renderSummary(last.summary)
    if (last.list) renderList(last.list)
    if (last.noise) renderNoise(last.noise)
  }

  async function getJson(url) {
    const headers = { accept: 'application/json' }
    const token = storedToken()
    if (token) headers.authorization = 'Bearer ' + token
    const res = await fetch(url, { cache: 'no-store', credentials: 'omit', headers })
    if (res.status === 401) throw new Locked(token ? 'the token was refused' : '')
    if (!res.ok) throw new Error(url.split('?')[0] + ' answered ' + res.status)
    return res.json()
  }

  /** Shows the sign-in form instead of the data, and stops polling until a token is given. */
  function lock(why) {
    state.locked = true
    clearTimeout(state.timer)
    sessionStorage.removeItem(TOKEN_KEY)
    ui.main.hidden = true
    ui.login.hidden = false
    ui.signout.hidden = true
    ui.loginWhy.textContent = why
      ? why + ': enter the management token again.'
      : 'The divergences contain captured traffic: this miffy asks for its management token.'
    ui.status.className = 'muted'
    ui.status.textContent = 'signed out'
    ui.token.focus()
  }

  function unlock() {
    state.locked = false
    ui.login.hidden = true
    ui.main.hidden = false
    ui.signout.hidden = !storedToken()
  }

  function listUrl() {
    const q = new URLSearchParams({ limit: String(LIST_LIMIT) })
    if (state.route) q.set('route', state.route)
    if (state.fingerprint) q.set('fingerprint', state.fingerprint)
    return 'divergences?' + q
  }

  // One poll at a time; a filter change starts a new one and the older answer is discarded.
  async function refresh() {
    clearTimeout(state.timer)
    const mine = ++state.seq
    try {
      const [summary, list, ready, noise] = await Promise.all([
        getJson('divergences/summary'),
        getJson(listUrl()),
        getJson('readyz').catch(() => null),
        getJson('noise').catch(() => null),
      ])
      if (mine !== state.seq) return
      unlock()
      last = { summary, list: list.divergences || [], noise }
      render()
      renderSink(ready)
      document.body.classList.remove('stale')
      ui.status.className = 'muted'
      document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1)
      ui.status.textContent = (state.paused ? 'paused · ' : '') + 'updated ' + clock(new Date().toISOString())
    } catch (err) {
      if (mine !== state.seq) return
      if (err instanceof Locked) return lock(err.message)
      document.body.classList.add('stale')
      ui.sink.dataset.state = 'error'
      ui.sink.textContent = 'sink: unknown'
      ui.status.className = 'bad'
      ui.status.textContent = 'cannot reach miffy (' + (err && err.message ? err.message : err) + '), retrying'
    } finally {
      if (mine === state.seq && !state.paused && !state.locked && !document.hidden) state.timer = setTimeout(refresh, POLL_MS)
    }
  }

  function setFilters(route, fingerprint) {
    state.route = route || ''
    state.fingerprint = (fingerprint || '').trim()
    ui.route.value = state.route
    ui.fp.value = state.fingerprint
    const q = new URLSearchParams()
    if (state.route) q.set('route', state.route)
    if (state.fingerprint) q.set('fingerprint', state.fingerprint)
    const hash = q.toString()
    history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search)
    if (last.summary) renderSummary(last.summary)
    refresh()
  }

  ui.loginForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const token = ui.token.value.trim()
    if (!token) return
    sessionStorage.setItem(TOKEN_KEY, token)
    ui.token.value = ''
    ui.status.textContent = 'signing in…'
    refresh()
  })
  ui.signout.addEventListener('click', () => lock(''))
  ui.route.addEventListener('change', () => setFilters(ui.route.value, state.fingerprint))
  ui.fp.addEventListener('change', () => setFilters(state.route, ui.fp.value))
  ui.clear.addEventListener('click', () => setFilters('', ''))
  ui.pause.addEventListener('click', () => {
    state.paused = !state.paused
    ui.pause.textContent = state.paused ? 'Resume' : 'Pause'
    if (state.paused) {
      clearTimeout(state.timer)
      ui.status.textContent = 'paused'
    } else refresh()
  })
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && !state.paused && !state.locked) refresh()
  })

  const initial = new URLSearchParams(location.hash.slice(1))
  setFilters(initial.get('route') || '', initial.get('fingerprint') || '')
})()
`

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>miffy · dashboard</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': [
    "default-src 'none'",
    `script-src ${sha256(SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
}

export function registerDashboard(app: FastifyInstance): void {
  // The page holds no data: its fetches carry the token (access.ts `page`).
  app.get('/dashboard', { config: { access: 'page' } }, async (_request, reply) => {
    reply.headers(HEADERS)
    return PAGE
  })
}
