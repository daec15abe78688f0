import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AggregatorRegistry, Histogram, Registry } from 'prom-client'
import { ScrapedHistogram } from '../../src/management/scraped-histogram.ts'

const BUCKETS = [0.001, 0.01, 0.1, 1, 10]
const OBSERVATIONS: [string, string, number][] = [
  ['/a/{id}', 'reference', 0.0005],
  ['/a/{id}', 'reference', 0.001], // on a bound: counted in that bucket (le is "less or equal")
  ['/a/{id}', 'reference', 0.05],
  ['/a/{id}', 'candidate', 2],
  ['/a/{id}', 'candidate', 99], // above every bound: only +Inf
  ['/b', 'reference', 0.2],
]

function both() {
  const theirs = new Registry()
  const ours = new Registry()
  const options = { name: 'x_seconds', help: 'h', labelNames: ['route', 'role'] as const, buckets: BUCKETS }
  const reference = new Histogram({ ...options, registers: [theirs] })
  const scraped = new ScrapedHistogram({ ...options, registers: [ours] })
  return { theirs, ours, reference, scraped }
}

test("the exposition is prom-client's own histogram's, line for line", async () => {
  const { theirs, ours, reference, scraped } = both()
  for (const [route, role, v] of OBSERVATIONS) {
    reference.labels(route, role).observe(v)
    scraped.labels(route, role).observe(v)
  }
  const text = await ours.metrics()
  assert.equal(text, await theirs.metrics())
  assert.match(text, /x_seconds_bucket\{le="0.001",route="\/a\/\{id\}",role="reference"\} 2/)
  assert.match(text, /x_seconds_bucket\{le="\+Inf",route="\/a\/\{id\}",role="candidate"\} 2/)
  assert.match(text, /x_seconds_count\{route="\/b",role="reference"\} 1/)
})

test('a series looked up again is the same series; reset empties every one', async () => {
  const { ours, scraped } = both()
  const s = scraped.labels('/a', 'reference')
  assert.equal(scraped.labels('/a', 'reference'), s)
  s.observe(0.5)
  assert.match(await ours.metrics(), /x_seconds_count\{route="\/a",role="reference"\} 1/)
  scraped.reset()
  assert.doesNotMatch(await ours.metrics(), /x_seconds_count/)
})

test('workers are summed by the cluster aggregator, bucket by bucket', async () => {
  const worker = async (values: number[]) => {
    const { ours, scraped } = both()
    for (const v of values) scraped.labels('/a', 'candidate').observe(v)
    return ours.getMetricsAsJSON()
  }
  const merged = AggregatorRegistry.aggregate([await worker([0.005, 0.5]), await worker([0.005])])
  const text = await merged.metrics()
  assert.match(text, /x_seconds_bucket\{le="0.01",route="\/a",role="candidate"\} 2/)
  assert.match(text, /x_seconds_bucket\{le="1",route="\/a",role="candidate"\} 3/)
  assert.match(text, /x_seconds_count\{route="\/a",role="candidate"\} 3/)
})
