/**
 * nginx (Debian package `nginx`) as the peer to beat: `proxy_pass` to the reference over a
 * keep-alive upstream and, when mirroring, the `mirror` module sending a copy of every request
 * (body included: `mirror_request_body on`) to the candidate. nginx answers the client from the
 * reference and discards the candidate's answer: it mirrors, it does not compare or publish.
 *
 * It runs in the foreground as the current user: `daemon off`, and `master_process off` for one
 * worker (a single process, as miffy with workers = 1), or a master with N workers otherwise.
 * The config, pid file, logs and temp paths all live in a temp dir.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { type Managed, startProcess, waitForPort } from './processes.ts'

export interface NginxOptions {
  port: number
  reference: string
  /** undefined: no mirror */
  candidate: string | undefined
  workers: number
  /** how long the mirror subrequest may take (miffy's candidate_timeout) */
  candidateTimeoutSeconds: number
  dir: string
}

export interface Nginx {
  proc: Managed
  url: string
}

export function nginxBinary(): string | undefined {
  for (const bin of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(bin, ['-v'], { stdio: 'ignore' }).error === undefined) return bin
  }
  return undefined
}

export function nginxVersion(): string {
  const bin = nginxBinary()
  if (!bin) return 'nginx (not installed)'
  const out = spawnSync(bin, ['-v'], { encoding: 'utf8' })
  return `${out.stderr ?? ''}${out.stdout ?? ''}`.trim().replace(/^nginx version: /, '')
}

export const NGINX_MISSING =
  'nginx not found: the benchmark compares miffy with nginx mirror. Install the Debian package: apt-get install -y nginx'

const hostPort = (url: string) => new URL(url).host

export function nginxConfig(o: NginxOptions): string {
  const d = o.dir
  const t = `${o.candidateTimeoutSeconds}s`
  const single = o.workers <= 1
  // As root a master would hand its workers to `nobody`, who cannot write the temp dir.
  const user = !single && userInfo().uid === 0 ? 'user root root;\n' : ''
  const mirror = o.candidate
    ? `
      mirror /_miffy_bench_mirror;
      mirror_request_body on;`
    : ''
  const mirrorLocation = o.candidate
    ? `
    location = /_miffy_bench_mirror {
      internal;
      proxy_pass http://candidate$request_uri;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Shadow-Test-Role candidate;
      proxy_connect_timeout ${t};
      proxy_send_timeout ${t};
      proxy_read_timeout ${t};
    }`
    : ''
  const candidateUpstream = o.candidate
    ? `
  upstream candidate {
    server ${hostPort(o.candidate)};
    keepalive 64;
  }`
    : ''
  return `# written by bench/nginx.ts
daemon off;
master_process ${single ? 'off' : 'on'};
worker_processes ${Math.max(1, o.workers)};
${user}pid ${join(d, 'nginx.pid')};
error_log ${join(d, 'nginx-error.log')} warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  client_body_temp_path ${join(d, 'client_body')};
  proxy_temp_path ${join(d, 'proxy')};
  fastcgi_temp_path ${join(d, 'fastcgi')};
  uwsgi_temp_path ${join(d, 'uwsgi')};
  scgi_temp_path ${join(d, 'scgi')};
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  upstream reference {
    server ${hostPort(o.reference)};
    keepalive 64;
  }${candidateUpstream}
  server {
    listen 127.0.0.1:${o.port} reuseport;
    location / {${mirror}
      proxy_pass http://reference;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }${mirrorLocation}
  }
}
`
}

export async function startNginx(o: NginxOptions): Promise<Nginx> {
  const bin = nginxBinary()
  if (!bin) throw new Error(NGINX_MISSING)
  const dir = join(o.dir, `nginx-${o.port}`)
  mkdirSync(dir, { recursive: true })
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, nginxConfig({ ...o, dir }))
  // -e: errors before the config is read go here too, not to /var/log/nginx (needs nginx ≥ 1.19.5)
  const proc = startProcess(
    `nginx-${o.port}`,
    bin,
    ['-p', dir, '-e', join(dir, 'nginx-error.log'), '-c', conf],
    { dir },
  )
  await waitForPort(o.port, 10_000, proc)
  return { proc, url: `http://127.0.0.1:${o.port}` }
}
