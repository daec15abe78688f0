/** miffy as `npm start` runs it: `node src/main.ts` from this checkout, on the Node running us. */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Implementation } from './process.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export function miffy(): Implementation {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return {
    name: 'miffy',
    label: `miffy ${version} (node ${process.version} src/main.ts)`,
    command: [process.execPath, '--disable-warning=TimeoutNegativeWarning', 'src/main.ts'],
    cwd: ROOT,
  }
}
