/**
 * What every chart of the console shares (scorecard, review, production watch): series and
 * outcome colours, axis tick and title styles, one tick format per unit, the tooltip box, and
 * legends whose entries hide and show their series, and each chart's text alternative (a Chart |
 * Table switch on its card, a summary sentence on its SVG). No recharts import here: the props returned
 * are plain objects, so this module costs nothing to the screens that draw no chart.
 */
import {
  createContext,
  useContext,
  useId,
  useMemo,
  useState,
  type ReactElement,
  type ReactNode,
} from 'react';
import { formatLatency, formatMoneyTick, formatNumber } from '../../../shared/format';
import { chartTableCsv, type ChartTableData } from '../lib/chart-text';

/** Colours of models / providers, apart from the outcome colours below. */
export const SERIES_COLORS = [
  'var(--chart-1)',
  'var(--chart-2)',
  'var(--chart-3)',
  'var(--chart-4)',
  'var(--chart-5)',
  'var(--chart-6)',
] as const;

export const OUTCOME_COLORS = {
  success: 'var(--chart-success)',
  policy_refusal: 'var(--chart-policy)',
  failure: 'var(--chart-failure)',
  timeout: 'var(--chart-timeout)',
  bad_output: 'var(--chart-bad)',
} as const;

export const AXIS_TICK = { fill: 'var(--color-text-muted)', fontSize: 12 };
/** Model names on a category axis. */
export const NAME_TICK = { fill: 'var(--color-text)', fontSize: 12 };
export const AXIS_TITLE = { fill: 'var(--color-text-muted)', fontSize: 11 };
export const TOOLTIP_STYLE = {
  background: 'var(--color-surface)',
  border: '1px solid var(--color-border)',
  borderRadius: 8,
  fontSize: 12,
};
export const LEGEND_STYLE = { fontSize: 12, cursor: 'pointer' };

/** One tick format per unit, the same on every chart. */
export const TICK_FORMAT = {
  /**
   * "0 s", "250 ms", "1.25 s", "12.5 s", "1,200 s": the shared latency format (as the tables and
   * tooltips write a time), so an axis of short phases (downloads, a fast model) reads in ms, not
   * "0.1 s, 0.1 s, 0.1 s" for 0.05, 0.075, 0.1.
   */
  seconds: (value: number): string => formatLatency(value * 1000),
  /** "0%", "75%" (values already in percent) */
  percent: (value: number): string => `${formatNumber(value, 0)}%`,
  /** "$0", "$0.125", "$20" */
  money: (value: number): string => (value === 0 ? '$0' : formatMoneyTick(value)),
  /** "1,204" */
  count: (value: number): string => formatNumber(value, 1),
};

/**
 * A value axis from 0 that ends on a round number, with ticks a round step apart (1, 2 or 5
 * times a power of ten) and at most five intervals: "$0, $0.05, $0.10, $0.15" for a top value of
 * $0.14, where recharts' own choice was "$0, $0.035, $0.07, $0.105, $0.14".
 */
export function roundAxis(max: number): { domain: [number, number]; ticks: number[] } {
  if (!Number.isFinite(max) || max <= 0) return { domain: [0, 1], ticks: [0, 0.25, 0.5, 0.75, 1] };
  const power = 10 ** Math.floor(Math.log10(max / 5));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => max / candidate <= 5)!;
  const count = Math.ceil(max / step - 1e-9);
  // Rounded to the step's decimals, so 3 × 0.05 is 0.15 and not 0.15000000000000002.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const ticks = Array.from({ length: count + 1 }, (_, i) => Number((i * step).toFixed(decimals)));
  return { domain: [0, ticks[ticks.length - 1]!], ticks };
}

/** The `label` of a vertical (value) axis: its title, turned, centred along the axis. */
export function yAxisTitle(value: string): {
  value: string;
  angle: number;
  position: 'insideLeft';
  style: Record<string, unknown>;
} {
  return {
    value,
    angle: -90,
    position: 'insideLeft',
    style: { ...AXIS_TITLE, textAnchor: 'middle' },
  };
}

/** The height to give a horizontal axis with a title: its ticks and the title under them. */
export const X_AXIS_TITLED_HEIGHT = 44;

/**
 * The `label` of a horizontal axis: its title under the ticks, inside the axis' own band (give
 * the axis `height={X_AXIS_TITLED_HEIGHT}`), so a legend under the chart never overlaps it.
 * Raised a few pixels off the band's bottom: at offset 0 the text's baseline sat on the SVG's
 * edge, and a chart with no bottom margin (the leaderboard) cut off "g" and "(" below it.
 */
export function xAxisTitle(value: string): {
  value: string;
  position: 'insideBottom';
  offset: number;
  style: Record<string, unknown>;
} {
  return { value, position: 'insideBottom', offset: 4, style: AXIS_TITLE };
}

/**
 * How a series is told apart besides its colour (WCAG 1.4.1: never by colour alone): plain, or
 * its colour under a pattern. One pattern system for every chart (review latency, scorecard).
 */
export type Texture = 'solid' | 'hatch-up' | 'dots' | 'hatch-down';

/** The fill of a textured series: its colour, or the pattern (`id`) that draws the texture in it. */
export function textureFill(id: string, texture: Texture, color: string): string {
  return texture === 'solid' ? color : `url(#${id})`;
}

/**
 * The SVG pattern of a texture in a colour (a theme variable, so both themes): a faint tint under
 * diagonal lines (rising or falling), or page-coloured dots on the colour. Put it in a chart's
 * <defs>; a legend's swatch elsewhere in the document can use the same url(#id).
 */
export function TexturePattern({
  id,
  texture,
  color,
}: {
  id: string;
  texture: Exclude<Texture, 'solid'>;
  color: string;
}): ReactElement {
  return (
    <pattern id={id} data-texture={texture} patternUnits="userSpaceOnUse" width={6} height={6}>
      {texture === 'dots' ? (
        <>
          <rect width={6} height={6} fill={color} />
          <circle cx={1.5} cy={1.5} r={1.1} fill="var(--color-surface)" />
          <circle cx={4.5} cy={4.5} r={1.1} fill="var(--color-surface)" />
        </>
      ) : (
        <>
          <rect width={6} height={6} fill={color} fillOpacity={0.22} />
          <path
            d={
              texture === 'hatch-up'
                ? 'M-1,7 L7,-1 M-1,1 L1,-1 M5,7 L7,5'
                : 'M-1,-1 L7,7 M-1,5 L1,7 M5,-1 L7,1'
            }
            stroke={color}
            strokeWidth={1.4}
          />
        </>
      )}
    </pattern>
  );
}

/** A legend swatch (HTML) drawn with a texture's pattern, or plain for 'solid'. */
export function TextureSwatch({
  patternId,
  texture,
  color,
}: {
  patternId: string;
  texture: Texture;
  color: string;
}): ReactElement {
  return (
    <svg
      className="legend-texture"
      width={14}
      height={14}
      aria-hidden="true"
      data-texture={texture}
    >
      <rect
        width={14}
        height={14}
        rx={2}
        fill={textureFill(patternId, texture, color)}
        stroke={color}
        strokeWidth={texture === 'solid' ? 0 : 1}
      />
    </svg>
  );
}

/** Series hidden by a click on their legend entry (click again to show them). */
export interface HiddenSeries {
  hidden: ReadonlySet<string>;
  /** The hidden series as their legend entries name them, in the order they were hidden. */
  hiddenNames: readonly string[];
  isHidden: (key: string) => boolean;
  /** Hides or shows a series; `name` is what its legend entry says (the key where absent). */
  toggle: (key: string, name?: string) => void;
  /**
   * For recharts' `<Legend formatter>`: the entry's text, struck through when hidden. Entries are
   * keyed by their series' dataKey, or by their name where the series has none (a Scatter).
   */
  legendText: (value: string, entry: { dataKey?: unknown }) => ReactElement;
  /** For recharts' `<Legend onClick>`. */
  onLegendClick: (entry: { dataKey?: unknown; value?: unknown }) => void;
}

const legendKey = (entry: { dataKey?: unknown; value?: unknown }): string =>
  entry.dataKey !== undefined && entry.dataKey !== null
    ? String(entry.dataKey)
    : String(entry.value);

/**
 * A hidden-series state of its own. A chart drawn inside a ChartCard uses useCardSeries instead,
 * so what it hides outlives the chart when the card shows its table in its place.
 */
export function useHiddenSeries(): HiddenSeries {
  // Key → the legend's name for it; a Map keeps the order they were hidden in.
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const hidden = useMemo(() => new Set(names.keys()), [names]);
  const toggle = (key: string, name?: string): void =>
    setNames((current) => {
      const next = new Map(current);
      if (next.has(key)) next.delete(key);
      else next.set(key, name ?? key);
      return next;
    });
  const legendText = (value: string, entry: { dataKey?: unknown }): ReactElement => {
    const off = hidden.has(legendKey({ ...entry, value }));
    return (
      <span
        className={`legend-toggle ${off ? 'is-off' : ''}`}
        title={off ? 'Show this series' : 'Hide this series'}
        data-testid="legend-toggle"
        data-off={off ? 'true' : 'false'}
      >
        {value}
      </span>
    );
  };
  return {
    hidden,
    hiddenNames: [...names.values()],
    isHidden: (key) => hidden.has(key),
    toggle,
    legendText,
    onLegendClick: (entry) =>
      toggle(legendKey(entry), entry.value === undefined ? undefined : String(entry.value)),
  };
}

/** The hidden series of the chart card a chart is drawn in. */
const CardSeriesContext = createContext<HiddenSeries | undefined>(undefined);

/**
 * The hidden series of the ChartCard around the calling chart: the card keeps them, so a series
 * hidden before Chart → Table → Chart stays hidden. Outside a card, a state of its own.
 */
export function useCardSeries(): HiddenSeries {
  const own = useHiddenSeries();
  return useContext(CardSeriesContext) ?? own;
}

/**
 * A legend outside the charts (one for several charts): each entry is a button that hides or
 * shows its series everywhere.
 */
export function LegendToggles({
  items,
  series,
  label,
  itemTestId,
}: {
  /** `mark`: the series' direct label in the chart (a number on its bars), shown by its swatch. */
  items: readonly { key: string; label: string; color: string; mark?: string }[];
  series: HiddenSeries;
  /** What the legend belongs to, for the buttons' accessible names ("the production charts"). */
  label: string;
  itemTestId?: string;
}): ReactElement {
  return (
    <>
      {items.map((item) => {
        const off = series.isHidden(item.key);
        return (
          <li key={item.key} data-testid={itemTestId}>
            <button
              type="button"
              className={`legend-button legend-toggle ${off ? 'is-off' : ''}`}
              aria-pressed={!off}
              // The name starts with the words the button shows, its number included (WCAG
              // 2.5.3: a speech user says what they see), then what a press does and where.
              aria-label={`${item.mark ? `${item.mark} ` : ''}${item.label}: ${off ? 'hidden, show it' : 'shown, hide it'} in ${label}`}
              title={off ? 'Show this series' : 'Hide this series'}
              data-testid="legend-toggle"
              data-off={off ? 'true' : 'false'}
              onClick={() => series.toggle(item.key, item.label)}
            >
              <span className="legend-swatch" style={{ background: item.color }} />
              {item.mark ? (
                <>
                  <span className="series-mark" aria-hidden="true">
                    {item.mark}
                  </span>{' '}
                </>
              ) : null}
              {item.label}
            </button>
          </li>
        );
      })}
    </>
  );
}

export { chartTableCsv, extremeOf, type ChartTableData, type ChartText } from '../lib/chart-text';

/**
 * A chart's data as a <table>: caption, column headers with units, a row header per row. Series
 * hidden in the chart stay in the table (it holds all the figures), named in a note over it and
 * greyed where a column or row is one of them.
 */
export function ChartDataTable({
  table,
  series,
}: {
  table: ChartTableData;
  /** The chart's hidden series; absent: none. */
  series?: HiddenSeries;
}): ReactElement {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const noteId = useId();
  const hiddenNames = series?.hiddenNames ?? [];
  const greyed = (key: string | null | undefined): boolean =>
    key != null && series !== undefined && series.isHidden(key);
  const columnGreyed = (index: number): boolean => greyed(table.columnSeries?.[index]);
  const copy = async (): Promise<void> => {
    // Made before the clipboard is tried, so only a clipboard failure is reported as one.
    const csv = chartTableCsv(table);
    try {
      await navigator.clipboard.writeText(csv);
      setCopied('yes');
    } catch {
      // No clipboard (a page without the permission): say so rather than pretend.
      setCopied('failed');
    }
  };
  return (
    <div className="chart-table">
      {hiddenNames.length > 0 ? (
        <p className="muted small chart-table-hidden" id={noteId} data-testid="chart-table-hidden">
          Hidden in the chart: {hiddenNames.join(', ')}. The table shows every series.
        </p>
      ) : null}
      {/* A long table (a week of five-minute points) scrolls in place; the keyboard can scroll it. */}
      <div
        className="table-wrap chart-table-scroll"
        tabIndex={0}
        role="region"
        aria-label={table.caption}
      >
        <table
          className="table"
          data-testid="chart-table"
          aria-describedby={hiddenNames.length > 0 ? noteId : undefined}
        >
          <caption className="chart-table-caption">{table.caption}</caption>
          <thead>
            <tr>
              {table.columns.map((column, index) => (
                <th
                  key={index}
                  scope="col"
                  className={cellClass(index > 0, columnGreyed(index))}
                  data-hidden-series={columnGreyed(index) ? 'true' : undefined}
                >
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr
                key={row.key}
                className={greyed(row.series) ? 'is-hidden-series' : undefined}
                data-hidden-series={greyed(row.series) ? 'true' : undefined}
              >
                <th scope="row">{row.header}</th>
                {row.cells.map((cell, index) => (
                  <td
                    key={index}
                    className={cellClass(true, columnGreyed(index + 1))}
                    data-hidden-series={columnGreyed(index + 1) ? 'true' : undefined}
                  >
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="chart-table-actions">
        <button
          type="button"
          className="button button-secondary button-small"
          data-testid="chart-table-copy"
          onClick={() => void copy()}
        >
          Copy as CSV
        </button>
        <span className="muted small" role="status">
          {copied === 'yes'
            ? 'Copied to the clipboard.'
            : copied === 'failed'
              ? 'Could not reach the clipboard.'
              : ''}
        </span>
      </div>
    </div>
  );
}

/** A table cell's classes: right-aligned figures, greyed when its column's series is hidden. */
function cellClass(numeric: boolean, hidden: boolean): string | undefined {
  const names = [numeric ? 'num' : '', hidden ? 'is-hidden-series' : ''].filter(Boolean);
  return names.length > 0 ? names.join(' ') : undefined;
}

type ChartView = 'chart' | 'table';

/**
 * Which view each chart shows, kept for the session (a module-level map, not the store: it is a
 * passing reading preference, not state any other screen needs), so a chart opened again on
 * another run or after a tab switch comes back as the admin left it.
 */
const chartViews = new Map<string, ChartView>();

/** The Chart | Table switch of a chart card: two buttons, the pressed one is the view shown. */
export function ChartViewToggle({
  title,
  view,
  onChange,
}: {
  title: string;
  view: ChartView;
  onChange: (view: ChartView) => void;
}): ReactElement {
  return (
    <div className="chart-view-toggle" role="group" aria-label={`Show ${title} as`}>
      {(['chart', 'table'] as const).map((option) => (
        <button
          key={option}
          type="button"
          className={`button button-small ${view === option ? 'button-primary' : 'button-secondary'}`}
          aria-pressed={view === option}
          data-testid={`chart-view-${option}`}
          onClick={() => onChange(option)}
        >
          {option === 'chart' ? 'Chart' : 'Table'}
        </button>
      ))}
    </div>
  );
}

/** The sentence that names a chart's picture, handed by its card to the chart inside. */
const ChartSummaryContext = createContext<string | undefined>(undefined);

/**
 * The props that make a chart's SVG an image with a one-sentence summary (spread them on the
 * recharts chart element, which passes role and aria-label to its <svg>). recharts would call
 * the SVG an "application"; to a screen reader it is a picture of the numbers, and the card's
 * Table view holds them.
 */
export function useChartImage(): { role?: 'img'; 'aria-label'?: string } {
  const summary = useContext(ChartSummaryContext);
  return summary ? { role: 'img', 'aria-label': summary } : {};
}

/**
 * A chart with its title and a one-line subtitle over it. `heading` is the title's level: h3 for
 * a chart directly under a screen's section, h4 under a sub-section (the review's charts).
 * With a `table`, the card offers a Chart | Table switch; `summary` labels the chart's SVG.
 */
export function ChartCard({
  title,
  subtitle,
  testId,
  measure,
  heading: Heading = 'h3',
  summary,
  table,
  viewKey,
  series,
  children,
}: {
  title: string;
  subtitle: string;
  testId: string;
  /** The `data-measure` of the card, where a test picks one chart of a set by what it draws. */
  measure?: string;
  heading?: 'h3' | 'h4';
  /** One sentence that says what the chart shows, for its SVG's accessible name. */
  summary?: string;
  /** The chart's data as a table; null or absent: no table view (nothing to chart). */
  table?: ChartTableData | null;
  /** Which remembered view is this chart's; testId and measure by default. */
  viewKey?: string;
  /**
   * Hidden series shared by several cards (one legend outside them); absent: the card keeps its
   * chart's own, above the chart, so they outlive the chart while the table is shown.
   */
  series?: HiddenSeries;
  children: ReactNode;
}): ReactElement {
  const ownSeries = useHiddenSeries();
  const hiddenSeries = series ?? ownSeries;
  const key = viewKey ?? `${testId}:${measure ?? ''}`;
  const [view, setView] = useState<ChartView>(() => chartViews.get(key) ?? 'chart');
  const choose = (next: ChartView): void => {
    chartViews.set(key, next);
    setView(next);
  };
  const showTable = table != null && view === 'table';
  return (
    <section
      className="chart-card"
      data-testid={testId}
      data-measure={measure}
      data-view={showTable ? 'table' : 'chart'}
      aria-label={title}
    >
      <div className="chart-card-head">
        <Heading className="chart-title">{title}</Heading>
        {table ? <ChartViewToggle title={title} view={view} onChange={choose} /> : null}
      </div>
      <p className="muted small chart-subtitle">{subtitle}</p>
      <div className="chart-body">
        {showTable ? (
          <ChartDataTable table={table} series={hiddenSeries} />
        ) : (
          <CardSeriesContext.Provider value={hiddenSeries}>
            <ChartSummaryContext.Provider value={summary}>{children}</ChartSummaryContext.Provider>
          </CardSeriesContext.Provider>
        )}
      </div>
    </section>
  );
}
