/** CSV exports: a generated-at line on top, attachments with a file name, floats printed raw. */
import { cents, user } from '../catalog.ts'
import { httpDate, iso, pastInstant } from '../clock.ts'
import { type Kind, text } from '../kind.ts'
import { amount, dataFor, int, sumInRandomOrder } from '../random.ts'

const csvOrders: Kind = {
  name: 'csv-orders',
  family: 'CSV',
  noise: 'a "# generated <ISO> by <pod>" first line',
  request: (_i, r) => {
    const from = int(r, 1, 20)
    const day = (d: number) => `2025-04-${String(d).padStart(2, '0')}`
    return { method: 'GET', path: `/export/orders.csv?from=${day(from)}&to=${day(from + int(r, 1, 7))}` }
  },
  respond(req, ctx, bug) {
    const from = req.query.get('from') ?? ''
    const to = req.query.get('to') ?? ''
    const d = dataFor(`export:${from}:${to}`)
    const columns = ['order_id', 'placed_at', 'customer', 'items', 'total', 'currency']
    const rows = Array.from({ length: int(d, 8, 20) }, () => [
      `ORD-${int(d, 10_000, 99_999)}`,
      iso(pastInstant(d())),
      user(int(d, 1, 900)).email,
      String(int(d, 1, 6)),
      cents(amount(d, 5, 400)).toFixed(2),
      'EUR',
    ])
    const drop = bug === 'column-dropped' ? columns.indexOf('customer') : -1
    const line = (cells: string[]) => cells.filter((_c, i) => i !== drop).join(',')
    const body = [`# generated ${iso(ctx.now)} by ${ctx.node.name}`, line(columns), ...rows.map(line)].join(
      '\n',
    )
    const filename = bug === 'filename-changed' ? 'export.csv' : `orders_${from}_${to}.csv`
    return text('text/csv', `${body}\n`, 200, {
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'private, no-store',
    })
  },
  regressions: {
    'column-dropped': 'the customer column is missing from header and rows',
    'filename-changed': 'header only: Content-Disposition filename is "export.csv"',
  },
}

const csvSales: Kind = {
  name: 'csv-sales',
  family: 'CSV',
  noise: 'a "Generated,<HTTP date>" line; revenue summed in random order and printed with all its digits',
  request: (_i, r) => ({ method: 'GET', path: `/reports/sales.csv?month=2025-0${int(r, 1, 9)}` }),
  respond(req, ctx, bug) {
    const month = req.query.get('month') ?? ''
    const d = dataFor(`sales:${month}`)
    const n = ctx.noise
    let rows = Array.from({ length: 8 }, (_v, i) => {
      const sales = Array.from({ length: int(d, 3, 9) }, () => amount(d, 3, 90))
      const revenue = sumInRandomOrder(n, sales)
      return `SKU-${String(1000 + i * 7)},${sales.length},${revenue},${revenue / sales.length}`
    })
    if (bug === 'row-missing') rows = rows.filter((_r, i) => i !== 5)
    const body = [
      `Sales report,${month}`,
      `Generated,${httpDate(ctx.now)}`,
      '',
      'sku,units,revenue,avg_price',
      ...rows,
    ]
    return text('text/csv', `${body.join('\r\n')}\r\n`, 200, {
      'content-disposition': `inline; filename="sales-${month}.csv"`,
    })
  },
  regressions: { 'row-missing': 'one SKU row of the report is missing' },
}

export const CSV: readonly Kind[] = [csvOrders, csvSales]
