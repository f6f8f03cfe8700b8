/**
 * A plain-text table for the CLI: a header, a rule under it, and the rows, each column as wide
 * as its widest cell, two spaces apart, with no trailing spaces.
 */
export function alignColumns(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}
