/**
 * The Rust miffy 1.0.1, built from its source by scripts/rust-miffy.sh (cached per machine,
 * outside the clone). When it cannot be built this throws with the script's own explanation
 * (which package or tool is missing): the suite never silently skips the comparison.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Implementation } from './process.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export function rustMiffy(): Implementation {
  const script = fileURLToPath(new URL('../scripts/rust-miffy.sh', import.meta.url))
  const r = spawnSync('bash', [script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const binary = r.stdout.trim().split('\n').at(-1) ?? ''
  if (r.status !== 0 || !existsSync(binary)) {
    throw new Error(
      `the Rust miffy 1.0.1 could not be built, so miffy cannot be compared with it.\n` +
        `bash scripts/rust-miffy.sh said (exit ${r.status ?? r.signal}):\n${r.stderr.trim() || '(nothing)'}`,
    )
  }
  return { name: 'rust', label: `Rust miffy 1.0.1 (${binary})`, command: [binary], cwd: ROOT }
}
