/**
 * `npm run demo`: the demo reference (port 3000) and candidate (3001) in this process, and miffy
 * on 8080 (management 9000) with config.sample.toml, in a child process, exactly as a user
 * would start it. No Kafka needed: divergences are logged and listed at
 * http://localhost:9000/divergences. Try: curl localhost:8080/api/3
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { demoServer } from './demo-server.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const host = process.env.DEMO_HOST ?? '127.0.0.1'
const servers = [
  demoServer('reference', 1).listen(3000, host),
  demoServer('candidate', 100).listen(3001, host),
]

const proxy = spawn(process.execPath, ['src/main.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { MIFFY_CONFIG: 'config.sample.toml', ...process.env },
})
console.log('demo: reference on :3000, candidate on :3001; miffy on :8080 (management :9000)')
console.log('demo: try  curl -s localhost:8080/api/3  and  curl -s localhost:9000/divergences')

const stop = () => {
  proxy.kill('SIGTERM')
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
proxy.once('exit', (code) => {
  for (const s of servers) s.close()
  process.exit(code ?? 0)
})
