/**
 * A demo upstream: `GET /api/{value}` answers `{ "msg": ..., "result": value + offset, "role": ... }`
 * where role echoes the X-Shadow-Test-Role header it saw. The reference adds 1, the candidate
 * 100, so every mirrored request diverges at `$.result`. Anything else is 404.
 *
 *   node examples/demo-server.ts reference 3000
 *   node examples/demo-server.ts candidate 3001
 */
import { createServer, type Server } from 'node:http'

export function demoServer(name: string, offset: number): Server {
  return createServer((req, res) => {
    const m = /^\/api\/([^/?]+)/.exec(req.url ?? '')
    const role = req.headers['x-shadow-test-role'] ?? null
    req.resume()
    if (!m) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ msg: `${name}: not found`, role }))
      return
    }
    const value = Number(decodeURIComponent(m[1]!))
    const body = Number.isFinite(value)
      ? { msg: `${name} says hello`, result: value + offset, role }
      : { msg: `${name}: not a number`, result: null, role }
    res.writeHead(Number.isFinite(value) ? 200 : 400, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  })
}

if (import.meta.main) {
  const [name = 'reference', port = '3000'] = process.argv.slice(2)
  const offset = name === 'candidate' ? 100 : 1
  demoServer(name, offset).listen(Number(port), process.env.DEMO_HOST ?? '127.0.0.1', () => {
    console.log(`${name} demo server on port ${port} (result = value + ${offset})`)
  })
}
