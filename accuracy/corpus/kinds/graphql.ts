/** GraphQL over POST: a query with tracing extensions, a validation error, a cursor connection. */
import { product } from '../catalog.ts'
import { iso } from '../clock.ts'
import { json, type Kind } from '../kind.ts'
import { type Ctx, jsonBody } from '../node.ts'
import { dataFor, hex, int, pick, shuffle, uuid } from '../random.ts'

interface GraphqlRequest {
  query: string
  variables?: Record<string, unknown>
  operationName?: string
}

function graphqlRequest(body: GraphqlRequest) {
  return {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}

/** Apollo-style tracing: start/end times and resolver durations in ns, different every time. */
function tracing(ctx: Ctx, paths: string[][]) {
  const n = ctx.noise
  const duration = int(n, 200_000, 9_000_000)
  return {
    version: 1,
    startTime: iso(ctx.now),
    endTime: iso(ctx.now + Math.round(duration / 1e6)),
    duration,
    execution: {
      resolvers: paths.map((path) => ({
        path,
        startOffset: int(n, 1000, 90_000),
        duration: int(n, 1000, duration),
      })),
    },
  }
}

const PRODUCT_QUERY =
  'query Product($id: ID!) { product(id: $id) { id name price { amount currency } inventory { available } tags } }'

const graphqlProduct: Kind = {
  name: 'graphql-product',
  family: 'GraphQL',
  noise: 'tracing extension (times, ns durations), request id, tags in hash order',
  request: (_i, r) =>
    graphqlRequest({
      query: PRODUCT_QUERY,
      variables: { id: String(int(r, 1, 5000)) },
      operationName: 'Product',
    }),
  respond(req, ctx, bug) {
    const { variables } = jsonBody<GraphqlRequest>(req)
    const p = product(Number(variables?.id))
    const body: Record<string, unknown> = {
      data: {
        product: {
          id: String(p.id),
          name: p.name,
          price: { amount: p.price, currency: 'EUR' },
          inventory: bug === 'field-null-with-error' ? null : { available: p.stock },
          tags: shuffle(ctx.noise, p.tags),
        },
      },
    }
    if (bug === 'field-null-with-error') {
      body.errors = [
        {
          message: 'inventory service unavailable',
          path: ['product', 'inventory'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]
    }
    body.extensions = {
      tracing: tracing(ctx, [['product'], ['product', 'price'], ['product', 'inventory']]),
      requestId: uuid(ctx.noise),
    }
    return json(body)
  },
  regressions: { 'field-null-with-error': 'data.product.inventory is null and an errors array appears' },
}

const TYPOS: [string, string][] = [
  ['nme', 'name'],
  ['prise', 'price'],
  ['tag', 'tags'],
  ['inventry', 'inventory'],
]

const graphqlError: Kind = {
  name: 'graphql-error',
  family: 'GraphQL',
  noise: 'trace id in the error extensions',
  request: (_i, r) => {
    const [typo] = pick(r, TYPOS)
    return graphqlRequest({ query: `{ product(id: ${int(r, 1, 5000)}) { ${typo} } }` })
  },
  respond(req, ctx, bug) {
    const { query } = jsonBody<GraphqlRequest>(req)
    const field = /\{ (\w+) \} \}$/.exec(query)?.[1] ?? ''
    const hint = TYPOS.find(([t]) => t === field)?.[1] ?? 'name'
    return json(
      {
        errors: [
          {
            message: `Cannot query field "${field}" on type "Product". Did you mean "${hint}"?`,
            locations: [{ line: 1, column: query.indexOf(field) + 1 }],
            extensions: {
              code: bug === 'error-code-changed' ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED',
              traceId: hex(ctx.noise, 32),
            },
          },
        ],
      },
      400,
    )
  },
  regressions: {
    'error-code-changed': 'extensions.code BAD_USER_INPUT instead of GRAPHQL_VALIDATION_FAILED',
  },
}

const ORDERS_QUERY =
  'query Orders($first: Int!, $after: String) { orders(first: $first, after: $after) { totalCount edges { cursor node { id total status } } pageInfo { hasNextPage endCursor } } }'

const graphqlConnection: Kind = {
  name: 'graphql-connection',
  family: 'GraphQL',
  noise: 'opaque cursors that embed a per-answer nonce, tracing',
  request: (_i, r) =>
    graphqlRequest({ query: ORDERS_QUERY, variables: { first: 5, after: `c${int(r, 0, 50)}` } }),
  respond(req, ctx, bug) {
    const { variables } = jsonBody<GraphqlRequest>(req)
    const after = String(variables?.after ?? 'c0')
    const d = dataFor(`gql-orders:${after}`)
    const nonce = hex(ctx.noise, 8)
    const edges = Array.from({ length: 5 }, (_v, i) => {
      const id = `ORD-${int(d, 10_000, 99_999)}`
      return {
        cursor: Buffer.from(`${nonce}:${after}:${i}`).toString('base64'),
        node: { id, total: int(d, 500, 90_000) / 100, status: pick(d, ['paid', 'shipped', 'delivered']) },
      }
    })
    return json({
      data: {
        orders: {
          totalCount: int(d, 60, 300),
          edges,
          pageInfo: { hasNextPage: bug !== 'has-next-page-false', endCursor: edges[4]!.cursor },
        },
      },
      extensions: { tracing: tracing(ctx, [['orders']]) },
    })
  },
  regressions: { 'has-next-page-false': 'pageInfo.hasNextPage is false although more pages exist' },
}

export const GRAPHQL: readonly Kind[] = [graphqlProduct, graphqlError, graphqlConnection]
