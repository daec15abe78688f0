/**
 * The value at a concrete, normalised JSONPath as miffy writes them in divergences (`$`,
 * `$.items[3].id`, `$['x-request-id']`, RFC 9535 escapes in quoted names), for `miffy replay`.
 */

export const MISSING: unique symbol = Symbol('missing')

export type Segment = string | number

/** `$.a[2]['b c']` → ['a', 2, 'b c']; undefined when it is not such a path. */
export function parseConcretePath(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined
  const out: Segment[] = []
  let i = 1
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(i + 1))
      if (!m) return undefined
      out.push(m[0])
      i += 1 + m[0].length
    } else if (path.startsWith("['", i)) {
      let name = ''
      let j = i + 2
      for (; j < path.length && path[j] !== "'"; j++) {
        if (path[j] !== '\\') {
          name += path[j]
          continue
        }
        const c = path[++j]
        if (c === 'u') {
          name += String.fromCharCode(Number.parseInt(path.slice(j + 1, j + 5), 16))
          j += 4
        } else name += ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c!] ?? c
      }
      if (path[j + 1] !== ']') return undefined
      out.push(name)
      i = j + 2
    } else if (path[i] === '[') {
      const m = /^\[(\d+)\]/.exec(path.slice(i))
      if (!m) return undefined
      out.push(Number(m[1]))
      i += m[0].length
    } else return undefined
  }
  return out
}

export function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let node: unknown = root
  for (const s of path) {
    if (typeof s === 'number') {
      if (!Array.isArray(node) || s >= node.length) return MISSING
      node = node[s]
    } else {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, s))
        return MISSING
      node = (node as Record<string, unknown>)[s]
    }
  }
  return node
}
