/**
 * The text alternative of a chart, without React or recharts (the format modules that build it
 * stay pure and testable without drawing): the table a chart card's Table view shows, the
 * sentence that names the chart's SVG, and the table as CSV for the copy button.
 */
import { csvCell } from '../../../shared/format';

/**
 * A chart's numbers as a table: its text alternative, for a screen reader and for an admin who
 * wants the figures themselves. Cells are already written by the shared formatters, so the table
 * reads exactly like the chart's ticks and tooltips.
 */
export interface ChartTableData {
  /** What the table holds, one sentence: its <caption>. */
  caption: string;
  /** The header row: the rows' own header first, then one per value column, each with its unit. */
  columns: readonly string[];
  /**
   * Per column (the row header's included), the legend key of the series it holds, or null: a
   * column whose series is hidden in the chart is greyed in the table. Absent: no column is one.
   */
  columnSeries?: readonly (string | null)[];
  /** One per model, series or point of the chart, hidden legend series included. */
  rows: readonly ChartTableRow[];
  /**
   * The header of Copy as CSV. The copy holds raw numbers for a spreadsheet, so its columns are
   * named as the scorecard's CSV export names its own: snake_case with the unit last
   * (`success_rate` a fraction 0–1, `…_ms`, `…_usd`); the row header may take two columns.
   */
  csvColumns: readonly string[];
}

export interface ChartTableRow {
  key: string;
  header: string;
  cells: readonly string[];
  /** The same row for Copy as CSV, one value per `csvColumns`: raw numbers, null for none. */
  csv: readonly (string | number | null)[];
  /** The legend key of the series the row holds, where the row is one (greyed when hidden). */
  series?: string;
}

/** A chart's text alternative: the table behind its Table view and the sentence on its SVG. */
export interface ChartText {
  table: ChartTableData;
  summary: string;
}

/**
 * The item with the highest (or lowest) finite value, for a summary's "highest rating X at …";
 * undefined when no item has a value.
 */
export function extremeOf<T>(
  items: readonly T[],
  value: (item: T) => number | null | undefined,
  want: 'highest' | 'lowest',
): T | undefined {
  let found: T | undefined;
  let best = want === 'highest' ? -Infinity : Infinity;
  for (const item of items) {
    const v = value(item);
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (want === 'highest' ? v > best : v < best) {
      best = v;
      found = item;
    }
  }
  return found;
}

/**
 * The table as RFC 4180 CSV (CRLF line ends) for a spreadsheet: the CSV header, then each row's
 * raw values (plain decimals, no "%", "$" or unit; an empty cell where there is no value).
 */
export function chartTableCsv(table: ChartTableData): string {
  const width = table.csvColumns.length;
  const uneven = table.rows.find((row) => row.csv.length !== width);
  // A builder's mistake, never the admin's: said rather than a shifted column in a spreadsheet.
  if (uneven)
    throw new Error(
      `CSV row "${uneven.header}" has ${uneven.csv.length} values for ${width} columns (${table.caption})`,
    );
  const lines = [
    table.csvColumns.map(csvCell).join(','),
    ...table.rows.map((row) => row.csv.map(csvCell).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
