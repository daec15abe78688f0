/**
 * CSV records (RFC 4180) before a CSV body is compared as text (text.ts): a quoted field may
 * hold line breaks, so a record can span several lines. Each record is written on one line
 * (a break inside quotes becomes `␤`), followed by as many line breaks as it held, so a moved
 * record moves as one line and the line numbers of what follows stay those of the original.
 * A quote opens a field only at its start (after a line break or a delimiter); a stray `"`
 * inside an unquoted field (`5" screen`) is text.
 */
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/tab-separated-values', 'text/tsv'])

export function isCsvType(mediaType: string): boolean {
  return CSV_TYPES.has(mediaType)
}

export function csvRecords(text: string): string {
  if (!text.includes('"')) return text
  let out = ''
  let inQuotes = false
  let atFieldStart = true
  let held = 0
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inQuotes) {
      if (c === 0x22 /* " */) {
        if (text.charCodeAt(i + 1) === 0x22) i++
        else inQuotes = false
      } else if (c === 0x0a /* \n */) {
        out += `${text.slice(from, i)}\u2424`
        from = i + 1
        held++
      }
      continue
    }
    if (c === 0x22 && atFieldStart) {
      inQuotes = true
      atFieldStart = false
      continue
    }
    if (c === 0x0a) {
      if (held > 0) {
        out += `${text.slice(from, i + 1)}${'\n'.repeat(held)}`
        from = i + 1
        held = 0
      }
      atFieldStart = true
      continue
    }
    atFieldStart = c === 0x2c /* , */ || c === 0x3b /* ; */ || c === 0x09 /* \t */
  }
  return out + text.slice(from) + '\n'.repeat(held)
}
