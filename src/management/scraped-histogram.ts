/**
 * A Prometheus histogram whose request-path cost is a bucket search and three additions.
 *
 * prom-client's Histogram validates and hashes the label set on every `observe`, even through a
 * child from `labels()`; on the mirrored path that was the largest single cost outside Node and
 * undici (2 % of the proxy's CPU, two observations per request). Here a series is a plain array
 * filled by the request path, and the prom-client shape (`_bucket` with `le`, `_sum`, `_count`,
 * summed across workers) is built only when /metrics is scraped.
 */
import type { Metric, Registry } from 'prom-client'

/** One line of the exposition, as prom-client's own histogram hands it to the registry. */
interface Value {
  metricName: string
  labels: Record<string, string | number>
  value: number
}

export class HistogramSeries {
  /** per bucket, not cumulative; the last one is +Inf */
  readonly counts: number[]
  sum = 0
  count = 0
  readonly #bounds: readonly number[]

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds
    this.counts = new Array<number>(bounds.length + 1).fill(0)
  }

  observe(value: number): void {
    const bounds = this.#bounds
    let i = 0
    while (i < bounds.length && value > bounds[i]!) i++
    this.counts[i]!++
    this.sum += value
    this.count++
  }
}

export interface ScrapedHistogramOptions<L extends string> {
  name: string
  help: string
  labelNames: readonly L[]
  buckets: readonly number[]
  registers: Registry[]
}

export class ScrapedHistogram<L extends string> {
  readonly name: string
  readonly help: string
  readonly type = 'histogram' as const
  readonly aggregator = 'sum' as const
  readonly labelNames: readonly L[]
  readonly #bounds: readonly number[]
  readonly #series = new Map<string, { labels: Record<L, string>; series: HistogramSeries }>()

  constructor(o: ScrapedHistogramOptions<L>) {
    this.name = o.name
    this.help = o.help
    this.labelNames = o.labelNames
    this.#bounds = [...o.buckets].sort((a, b) => a - b)
    for (const r of o.registers) r.registerMetric(this as unknown as Metric)
  }

  /** The series for these label values (in `labelNames` order); look it up once and keep it. */
  labels(...values: string[]): HistogramSeries {
    const key = values.join('\u0000')
    let entry = this.#series.get(key)
    if (!entry) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ''])) as Record<
        L,
        string
      >
      entry = { labels, series: new HistogramSeries(this.#bounds) }
      this.#series.set(key, entry)
    }
    return entry.series
  }

  reset(): void {
    this.#series.clear()
  }

  async get(): Promise<{
    name: string
    help: string
    type: 'histogram'
    values: Value[]
    aggregator: 'sum'
  }> {
    const values: Value[] = []
    for (const { labels, series } of this.#series.values()) {
      let cumulative = 0
      for (let i = 0; i <= this.#bounds.length; i++) {
        cumulative += series.counts[i]!
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { le: i < this.#bounds.length ? this.#bounds[i]! : '+Inf', ...labels },
          value: cumulative,
        })
      }
      values.push({ metricName: `${this.name}_sum`, labels: { ...labels }, value: series.sum })
      values.push({ metricName: `${this.name}_count`, labels: { ...labels }, value: series.count })
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }
}
