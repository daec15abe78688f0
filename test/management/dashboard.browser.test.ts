/**
 * GET /dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the page shows the ledger's counts, filters the divergence list by fingerprint and route, and
 * shows upstream text literally (a `<script>` in a body is text, never markup).
 */
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { request } from 'undici'
import type { PairMessage } from '../../src/diff/model.ts'
import { openBrowser, until } from '../helpers/browser.ts'
import { startProxy } from '../helpers/proxy.ts'
import { closedPort, json, startUpstream } from '../helpers/upstream.ts'

const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>'

test('the dashboard shows the ledger, filters divergences and escapes upstream text', async (t) => {
  // /users/3 differs in body; /orders/{2,3} differ in status and carry the payload; /users/1,
  // /users/2 and /orders/1 are equal; /legacy/1's candidate is down (a drop: candidate_error)
  const reference = await startUpstream(t, (req, res, body) => {
    const id = req.url!.split('/')[2]
    if (req.url!.startsWith('/orders/')) return json(200, { id, note: XSS })(req, res, body)
    return json(200, { id, name: 'ada' })(req, res, body)
  })
  const candidate = await startUpstream(t, (req, res, body) => {
    const id = req.url!.split('/')[2]
    if (req.url!.startsWith('/orders/'))
      return id === '1'
        ? json(200, { id, note: XSS })(req, res, body)
        : json(500, { id, note: 'ok' })(req, res, body)
    return json(200, { id, name: id === '3' ? 'bob' : 'ada' })(req, res, body)
  })
  // /catalog/{id}: three instances of the same service that stamps every answer with a request
  // id, one of them the route's secondary: the route learns that noise and reports nothing
  const catalog = () =>
    startUpstream(t, (req, res, body) =>
      json(200, { id: req.url, request_id: crypto.randomUUID() })(req, res, body),
    )
  const [catalogReference, catalogSecondary, catalogCandidate] = [
    await catalog(),
    await catalog(),
    await catalog(),
  ]
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [
      { path: '/users/{id}' },
      { path: '/orders/{id}' },
      { path: '/legacy/{id}', candidate: `http://127.0.0.1:${await closedPort()}` },
      {
        path: '/catalog/{id}',
        reference: catalogReference.url,
        secondary: catalogSecondary.url,
        // warm after one pair: each request is judged as it settles, not after noise_warmup_wait
        noise_warmup: 1,
        candidate: catalogCandidate.url,
      },
    ],
  })
  const send = async (path: string) => {
    await (await request(`${proxy.url}${path}`)).body.text()
    await proxy.settled()
  }
  for (const p of ['/users/1', '/users/2', '/users/3', '/orders/1', '/orders/2', '/orders/3', '/legacy/1'])
    await send(p)
  for (const p of ['/catalog/1', '/catalog/2', '/catalog/3']) await send(p)

  const { page, dialogs, pageErrors } = await openBrowser(t)

  const response = await page.goto(`${proxy.managementUrl}/dashboard`)
  assert.ok(response)
  assert.equal(response.status(), 200)
  assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'sha256-/)

  // every route row shows exactly the ledger's numbers
  const ledger = proxy.app.ctx.ledger.summary()
  await page
    .locator('#routes tr.route')
    .nth(ledger.routes.length - 1)
    .waitFor()
  for (const r of ledger.routes) {
    const row = page.locator(`#routes tr.route[data-route="${r.route}"]`)
    assert.equal(
      await row.locator('[data-field="not-published"]').textContent(),
      String(r.publishing.not_published),
      `${r.route} not published`,
    )
    for (const field of ['matched', 'sampled', 'equal', 'noise', 'diverged'] as const)
      assert.equal(
        await row.locator(`[data-field="${field}"]`).textContent(),
        String(r[field]),
        `${r.route} ${field}`,
      )
  }
  const counts = (route: string) => ledger.routes.find((r) => r.route === route)!
  assert.deepEqual(
    [counts('/users/{id}').equal, counts('/users/{id}').diverged, counts('/orders/{id}').diverged],
    [2, 1, 2],
  )
  // a failed leg is published like a divergence: it is shown apart from the drops
  assert.equal(counts('/legacy/{id}').reported.candidate_error, 1)
  assert.equal(counts('/legacy/{id}').dropped.candidate_error, undefined)
  assert.equal(counts('/catalog/{id}').noise, 3)

  // the learned noise: the catalog route's request id, with the rule that would silence it
  const place = page.locator(
    '#noise [data-noise-route="/catalog/{id}"] tr[data-noise-key="json $.request_id"]',
  )
  await place.waitFor()
  assert.equal(await place.locator('td.suggestion').textContent(), 'ignore = ["$.request_id"]')
  assert.equal(await place.locator('td.num').textContent(), '3')
  assert.equal(await page.locator('#noise [data-noise-route="/users/{id}"]').count(), 0)
  assert.equal(
    await page.locator('#routes tr[data-route="/legacy/{id}"] [data-reason="candidate_error"]').textContent(),
    'candidate_error 1',
  )
  assert.equal(
    await page
      .locator('#routes [data-route-detail="/orders/{id}"] [data-transition="200→500"] td.num')
      .textContent(),
    '2',
  )

  // the list matches /divergences, newest first
  const api = (await (await request(`${proxy.managementUrl}/divergences?limit=50`)).body.json()) as {
    divergences: PairMessage[]
  }
  const listIds = () =>
    page.locator('#divergences tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))
  assert.deepEqual(
    await listIds(),
    api.divergences.map((d) => d.id),
  )

  // upstream text is shown as text: no dialog, no element made from it, the payload visible as is
  const orders = page.locator('#divergences tbody tr[data-route="/orders/{id}"]').first()
  assert.match(
    (await orders.locator('td.diffs').textContent()) ?? '',
    /<script>alert\(1\)<\/script><img src=x/,
  )
  assert.ok(await page.getByText(XSS).first().isVisible())
  assert.equal(await page.locator('main script, main img').count(), 0)

  // clicking a fingerprint (in the route's top fingerprints) filters the list by it
  const rows = () =>
    page.locator('#divergences tbody tr').evaluateAll((trs) =>
      trs.map((r) => ({
        fingerprint: r.getAttribute('data-fingerprint'),
        route: r.getAttribute('data-route'),
      })),
    )
  const fp = counts('/users/{id}').top_fingerprints[0]!.fingerprint
  await page.locator(`#routes [data-route-detail="/users/{id}"] button[data-fingerprint="${fp}"]`).click()
  await until(
    async () => (await rows()).every((r) => r.fingerprint === fp),
    'the list filtered by fingerprint',
  )
  assert.deepEqual(
    await listIds(),
    api.divergences.filter((d) => d.divergence?.fingerprint === fp).map((d) => d.id),
  )
  assert.equal(await page.locator('#f-fp').inputValue(), fp)
  assert.ok(page.url().endsWith(`#fingerprint=${fp}`), page.url())

  // the route filter, after clearing
  await page.locator('#f-clear').click()
  await page.locator('#f-route').selectOption('/orders/{id}')
  await until(async () => {
    const shown = await rows()
    return shown.length === 2 && shown.every((r) => r.route === '/orders/{id}')
  }, 'the list filtered by route')

  // polling: a new divergence shows up without a reload
  await page.locator('#f-clear').click()
  await send('/users/3')
  const diverged = page.locator('#routes tr[data-route="/users/{id}"] [data-field="diverged"]')
  await until(async () => (await diverged.textContent()) === '2', 'the next poll', 6_000)
  await until(
    async () => (await page.locator('#divergences tbody tr').count()) === api.divergences.length + 1,
    'the new divergence listed',
  )
  assert.equal(await page.locator('#sink').textContent(), 'sink: log · ready')

  const shots = await mkdtemp(join(tmpdir(), 'miffy-dashboard-'))
  const shot = join(shots, 'dashboard.png')
  await page.screenshot({ path: shot, fullPage: true })
  t.diagnostic(`screenshot: ${shot}`)

  assert.deepEqual(dialogs, [])
  assert.deepEqual(pageErrors, [])
})
