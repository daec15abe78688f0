/**
 * Markup (HTML, XML) written the same way twice, before it is compared as text (text.ts):
 *
 * - the attributes of a tag in name order: `<a class="x" href="/y">` and `<a href="/y"
 *   class="x">` are the same element, however a serializer iterated its attribute map;
 * - XML namespace prefixes renamed after the namespaces they stand for: a document that binds
 *   `ns0` to the invoice namespace and one that binds `ns2` to it say the same thing. Each
 *   document's namespaces (its `xmlns:p="…"` declarations) are numbered in the order of their
 *   URIs, and every prefix becomes `ns<n>` of its URI, in tag and attribute names and in the
 *   declarations themselves. A changed namespace URI is still a changed declaration.
 *
 * A tag spread over several lines is written on one, followed by as many line breaks, so the
 * line numbers of what follows stay those of the original.
 */

const TAG = /<([A-Za-z_][\w:.-]*)((?:\s+[^\s=>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(\/?)>/g
const ATTRIBUTE = /([^\s=>/"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/g
const NAMESPACE = /\sxmlns:([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

export function canonicalMarkup(text: string): string {
  const prefixes = namespacePrefixes(text)
  const rename = (name: string): string => {
    if (prefixes === undefined) return name
    const colon = name.indexOf(':')
    if (colon < 0) return name
    const head = name.slice(0, colon)
    if (head === 'xmlns') {
      const bound = prefixes.get(name.slice(colon + 1))
      return bound === undefined ? name : `xmlns:${bound}`
    }
    const bound = prefixes.get(head)
    return bound === undefined ? name : `${bound}${name.slice(colon)}`
  }
  return text
    .replace(TAG, (whole, name: string, attrs: string, selfClosing: string) => {
      const list: [string, string][] = []
      for (const m of attrs.matchAll(ATTRIBUTE))
        list.push([rename(m[1]!), m[2] === undefined ? '' : `=${m[2]}`])
      list.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      const lines = countNewlines(whole) - list.reduce((n, [, v]) => n + countNewlines(v), 0)
      const body = list.map(([n, v]) => ` ${n}${v}`).join('')
      return `<${rename(name)}${body}${selfClosing}>${'\n'.repeat(Math.max(0, lines))}`
    })
    .replace(/<\/([A-Za-z_][\w:.-]*)\s*>/g, (_whole, name: string) => `</${rename(name)}>`)
}

/** prefix → `ns<n>`, numbered by the order of the namespace URIs; undefined without any */
function namespacePrefixes(text: string): Map<string, string> | undefined {
  if (!text.includes('xmlns:')) return undefined
  const byPrefix = new Map<string, string>()
  for (const m of text.matchAll(NAMESPACE)) {
    const prefix = m[1]!
    if (!byPrefix.has(prefix)) byPrefix.set(prefix, m[2] ?? m[3] ?? '')
  }
  if (byPrefix.size === 0) return undefined
  const numbered = new Map([...new Set(byPrefix.values())].sort().map((uri, n) => [uri, `ns${n}`]))
  const out = new Map<string, string>()
  for (const [prefix, uri] of byPrefix) out.set(prefix, numbered.get(uri)!)
  return out
}

function countNewlines(s: string): number {
  let n = 0
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++
  return n
}
