/**
 * The production views' charts (recharts, loaded only when the views open): one line per
 * provider/model for volume, success rate, p95 latency, generated seconds and cost, with each
 * config version change drawn as a vertical marker; and cost per UTC day against the tier's
 * daily budget. A measure whose query failed shows its problem where its chart would be.
 */
import { formatMoney } from '../../../shared/format';
import type { ReactElement } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  DefaultZIndexes,
  ZIndexLayer,
  usePlotArea,
} from '../components/recharts';
import {
  SERIES_MEASURES,
  type SeriesMeasure,
  type SeriesReport,
  type TargetSeries,
} from '../../../shared/watch/watch-types';
import { ProblemBox } from './watch-problem';
import {
  AXIS_TICK,
  ChartCard,
  LegendToggles,
  SERIES_COLORS,
  TICK_FORMAT,
  TOOLTIP_STYLE,
  useChartImage,
  useHiddenSeries,
  X_AXIS_TITLED_HEIGHT,
  xAxisTitle,
  yAxisTitle,
} from '../components/chart-kit';
import {
  MEASURE_INFO,
  chartRows,
  dailyCost,
  dailyCostText,
  measureText,
  formatInstant,
  formatTick,
  niceCeil,
  targetName,
  layoutMarkerLabels,
  timeTicks,
  type ProblemLayout,
  type VersionMarker,
} from './watch-views-format';

const CHART_HEIGHT = 236;

/** The value axis' tick format of each measure (the shared formats, see chart-kit). */
const MEASURE_TICK: Record<SeriesMeasure, (value: number) => string> = {
  volume: TICK_FORMAT.count,
  success_rate: TICK_FORMAT.percent,
  p95_latency: TICK_FORMAT.seconds,
  generated_seconds: TICK_FORMAT.count,
  cost: TICK_FORMAT.money,
};

/**
 * Version markers: dashed amber for a version first seen in the metrics (`config_version`),
 * solid for one the console published (red for a rollback); one the metrics confirm keeps the
 * dashed amber line with the console's label. Labels are placed by `MarkerLabels`.
 */
function markerColor(marker: VersionMarker): string {
  if (marker.source !== 'console') return 'var(--color-warning)';
  return marker.action === 'rollback' ? 'var(--color-danger)' : 'var(--color-text-muted)';
}

function VersionMarkers({ markers }: { markers: readonly VersionMarker[] }): ReactElement[] {
  return markers.map((marker) => (
    <ReferenceLine
      key={`${marker.source}-${marker.at}-${marker.version}`}
      x={marker.at}
      className={`wt-marker wt-marker-${marker.source}`}
      stroke={markerColor(marker)}
      {...(marker.source === 'console' ? {} : { strokeDasharray: '4 3' })}
      strokeWidth={1.5}
      ifOverflow="hidden"
    />
  ));
}

const LABEL_ROW_HEIGHT = 13;

/** The markers' labels, in rows so that close markers do not write over each other. */
function MarkerLabels({
  markers,
  from,
  to,
}: {
  markers: readonly VersionMarker[];
  from: number;
  to: number;
}): ReactElement | null {
  const plot = usePlotArea();
  if (!plot || markers.length === 0) return null;
  // Above the lines, like recharts' own labels, so a busy series never hides them.
  return (
    <ZIndexLayer zIndex={DefaultZIndexes.label}>
      <g className="wt-marker-labels">
        {layoutMarkerLabels(markers, from, to, plot.width).map(({ marker, x, row, anchor }) => (
          <text
            key={`${marker.source}-${marker.at}-${marker.version}`}
            className={`wt-marker-label wt-marker-label-${marker.source}`}
            x={plot.x + x + (anchor === 'start' ? 4 : -4)}
            y={plot.y + 10 + row * LABEL_ROW_HEIGHT}
            textAnchor={anchor}
            fill={markerColor(marker)}
            fontSize={11}
            fontWeight={700}
            stroke="var(--color-surface)"
            strokeWidth={3}
            paintOrder="stroke"
          >
            {marker.label}
          </text>
        ))}
      </g>
    </ZIndexLayer>
  );
}

function MeasureChart({
  report,
  targets,
  colorOf,
  measure,
  markers,
  hidden,
}: {
  report: SeriesReport;
  targets: readonly TargetSeries[];
  colorOf: (target: TargetSeries) => string;
  measure: SeriesMeasure;
  markers: readonly VersionMarker[];
  /** Series hidden from the legend (by target name). */
  hidden: ReadonlySet<string>;
}): ReactElement {
  const info = MEASURE_INFO[measure];
  const rows = chartRows(targets, measure);
  const image = useChartImage();
  const span = report.to - report.from;
  const hasValue = rows.some((row) =>
    targets.some((_, index) => typeof row[`s${index}`] === 'number'),
  );
  if (!hasValue)
    return (
      <ProblemBox
        problem={{
          kind: 'empty',
          measure,
          message: `No ${info.title.toLowerCase()} values for the selected providers in this range.`,
        }}
      />
    );
  return (
    <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
      <LineChart {...image} data={rows} margin={{ top: 14, right: 12, bottom: 0, left: 4 }}>
        <CartesianGrid stroke="var(--color-border)" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[report.from, report.to]}
          ticks={timeTicks(report.from, report.to)}
          tickFormatter={(value: number) => formatTick(value, span)}
          tick={AXIS_TICK}
          tickLine={false}
          minTickGap={8}
          height={X_AXIS_TITLED_HEIGHT}
          label={xAxisTitle(span <= 2 * 86_400_000 ? 'Time (UTC)' : 'Day (UTC)')}
        />
        <YAxis
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={64}
          {...(measure === 'success_rate' ? { domain: ['auto', 100] as [string, number] } : {})}
          tickFormatter={MEASURE_TICK[measure]}
          label={yAxisTitle(info.axisTitle)}
        />
        <Tooltip
          contentStyle={TOOLTIP_STYLE}
          labelFormatter={(value) => formatInstant(Number(value))}
          formatter={(value) => (typeof value === 'number' ? info.format(value) : '—')}
        />
        {targets.map((target, index) => (
          <Line
            key={targetName(target)}
            hide={hidden.has(targetName(target))}
            dataKey={`s${index}`}
            name={targetName(target)}
            stroke={colorOf(target)}
            dot={false}
            strokeWidth={1.75}
            isAnimationActive={false}
            connectNulls={false}
          />
        ))}
        {VersionMarkers({ markers })}
        <MarkerLabels markers={markers} from={report.from} to={report.to} />
      </LineChart>
    </ResponsiveContainer>
  );
}

function DailyCostChart({
  report,
  targets,
  colorOf,
  dailyBudgetUsd,
  hidden,
}: {
  report: SeriesReport;
  targets: readonly TargetSeries[];
  colorOf: (target: TargetSeries) => string;
  dailyBudgetUsd: number | null;
  hidden: ReadonlySet<string>;
}): ReactElement {
  const { rows, partial } = dailyCost(targets, report.from, report.to);
  const image = useChartImage();
  if (rows.length === 0)
    return (
      <ProblemBox
        problem={{ kind: 'empty', measure: 'cost', message: 'No cost values in this range.' }}
      />
    );
  const totals = rows.map((row) =>
    targets.reduce(
      (sum, target, index) =>
        hidden.has(targetName(target)) ? sum : sum + (row[`s${index}`] ?? 0),
      0,
    ),
  );
  // Room for the budget line even when spending stays far below it.
  const top = niceCeil(Math.max(...totals, dailyBudgetUsd ?? 0) * 1.05);
  return (
    <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
      <BarChart {...image} data={rows} margin={{ top: 14, right: 12, bottom: 0, left: 4 }}>
        <CartesianGrid stroke="var(--color-border)" vertical={false} />
        <XAxis
          dataKey="t"
          tickFormatter={(value: number) =>
            `${new Date(value).toISOString().slice(5, 10)}${partial.has(value) ? '*' : ''}`
          }
          tick={AXIS_TICK}
          tickLine={false}
          height={X_AXIS_TITLED_HEIGHT}
          label={xAxisTitle('Day (UTC)')}
        />
        <YAxis
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={64}
          domain={[0, top]}
          ticks={[0, top / 4, top / 2, (3 * top) / 4, top]}
          tickFormatter={TICK_FORMAT.money}
          label={yAxisTitle('Dollars per day')}
        />
        <Tooltip
          contentStyle={TOOLTIP_STYLE}
          cursor={{ fill: 'var(--color-surface-sunken)' }}
          labelFormatter={(value) =>
            `${new Date(Number(value)).toISOString().slice(0, 10)} (UTC)${partial.has(Number(value)) ? ', part of the day only' : ''}`
          }
          formatter={(value) => (typeof value === 'number' ? formatMoney(value) : '—')}
        />
        {targets.map((target, index) => (
          <Bar
            key={targetName(target)}
            hide={hidden.has(targetName(target))}
            dataKey={`s${index}`}
            name={targetName(target)}
            stackId="cost"
            fill={colorOf(target)}
            isAnimationActive={false}
          />
        ))}
        {dailyBudgetUsd !== null ? (
          <ReferenceLine
            y={dailyBudgetUsd}
            stroke="var(--color-danger)"
            strokeDasharray="6 3"
            strokeWidth={1.5}
            label={{
              value: `daily budget $${dailyBudgetUsd.toLocaleString('en-US')}`,
              position: 'insideTopRight',
              fill: 'var(--color-danger)',
              fontSize: 11,
              fontWeight: 700,
              // A halo keeps the words readable where they cross a bar.
              stroke: 'var(--color-surface)',
              strokeWidth: 3,
              paintOrder: 'stroke',
            }}
          />
        ) : null}
      </BarChart>
    </ResponsiveContainer>
  );
}

export function WatchCharts({
  report,
  provider,
  problems,
  markers,
  dailyBudgetUsd,
}: {
  report: SeriesReport;
  provider: string;
  problems: ProblemLayout;
  /** Config versions from the metrics and the console's publish history, merged. */
  markers: readonly VersionMarker[];
  dailyBudgetUsd: number | null;
}): ReactElement {
  // Colours follow the target's place among all targets, so a provider filter keeps them.
  const colorOf = (target: TargetSeries): string =>
    SERIES_COLORS[
      report.targets.findIndex((item) => targetName(item) === targetName(target)) %
        SERIES_COLORS.length
    ] ?? 'var(--chart-1)';
  const targets =
    provider === 'all' ? report.targets : report.targets.filter((t) => t.provider === provider);
  // One legend for all six charts: a click hides (or shows) that target's series in each.
  const series = useHiddenSeries();
  const dailyText = problems.byMeasure.cost
    ? null
    : dailyCostText(targets, report.from, report.to, dailyBudgetUsd);
  const stepText =
    report.stepSeconds >= 3600
      ? `${report.stepSeconds / 3600} h`
      : `${report.stepSeconds / 60} min`;
  return (
    <div className="wt-charts">
      <ul className="wt-legend" aria-label="Providers and models">
        <LegendToggles
          items={targets.map((target) => ({
            key: targetName(target),
            label: targetName(target),
            color: colorOf(target),
          }))}
          series={series}
          label="the production charts"
          itemTestId="watch-legend-item"
        />
        {markers.some((marker) => marker.source !== 'console') ? (
          <li className="wt-legend-marker" data-testid="watch-legend-marker" data-source="metrics">
            <span className="wt-marker-swatch" aria-hidden="true" /> config version in the metrics
          </li>
        ) : null}
        {markers.some((marker) => marker.source === 'console') ? (
          <li className="wt-legend-marker" data-testid="watch-legend-marker" data-source="console">
            <span className="wt-marker-swatch wt-marker-swatch-console" aria-hidden="true" />{' '}
            published from this console, not seen in the metrics
          </li>
        ) : null}
      </ul>
      <div className="chart-grid">
        {SERIES_MEASURES.map((measure) => {
          const problem = problems.byMeasure[measure];
          const text = problem ? null : measureText(targets, measure, report.from, report.to);
          return (
            <ChartCard
              testId="watch-chart"
              key={measure}
              measure={measure}
              // A table only where the chart draws values (not a problem or an empty range).
              {...(text && text.table.rows.some((row) => row.cells.some((cell) => cell !== '—'))
                ? text
                : {})}
              title={MEASURE_INFO[measure].title}
              subtitle={`${MEASURE_INFO[measure].unit}, one point per ${stepText}`}
              series={series}
            >
              {problem ? (
                <ProblemBox problem={problem} />
              ) : (
                <MeasureChart
                  report={report}
                  targets={targets}
                  colorOf={colorOf}
                  measure={measure}
                  markers={markers}
                  hidden={series.hidden}
                />
              )}
            </ChartCard>
          );
        })}
        <ChartCard
          testId="watch-chart"
          measure="daily_cost"
          {...(dailyText && dailyText.table.rows.length > 0 ? dailyText : {})}
          series={series}
          title="Cost per day against the budget"
          subtitle={
            dailyBudgetUsd === null
              ? 'Dollars per UTC day. No daily budget is set for this tier.'
              : `Dollars per UTC day; the dashed line is the daily budget ($${dailyBudgetUsd.toLocaleString('en-US')}). * = day only partly in range.`
          }
        >
          {problems.byMeasure.cost ? (
            <ProblemBox problem={problems.byMeasure.cost} />
          ) : (
            <DailyCostChart
              report={report}
              targets={targets}
              colorOf={colorOf}
              dailyBudgetUsd={dailyBudgetUsd}
              hidden={series.hidden}
            />
          )}
        </ChartCard>
      </div>
    </div>
  );
}
