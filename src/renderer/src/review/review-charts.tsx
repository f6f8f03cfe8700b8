/**
 * The charts beside the ratings (recharts, loaded lazily with this module): leaderboard with
 * 95 % intervals, win-rate matrix, quality versus cost with the Pareto front, latency spread
 * and outcomes per model. Ratings come from the store (review:get-ratings); the rest from
 * review:get-chart-data.
 *
 * The win-rate heat map: recharts has no heat-map chart, so it is a horizontal stacked
 * BarChart whose segments are all one unit wide, one per opponent, each coloured through a
 * <Cell> by its win rate and labelled through <LabelList>. It stays a real recharts chart
 * (axes, tooltip, resizing, theming like the others) instead of a hand-drawn SVG or a table.
 */
import { formatLatency, formatMoney, formatPercent } from '../../../shared/format';
import { useEffect, useId, useMemo, useState, type ReactElement, type ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ErrorBar,
  LabelList,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip as ChartTooltip,
  usePlotArea,
  useXAxisScale,
  useYAxisScale,
  XAxis,
  YAxis,
} from '../components/recharts';
import { placePointLabels, type Box } from '../lib/label-layout';
import {
  RATED_OUTCOME_KEYS,
  type ReviewChartData,
} from '../../../shared/review/review-chart-schemas';
import type { Rating } from '../../../shared/review/review-schemas';
import { InlineError, Loading } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { OUTCOME_NAMES } from '../bench/scorecard-format';
import { useAppStore } from '../store/store';
import { modelNameFromKey } from './model-names';
import './review-extras.css';
import {
  AXIS_TICK,
  ChartCard,
  LEGEND_STYLE,
  NAME_TICK,
  OUTCOME_COLORS,
  roundAxis,
  TICK_FORMAT,
  TexturePattern,
  textureFill,
  TOOLTIP_STYLE,
  useChartImage,
  useCardSeries,
  X_AXIS_TITLED_HEIGHT,
  xAxisTitle,
  yAxisTitle,
} from '../components/chart-kit';
import {
  LATENCY_PARTS,
  latencyBoxes,
  latencyText,
  type LatencyTexture,
  leaderboardData,
  leaderboardText,
  outcomeText,
  qualityCostText,
  outcomeShares,
  qualityCostData,
  type QualityCostPoint,
  ratingDomain,
  ratingTicks,
  shortModelName,
  winRateColor,
  winRateRows,
  winRateText,
  winRateTextColor,
  type HeatmapRow,
} from './review-chart-format';

/** Row height of the per-model horizontal charts. */
const ROW = 40;
const NAME_AXIS_WIDTH = 128;

function rowsHeight(rows: number, extra = 56): number {
  return Math.max(160, rows * ROW + extra);
}

export function ReviewCharts({
  ratings,
  unranked = 0,
  category,
}: {
  /** The ranked part of the leaderboard shown (overall or one category), best first. */
  ratings: readonly Rating[];
  /** Models left out of the rating charts because they have too few votes. */
  unranked?: number;
  /** '' = overall. */
  category: string;
}): ReactElement {
  const models = useAppStore((state) => state.models);
  const totalVotes = useAppStore((state) => state.ratings?.totalVotes ?? 0);
  const [loaded, setLoaded] = useState<{ category: string; data: ReviewChartData } | null>(null);
  // Charts of another category are never shown under this one's titles.
  const data = loaded?.category === category ? loaded.data : null;
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let stale = false;
    getClient()
      .invoke('review:get-chart-data', category ? { category } : {})
      .then((value) => {
        if (stale) return;
        setLoaded({ category, data: value });
        setError(null);
      })
      .catch((cause: unknown) => {
        if (!stale) setError(describeError(cause));
      });
    return () => {
      stale = true;
    };
  }, [totalVotes, reload, category]);

  // Axis-sized names: the display name, else the model id without its provider.
  const nameOf = useMemo(
    () => (key: string) => shortModelName(modelNameFromKey(models, key), key),
    [models],
  );
  const scope = category ? `Category “${category}” votes only` : 'All votes';
  const leftOut =
    unranked > 0
      ? ` ${unranked} ${unranked === 1 ? 'model with too few votes is' : 'models with too few votes are'} left out.`
      : '';

  if (error && !data)
    return <InlineError message={error} onRetry={() => setReload((n) => n + 1)} />;
  if (!data) return <Loading label="Loading the charts…" skeleton="cards" count={2} />;
  // Per-model charts follow the leaderboard's order; unrated models go last.
  const rank = new Map(ratings.map((rating, index) => [rating.model, index]));
  const ordered: ReviewChartData = {
    ...data,
    models: [...data.models].sort(
      (a, b) => (rank.get(a.model) ?? Infinity) - (rank.get(b.model) ?? Infinity),
    ),
  };
  // The tables write each model's whole name (the axes shorten them to fit).
  const fullNameOf = (key: string): string => modelNameFromKey(models, key);
  const order = winRateOrder(ratings, data);
  const winRows = winRateRows(order, data.winRates, fullNameOf);
  const timed = ordered.models.filter((fact) => fact.latencyMs.n > 0);
  const finished = ordered.models.filter((fact) =>
    RATED_OUTCOME_KEYS.some((key) => fact.outcomes[key] > 0),
  );

  return (
    <section className="review-charts" aria-labelledby="review-charts-title">
      <h3 id="review-charts-title" className="section-title">
        Charts
      </h3>
      <div className="chart-grid review-chart-grid">
        <ChartCard
          heading="h4"
          title="Leaderboard"
          subtitle={`${scope}: rating with its 95% bootstrap interval. Overlapping bars are not yet told apart.${leftOut}`}
          testId="chart-leaderboard"
          viewKey="review-leaderboard"
          {...(ratings.length > 0 ? leaderboardText(ratings, fullNameOf) : {})}
        >
          <LeaderboardChart ratings={ratings} nameOf={nameOf} />
        </ChartCard>
        <ChartCard
          heading="h4"
          title="Quality versus cost"
          subtitle={`${scope}: rating against cost per second of video. The line joins the Pareto front: nothing is both cheaper and better.${leftOut}`}
          testId="chart-quality-cost"
          viewKey="review-quality-cost"
          {...(qualityCostData(ratings, data.models, fullNameOf).points.length > 0
            ? qualityCostText(ratings, data.models, fullNameOf)
            : {})}
        >
          <QualityCostChart ratings={ratings} data={data} nameOf={nameOf} />
        </ChartCard>
        <ChartCard
          heading="h4"
          title="Win rate"
          subtitle={`${scope} (${data.votes} ${data.votes === 1 ? 'vote' : 'votes'}): how often the row's model beat the column's (ties count half). Columns are numbered like the rows; grey: never met.`}
          testId="chart-win-rate"
          viewKey="review-win-rate"
          {...(winRows.length >= 2 && data.winRates.length > 0
            ? winRateText(winRows, data.votes)
            : {})}
        >
          <WinRateChart order={order} data={data} nameOf={nameOf} />
        </ChartCard>
        <ChartCard
          heading="h4"
          title="Latency"
          subtitle="Submit to file on disk, successful uncached videos: hatched tails from the fastest to p95, the box p25–p75 (solid below the median, dotted above)."
          testId="chart-latency"
          viewKey="review-latency"
          {...(timed.length > 0 ? latencyText(timed, fullNameOf) : {})}
        >
          <LatencyChart data={ordered} nameOf={nameOf} />
        </ChartCard>
        <ChartCard
          heading="h4"
          title="Outcomes"
          subtitle={`Finished generations by outcome, in the ${data.runIds.length} ${data.runIds.length === 1 ? 'run' : 'runs'} the rated videos came from.`}
          testId="chart-outcomes"
          viewKey="review-outcomes"
          {...(finished.length > 0 ? outcomeText(finished, fullNameOf) : {})}
        >
          <OutcomeChart data={ordered} nameOf={nameOf} />
        </ChartCard>
      </div>
    </section>
  );
}

function Empty({ children }: { children: ReactNode }): ReactElement {
  return <p className="muted small chart-empty">{children}</p>;
}

function LeaderboardChart({
  ratings,
  nameOf,
}: {
  ratings: readonly Rating[];
  nameOf: (key: string) => string;
}): ReactElement {
  const points = leaderboardData(ratings, nameOf);
  const image = useChartImage();
  if (points.length === 0) return <Empty>No model has enough votes for a rating here yet.</Empty>;
  const domain = ratingDomain(points);
  return (
    <ResponsiveContainer width="100%" height={rowsHeight(points.length)}>
      <ScatterChart {...image} margin={{ top: 8, right: 24, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--color-border)" horizontal={false} />
        <XAxis
          type="number"
          dataKey="rating"
          domain={domain}
          ticks={ratingTicks(domain)}
          tick={AXIS_TICK}
          tickLine={false}
          name="Rating"
          height={X_AXIS_TITLED_HEIGHT}
          label={xAxisTitle('Rating (1000 = mean)')}
        />
        <YAxis
          type="category"
          dataKey="name"
          width={NAME_AXIS_WIDTH}
          tick={NAME_TICK}
          tickLine={false}
          axisLine={false}
          allowDuplicatedCategory={false}
          reversed
        />
        <ReferenceLine
          x={1000}
          stroke="var(--color-border-strong)"
          strokeDasharray="4 3"
          label={{
            value: 'mean 1000',
            position: 'insideTopRight',
            fontSize: 11,
            fill: 'var(--color-text-muted)',
          }}
        />
        <ChartTooltip
          contentStyle={TOOLTIP_STYLE}
          cursor={{ strokeDasharray: '3 3' }}
          content={({ active, payload }) => {
            const point = active ? (payload?.[0]?.payload as (typeof points)[number]) : undefined;
            if (!point) return null;
            return (
              <div style={TOOLTIP_STYLE} className="chart-tooltip">
                <strong>{point.name}</strong>
                <div className="num">
                  {Math.round(point.rating)} (95%: {Math.round(point.low)}–{Math.round(point.high)})
                </div>
                <div className="muted">{point.votes} votes</div>
              </div>
            );
          }}
        />
        <Scatter data={points} fill="var(--chart-1)" isAnimationActive={false}>
          <ErrorBar
            dataKey="error"
            direction="x"
            width={10}
            strokeWidth={2.5}
            stroke="var(--chart-1)"
          />
        </Scatter>
      </ScatterChart>
    </ResponsiveContainer>
  );
}

function QualityCostChart({
  ratings,
  data,
  nameOf,
}: {
  ratings: readonly Rating[];
  data: ReviewChartData;
  nameOf: (key: string) => string;
}): ReactElement {
  const { points, front, missing } = qualityCostData(ratings, data.models, nameOf);
  if (points.length === 0)
    return (
      <Empty>
        No cost figures for the rated models: their benchmark runs are not in this console (votes
        imported from elsewhere?).
      </Empty>
    );
  const domain = ratingDomain(
    points.map((p) => ({ low: p.rating - p.error[0], high: p.rating + p.error[1] })),
  );
  const others = points.filter((point) => !point.onFront);
  return <QualityCostPlot front={front} others={others} domain={domain} missing={missing} />;
}

function QualityCostPlot({
  front,
  others,
  domain,
  missing,
}: {
  front: ReturnType<typeof qualityCostData>['front'];
  others: ReturnType<typeof qualityCostData>['points'];
  domain: [number, number];
  missing: readonly string[];
}): ReactElement {
  type Point = ReturnType<typeof qualityCostData>['points'][number];
  const series = useCardSeries();
  const image = useChartImage();
  return (
    <>
      <ResponsiveContainer width="100%" height={280}>
        <ScatterChart
          {...image}
          margin={{ top: 16, right: QUALITY_COST_RIGHT, bottom: 4, left: 0 }}
        >
          <CartesianGrid stroke="var(--color-border)" />
          <XAxis
            type="number"
            dataKey="cost"
            name="Cost per second"
            {...roundAxis(Math.max(...[...front, ...others].map((point) => point.cost)))}
            tickFormatter={TICK_FORMAT.money}
            tick={AXIS_TICK}
            tickLine={false}
            height={X_AXIS_TITLED_HEIGHT}
            label={xAxisTitle('Cost per second of video (USD)')}
          />
          <YAxis
            type="number"
            dataKey="rating"
            name="Rating"
            domain={domain}
            ticks={ratingTicks(domain)}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
            width={60}
            label={yAxisTitle('Rating')}
          />
          <ChartTooltip
            contentStyle={TOOLTIP_STYLE}
            content={({ active, payload }) => {
              const point = active ? (payload?.[0]?.payload as Point) : undefined;
              if (!point) return null;
              return (
                <div style={TOOLTIP_STYLE} className="chart-tooltip">
                  <strong>{point.name}</strong>
                  <div className="num">Rating {Math.round(point.rating)}</div>
                  <div className="num">{formatMoney(point.cost)} per second of video</div>
                  <div className="muted">{point.onFront ? 'On the Pareto front' : 'Dominated'}</div>
                </div>
              );
            }}
          />
          <Legend
            wrapperStyle={LEGEND_STYLE}
            iconSize={10}
            verticalAlign="top"
            height={28}
            formatter={series.legendText}
            onClick={series.onLegendClick}
          />
          <Scatter
            name="Pareto front"
            hide={series.isHidden('Pareto front')}
            data={front}
            fill="var(--chart-5)"
            line={{ stroke: 'var(--chart-5)', strokeWidth: 2 }}
            lineJointType="linear"
            isAnimationActive={false}
          >
            <ErrorBar dataKey="error" direction="y" width={ERROR_CAP} stroke="var(--chart-5)" />
          </Scatter>
          <Scatter
            name="Dominated"
            hide={series.isHidden('Dominated')}
            data={others}
            fill="var(--chart-bad)"
            isAnimationActive={false}
          >
            <ErrorBar dataKey="error" direction="y" width={ERROR_CAP} stroke="var(--chart-bad)" />
          </Scatter>
          <QualityCostLabels
            front={series.isHidden('Pareto front') ? [] : front}
            others={series.isHidden('Dominated') ? [] : others}
            rightMargin={QUALITY_COST_RIGHT}
          />
        </ScatterChart>
      </ResponsiveContainer>
      {missing.length > 0 ? (
        <p className="muted small">Not shown (no cost figures): {missing.join(', ')}.</p>
      ) : null}
    </>
  );
}

/** The win-rate matrix's models: leaderboard order, then those that met only in other categories. */
function winRateOrder(ratings: readonly Rating[], data: ReviewChartData): string[] {
  const all = ratings.map((rating) => rating.model);
  for (const cell of data.winRates) if (!all.includes(cell.model)) all.push(cell.model);
  return all;
}

function WinRateChart({
  order,
  data,
  nameOf,
}: {
  order: readonly string[];
  data: ReviewChartData;
  nameOf: (key: string) => string;
}): ReactElement {
  const rows = winRateRows(order, data.winRates, nameOf);
  const image = useChartImage();
  if (rows.length < 2 || data.winRates.length === 0)
    return <Empty>Needs votes between at least two models.</Empty>;
  const n = rows.length;
  // One unit per column; the row object carries the cell figures for labels and tooltip.
  const chartRows = rows.map((row) => {
    const entry: Record<string, unknown> = { name: row.name, row };
    row.cells.forEach((cell, column) => {
      entry[`c${column}`] = 1;
      entry[`label${column}`] =
        cell.rate === null ? (row.model === cell.opponent ? '' : '–') : formatPercent(cell.rate);
    });
    return entry;
  });
  // Columns are numbered like the rows (full names would not fit above narrow cells).
  const columnNames = rows.map((_, index) => `#${index + 1}`);
  chartRows.forEach((entry, index) => {
    entry.name = `#${index + 1}  ${rows[index]!.name}`;
  });
  return (
    <ResponsiveContainer width="100%" height={Math.max(200, n * 48 + 68)}>
      <BarChart
        {...image}
        data={chartRows}
        layout="vertical"
        margin={{ top: 28, right: 16, bottom: 0, left: 0 }}
        barCategoryGap={2}
      >
        <XAxis
          type="number"
          domain={[0, n]}
          ticks={columnNames.map((_, index) => index + 0.5)}
          tickFormatter={(value: number) => columnNames[Math.floor(value)] ?? ''}
          orientation="top"
          tick={NAME_TICK}
          tickLine={false}
          axisLine={false}
          interval={0}
          label={{
            value: 'Against (column #)',
            position: 'top',
            offset: 8,
            style: { fill: 'var(--color-text-muted)', fontSize: 11 },
          }}
        />
        <YAxis
          type="category"
          dataKey="name"
          width={NAME_AXIS_WIDTH + 24}
          tick={NAME_TICK}
          tickLine={false}
          axisLine={false}
        />
        <ChartTooltip
          cursor={false}
          contentStyle={TOOLTIP_STYLE}
          content={({ active, payload }) => {
            const item = active ? payload?.[0] : undefined;
            const row = (item?.payload as { row?: HeatmapRow } | undefined)?.row;
            if (!row) return null;
            return (
              <div style={TOOLTIP_STYLE} className="chart-tooltip">
                <strong>{row.name}</strong> against…
                {row.cells
                  .filter((cell) => cell.opponent !== row.model)
                  .map((cell) => (
                    <div key={cell.opponent} className="num">
                      {nameOf(cell.opponent)}:{' '}
                      {cell.rate === null
                        ? 'never met'
                        : `${formatPercent(cell.rate)} (${cell.wins} of ${cell.games})`}
                    </div>
                  ))}
              </div>
            );
          }}
        />
        {columnNames.map((_, column) => (
          <Bar
            key={column}
            dataKey={`c${column}`}
            stackId="cells"
            isAnimationActive={false}
            stroke="var(--color-surface)"
            strokeWidth={2}
          >
            {rows.map((row) => (
              <Cell key={row.model} fill={winRateColor(row.cells[column]!.rate)} />
            ))}
            <LabelList
              dataKey={`label${column}`}
              position="center"
              fontSize={12}
              fontWeight={600}
              content={(props) => {
                const { x, y, width, height, value, index } = props as {
                  x: number;
                  y: number;
                  width: number;
                  height: number;
                  value: string;
                  index: number;
                };
                const rate = rows[index]?.cells[column]?.rate ?? null;
                return (
                  <text
                    x={x + width / 2}
                    y={y + height / 2}
                    textAnchor="middle"
                    dominantBaseline="central"
                    fontSize={12}
                    fontWeight={600}
                    fill={winRateTextColor(rate)}
                  >
                    {value}
                  </text>
                );
              }}
            />
          </Bar>
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** The quality-versus-cost chart's right margin: room for the names of the dearest models. */
const QUALITY_COST_RIGHT = 56;
/** Width of an error bar's caps, px. */
const ERROR_CAP = 6;
/** Radius of a scatter point (recharts' default symbol, 64 px² of circle), px. */
const SYMBOL_RADIUS = 4.5;
const LABEL_FONT_SIZE = 12;
const LABEL_HEIGHT = 15;

/** The pixel width of a label in the chart's font (an estimate where there is no canvas). */
function labelWidth(text: string, font: string): number {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return text.length * LABEL_FONT_SIZE * 0.6;
  measureContext.font = font;
  return Math.ceil(measureContext.measureText(text).width);
}
let measureContext: CanvasRenderingContext2D | null | undefined;

/**
 * Each point's name beside it (lib/label-layout.ts picks the side and line), clear of every
 * point's symbol and error bar and of the other names. Drawn inside the chart, where recharts'
 * scales turn costs and ratings into pixels.
 */
function QualityCostLabels({
  front,
  others,
  rightMargin,
}: {
  front: readonly QualityCostPoint[];
  others: readonly QualityCostPoint[];
  rightMargin: number;
}): ReactElement | null {
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const plot = usePlotArea();
  if (!xScale || !yScale || !plot) return null;
  const font = `${LABEL_FONT_SIZE}px ${getComputedStyle(document.body).fontFamily}`;
  const points = [
    ...front.map((point) => ({ point, fill: 'var(--color-text)' })),
    ...others.map((point) => ({ point, fill: 'var(--color-text-muted)' })),
  ].flatMap(({ point, fill }) => {
    const x = xScale(point.cost);
    const y = yScale(point.rating);
    const top = yScale(point.rating + point.error[1]);
    const bottom = yScale(point.rating - point.error[0]);
    return x === undefined || y === undefined
      ? []
      : [{ point, fill, x, y, top: top ?? y, bottom: bottom ?? y }];
  });
  const capHalf = ERROR_CAP / 2 + 1;
  const obstacles: Box[] = points.flatMap(({ x, y, top, bottom }) => [
    {
      left: x - capHalf,
      right: x + capHalf,
      top: Math.min(top, bottom),
      bottom: Math.max(top, bottom),
    },
    {
      left: x - SYMBOL_RADIUS,
      right: x + SYMBOL_RADIUS,
      top: y - SYMBOL_RADIUS,
      bottom: y + SYMBOL_RADIUS,
    },
  ]);
  // The front's line too, as small boxes along each segment: a name across it hides the line.
  const line = points.filter(({ point }) => point.onFront);
  for (let index = 1; index < line.length; index += 1) {
    const from = line[index - 1]!;
    const to = line[index]!;
    const steps = Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / 4);
    for (let step = 1; step < steps; step += 1) {
      const x = from.x + ((to.x - from.x) * step) / steps;
      const y = from.y + ((to.y - from.y) * step) / steps;
      obstacles.push({ left: x - 1.5, right: x + 1.5, top: y - 1.5, bottom: y + 1.5 });
    }
  }
  const placed = placePointLabels(
    points.map(({ point, x, y }) => ({
      x,
      y,
      width: labelWidth(point.name, font),
      height: LABEL_HEIGHT,
    })),
    obstacles,
    {
      left: plot.x,
      top: plot.y,
      right: plot.x + plot.width + rightMargin - 4,
      bottom: plot.y + plot.height,
    },
    Math.max(SYMBOL_RADIUS, capHalf) + 4,
  );
  return (
    <g className="point-labels">
      {points.map(({ point, fill }, index) => {
        const box = placed[index]!.box;
        return (
          <text
            key={point.model}
            className="point-label"
            data-testid="point-label"
            x={box.left}
            y={(box.top + box.bottom) / 2}
            dominantBaseline="central"
            fontSize={LABEL_FONT_SIZE}
            fill={fill}
          >
            {point.name}
          </text>
        );
      })}
    </g>
  );
}

function LatencyChart({
  data,
  nameOf,
}: {
  data: ReviewChartData;
  nameOf: (key: string) => string;
}): ReactElement {
  const boxes = latencyBoxes(data.models, nameOf);
  const series = useCardSeries();
  const image = useChartImage();
  // Pattern ids unique to this chart (useId's colons do not belong in a url(#...) reference).
  const patterns = `latency-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  // Hidden parts of a box stay in place, transparent, so the others keep their positions.
  if (boxes.length === 0) return <Empty>No successful, uncached videos to time yet.</Empty>;
  return (
    <ResponsiveContainer width="100%" height={rowsHeight(boxes.length, 72)}>
      <BarChart
        {...image}
        data={boxes}
        layout="vertical"
        margin={{ top: 8, right: 24, bottom: 0, left: 0 }}
        barCategoryGap="30%"
      >
        {/* The legend's swatches use these patterns too (a url(#id) resolves in the document). */}
        <LatencyPatterns idPrefix={patterns} />
        <CartesianGrid stroke="var(--color-border)" horizontal={false} />
        <XAxis
          type="number"
          domain={[0, 'auto']}
          tickFormatter={TICK_FORMAT.seconds}
          tick={AXIS_TICK}
          tickLine={false}
          height={X_AXIS_TITLED_HEIGHT}
          label={xAxisTitle('Seconds from submit to file on disk')}
        />
        <YAxis
          type="category"
          dataKey="name"
          width={NAME_AXIS_WIDTH}
          tick={NAME_TICK}
          tickLine={false}
          axisLine={false}
        />
        <ChartTooltip
          cursor={{ fill: 'var(--color-surface-sunken)' }}
          contentStyle={TOOLTIP_STYLE}
          content={({ active, payload }) => {
            const box = active ? (payload?.[0]?.payload as (typeof boxes)[number]) : undefined;
            if (!box) return null;
            const s = (value: number) => formatLatency(value * 1000);
            return (
              <div style={TOOLTIP_STYLE} className="chart-tooltip num">
                <strong>{box.name}</strong> ({box.n} videos)
                <div>fastest {s(box.min)}</div>
                <div>
                  p25 {s(box.p25)} · median {s(box.p50)} · p75 {s(box.p75)}
                </div>
                <div>
                  p95 {s(box.p95)} · slowest {s(box.max)}
                </div>
              </div>
            );
          }}
        />
        <Legend
          wrapperStyle={{ ...LEGEND_STYLE, paddingTop: 8 }}
          iconSize={14}
          itemSorter={null}
          formatter={series.legendText}
          onClick={series.onLegendClick}
        />
        <Bar
          dataKey="offset"
          stackId="l"
          fill="transparent"
          legendType="none"
          isAnimationActive={false}
        />
        {LATENCY_PARTS.map((part) => (
          <Bar
            key={part.key}
            dataKey={part.key}
            name={part.name}
            stackId="l"
            fill={partFill(patterns, part)}
            fillOpacity={series.isHidden(part.key) ? 0 : 1}
            data-texture={part.texture}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** The fill of a latency part: its colour, or the pattern that draws its texture in it. */
function partFill(
  idPrefix: string,
  part: { key: string; color: string; texture: LatencyTexture },
): string {
  return textureFill(`${idPrefix}-${part.key}`, part.texture, part.color);
}

/** The patterns of the textured latency parts, in their series' colours. */
function LatencyPatterns({ idPrefix }: { idPrefix: string }): ReactElement {
  return (
    <defs>
      {LATENCY_PARTS.map((part) =>
        part.texture === 'solid' ? null : (
          <TexturePattern
            key={part.key}
            id={`${idPrefix}-${part.key}`}
            texture={part.texture}
            color={part.color}
          />
        ),
      )}
    </defs>
  );
}

function OutcomeChart({
  data,
  nameOf,
}: {
  data: ReviewChartData;
  nameOf: (key: string) => string;
}): ReactElement {
  const rows = outcomeShares(data.models, nameOf);
  const series = useCardSeries();
  const image = useChartImage();
  if (rows.length === 0) return <Empty>No finished generations in the rated runs.</Empty>;
  return (
    <ResponsiveContainer width="100%" height={rowsHeight(rows.length, 72)}>
      <BarChart
        {...image}
        data={rows}
        layout="vertical"
        margin={{ top: 8, right: 24, bottom: 0, left: 0 }}
        barCategoryGap="30%"
      >
        <CartesianGrid stroke="var(--color-border)" horizontal={false} />
        <XAxis
          type="number"
          domain={[0, 100]}
          ticks={[0, 25, 50, 75, 100]}
          tickFormatter={TICK_FORMAT.percent}
          tick={AXIS_TICK}
          tickLine={false}
          height={X_AXIS_TITLED_HEIGHT}
          label={xAxisTitle('Share of finished generations')}
        />
        <YAxis
          type="category"
          dataKey="name"
          width={NAME_AXIS_WIDTH}
          tick={NAME_TICK}
          tickLine={false}
          axisLine={false}
        />
        <ChartTooltip
          contentStyle={TOOLTIP_STYLE}
          cursor={{ fill: 'var(--color-surface-sunken)' }}
          formatter={(value) => (typeof value === 'number' ? TICK_FORMAT.percent(value) : '—')}
        />
        <Legend
          wrapperStyle={{ ...LEGEND_STYLE, paddingTop: 8 }}
          iconSize={10}
          itemSorter={null}
          formatter={series.legendText}
          onClick={series.onLegendClick}
        />
        {RATED_OUTCOME_KEYS.map((outcome) => (
          <Bar
            key={outcome}
            hide={series.isHidden(outcome)}
            dataKey={outcome}
            name={OUTCOME_NAMES[outcome]}
            stackId="outcomes"
            fill={OUTCOME_COLORS[outcome]}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
