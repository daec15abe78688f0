/**
 * The soak (issue 10): miffy under steady mixed load for a long time with everything that goes
 * wrong in production going wrong at once, and a verdict on the product's promises.
 *
 *   node bench/soak.ts                      # 10 minutes, then its section in BENCHMARKS.md
 *   node bench/soak.ts --seconds 60 --out -  # shortened; the section on stdout only
 *   npm run bench -- --only soak            # the same through the benchmark's entry point
 *
 * What runs, all on loopback:
 * - the reference (bench/origin.ts, its own process) and a candidate in this process that is
 *   slow (50-300 ms), differs on odd ids, and hangs past candidate_timeout on every tenth id;
 * - a Kafka broker started for the run, killed (SIGKILL) at 20 % of the time and restarted at
 *   30 % (with --kafka-brokers, an external broker that is left alone). Early, so that the outbox
 *   has filled and drained before the second half, over which RSS must be flat: memory taken
 *   during an outage is kept by the heap for reuse, and is not growth;
 * - paced clients (`--rate` requests/s: 90 % on the experiment, 10 % plain proxying) that must
 *   all get the reference's 200;
 * - slow-body clients (`--slow-clients` every 2 s: a POST that sends 10 of 1000 bytes and stops)
 *   that must get 408: at body_timeout when the request is mirrored, at request_timeout when it
 *   is not (sampled out, breaker open: its body streams to the reference, which waits for it);
 *   and slowloris clients (a request head that never ends) that must get 408 at headers_timeout.
 *
 * The verdict: zero errors for the paced clients; every slow client cut off with 408; the
 * outcomes add up to the requests on the route and every reported pair is accounted for by the
 * publisher; RSS flat over the second half (growth under 10 %). It stops by itself: the load at
 * `--seconds`, the settling within 30 s, a watchdog at twice the plan.
 */
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { type Metrics, outcomes, ROOT, settle, startMiffy, sum } from './miffy.ts'
import { document, startOrigin } from './origin.ts'
import { RssSampler, type RssSummary, summariseRss } from './proc-stats.ts'
import { freePorts, killAllSync, stopAll } from './processes.ts'
import { replaceSoakSection } from './soak-section.ts'

export interface SoakOptions {
  seconds: number
  /** paced requests per second of the well-behaved clients */
  rate: number
  /** slow-body clients started every 2 s */
  slowClients: number
  kafkaBrokers: string | undefined
  kafkaVersion: string
  noKafka: boolean
  log: (s: string) => void
}

interface Tally {
  /** milliseconds from sending to the answer, of those answered as expected */
  waitedMs: number[]
  sent: number
  ok: number
  /** answered, but not as expected */
  wrong: number
  /** no answer: connection errors and timeouts */
  errors: number
  /** a few examples of what went wrong */
  examples: string[]
}

export interface SoakResult {
  startedAt: string
  seconds: number
  command: string
  machine: { cores: number; cpuModel: string; memoryGiB: number; node: string }
  settings: {
    rate: number
    slowClients: number
    candidate: string
    limits: Record<string, string>
    kafka: string
  }
  clients: Tally
  slowBody: Tally
  slowHeaders: Tally
  outcomes: Record<string, number>
  routeRequests: number
  accounted: boolean
  /** published outcomes (diverged + failed legs) */
  reported: number
  publish: Record<string, number>
  publishAccounted: boolean
  rss: RssSummary
  /** miffy_divergence_log_bytes and miffy_buffered_bytes at the end */
  memoryGauges: { divergenceLogBytes: number; bufferedBytes: number }
  verdict: { zeroClientErrors: boolean; slowClientsCut: boolean; outcomesAddUp: boolean; flatRss: boolean }
  passed: boolean
}

const ROUTE_PREFIX = '/api/'
const LIMITS = {
  MIFFY_CANDIDATE_TIMEOUT: '1s',
  MIFFY_BODY_TIMEOUT: '2s',
  MIFFY_HEADERS_TIMEOUT: '3s',
  MIFFY_REQUEST_TIMEOUT: '8s',
  MIFFY_MAX_IN_FLIGHT: '64',
  MIFFY_QUEUE: '128',
}
/** a slow client not cut off by then has been forgotten by miffy */
const SLOW_CLIENT_PATIENCE_MS = 15_000

/** The candidate: slow, differing on odd ids, hanging past candidate_timeout on every tenth id. */
async function startCandidate(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const id = (req.url ?? '/').split('?')[0]!.split('/').pop() ?? '0'
    const n = Number(id) || 0
    req.resume()
    const delay = n % 10 === 0 ? 3_000 : 50 + Math.floor(Math.random() * 250)
    const timer = setTimeout(() => {
      const body = document(id, n % 2 === 1 ? 'differ' : 'reference')
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    }, delay)
    res.once('close', () => clearTimeout(timer))
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }
}

const tally = (): Tally => ({ waitedMs: [], sent: 0, ok: 0, wrong: 0, errors: 0, examples: [] })
const note = (t: Tally, what: string) => {
  if (t.examples.length < 5) t.examples.push(what)
}

/**
 * One raw connection that sends `text` and reads until the server closes: the status line's code
 * and how long the answer took.
 */
function rawExchange(port: number, text: string, timeoutMs: number): Promise<{ status: number; ms: number }> {
  const sent = performance.now()
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on('data', (c) => {
      answer += c.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(answer)
      if (m) resolve({ status: Number(m[1]), ms: performance.now() - sent })
      else reject(new Error(`closed without an answer: ${JSON.stringify(answer.slice(0, 80))}`))
    })
    socket.write(text)
  })
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log
  const dir = mkdtempSync(join(tmpdir(), 'miffy-soak-'))
  const startedAt = new Date()
  // twice the plan: the load, a minute to start a broker, half a minute to settle
  const watchdog = setTimeout(
    () => {
      log('soak overran twice its planned time: killing everything')
      killAllSync()
      process.exit(1)
    },
    (o.seconds + 120) * 2 * 1000,
  )
  watchdog.unref()
  let broker: { kill(): Promise<void>; restart(): Promise<void>; dispose(): Promise<void> } | undefined
  let candidate: Server | undefined
  try {
    let kafka: string | undefined
    let kafkaNote = 'none (log sink)'
    if (!o.noKafka) {
      const helper = await import('../test/helpers/kafka-broker.ts')
      if (o.kafkaBrokers) {
        kafka = o.kafkaBrokers
        kafkaNote = `external ${o.kafkaBrokers}, not restarted`
      } else {
        log(`starting a Kafka ${o.kafkaVersion} broker...`)
        const b = await helper.startKafka(undefined, { version: o.kafkaVersion })
        broker = b as unknown as typeof broker
        kafka = b.brokers
        kafkaNote = `Kafka ${b.version} started by the soak; SIGKILL at 20 %, restarted at 30 %`
      }
    }
    const topic = `miffy-soak-${Date.now()}`
    if (kafka) {
      const { createTopic } = await import('../test/helpers/kafka-broker.ts')
      await createTopic(kafka, topic)
    }
    const [referencePort, port, managementPort] = await freePorts(3)
    const reference = await startOrigin('reference', referencePort!, { dir })
    const cand = await startCandidate()
    candidate = cand.server
    const miffy = await startMiffy({
      port: port!,
      managementPort: managementPort!,
      reference: reference.url,
      candidate: cand.url,
      kafka,
      topic,
      workers: 1,
      dir,
      env: LIMITS,
    })
    log(`miffy on ${miffy.url}; ${o.seconds} s of load at ${o.rate} req/s`)

    const rss = new RssSampler(miffy.proc.pid, 1000)
    rss.start()
    const clients = tally()
    const slowBody = tally()
    const slowHeaders = tally()
    const pool = new Pool(miffy.url, { connections: 64, pipelining: 1 })
    const pending = new Set<Promise<unknown>>()
    const track = (p: Promise<unknown>) => {
      pending.add(p)
      void p.finally(() => pending.delete(p))
    }
    const started = performance.now()
    const elapsed = () => (performance.now() - started) / 1000
    const end = started + o.seconds * 1000

    const paced = async () => {
      const interval = 1000 / o.rate
      let next = performance.now()
      let i = 0
      while (performance.now() < end) {
        i++
        const id = 1 + Math.floor(Math.random() * 1000)
        const path = i % 10 === 0 ? `/other/${id}` : `${ROUTE_PREFIX}${id}`
        clients.sent++
        track(
          pool
            .request({ path, method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 })
            .then(async (res) => {
              const body = await res.body.text()
              if (res.statusCode === 200 && body.length > 0) clients.ok++
              else {
                clients.wrong++
                note(clients, `${path}: ${res.statusCode} ${body.slice(0, 80)}`)
              }
            })
            .catch((err: Error) => {
              clients.errors++
              note(clients, `${path}: ${err.message}`)
            }),
        )
        next += interval
        const wait = next - performance.now()
        if (wait > 0) await sleep(wait)
      }
    }

    const slow = async () => {
      let round = 0
      while (performance.now() < end - 2_000) {
        round++
        for (let k = 0; k < o.slowClients; k++) {
          slowBody.sent++
          const body = `POST ${ROUTE_PREFIX}${round * 100 + k} HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"slow":tr`
          track(
            rawExchange(port!, body, SLOW_CLIENT_PATIENCE_MS).then(
              ({ status, ms }) => {
                if (status === 408) {
                  slowBody.ok++
                  slowBody.waitedMs.push(ms)
                } else {
                  slowBody.wrong++
                  note(slowBody, `status ${status}`)
                }
              },
              (err: Error) => {
                slowBody.errors++
                note(slowBody, err.message)
              },
            ),
          )
        }
        if (round % 3 === 0) {
          slowHeaders.sent++
          track(
            rawExchange(
              port!,
              `GET ${ROUTE_PREFIX}1 HTTP/1.1\r\nHost: soak\r\nX-Slow: `,
              SLOW_CLIENT_PATIENCE_MS,
            ).then(
              ({ status, ms }) => {
                if (status === 408) {
                  slowHeaders.ok++
                  slowHeaders.waitedMs.push(ms)
                } else {
                  slowHeaders.wrong++
                  note(slowHeaders, `status ${status}`)
                }
              },
              (err: Error) => {
                slowHeaders.errors++
                note(slowHeaders, err.message)
              },
            ),
          )
        }
        await sleep(2_000)
      }
    }

    const faults = async () => {
      if (!broker) return
      await sleep(o.seconds * 200)
      log(`  ${elapsed().toFixed(0)} s: Kafka broker killed`)
      await broker.kill()
      await sleep(Math.max(0, started + o.seconds * 300 - performance.now()))
      log(`  ${elapsed().toFixed(0)} s: Kafka broker restarting`)
      await broker.restart()
      log(`  ${elapsed().toFixed(0)} s: Kafka broker back`)
    }

    const progress = async () => {
      while (performance.now() < end) {
        await sleep(Math.min(30_000, Math.max(1_000, end - performance.now())))
        const mib = (rss.samples.at(-1)?.bytes ?? 0) / 2 ** 20
        log(
          `  ${elapsed().toFixed(0)} s: ${clients.ok}/${clients.sent} ok, ${clients.errors + clients.wrong} bad; ` +
            `slow bodies ${slowBody.ok}/${slowBody.sent} got 408; RSS ${mib.toFixed(0)} MiB`,
        )
      }
    }

    await Promise.all([paced(), slow(), faults(), progress()])
    log('load stopped; waiting for the last answers and for miffy to settle')
    await Promise.allSettled([...pending])
    await pool.close()
    const metrics: Metrics = await settle(miffy, 30_000)
    const samples = rss.stop()
    const o2 = outcomes(metrics)
    const by = o2.outcomes
    const reported =
      (by.diverged ?? 0) + (by.candidate_timeout ?? 0) + (by.candidate_error ?? 0) + (by.reference_error ?? 0)
    const published = Object.values(o2.publish).reduce((a, b) => a + b, 0)
    const rssSummary = summariseRss(samples)
    const verdict = {
      zeroClientErrors: clients.errors === 0 && clients.wrong === 0 && clients.ok === clients.sent,
      slowClientsCut: slowBody.ok === slowBody.sent && slowHeaders.ok === slowHeaders.sent,
      outcomesAddUp: o2.accounted && published === reported,
      flatRss: rssSummary.growthLastHalf < 0.1,
    }
    const result: SoakResult = {
      startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      seconds: o.seconds,
      command: '',
      machine: {
        cores: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.versions.node,
      },
      settings: {
        rate: o.rate,
        slowClients: o.slowClients,
        candidate: '50-300 ms, differs on odd ids, hangs 3 s on every tenth',
        limits: LIMITS,
        kafka: kafkaNote,
      },
      clients,
      slowBody,
      slowHeaders,
      outcomes: by,
      routeRequests: o2.routeRequests,
      accounted: o2.accounted,
      reported,
      publish: o2.publish,
      publishAccounted: published === reported,
      rss: rssSummary,
      memoryGauges: {
        divergenceLogBytes: sum(metrics, 'miffy_divergence_log_bytes'),
        bufferedBytes: sum(metrics, 'miffy_buffered_bytes'),
      },
      verdict,
      passed: Object.values(verdict).every(Boolean),
    }
    return result
  } finally {
    clearTimeout(watchdog)
    await stopAll()
    candidate?.closeAllConnections()
    candidate?.close()
    await broker?.dispose().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`
/** `1.9-8.0 s` (shortest and longest wait) */
const waits = (t: Tally) =>
  t.waitedMs.length === 0
    ? ''
    : ` after ${(Math.min(...t.waitedMs) / 1000).toFixed(1)}-${(Math.max(...t.waitedMs) / 1000).toFixed(1)} s`
const yes = (ok: boolean) => (ok ? 'yes' : '**no**')

/** The soak's section of BENCHMARKS.md. */
export function renderSoak(r: SoakResult): string {
  const o = Object.entries(r.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
    .join(', ')
  const p = Object.entries(r.publish)
    .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
    .join(', ')
  const bad = (t: Tally) => t.wrong + t.errors
  const lines = [
    '## Soak',
    '',
    `${r.passed ? 'Passed' : '**Failed**'}: ${r.seconds} s on ${r.startedAt}, \`${r.command}\`; ${r.machine.cores} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}.`,
    `Load: ${r.settings.rate} req/s paced (90 % on the experiment \`/api/{id}\`, 10 % plain proxying), ` +
      `${r.settings.slowClients} slow-body clients every 2 s, a slowloris client every 6 s. Candidate: ${r.settings.candidate}. ` +
      `Kafka: ${r.settings.kafka}. Limits: ${Object.entries(r.settings.limits)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}.`,
    '',
    '| promise | figures | kept |',
    '|---|---|---|',
    `| zero client errors | ${r.clients.ok.toLocaleString('en-US')} of ${r.clients.sent.toLocaleString('en-US')} requests answered 200; ${bad(r.clients)} not${r.clients.examples.length ? ` (${r.clients.examples.join('; ')})` : ''} | ${yes(r.verdict.zeroClientErrors)} |`,
    `| slow clients cut off | slow bodies: ${r.slowBody.ok} of ${r.slowBody.sent} got 408${waits(r.slowBody)} (mirrored: body_timeout; not mirrored: request_timeout); slow heads: ${r.slowHeaders.ok} of ${r.slowHeaders.sent} got 408${waits(r.slowHeaders)}${[...r.slowBody.examples, ...r.slowHeaders.examples].length ? ` (${[...r.slowBody.examples, ...r.slowHeaders.examples].join('; ')})` : ''} | ${yes(r.verdict.slowClientsCut)} |`,
    `| outcomes add up | ${r.routeRequests.toLocaleString('en-US')} requests on the route, outcomes: ${o}; reported ${r.reported.toLocaleString('en-US')}, publisher: ${p || 'nothing'} | ${yes(r.verdict.outcomesAddUp)} |`,
    `| flat RSS | ${(r.rss.growthLastHalf * 100).toFixed(1)} % over the second half (peak ${mib(r.rss.peak)}, end ${mib(r.rss.end)}; every tenth of the run: ${r.rss.series.join(', ')} MiB); divergence log ${mib(r.memoryGauges.divergenceLogBytes)}, buffered ${mib(r.memoryGauges.bufferedBytes)} at the end | ${yes(r.verdict.flatRss)} |`,
    '',
  ]
  return lines.join('\n')
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '600' },
      rate: { type: 'string', default: '200' },
      'slow-clients': { type: 'string', default: '8' },
      out: { type: 'string', default: join(ROOT, 'BENCHMARKS.md') },
      'kafka-brokers': { type: 'string' },
      'kafka-version': { type: 'string', default: '4.1' },
      'no-kafka': { type: 'boolean', default: false },
    },
  })
  const onSignal = () => {
    killAllSync()
    process.exit(130)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  process.once('exit', killAllSync)
  const result = await runSoak({
    seconds: Number(values.seconds),
    rate: Number(values.rate),
    slowClients: Number(values['slow-clients']),
    kafkaBrokers: values['kafka-brokers'],
    kafkaVersion: values['kafka-version'],
    noKafka: values['no-kafka'],
    log: (s) => process.stderr.write(`${s}\n`),
  })
  result.command = `node bench/soak.ts ${process.argv.slice(2).join(' ')}`.trim()
  const section = renderSoak(result)
  process.stdout.write(`\n${section}\n`)
  if (values.out !== '-') {
    writeFileSync(values.out, replaceSoakSection(readFileSync(values.out, 'utf8'), section))
    process.stderr.write(`wrote the soak section of ${values.out}\n`)
  }
  process.exit(result.passed ? 0 : 1)
}
