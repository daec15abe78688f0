/**
 * A real headless Chromium (Debian's `chromium`, driven by playwright-core) with a fresh profile,
 * closed and removed in t.after. Dialogs are dismissed and recorded, page errors collected.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { chromium, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

export interface Browser {
  page: Page
  /** messages of dialogs the page opened (each dismissed) */
  dialogs: string[]
  /** uncaught exceptions and console errors */
  pageErrors: string[]
}

export async function openBrowser(t: TestContext): Promise<Browser> {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} not found: this test needs the Debian package \`chromium\` (apt-get install -y chromium)`,
  )
  const userDataDir = await mkdtemp(join(tmpdir(), 'miffy-chromium-'))
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined
  // One hook, browser first: removing the profile under a running browser can fail (ENOTEMPTY)
  // and leave the browser hanging.
  t.after(async () => {
    await context?.close()
    await rm(userDataDir, { recursive: true, force: true, maxRetries: 5 })
  })
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
    timeout: 15_000,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(5_000)
  const dialogs: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text())
  })
  return { page, dialogs, pageErrors }
}

/** Polls `check` until it holds, or fails naming `what`. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
