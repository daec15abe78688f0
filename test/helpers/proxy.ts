/**
 * Builds miffy in-process with a config (defaults + overrides), listening on 127.0.0.1:0 for
 * both servers, with its log lines captured. Closed in t.after.
 */
import type { TestContext } from 'node:test'
import pino from 'pino'
import { type App, buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import type { MiffyConfig } from '../../src/config/schema.ts'
import type { PairMessage } from '../../src/diff/model.ts'
import type { DivergenceFilter } from '../../src/publish/divergence-log.ts'
import type { Sink } from '../../src/publish/sink.ts'
import type { Outcome } from '../../src/shadow/outcome.ts'

export interface RunningProxy {
  app: App
  config: MiffyConfig
  url: string
  managementUrl: string
  logs: Record<string, unknown>[]
  /** the outcome counts of one route, from the ledger */
  outcomes(route: string): Record<Outcome, number>
  /** resolves once every mirror started so far has been compared and counted */
  settled(): Promise<void>
  /** the stored divergences, newest first, parsed from the bytes that were published */
  divergences(filter?: DivergenceFilter): PairMessage[]
}

/**
 * The defaults with `overrides` on top, as a reload would read them (a bad one throws
 * MiffyError). `reference` and `candidate` are required settings; a test that does not care
 * gets an address where nothing listens (port 1: refused at once).
 */
export function testConfig(overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): MiffyConfig {
  const upstreams = { reference: 'http://127.0.0.1:1', candidate: 'http://127.0.0.1:1' }
  return loadConfig({
    env,
    cwd: '/nonexistent',
    overrides: { host: '127.0.0.1', ...upstreams, ...overrides },
  }).config
}

export async function startProxy(
  t: TestContext,
  overrides: Record<string, unknown>,
  options: { sink?: Sink; env?: NodeJS.ProcessEnv; load?: () => MiffyConfig } = {},
): Promise<RunningProxy> {
  const config = testConfig(overrides, options.env)
  const logs: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        logs.push(JSON.parse(line))
      },
    },
  )
  const app = await buildApp(config, {
    logger,
    ...(options.sink ? { sink: options.sink } : {}),
    // what a reload reads: by default the same config again (never the test runner's files)
    load: options.load ?? (() => config),
  })
  t.after(() => app.close(2000))
  await app.proxy.listen({ port: 0, host: '127.0.0.1' })
  await app.management.listen({ port: 0, host: '127.0.0.1' })
  const port = (s: typeof app.proxy) => (s.server.address() as { port: number }).port
  return {
    app,
    config,
    url: `http://127.0.0.1:${port(app.proxy)}`,
    managementUrl: `http://127.0.0.1:${port(app.management)}`,
    logs,
    outcomes(route) {
      const r = app.ctx.ledger.summary().routes.find((x) => x.route === route)
      if (!r) throw new Error(`no route ${route} in the ledger`)
      return r.outcomes
    },
    async settled() {
      while (app.ctx.pending.size > 0) await Promise.allSettled([...app.ctx.pending])
    },
    divergences(filter) {
      return app.ctx.divergences.list(filter).map((p) => JSON.parse(p.value.toString('utf8')) as PairMessage)
    },
  }
}
