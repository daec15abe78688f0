/**
 * A real Apache Kafka broker for tests: single-node KRaft, started as a plain `java` process from
 * jars fetched from Maven Central (.ci/kafka/pom.xml), on free loopback ports, in a temp dir.
 * It listens in PLAINTEXT and in SASL_PLAINTEXT with mechanism PLAIN (user miffy/miffy-secret).
 *
 * ## One broker per version per `npm test`, shared by every test file
 * node --test runs each test file in its own process, so an in-process cache cannot share a
 * broker. `npm test` passes `--test-global-setup=test/helpers/kafka-broker.ts`: Node 24 runs
 * `globalSetup` (below) once in the test runner process before any file, and `globalTeardown` once
 * after the last one, failures included. globalSetup opens a small HTTP endpoint on 127.0.0.1 and
 * puts its URL in `process.env`; the runner spawns every test file with a copy of its environment
 * (checked with Node 24.21: a variable set in globalSetup is seen by every test process), so
 * `sharedKafka(version)` in a test process asks that endpoint for the broker of that version. The
 * runner starts each version at most once (in the background as soon as the run starts, so the
 * JVM boot overlaps the unit tests) and globalTeardown kills them. Without the flag (a single file
 * run by hand), `sharedKafka()` starts a broker private to that process instead.
 *
 * Every java process is started under `setpriv --pdeathsig KILL`, so it dies with the process
 * that started it even when that process is SIGKILLed and never runs its clean-up.
 *
 * A test that needs to stop or kill a broker gets its own from `startKafka(t, ...)`.
 *
 * `KAFKA_BROKERS=host:port` (and optionally `KAFKA_SASL_BROKERS`) runs the tests against a broker
 * started elsewhere: nothing is started, and tests that must kill a broker are skipped with the
 * reason shown.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Kafka, logLevel } from 'kafkajs'

/** Kafka line → exact version. Mirrored in .ci/kafka/pom.xml (one profile per line): change both. */
export const KAFKA_VERSIONS: Readonly<Record<string, string>> = { '3.9': '3.9.2', '4.1': '4.1.2' }

export const SASL_USERNAME = 'miffy'
export const SASL_PASSWORD = 'miffy-secret'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const POM = join(REPO, '.ci', 'kafka', 'pom.xml')
/** Not MIFFY_* nor KAFKA_*: the config loader reads those prefixes from the environment. */
const MANAGER_ENV = 'TEST_MIFFY_KAFKA_MANAGER'
const START_TIMEOUT_MS = 90_000

export interface KafkaBroker {
  /** exact Kafka version, or `external` */
  readonly version: string
  /** PLAINTEXT listener, `127.0.0.1:PORT` */
  readonly brokers: string
  /** SASL_PLAINTEXT listener (mechanism PLAIN); throws when an external broker has none */
  readonly saslBrokers: string
  readonly sasl: { mechanism: 'plain'; username: string; password: string }
  /** the broker's own log, for a failing test to point at */
  readonly logFile: string | undefined
  /** SIGTERM, wait for exit (SIGKILL after 10 s) */
  stop(): Promise<void>
  /** SIGKILL: a crash */
  kill(): Promise<void>
  /** start again on the same ports and data (also starts a broker created with `start: false`) */
  restart(): Promise<void>
  /** SIGSTOP: a hung broker; connections are accepted, nothing answers */
  pause(): Promise<void>
  /** SIGCONT after pause() */
  resume(): Promise<void>
}

interface TestContextLike {
  after(fn: () => unknown): void
}

// ---------------------------------------------------------------------------------------------
// Versions

/**
 * The versions a Kafka suite runs against: every line in KAFKA_VERSIONS, or those listed in
 * `MIFFY_KAFKA_VERSIONS` (`4.1` or `3.9,4.1`); `['external']` when KAFKA_BROKERS is set.
 */
export function kafkaVersions(): string[] {
  if (process.env.KAFKA_BROKERS) return ['external']
  const wanted = process.env.MIFFY_KAFKA_VERSIONS
  if (!wanted) return Object.values(KAFKA_VERSIONS)
  return wanted
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(resolveVersion)
}

/** `4.1` or `4.1.2` → `4.1.2`. */
export function resolveVersion(version: string): string {
  if (KAFKA_VERSIONS[version]) return KAFKA_VERSIONS[version]
  if (Object.values(KAFKA_VERSIONS).includes(version)) return version
  throw new Error(
    `unknown Kafka version ${JSON.stringify(version)}: expected one of ${Object.entries(KAFKA_VERSIONS)
      .map(([line, exact]) => `${line} (${exact})`)
      .join(', ')}; add a profile to .ci/kafka/pom.xml and KAFKA_VERSIONS for another`,
  )
}

/** True when tests may stop and kill brokers (false against an external KAFKA_BROKERS). */
export function canControlBrokers(): boolean {
  return !process.env.KAFKA_BROKERS
}

// ---------------------------------------------------------------------------------------------
// Public entry points

/**
 * The broker of `version` shared by the whole test run. Do not stop or kill it (its methods
 * throw): use {@link startKafka} for that.
 */
export async function sharedKafka(version: string): Promise<KafkaBroker> {
  const external = externalBroker()
  if (external) return external
  const exact = resolveVersion(version)
  const url = process.env[MANAGER_ENV]
  if (url) {
    const res = await fetch(`${url}/broker/${exact}`)
    const body = (await res.json()) as {
      error?: string
      brokers: string
      saslBrokers: string
      logFile: string
    }
    if (!res.ok || body.error) throw new Error(body.error ?? `broker manager answered ${res.status}`)
    return new SharedBroker(exact, body.brokers, body.saslBrokers, body.logFile)
  }
  // No global setup (one file run by hand): a broker for this process only, killed at exit.
  let pending = processBrokers.get(exact)
  if (!pending) {
    pending = LocalBroker.create(exact, { start: true })
    processBrokers.set(exact, pending)
    pending.catch(() => processBrokers.delete(exact))
  }
  const local = await pending
  return new SharedBroker(exact, local.brokers, local.saslBrokers, local.logFile)
}

/**
 * A broker of `version` for this test alone (it may stop, kill and restart it), removed in
 * `t.after`. With `start: false` the ports and data dir are ready but nothing listens until
 * `restart()`: a broker that is down when the client starts.
 */
export async function startKafka(
  t: TestContextLike | undefined,
  opts: { version: string; start?: boolean; port?: number },
): Promise<KafkaBroker> {
  if (!canControlBrokers()) {
    throw new Error(
      'this test needs a broker it can stop and kill, but KAFKA_BROKERS points at an external one',
    )
  }
  const broker = await LocalBroker.create(resolveVersion(opts.version), {
    start: opts.start ?? true,
    ...(opts.port ? { port: opts.port } : {}),
  })
  t?.after(() => broker.dispose())
  return broker
}

/** Downloads (once, cached) the jars of `version`; returns their directory. */
export async function ensureKafkaJars(version: string): Promise<string> {
  const exact = resolveVersion(version)
  checkJava(exact)
  const result = fetchChain.then(() => fetchJars(exact))
  fetchChain = result.catch(() => {})
  return result
}

/** Where the jars are cached: `$MIFFY_KAFKA_CACHE`, else `<repo>/.cache/kafka`. */
export function kafkaCacheDir(): string {
  return process.env.MIFFY_KAFKA_CACHE || join(REPO, '.cache', 'kafka')
}

// ---------------------------------------------------------------------------------------------
// Global setup / teardown (node --test --test-global-setup=test/helpers/kafka-broker.ts)

let manager: BrokerManager | undefined

export async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS) return
  manager = new BrokerManager()
  process.env[MANAGER_ENV] = await manager.listen()
  if (process.env.MIFFY_KAFKA_PRESTART !== '0') {
    // Boot the JVMs while the first (non-Kafka) test files run; a failure is reported to the
    // first test that asks for the broker, with the reason.
    for (const v of kafkaVersions()) manager.get(v).catch(() => {})
  }
}

export async function globalTeardown(): Promise<void> {
  await manager?.close()
  manager = undefined
}

class BrokerManager {
  readonly #brokers = new Map<string, Promise<LocalBroker>>()
  #server: Server | undefined

  get(version: string): Promise<LocalBroker> {
    const exact = resolveVersion(version)
    let pending = this.#brokers.get(exact)
    if (!pending) {
      pending = LocalBroker.create(exact, { start: true })
      this.#brokers.set(exact, pending)
    }
    return pending
  }

  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const m = /^\/broker\/([\w.-]+)$/.exec(req.url ?? '')
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (!m) return reply(404, { error: `no route ${req.url}` })
      this.get(m[1]!).then(
        (b) =>
          reply(200, {
            version: b.version,
            brokers: b.brokers,
            saslBrokers: b.saslBrokers,
            logFile: b.logFile,
          }),
        (err: Error) => reply(500, { error: err.message }),
      )
    })
    this.#server = server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    // Test processes keep no connection open between requests; the runner must not wait on it.
    server.unref()
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('broker manager has no port')
    return `http://127.0.0.1:${address.port}`
  }

  async close(): Promise<void> {
    this.#server?.close()
    const all = [...this.#brokers.values()]
    this.#brokers.clear()
    await Promise.all(all.map((p) => p.then((b) => b.dispose()).catch(() => {})))
  }
}

/** The view of a broker owned by someone else (the runner, or this process's private cache). */
class SharedBroker implements KafkaBroker {
  readonly version: string
  readonly brokers: string
  readonly saslBrokers: string
  readonly logFile: string | undefined
  readonly sasl = { mechanism: 'plain' as const, username: SASL_USERNAME, password: SASL_PASSWORD }

  constructor(version: string, brokers: string, saslBrokers: string, logFile: string | undefined) {
    this.version = version
    this.brokers = brokers
    this.saslBrokers = saslBrokers
    this.logFile = logFile
  }

  #refuse(): Promise<void> {
    return Promise.reject(
      new Error(
        'this broker is shared by the whole test run: use startKafka(t, ...) for one a test can stop or kill',
      ),
    )
  }
  stop(): Promise<void> {
    return this.#refuse()
  }
  kill(): Promise<void> {
    return this.#refuse()
  }
  restart(): Promise<void> {
    return this.#refuse()
  }
  pause(): Promise<void> {
    return this.#refuse()
  }
  resume(): Promise<void> {
    return this.#refuse()
  }
}

function externalBroker(): KafkaBroker | undefined {
  const brokers = process.env.KAFKA_BROKERS
  if (!brokers) return undefined
  const saslBrokers = process.env.KAFKA_SASL_BROKERS
  const refuse = () =>
    Promise.reject(new Error('KAFKA_BROKERS points at an external broker: it cannot be stopped'))
  return {
    version: 'external',
    brokers,
    get saslBrokers(): string {
      if (!saslBrokers) {
        throw new Error(
          `KAFKA_BROKERS=${brokers} is set but KAFKA_SASL_BROKERS is not: this test needs a SASL_PLAINTEXT listener ` +
            `with mechanism PLAIN and user ${SASL_USERNAME}/${SASL_PASSWORD}; set KAFKA_SASL_BROKERS, or unset KAFKA_BROKERS ` +
            'to let the tests start their own broker',
        )
      }
      return saslBrokers
    },
    sasl: { mechanism: 'plain', username: SASL_USERNAME, password: SASL_PASSWORD },
    logFile: undefined,
    stop: refuse,
    kill: refuse,
    restart: refuse,
    pause: refuse,
    resume: refuse,
  }
}

// ---------------------------------------------------------------------------------------------
// A broker process of our own

const processBrokers = new Map<string, Promise<LocalBroker>>()
const liveBrokers = new Set<LocalBroker>()
let exitHookInstalled = false
let staleSwept = false

class LocalBroker implements KafkaBroker {
  readonly version: string
  readonly dir: string
  readonly libs: string
  readonly ports: { plain: number; sasl: number; controller: number }
  readonly sasl = { mechanism: 'plain' as const, username: SASL_USERNAME, password: SASL_PASSWORD }
  #child: ReturnType<typeof spawn> | undefined
  #exited: Promise<void> = Promise.resolve()
  #exitCode: string | undefined

  private constructor(version: string, dir: string, libs: string, ports: LocalBroker['ports']) {
    this.version = version
    this.dir = dir
    this.libs = libs
    this.ports = ports
  }

  get brokers(): string {
    return `127.0.0.1:${this.ports.plain}`
  }
  get saslBrokers(): string {
    return `127.0.0.1:${this.ports.sasl}`
  }
  get logFile(): string {
    return join(this.dir, 'broker.log')
  }

  static async create(
    version: string,
    opts: { start: boolean; port?: number },
    attempt = 1,
  ): Promise<LocalBroker> {
    sweepStaleDirs()
    const libs = await ensureKafkaJars(version)
    // The ports are free now but not reserved: something may take one before the JVM binds it.
    // A fixed PLAINTEXT port is for people (`npm run kafka` on 9092), never for tests.
    const [plain, sasl, controller] = opts.port ? [opts.port, ...(await freePorts(2))] : await freePorts(3)
    const dir = await mkdtemp(join(tmpdir(), `miffy-kafka-${version}-`))
    const broker = new LocalBroker(version, dir, libs, {
      plain: plain!,
      sasl: sasl!,
      controller: controller!,
    })
    liveBrokers.add(broker)
    installExitHook()
    try {
      await writeFile(join(dir, 'owner.pid'), String(process.pid))
      await broker.#writeConfig()
      await broker.#format()
      if (opts.start) await broker.#start()
      return broker
    } catch (err) {
      await broker.dispose()
      if (attempt < 3 && /BindException|Address already in use/.test((err as Error).message)) {
        return LocalBroker.create(version, opts, attempt + 1)
      }
      throw err
    }
  }

  get #major(): number {
    return Number(this.version.split('.')[0])
  }

  #jvmArgs(): string[] {
    const logging =
      this.#major >= 4
        ? `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.properties')}`
        : `-Dlog4j.configuration=file:${join(this.dir, 'log4j.properties')}`
    return [
      '-Xms64m',
      '-Xmx384m',
      '-XX:+UseSerialGC',
      // C1 only: the broker boots faster, and test traffic never needs C2's peak speed.
      '-XX:TieredStopAtLevel=1',
      '-XX:-UsePerfData',
      '-Djava.awt.headless=true',
      logging,
      '-cp',
      `${this.libs}/*`,
    ]
  }

  async #writeConfig(): Promise<void> {
    const { plain, sasl, controller } = this.ports
    const jaas =
      'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
      `username="${SASL_USERNAME}" password="${SASL_PASSWORD}" user_${SASL_USERNAME}="${SASL_PASSWORD}";`
    const lines = [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${plain},SASL://127.0.0.1:${sasl},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${plain},SASL://127.0.0.1:${sasl}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL:SASL_PLAINTEXT',
      'listener.name.sasl.sasl.enabled.mechanisms=PLAIN',
      `listener.name.sasl.plain.sasl.jaas.config=${jaas}`,
      `log.dirs=${join(this.dir, 'data')}`,
      'num.partitions=1',
      'auto.create.topics.enable=true',
      // One partition each: the default 50 make the first consumer group slow to coordinate.
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=1',
      'group.initial.rebalance.delay.ms=0',
      // After a SIGKILL the restarted broker must wait out its previous registration's session
      // (default 9 s) before the controller accepts it again: keep that short for crash tests.
      'broker.session.timeout.ms=2000',
      'broker.heartbeat.interval.ms=500',
    ]
    if (this.#major >= 4) {
      lines.push(
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'share.coordinator.state.topic.num.partitions=1',
      )
    }
    await writeFile(join(this.dir, 'server.properties'), `${lines.join('\n')}\n`)
    // Quiet apart from warnings, plus the one INFO line that says the server started.
    await writeFile(
      join(this.dir, 'log4j.properties'),
      [
        'log4j.rootLogger=WARN, stdout',
        'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.kafka.server.KafkaRaftServer=INFO',
        '',
      ].join('\n'),
    )
    await writeFile(
      join(this.dir, 'log4j2.properties'),
      [
        'status = warn',
        'appender.out.type = Console',
        'appender.out.name = STDOUT',
        'appender.out.layout.type = PatternLayout',
        'appender.out.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = warn',
        'rootLogger.appenderRef.out.ref = STDOUT',
        'logger.raft.name = kafka.server.KafkaRaftServer',
        'logger.raft.level = info',
        '',
      ].join('\n'),
    )
  }

  async #format(): Promise<void> {
    await mkdir(join(this.dir, 'data'))
    const args = [
      ...this.#jvmArgs(),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      join(this.dir, 'server.properties'),
    ]
    const { code, output } = await run(javaCommand(), args, 60_000)
    if (code !== 0)
      throw new Error(`formatting the Kafka ${this.version} storage failed (exit ${code}):\n${output}`)
  }

  async #start(): Promise<void> {
    if (this.#child) return
    const fd = openSync(this.logFile, 'a')
    const [command, ...prefix] = deathSignalPrefix()
    const child = spawn(
      command ?? javaCommand(),
      [...prefix, ...this.#jvmArgs(), 'kafka.Kafka', join(this.dir, 'server.properties')],
      {
        stdio: ['ignore', fd, fd],
      },
    )
    closeSync(fd)
    // The broker must never keep a test process alive; dispose() and the exit hook end it.
    child.unref()
    this.#child = child
    this.#exitCode = undefined
    this.#exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitCode = signal ?? String(code)
        if (this.#child === child) this.#child = undefined
        resolve()
      })
      child.once('error', (err) => {
        this.#exitCode = err.message
        if (this.#child === child) this.#child = undefined
        resolve()
      })
    })
    await this.#waitReady()
  }

  async #waitReady(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS
    let lastError = 'no answer yet'
    while (Date.now() < deadline) {
      if (this.#child === undefined) {
        throw new Error(
          `Kafka ${this.version} exited (${this.#exitCode}) before it was ready; its log (${this.logFile}):\n${tail(this.logFile)}`,
        )
      }
      try {
        await describeCluster(this.brokers)
        return
      } catch (err) {
        lastError = (err as Error).message
      }
      await sleep(150)
    }
    this.#child?.kill('SIGKILL')
    throw new Error(
      `Kafka ${this.version} did not answer a metadata request within ${START_TIMEOUT_MS} ms (${lastError}); its log:\n${tail(this.logFile)}`,
    )
  }

  async stop(): Promise<void> {
    const child = this.#child
    if (!child) return
    child.kill('SIGCONT')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await this.#exited
    clearTimeout(timer)
  }

  async kill(): Promise<void> {
    const child = this.#child
    if (!child) return
    child.kill('SIGKILL')
    // A ref'd timer: the awaited exit must not be cut short by an otherwise idle event loop.
    const keepAlive = setTimeout(() => {}, 10_000)
    await this.#exited
    clearTimeout(keepAlive)
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.#start()
  }

  async pause(): Promise<void> {
    this.#child?.kill('SIGSTOP')
  }

  async resume(): Promise<void> {
    this.#child?.kill('SIGCONT')
  }

  /** SIGKILL (the data is thrown away, no need for a clean shutdown) and remove the temp dir. */
  async dispose(): Promise<void> {
    liveBrokers.delete(this)
    await this.kill()
    await rm(this.dir, { recursive: true, force: true })
  }

  /** For the process exit hook: synchronous, best effort. */
  disposeSync(): void {
    this.#child?.kill('SIGKILL')
    try {
      rmSync(this.dir, { recursive: true, force: true })
    } catch {}
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const b of liveBrokers) b.disposeSync()
  })
}

/** Temp dirs left by a process that was SIGKILLed (its broker died with it: pdeathsig). */
function sweepStaleDirs(): void {
  if (staleSwept) return
  staleSwept = true
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('miffy-kafka-')) continue
    const dir = join(tmpdir(), name)
    try {
      const pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'))
      if (pid > 0 && isAlive(pid)) continue
      rmSync(dir, { recursive: true, force: true })
    } catch {}
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

// ---------------------------------------------------------------------------------------------
// Java, Maven, processes

function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
}

let deathPrefix: string[] | undefined
/** `setpriv --pdeathsig KILL --` (util-linux) when present: the JVM dies with its parent. */
function deathSignalPrefix(): string[] {
  if (deathPrefix) return deathPrefix
  const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' })
  deathPrefix = probe.status === 0 ? ['setpriv', '--pdeathsig', 'KILL', '--', javaCommand()] : [javaCommand()]
  return deathPrefix
}

const checkedJava = new Set<string>()
function checkJava(version: string): void {
  if (checkedJava.has(version)) return
  const java = javaCommand()
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' })
  if (probe.error) {
    throw new Error(
      `Java not found (${java}: ${(probe.error as NodeJS.ErrnoException).code}): the Kafka tests run a real Kafka ${version} ` +
        'broker, which needs Java 17 or later. Install it: apt-get install -y openjdk-17-jre-headless ' +
        '(or point JAVA_HOME at a JDK 17+)',
    )
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`)
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : Number.NaN
  if (!(major >= 17)) {
    throw new Error(
      `Java ${Number.isNaN(major) ? '(unknown version)' : major} found at ${java}, but Kafka ${version} needs Java 17 or later: ` +
        'apt-get install -y openjdk-17-jre-headless, or point JAVA_HOME at a JDK 17+',
    )
  }
  checkedJava.add(version)
}

let fetchChain: Promise<unknown> = Promise.resolve()

async function fetchJars(version: string): Promise<string> {
  const libs = join(kafkaCacheDir(), version, 'libs')
  if (existsSync(join(libs, `kafka_2.13-${version}.jar`))) return libs
  const line = Object.entries(KAFKA_VERSIONS).find(([, exact]) => exact === version)?.[0]
  if (line === undefined) throw new Error(`no Maven profile for Kafka ${version}`)
  const mvn = spawnSync('mvn', ['-v'], { stdio: 'ignore' })
  if (mvn.error) {
    throw new Error(
      `Maven not found (mvn: ${(mvn.error as NodeJS.ErrnoException).code}): the Kafka tests fetch the Kafka ${version} ` +
        `broker jars from Maven Central with it, into ${libs}. Install it: apt-get install -y maven ` +
        `(or put the jars there yourself: mvn -f .ci/kafka/pom.xml dependency:copy-dependencies -Dkafka.line=${line})`,
    )
  }
  // Into a temp dir, then one rename: an interrupted download never looks complete.
  const partial = `${libs}.partial-${process.pid}-${randomBytes(4).toString('hex')}`
  await mkdir(join(kafkaCacheDir(), version), { recursive: true })
  const args = [
    '-q',
    '-B',
    '-f',
    POM,
    'dependency:copy-dependencies',
    `-Dkafka.line=${line}`,
    `-Dkafka.version=${version}`,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${partial}`,
  ]
  const { code, output } = await run('mvn', args, 600_000)
  if (code !== 0 || !existsSync(join(partial, `kafka_2.13-${version}.jar`))) {
    await rm(partial, { recursive: true, force: true })
    throw new Error(
      `fetching the Kafka ${version} jars from Maven Central failed (mvn exit ${code}); the network must reach ` +
        `Maven Central. Command: mvn ${args.join(' ')}\n${output.slice(-4000)}`,
    )
  }
  try {
    await rename(partial, libs)
  } catch {
    // Another process finished first: theirs is as good as ours.
    await rm(partial, { recursive: true, force: true })
  }
  return libs
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      resolve({ code: null, output: `${output}\n${err.message}` })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** A KRaft cluster id: 16 random bytes, base64url, not starting with `-` (Kafka refuses those). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

async function freePorts(n: number): Promise<number[]> {
  // All open at once, so the kernel hands out n distinct ports.
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createTcpServer>>((resolve, reject) => {
          const s = createTcpServer()
          s.once('error', reject)
          s.listen(0, '127.0.0.1', () => resolve(s))
        }),
    ),
  )
  const ports = servers.map((s) => (s.address() as { port: number }).port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

// ---------------------------------------------------------------------------------------------
// Client helpers

function quietKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({
    brokers: [brokers],
    clientId,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
}

async function describeCluster(brokers: string): Promise<void> {
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: 'miffy-test-probe',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  })
  const admin = kafka.admin()
  try {
    await admin.connect()
    await admin.describeCluster()
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

/** Creates `topic` and waits until its partitions have leaders. */
export async function createTopic(brokers: string, topic: string, partitions = 1): Promise<void> {
  const admin = quietKafka(brokers, 'miffy-test-admin').admin()
  try {
    await admin.connect()
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    })
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

export interface ReadMessage {
  partition: number
  offset: string
  key: string | null
  value: string | null
  headers: Record<string, string>
}

/**
 * Reads `topic` from the beginning with a kafkajs consumer (fresh group) until `expect` messages
 * have arrived; rejects after `timeoutMs` saying how many did.
 */
export async function readAll(
  brokers: string,
  topic: string,
  opts: { expect: number; timeoutMs?: number },
): Promise<ReadMessage[]> {
  const timeoutMs = opts.timeoutMs ?? 20_000
  const consumer = quietKafka(brokers, 'miffy-test-reader').consumer({
    groupId: `miffy-test-${randomUUID()}`,
    allowAutoTopicCreation: false,
  })
  const out: ReadMessage[] = []
  let timer: NodeJS.Timeout | undefined
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`readAll(${topic}): ${out.length} of ${opts.expect} messages within ${timeoutMs} ms`),
          ),
        timeoutMs,
      )
      if (opts.expect <= 0) resolve()
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {}
            for (const [k, v] of Object.entries(message.headers ?? {})) {
              if (v !== undefined) headers[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString()
            }
            out.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              headers,
            })
            if (out.length >= opts.expect) resolve()
          },
        })
        .catch(reject)
    })
    return out
  } finally {
    clearTimeout(timer)
    await consumer.disconnect().catch(() => {})
  }
}

export interface KcatMessage {
  topic: string
  partition: number
  offset: number
  /** kcat -J gives headers as a flat [name, value, name, value, ...] list */
  headers?: string[]
  key: string | null
  payload: string | null
}

/** `kcat -C -b BROKERS -t TOPIC -o beginning -e -J -q`, one JSON object per line, parsed. */
export async function kcatRead(brokers: string, topic: string, timeoutMs = 20_000): Promise<KcatMessage[]> {
  const args = ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-J', '-q']
  const { code, output, missing } = await new Promise<{
    code: number | null
    output: string
    missing: boolean
  }>((resolve) => {
    const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      resolve({ code: null, output: err.message, missing: err.code === 'ENOENT' })
    })
    child.on('close', (c) => {
      clearTimeout(timer)
      resolve({ code: c, output: c === 0 ? stdout : `${stderr}${stdout}`, missing: false })
    })
  })
  if (missing) throw new Error('kcat not found: install the Debian package kcat (apt-get install -y kcat)')
  if (code !== 0) throw new Error(`kcat ${args.join(' ')} failed (exit ${code}):\n${output}`)
  return output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as KcatMessage)
}

/**
 * Produces `key:value` lines with kcat (librdkafka, so its default partitioner: the one the Rust
 * miffy used). Keys and values must not contain `:` or newlines.
 */
export async function kcatProduce(
  brokers: string,
  topic: string,
  messages: Array<[string, string]>,
): Promise<void> {
  const args = ['-P', '-b', brokers, '-t', topic, '-K:', '-q']
  const result = await new Promise<{ code: number | null; output: string; missing: boolean }>((resolve) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      resolve({ code: null, output: err.message, missing: err.code === 'ENOENT' })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output: stderr, missing: false })
    })
    child.stdin.on('error', () => {})
    child.stdin.end(messages.map(([k, v]) => `${k}:${v}\n`).join(''))
  })
  if (result.missing)
    throw new Error('kcat not found: install the Debian package kcat (apt-get install -y kcat)')
  if (result.code !== 0)
    throw new Error(`kcat ${args.join(' ')} failed (exit ${result.code}):\n${result.output}`)
}
