/** The corpus: every endpoint kind, in report order. */
import type { Kind } from './kind.ts'
import { COMMERCE } from './kinds/commerce.ts'
import { CONTENT } from './kinds/content.ts'
import { CSV } from './kinds/csv.ts'
import { ERRORS } from './kinds/errors.ts'
import { GRAPHQL } from './kinds/graphql.ts'
import { HTML } from './kinds/html.ts'
import { IDENTITY } from './kinds/identity.ts'
import { MISC } from './kinds/misc.ts'
import { OPS } from './kinds/ops.ts'
import { PAGINATION } from './kinds/pagination.ts'
import { TEXT } from './kinds/text.ts'
import { XML } from './kinds/xml.ts'

export const KINDS: readonly Kind[] = [
  ...COMMERCE,
  ...IDENTITY,
  ...OPS,
  ...CONTENT,
  ...GRAPHQL,
  ...PAGINATION,
  ...HTML,
  ...CSV,
  ...TEXT,
  ...XML,
  ...ERRORS,
  ...MISC,
]

export function kindNamed(name: string): Kind | undefined {
  return KINDS.find((k) => k.name === name)
}
