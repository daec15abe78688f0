/**
 * The dashboard of a miffy with a management token, in a real headless Chromium: the page asks
 * for the token, keeps it for the tab (sessionStorage) and sends it as a bearer header on every
 * fetch; a wrong token brings the prompt back, and signing out forgets it. The CSP stays as
 * strict as without a token (no inline handlers, no form submission).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { openBrowser, until } from '../helpers/browser.ts'
import { startProxy } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

const TOKEN = 'a-management-token-for-tests'

test('the dashboard asks for the token, then shows the data with it', async (t) => {
  const reference = await startUpstream(t, json(200, { name: 'ada' }))
  const candidate = await startUpstream(t, json(200, { name: 'bob' }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    management_token: TOKEN,
    routes: [{ path: '/users/{id}' }],
  })
  await (await request(`${proxy.url}/users/1`)).body.text()
  await proxy.settled()

  const { page, dialogs, pageErrors } = await openBrowser(t)
  const sent: (string | undefined)[] = []
  page.on('request', (r) => {
    if (r.url().includes('/divergences')) sent.push(r.headers().authorization)
  })
  const response = await page.goto(`${proxy.managementUrl}/dashboard`)
  assert.equal(response?.status(), 200)
  const csp = response?.headers()['content-security-policy'] ?? ''
  assert.match(csp, /form-action 'none'/)
  assert.match(csp, /script-src 'sha256-[^' ]+'(;|$)/)

  // no token yet: the prompt, and no data
  await page.locator('#login').waitFor({ state: 'visible' })
  assert.equal(await page.locator('main').isHidden(), true)
  assert.equal(await page.locator('#divergences tbody tr').count(), 0)

  // a wrong token: refused, the prompt again with a reason
  await page.locator('#token').fill('not-the-token-at-all')
  await page.locator('#login-form button[type="submit"]').click()
  await until(
    async () => /refused/.test((await page.locator('#login-why').textContent()) ?? ''),
    'the refusal',
  )
  assert.equal(await page.locator('main').isHidden(), true)

  // the right one: the data, fetched with the bearer header
  await page.locator('#token').fill(TOKEN)
  await page.locator('#login-form button[type="submit"]').click()
  await page.locator('#divergences tbody tr').first().waitFor()
  assert.equal(await page.locator('#login').isHidden(), true)
  assert.equal(
    await page.locator('#routes tr[data-route="/users/{id}"] [data-field="diverged"]').textContent(),
    '1',
  )
  assert.ok(sent.includes(`Bearer ${TOKEN}`), JSON.stringify(sent))
  // kept for the tab only, not in localStorage or a cookie
  assert.equal(await page.evaluate(() => sessionStorage.getItem('miffy.management_token')), TOKEN)
  assert.equal(await page.evaluate(() => localStorage.length), 0)
  assert.deepEqual(await page.context().cookies(), [])

  // a reload in the same tab keeps it; signing out forgets it
  await page.reload()
  await page.locator('#divergences tbody tr').first().waitFor()
  await page.locator('#signout').click()
  await page.locator('#login').waitFor({ state: 'visible' })
  assert.equal(await page.evaluate(() => sessionStorage.getItem('miffy.management_token')), null)

  assert.deepEqual(dialogs, [])
  // the only errors are Chromium's notes on the two refused fetches
  assert.deepEqual(
    pageErrors.filter((e) => !/status of 401/.test(e)),
    [],
  )
})
