#!/usr/bin/env node
/**
 * The `miffy` executable (package.json `bin`, `npx miffy`). It runs the CLI, src/cli/main.ts, on
 * Node 24: a system Node 20 cannot strip TypeScript types, so this file is plain JavaScript that
 * any Node runs, and it starts the Node the package pins (the npm package `node`) when the one
 * running it is older. ENTRY and NODE_FLAGS are the one place to change when the CLI moves (to
 * compiled JavaScript in dist/, say).
 *
 * Started as `node --disable-warning=TimeoutNegativeWarning bin/miffy.js` on Node >= 24 (a
 * container's entrypoint), the CLI runs in this very process: no second process, and signals
 * reach miffy directly. Otherwise a child runs it, and SIGINT, SIGTERM and SIGHUP are passed on.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ENTRY = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))
// kafkajs computes negative timeouts on Node >= 23 (tulios/kafkajs#1751); Node clamps them to 1 ms.
const NODE_FLAGS = ['--disable-warning=TimeoutNegativeWarning']
const FORWARDED = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])

const major = Number(process.versions.node.split('.')[0])

/** The Node 24 to run the CLI with: this one when recent enough, else the package's own. */
function node24() {
  if (major >= 24) return process.execPath
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node')
    if (existsSync(bin)) return bin
  } catch {
    // not installed (npm ci --omit=optional, a slim image): nothing else to try
  }
  return undefined
}

if (major >= 24 && NODE_FLAGS.every((f) => process.execArgv.includes(f))) {
  const cli = await import(pathToFileURL(ENTRY).href)
  await cli.main(process.argv.slice(2))
} else {
  const node = node24()
  if (node === undefined) {
    process.stderr.write(
      `miffy: needs Node 24 or later (this is ${process.version}) and found no node package in node_modules: run npm ci\n`,
    )
    process.exit(1)
  }
  const child = spawn(node, [...NODE_FLAGS, ENTRY, ...process.argv.slice(2)], { stdio: 'inherit' })
  // The child is in our process group, so a terminal's Ctrl-C reaches it directly as well: the
  // CLI takes a repeated signal calmly (src/cli/start.ts).
  const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal)
  for (const s of FORWARDED) process.on(s, forward)
  child.on('error', (err) => {
    process.stderr.write(`miffy: cannot start ${node}: ${err.message}\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    for (const s of FORWARDED) process.off(s, forward)
    // die of the same signal, so that our parent sees what happened to miffy
    if (signal) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
