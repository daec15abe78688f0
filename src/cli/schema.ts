/**
 * `miffy schema`: prints the JSON Schema of the config file (src/cli/config-json-schema.ts).
 * config.schema.json is its output, committed: `npm run schema` rewrites it.
 */

import { type Command, parseCommand } from './command.ts'
import { configJsonSchema } from './config-json-schema.ts'

const help = `usage: miffy schema

Prints the JSON Schema (draft 2020-12) of a miffy config file, generated from the schema miffy
validates with, with each key's description and default from config.default.toml. Editors that
read taplo's directive complete and check keys of a file whose first line is
  #:schema ./config.schema.json
(config.sample.toml does). npm run schema rewrites the committed config.schema.json.

options:
  -h, --help   this help
`

export const schema: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of the config file (config.schema.json)',
  help,
  async run(args) {
    parseCommand('schema', args, {})
    process.stdout.write(schemaText())
    return 0
  },
}

export function schemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`
}
