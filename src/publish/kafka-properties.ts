/**
 * librdkafka-style properties (the `[kafka]` table of the config, as the Rust miffy took them) →
 * kafkajs options.
 *
 * The rule: a property kafkajs can honour is mapped; a pure tuning property it cannot honour is
 * accepted with a warning (the message still gets delivered, only differently tuned); a property
 * that changes security or delivery guarantees and cannot be honoured is an error, and so is an
 * unknown name (a typo must not silently turn TLS or SASL off).
 */
import { readFileSync } from 'node:fs'
import type { ConnectionOptions } from 'node:tls'
import { crc32 } from 'node:zlib'
import {
  CompressionTypes,
  type ICustomPartitioner,
  type KafkaConfig,
  Partitioners,
  type ProducerConfig,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs'
import { MAX_DURATION_MS } from '../config/schema.ts'
import { closestName } from '../did-you-mean.ts'
import { MiffyError } from '../errors.ts'

export type KafkaPropertyValue = string | number | boolean | string[]

export interface MappedKafkaProperties {
  /** for `new Kafka(...)`; no logger: the sink adds its own `logCreator` */
  kafka: KafkaConfig
  /** for `kafka.producer(...)` */
  producer: ProducerConfig
  /** per `producer.send()` */
  send: { acks: number; timeout: number; compression: CompressionTypes }
  /** the per-message cap (key + value) the outbox applies; librdkafka's `message.max.bytes` */
  maxMessageBytes: number
  /** one line per accepted property that kafkajs cannot honour, naming it */
  warnings: string[]
}

export interface SupportedProperty {
  name: string
  aliases?: readonly string[]
  /** the kafkajs option (or miffy behaviour) it becomes */
  mapsTo: string
  values: string
  /** what miffy does when the property is absent */
  default: string
}

/** Properties that are honoured. The README's table is checked against this list. */
export const SUPPORTED_PROPERTIES: readonly SupportedProperty[] = [
  {
    name: 'bootstrap.servers',
    aliases: ['metadata.broker.list', 'brokers'],
    mapsTo: 'brokers',
    values: 'comma-separated host:port list (`brokers`: array of strings, from the Rust miffy config)',
    default: 'required',
  },
  { name: 'client.id', mapsTo: 'clientId', values: 'string', default: 'miffy' },
  {
    name: 'security.protocol',
    mapsTo: 'ssl / sasl',
    values: 'plaintext, ssl, sasl_plaintext, sasl_ssl (any case)',
    default: 'plaintext',
  },
  {
    name: 'sasl.mechanisms',
    aliases: ['sasl.mechanism'],
    mapsTo: 'sasl.mechanism',
    values: 'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512',
    default: 'required with sasl_*',
  },
  { name: 'sasl.username', mapsTo: 'sasl.username', values: 'string', default: 'required with sasl_*' },
  {
    name: 'sasl.password',
    mapsTo: 'sasl.password',
    values: 'string (or env KAFKA_SASL_PASSWORD)',
    default: 'required with sasl_*',
  },
  { name: 'ssl.ca.location', mapsTo: 'ssl.ca', values: 'path to a PEM file', default: "Node's CA store" },
  { name: 'ssl.ca.pem', mapsTo: 'ssl.ca', values: 'PEM text', default: "Node's CA store" },
  { name: 'ssl.certificate.location', mapsTo: 'ssl.cert', values: 'path to a PEM file', default: 'none' },
  { name: 'ssl.certificate.pem', mapsTo: 'ssl.cert', values: 'PEM text', default: 'none' },
  { name: 'ssl.key.location', mapsTo: 'ssl.key', values: 'path to a PEM file', default: 'none' },
  { name: 'ssl.key.pem', mapsTo: 'ssl.key', values: 'PEM text', default: 'none' },
  { name: 'ssl.key.password', mapsTo: 'ssl.passphrase', values: 'string', default: 'none' },
  { name: 'ssl.cipher.suites', mapsTo: 'ssl.ciphers', values: 'OpenSSL cipher list', default: "Node's" },
  {
    name: 'enable.ssl.certificate.verification',
    mapsTo: 'ssl.rejectUnauthorized',
    values: 'true, false',
    default: 'true',
  },
  {
    name: 'acks',
    aliases: ['request.required.acks'],
    mapsTo: 'send({ acks })',
    values: 'all, -1, 0, 1',
    default: 'all',
  },
  {
    name: 'compression.codec',
    aliases: ['compression.type'],
    mapsTo: 'send({ compression })',
    values: 'none, gzip (snappy, lz4, zstd are not built into kafkajs: error)',
    default: 'none',
  },
  { name: 'request.timeout.ms', mapsTo: 'send({ timeout })', values: 'integer ms', default: '30000' },
  { name: 'socket.timeout.ms', mapsTo: 'requestTimeout', values: 'integer ms', default: '30000' },
  {
    name: 'socket.connection.setup.timeout.ms',
    mapsTo: 'connectionTimeout',
    values: 'integer ms',
    default: '1000',
  },
  {
    name: 'retries',
    aliases: ['message.send.max.retries'],
    mapsTo: 'retry.retries (inside one kafkajs send; the outbox then retries the batch)',
    values: 'integer',
    default: '2',
  },
  {
    name: 'retry.backoff.ms',
    mapsTo: 'retry.initialRetryTime; also the outbox backoff',
    values: 'integer ms',
    default: '300 (kafkajs), 250 (outbox)',
  },
  {
    name: 'retry.backoff.max.ms',
    mapsTo: 'retry.maxRetryTime; also the outbox backoff cap',
    values: 'integer ms',
    default: '30000 (kafkajs), 5000 (outbox)',
  },
  {
    name: 'message.max.bytes',
    mapsTo: 'outbox per-message cap (key + value); larger messages are dropped and counted',
    values: 'integer bytes',
    default: '1000000',
  },
  {
    name: 'partitioner',
    mapsTo: 'createPartitioner',
    values:
      'consistent_random, consistent (CRC32 of the key, as librdkafka and the Rust miffy); murmur2_random, murmur2 (Java-compatible)',
    default: 'consistent_random',
  },
  {
    name: 'allow.auto.create.topics',
    mapsTo: 'allowAutoTopicCreation',
    values: 'true, false',
    default: 'true',
  },
  {
    name: 'topic.metadata.refresh.interval.ms',
    mapsTo: 'metadataMaxAge',
    values: 'integer ms',
    default: '300000',
  },
  {
    name: 'max.in.flight',
    aliases: ['max.in.flight.requests.per.connection'],
    mapsTo: 'maxInFlightRequests',
    values: 'integer',
    default: 'unlimited (the outbox sends one batch at a time anyway)',
  },
  {
    name: 'enable.idempotence',
    mapsTo: 'idempotent (only false: kafkajs marks its idempotent producer experimental)',
    values: 'false',
    default: 'false',
  },
]

/** Tuning properties kafkajs has no knob for: accepted, reported in `warnings`. */
export const IGNORED_PROPERTIES: Readonly<Record<string, string>> = {
  'linger.ms': 'the outbox batches instead (outbox linger)',
  'queue.buffering.max.ms': 'the outbox batches instead (outbox linger)',
  'batch.num.messages': 'the outbox batches instead (outbox batch size)',
  'batch.size': 'the outbox batches instead (outbox batch size)',
  'queue.buffering.max.messages': 'the outbox is bounded instead (outbox max messages)',
  'queue.buffering.max.kbytes': 'the outbox is bounded instead (outbox max bytes)',
  'queue.buffering.backpressure.threshold': 'no client-side queue in kafkajs',
  'message.timeout.ms': 'the outbox bounds retries by attempts instead',
  'delivery.timeout.ms': 'the outbox bounds retries by attempts instead',
  'compression.level': 'kafkajs uses the default gzip level',
  'statistics.interval.ms': 'no statistics callback; see the miffy_* metrics',
  debug: 'kafkajs logs go to the miffy logger at debug level',
  log_level: 'kafkajs logs go to the miffy logger at debug level',
  'log.connection.close': 'kafkajs logs go to the miffy logger at debug level',
  'socket.keepalive.enable': 'no kafkajs option',
  'socket.nagle.disable': 'no kafkajs option',
  'socket.send.buffer.bytes': 'no kafkajs option',
  'socket.receive.buffer.bytes': 'no kafkajs option',
  'socket.max.fails': 'no kafkajs option',
  'ssl.endpoint.identification.algorithm':
    'Node always verifies the broker host name when certificate verification is on',
  'metadata.max.age.ms': 'use topic.metadata.refresh.interval.ms',
  'topic.metadata.refresh.fast.interval.ms': 'no kafkajs option',
  'topic.metadata.refresh.sparse': 'no kafkajs option',
  'topic.metadata.propagation.max.ms': 'no kafkajs option',
  'reconnect.backoff.ms': 'the outbox reconnects with retry.backoff.ms',
  'reconnect.backoff.max.ms': 'the outbox reconnects with retry.backoff.max.ms',
  'api.version.request': 'kafkajs always negotiates API versions',
  'api.version.request.timeout.ms': 'no kafkajs option',
  'api.version.fallback.ms': 'no kafkajs option',
  'broker.version.fallback': 'kafkajs always negotiates API versions',
  'broker.address.ttl': 'no kafkajs option',
  'broker.address.family': 'no kafkajs option',
  'connections.max.idle.ms': 'no kafkajs option',
  'client.rack': 'producers do not use it',
  'sticky.partitioning.linger.ms': 'miffy messages always have a key',
  'message.copy.max.bytes': 'no kafkajs option',
  'receive.message.max.bytes': 'no kafkajs option',
  'queuing.strategy': 'no kafkajs option',
  'client.dns.lookup': 'no kafkajs option',
  'enable.random.seed': 'no kafkajs option',
}

/**
 * Known properties that change security or delivery and that kafkajs cannot honour. Keys ending
 * in `.` are prefixes.
 */
export const REJECTED_PROPERTIES: Readonly<Record<string, string>> = {
  'sasl.kerberos.': 'kafkajs has no GSSAPI/Kerberos support',
  'sasl.oauthbearer.': 'OAUTHBEARER is not supported by miffy',
  'enable.sasl.oauthbearer.unsecure.jwt': 'OAUTHBEARER is not supported by miffy',
  'transactional.id': 'transactions are not supported: miffy publishes with at-least-once delivery',
  'transaction.timeout.ms': 'transactions are not supported: miffy publishes with at-least-once delivery',
  'enable.gapless.guarantee': 'needs the idempotent producer, which miffy does not use',
  'ssl.keystore.location':
    'PKCS#12 keystores are not supported: use ssl.certificate.location and ssl.key.location',
  'ssl.keystore.password':
    'PKCS#12 keystores are not supported: use ssl.certificate.location and ssl.key.location',
  'ssl.crl.location': 'certificate revocation lists are not supported',
  'ssl.engine.location': 'OpenSSL engines are not supported',
  'ssl.engine.id': 'OpenSSL engines are not supported',
  'ssl.providers': 'OpenSSL providers are not supported',
  'ssl.curves.list': 'not supported',
  'ssl.sigalgs.list': 'not supported',
  'ssl.ca.certificate.stores': 'Windows certificate stores are not supported',
}

const SASL_MECHANISMS: Readonly<Record<string, SASLOptions['mechanism']>> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
}

const PROTOCOLS = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'] as const
type Protocol = (typeof PROTOCOLS)[number]

/** librdkafka's default partitioner: CRC32 of the key modulo the partition count. */
const consistentPartitioner = (randomForEmptyKey: boolean): ICustomPartitioner => {
  return () =>
    ({ partitionMetadata, message }) => {
      const count = partitionMetadata.length
      const key = message.key == null ? Buffer.alloc(0) : Buffer.from(message.key)
      if (key.length === 0) return randomForEmptyKey ? Math.floor(Math.random() * count) : 0
      return crc32(key) % count
    }
}

const PARTITIONERS: Readonly<Record<string, ICustomPartitioner>> = {
  // The Rust miffy used librdkafka's default (consistent_random); keeping it keeps every key on the
  // partition it had, so a consumer that relies on per-key order sees no change when miffy is swapped.
  consistent_random: consistentPartitioner(true),
  consistent: consistentPartitioner(false),
  // kafkajs's DefaultPartitioner is the Java client's murmur2, like librdkafka's murmur2_random.
  murmur2_random: Partitioners.DefaultPartitioner,
  murmur2: Partitioners.DefaultPartitioner,
}

const KNOWN = new Map<string, string>()
for (const p of SUPPORTED_PROPERTIES) {
  KNOWN.set(p.name, p.name)
  for (const alias of p.aliases ?? []) KNOWN.set(alias, p.name)
}

/**
 * Maps the `[kafka]` properties (without `topic`) to kafkajs options. Throws a
 * `MiffyError` (`MIFFY_ERR_KAFKA_PROPERTY`) listing every problem found.
 */
export function mapKafkaProperties(
  props: Record<string, KafkaPropertyValue>,
  options: { requireBrokers?: boolean } = {},
): MappedKafkaProperties {
  const problems: string[] = []
  const warnings: string[] = []
  /** canonical name → [name as written, value] */
  const given = new Map<string, [string, KafkaPropertyValue]>()

  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue
    const canonical = KNOWN.get(name)
    if (canonical !== undefined) {
      const previous = given.get(canonical)
      if (previous !== undefined) {
        problems.push(`${previous[0]} and ${name} are the same property: set only one`)
        continue
      }
      given.set(canonical, [name, value])
      continue
    }
    if (Object.hasOwn(IGNORED_PROPERTIES, name)) {
      warnings.push(
        `kafka property ${name} has no kafkajs equivalent and is ignored: ${IGNORED_PROPERTIES[name]}`,
      )
      continue
    }
    const rejected = Object.keys(REJECTED_PROPERTIES).find((k) =>
      k.endsWith('.') ? name.startsWith(k) : name === k,
    )
    if (rejected !== undefined) {
      if (
        (name === 'enable.gapless.guarantee' && isFalse(value)) ||
        (name === 'transactional.id' && value === '')
      ) {
        continue
      }
      problems.push(`kafka property ${name} cannot be honoured: ${REJECTED_PROPERTIES[rejected]}`)
      continue
    }
    const hint = closest(name)
    problems.push(`unknown kafka property ${name}${hint === undefined ? '' : ` (did you mean ${hint}?)`}`)
  }

  const read = new PropertyReader(given, problems, options.requireBrokers ?? true)

  // --- where and who
  const brokers = read.brokers()
  const clientId = read.string('client.id') ?? 'miffy'

  // --- security
  const protocolRaw = read.string('security.protocol')?.toLowerCase() ?? 'plaintext'
  let protocol: Protocol = 'plaintext'
  if ((PROTOCOLS as readonly string[]).includes(protocolRaw)) protocol = protocolRaw as Protocol
  else
    problems.push(
      `kafka property security.protocol: unsupported value ${JSON.stringify(protocolRaw)} (expected ${PROTOCOLS.join(', ')})`,
    )
  const useSasl = protocol === 'sasl_plaintext' || protocol === 'sasl_ssl'
  const useSsl = protocol === 'ssl' || protocol === 'sasl_ssl'

  let sasl: SASLOptions | undefined
  const mechanismRaw = read.string('sasl.mechanisms')
  const username = read.string('sasl.username')
  const password = read.string('sasl.password')
  if (useSasl) {
    let mechanism: SASLOptions['mechanism'] | undefined
    if (mechanismRaw === undefined) {
      // librdkafka would fall back to GSSAPI, which kafkajs cannot do.
      problems.push(
        `kafka property sasl.mechanisms is required with security.protocol=${protocol} (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`,
      )
    } else {
      mechanism = SASL_MECHANISMS[mechanismRaw.toUpperCase()]
      if (mechanism === undefined) {
        const why = /^(GSSAPI|OAUTHBEARER)$/i.test(mechanismRaw)
          ? 'not supported by kafkajs'
          : 'unknown mechanism'
        problems.push(
          `kafka property sasl.mechanisms: ${JSON.stringify(mechanismRaw)} is ${why} (expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`,
        )
      }
    }
    if (username === undefined)
      problems.push(`kafka property sasl.username is required with security.protocol=${protocol}`)
    if (password === undefined) {
      problems.push(
        `kafka property sasl.password is required with security.protocol=${protocol} (or set env KAFKA_SASL_PASSWORD)`,
      )
    }
    if (mechanism !== undefined && username !== undefined && password !== undefined) {
      // the union is keyed by mechanism; all three take username and password
      sasl = { mechanism, username, password } as SASLOptions
    }
  } else {
    // A credential that would be silently ignored means the operator believes they authenticate.
    for (const name of ['sasl.mechanisms', 'sasl.username', 'sasl.password']) {
      if (given.has(name)) {
        problems.push(
          `kafka property ${given.get(name)![0]} is set but security.protocol=${protocol} does not use SASL (use sasl_plaintext or sasl_ssl)`,
        )
      }
    }
  }

  let ssl: ConnectionOptions | undefined
  const ca = read.pem('ssl.ca.location', 'ssl.ca.pem')
  const cert = read.pem('ssl.certificate.location', 'ssl.certificate.pem')
  const key = read.pem('ssl.key.location', 'ssl.key.pem')
  const passphrase = read.string('ssl.key.password')
  const ciphers = read.string('ssl.cipher.suites')
  const verify = read.boolean('enable.ssl.certificate.verification') ?? true
  if (useSsl) {
    ssl = { rejectUnauthorized: verify }
    if (ca !== undefined) ssl.ca = ca
    if (cert !== undefined) ssl.cert = cert
    if (key !== undefined) ssl.key = key
    if (passphrase !== undefined) ssl.passphrase = passphrase
    if (ciphers !== undefined) ssl.ciphers = ciphers
    if ((cert === undefined) !== (key === undefined)) {
      problems.push(
        'kafka properties ssl.certificate.location and ssl.key.location go together: set both or neither',
      )
    }
  } else {
    for (const name of [
      'ssl.ca.location',
      'ssl.ca.pem',
      'ssl.certificate.location',
      'ssl.certificate.pem',
      'ssl.key.location',
      'ssl.key.pem',
      'ssl.key.password',
      'ssl.cipher.suites',
      'enable.ssl.certificate.verification',
    ]) {
      if (given.has(name)) {
        problems.push(
          `kafka property ${name} is set but security.protocol=${protocol} does not use TLS (use ssl or sasl_ssl)`,
        )
      }
    }
  }

  // --- delivery
  const acks = read.acks()
  const compression = read.compression()
  const sendTimeout = read.ms('request.timeout.ms') ?? 30_000
  const requestTimeout = read.ms('socket.timeout.ms')
  const connectionTimeout = read.ms('socket.connection.setup.timeout.ms')
  const retries = read.integer('retries', 0)
  const initialRetryTime = read.ms('retry.backoff.ms')
  const maxRetryTime = read.ms('retry.backoff.max.ms')
  if (initialRetryTime !== undefined && maxRetryTime !== undefined && maxRetryTime < initialRetryTime) {
    problems.push(
      `kafka property retry.backoff.max.ms (${maxRetryTime}) is below retry.backoff.ms (${initialRetryTime})`,
    )
  }
  const maxMessageBytes = read.integer('message.max.bytes', 1) ?? 1_000_000
  const partitionerName = read.string('partitioner') ?? 'consistent_random'
  const createPartitioner = PARTITIONERS[partitionerName]
  if (createPartitioner === undefined) {
    problems.push(
      `kafka property partitioner: unsupported value ${JSON.stringify(partitionerName)} (expected ${Object.keys(PARTITIONERS).join(', ')})`,
    )
  }
  const allowAutoTopicCreation = read.boolean('allow.auto.create.topics')
  const metadataMaxAge = read.ms('topic.metadata.refresh.interval.ms')
  const maxInFlightRequests = read.integer('max.in.flight', 1)
  if (read.boolean('enable.idempotence') === true) {
    problems.push(
      'kafka property enable.idempotence=true cannot be honoured: kafkajs marks its idempotent producer experimental; miffy publishes at-least-once',
    )
  }

  if (problems.length > 0) {
    throw new MiffyError(
      'MIFFY_ERR_KAFKA_PROPERTY',
      `invalid [kafka] properties:\n  - ${problems.join('\n  - ')}`,
    )
  }

  const retry: RetryOptions = {}
  if (retries !== undefined) retry.retries = retries
  if (initialRetryTime !== undefined) retry.initialRetryTime = initialRetryTime
  if (maxRetryTime !== undefined) retry.maxRetryTime = maxRetryTime

  const kafka: KafkaConfig = { brokers, clientId }
  if (ssl !== undefined) kafka.ssl = ssl
  if (sasl !== undefined) kafka.sasl = sasl
  if (requestTimeout !== undefined) kafka.requestTimeout = requestTimeout
  if (connectionTimeout !== undefined) kafka.connectionTimeout = connectionTimeout
  if (Object.keys(retry).length > 0) kafka.retry = retry

  const producer: ProducerConfig = { idempotent: false, createPartitioner: createPartitioner! }
  if (allowAutoTopicCreation !== undefined) producer.allowAutoTopicCreation = allowAutoTopicCreation
  if (metadataMaxAge !== undefined) producer.metadataMaxAge = metadataMaxAge
  if (maxInFlightRequests !== undefined) producer.maxInFlightRequests = maxInFlightRequests

  return {
    kafka,
    producer,
    send: { acks, timeout: sendTimeout, compression },
    maxMessageBytes,
    warnings,
  }
}

function isFalse(value: KafkaPropertyValue): boolean {
  return value === false || (typeof value === 'string' && value.toLowerCase() === 'false')
}

/** Reads typed values by canonical name; records a problem (naming the property) on a bad value. */
class PropertyReader {
  readonly #given: Map<string, [string, KafkaPropertyValue]>
  readonly #problems: string[]
  readonly #requireBrokers: boolean

  constructor(given: Map<string, [string, KafkaPropertyValue]>, problems: string[], requireBrokers: boolean) {
    this.#given = given
    this.#problems = problems
    this.#requireBrokers = requireBrokers
  }

  #bad(name: string, value: KafkaPropertyValue, expected: string): undefined {
    this.#problems.push(
      `kafka property ${name}: invalid value ${JSON.stringify(value)} (expected ${expected})`,
    )
    return undefined
  }

  string(canonical: string): string | undefined {
    const entry = this.#given.get(canonical)
    if (entry === undefined) return undefined
    const [name, value] = entry
    if (typeof value === 'string') return value
    if (typeof value === 'number') return String(value)
    return this.#bad(name, value, 'a string')
  }

  integer(canonical: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const entry = this.#given.get(canonical)
    if (entry === undefined) return undefined
    const [name, value] = entry
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
          ? Number(value)
          : Number.NaN
    if (!Number.isSafeInteger(n) || n < min || n > max)
      return this.#bad(
        name,
        value,
        max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
      )
    return n
  }

  /**
   * Milliseconds for a kafkajs timer: at most a day, like every duration of miffy's own (Node's
   * timers overflow past 2^31 - 1 ms and then fire at once; issue 10).
   */
  ms(canonical: string): number | undefined {
    return this.integer(canonical, 1, MAX_DURATION_MS)
  }

  boolean(canonical: string): boolean | undefined {
    const entry = this.#given.get(canonical)
    if (entry === undefined) return undefined
    const [name, value] = entry
    if (typeof value === 'boolean') return value
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
    return this.#bad(name, value, 'true or false')
  }

  brokers(): string[] {
    const entry = this.#given.get('bootstrap.servers')
    if (entry === undefined) {
      if (this.#requireBrokers)
        this.#problems.push('kafka property bootstrap.servers is required (comma-separated host:port list)')
      return []
    }
    const [name, value] = entry
    const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined
    if (list === undefined || list.some((b) => typeof b !== 'string')) {
      return this.#bad(name, value, 'a comma-separated host:port list or an array of strings') ?? []
    }
    const out: string[] = []
    let invalid = false
    for (const raw of list) {
      // librdkafka accepts `[proto://]host[:port]`; the protocol comes from security.protocol.
      const b = raw.trim().replace(/^[a-z_]+:\/\//i, '')
      if (b === '') continue
      const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/i.exec(b)
      if (m === null || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) {
        this.#problems.push(
          `kafka property ${name}: invalid broker address ${JSON.stringify(raw)} (expected host:port)`,
        )
        invalid = true
        continue
      }
      out.push(m[2] === undefined ? `${m[1]}:9092` : `${m[1]}:${m[2]}`)
    }
    if (out.length === 0 && !invalid) this.#problems.push(`kafka property ${name} lists no broker`)
    return out
  }

  /** PEM from a file (`location`) or inline (`pem`); a missing file names the property and path. */
  pem(location: string, inline: string): string | undefined {
    const path = this.string(location)
    const text = this.string(inline)
    if (path !== undefined && text !== undefined) {
      this.#problems.push(`kafka properties ${location} and ${inline} both set: set only one`)
      return undefined
    }
    if (text !== undefined) return text
    if (path === undefined) return undefined
    try {
      return readFileSync(path, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err)
      this.#problems.push(`kafka property ${location}: cannot read ${path} (${why})`)
      return undefined
    }
  }

  acks(): number {
    const entry = this.#given.get('acks')
    if (entry === undefined) return -1
    const [name, value] = entry
    const v = String(value).toLowerCase()
    if (v === 'all' || v === '-1') return -1
    if (v === '0') return 0
    if (v === '1') return 1
    return this.#bad(name, value, 'all, -1, 0 or 1') ?? -1
  }

  compression(): CompressionTypes {
    const entry = this.#given.get('compression.codec')
    if (entry === undefined) return CompressionTypes.None
    const [name, value] = entry
    const v = String(value).toLowerCase()
    if (v === 'none') return CompressionTypes.None
    if (v === 'gzip') return CompressionTypes.GZIP
    if (v === 'snappy' || v === 'lz4' || v === 'zstd') {
      this.#problems.push(`kafka property ${name}=${v} is not built into kafkajs (use gzip or none)`)
      return CompressionTypes.None
    }
    return this.#bad(name, value, 'none or gzip') ?? CompressionTypes.None
  }
}

/** The nearest known property name, for "did you mean" on a typo. */
function closest(name: string): string | undefined {
  const candidates = [...KNOWN.keys(), ...Object.keys(IGNORED_PROPERTIES)]
  return closestName(name, candidates, Math.max(3, Math.floor(name.length / 4)) + 1)
}
