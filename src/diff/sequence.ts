/**
 * The shortest edit script between two sequences (Myers, "An O(ND) Difference Algorithm", 1986),
 * for text lines and tokens. The common prefix and suffix are taken off first, and the search
 * stops at `maxEdits`: two texts that far apart are reported as different as a whole.
 */

/** A run of the script: `equal` pairs a[i..i+n) with b[j..j+n); `change` replaces a[i..i+n) by b[j..j+m). */
export type Run =
  | { op: 'equal'; i: number; j: number; n: number }
  | { op: 'change'; i: number; n: number; j: number; m: number }

/** The runs turning `a` into `b`, or undefined when more than `maxEdits` insertions and deletions are needed. */
export function diffSequences(
  a: readonly string[],
  b: readonly string[],
  maxEdits: number,
): Run[] | undefined {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const middle = myers(a, b, start, endA, start, endB, maxEdits)
  if (middle === undefined) return undefined
  const runs: Run[] = []
  if (start > 0) runs.push({ op: 'equal', i: 0, j: 0, n: start })
  runs.push(...middle)
  if (endA < a.length) runs.push({ op: 'equal', i: endA, j: endB, n: a.length - endA })
  return runs
}

function myers(
  a: readonly string[],
  b: readonly string[],
  a0: number,
  a1: number,
  b0: number,
  b1: number,
  maxEdits: number,
): Run[] | undefined {
  const n = a1 - a0
  const m = b1 - b0
  if (n === 0 && m === 0) return []
  if (n === 0 || m === 0) return [{ op: 'change', i: a0, n, j: b0, m }]
  const max = Math.min(n + m, maxEdits)
  const offset = max + 1
  let v: Int32Array = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice())
    for (let k = -d; k <= d; k += 2) {
      let x: number
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!
      else x = v[offset + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = d
        break
      }
    }
    if (found >= 0) break
  }
  if (found < 0) return undefined

  // Walk the trace back into single steps, then merge them into runs.
  const steps: ('=' | '-' | '+')[] = []
  let x = n
  let y = m
  for (let d = found; d > 0; d--) {
    v = trace[d]!
    const k = x - y
    const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
    const prevK = down ? k + 1 : k - 1
    const prevX = v[offset + prevK]!
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      steps.push('=')
      x--
      y--
    }
    steps.push(down ? '+' : '-')
    if (down) y--
    else x--
  }
  while (x > 0 && y > 0) {
    steps.push('=')
    x--
    y--
  }
  steps.reverse()

  const runs: Run[] = []
  let i = a0
  let j = b0
  for (let s = 0; s < steps.length; ) {
    if (steps[s] === '=') {
      let len = 0
      while (s < steps.length && steps[s] === '=') {
        len++
        s++
      }
      runs.push({ op: 'equal', i, j, n: len })
      i += len
      j += len
    } else {
      let del = 0
      let ins = 0
      while (s < steps.length && steps[s] !== '=') {
        if (steps[s] === '-') del++
        else ins++
        s++
      }
      runs.push({ op: 'change', i, n: del, j, m: ins })
      i += del
      j += ins
    }
  }
  return runs
}
