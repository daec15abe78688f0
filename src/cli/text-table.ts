/** Plain-text columns for terminal output: a header row, two spaces between columns. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right = new Set<number>(),
) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}
