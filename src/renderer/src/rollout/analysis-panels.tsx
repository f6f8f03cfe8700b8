/** Simulator, flag preview and recommendations: each works on the config in the editor. */
import { useState, type ReactElement } from 'react';
import type { ChannelOutput } from '../../../shared/ipc/contract';
import type { RoutingConfigInput } from '../../../shared/routing/routing-config-schema';
import type { RoutingProposal } from '../../../shared/routing/routing-proposals';
import { Badge, InlineError } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
// Simulated and benchmarked success rates are set against a tier's bar: one decimal at every
// size (formatRatePercent), so 98.6 % never reads as a 99 % bar.
import { formatLatency, formatMoney, formatRatePercent as pct } from '../../../shared/format';
import type { ModelInfo } from '../../../shared/providers/video-provider-spec';
import { providerLabel } from '../../../shared/providers/provider-ids';
import { DEFAULT_ASSUMED_FIGURES } from '../../../shared/routing/assumed-observations';
import { assumedObservations, formatShare, isObject, readIn } from './routing-edit';

type SimulateOutput = ChannelOutput<'routing:simulate'>;
type PreviewOutput = ChannelOutput<'routing:preview-flags'>;

/** A labelled number input on one line of a panel's controls; `onValue` gets the typed number. */
function InlineNumber({
  label,
  value,
  min,
  max,
  testId,
  wide = false,
  onValue,
}: {
  label: string;
  value: number;
  min?: number;
  max?: number;
  testId?: string;
  /** The input's own width instead of the narrow box. */
  wide?: boolean;
  onValue: (value: number) => void;
}): ReactElement {
  return (
    <label className="rt-inline">
      <span>{label}</span>
      <input
        type="number"
        className={wide ? undefined : 'rt-narrow'}
        min={min}
        max={max}
        value={value}
        data-testid={testId}
        onChange={(event) => onValue(Number(event.target.value))}
      />
    </label>
  );
}

function Delta({
  before,
  after,
  format,
}: {
  before: number | null | undefined;
  after: number | null | undefined;
  format: (v: number | null | undefined) => string;
}): ReactElement {
  if (before === undefined) return <>{format(after)}</>;
  const same = format(before) === format(after);
  return (
    <>
      <span className="muted">{format(before)}</span>
      {same ? null : (
        <>
          {' → '}
          <strong>{format(after)}</strong>
        </>
      )}
    </>
  );
}

export function SimulatorPanel({
  config,
  baseline,
  models,
}: {
  config: unknown;
  baseline: unknown;
  models: readonly ModelInfo[];
}): ReactElement {
  const [requests, setRequests] = useState(100_000);
  const [assume, setAssume] = useState(false);
  // The console's and the CLI's (--assume) starting figures.
  const [assumedSuccess, setAssumedSuccess] = useState(DEFAULT_ASSUMED_FIGURES.successRate * 100);
  const [assumedP50, setAssumedP50] = useState(DEFAULT_ASSUMED_FIGURES.p50LatencyMs / 1000);
  const [assumedP95, setAssumedP95] = useState(DEFAULT_ASSUMED_FIGURES.p95LatencyMs / 1000);
  const [seed, setSeed] = useState(1);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [output, setOutput] = useState<SimulateOutput | null>(null);

  const run = async (): Promise<void> => {
    setRunning(true);
    setError(null);
    const input = {
      config: config as RoutingConfigInput,
      requests,
      seed,
      ...(assume
        ? {
            observed: assumedObservations([config, baseline], models, {
              successRate: Math.min(1, Math.max(0, assumedSuccess / 100)),
              p50LatencyMs: Math.max(1, assumedP50 * 1000),
              p95LatencyMs: Math.max(1, assumedP50, assumedP95) * 1000,
            }),
          }
        : {}),
    };
    try {
      try {
        setOutput(
          await getClient().invoke('routing:simulate', {
            ...input,
            baseline: baseline as RoutingConfigInput,
          }),
        );
      } catch {
        // The saved draft may not pass the schema: simulate without a baseline.
        setOutput(await getClient().invoke('routing:simulate', input));
      }
    } catch (err) {
      setOutput(null);
      setError(describeError(err));
    } finally {
      setRunning(false);
    }
  };

  const tiers = output ? Object.values(output.result.tiers) : [];
  return (
    <section className="rt-card" aria-label="Simulator" data-testid="routing-simulator">
      <header className="rt-card-header">
        <div>
          <h2>Simulator</h2>
          <p className="muted small">
            Requests per tier drawn from benchmark success rates, latencies and prices, with retries
            and fallbacks. Before = the last saved draft; after = the editor.
          </p>
        </div>
        <div className="rt-controls">
          <InlineNumber
            label="Requests per tier"
            value={requests}
            min={1}
            max={1_000_000}
            testId="sim-requests"
            wide
            onValue={(n) => setRequests(Math.max(1, Math.floor(n || 1)))}
          />
          <InlineNumber label="Seed" value={seed} onValue={(n) => setSeed(Math.floor(n || 0))} />
          <button
            type="button"
            className="button button-primary"
            disabled={running}
            data-testid="sim-run"
            onClick={() => void run()}
          >
            {running ? 'Simulating…' : 'Run simulation'}
          </button>
        </div>
      </header>
      <div className="rt-assume">
        <label className="rt-inline">
          <input
            type="checkbox"
            checked={assume}
            data-testid="sim-assume"
            onChange={(event) => setAssume(event.target.checked)}
          />
          <span>Use assumed figures for every model instead of benchmark evidence</span>
        </label>
        {assume ? (
          <>
            <InlineNumber
              label="Success %"
              value={assumedSuccess}
              min={0}
              max={100}
              onValue={(n) => setAssumedSuccess(n || 0)}
            />
            <InlineNumber
              label="p50 (s)"
              value={assumedP50}
              min={1}
              onValue={(n) => setAssumedP50(n || 1)}
            />
            <InlineNumber
              label="p95 (s)"
              value={assumedP95}
              min={1}
              onValue={(n) => setAssumedP95(n || 1)}
            />
            <span className="muted small">Prices come from the model list.</span>
          </>
        ) : null}
      </div>
      {error ? (
        <InlineError
          message={
            /^No benchmark evidence for /.test(error)
              ? `${error} Run a benchmark of these models, or tick "Use assumed figures" above.`
              : error
          }
        />
      ) : null}
      {output ? (
        <table className="table rt-sim-table" data-testid="sim-results">
          <thead>
            <tr>
              <th>Tier</th>
              <th className="num">Cost per 1,000 videos</th>
              <th className="num">Success after fallbacks</th>
              <th className="num">p50 latency</th>
              <th className="num">p95 latency</th>
              <th className="num">Attempts / request</th>
            </tr>
          </thead>
          <tbody>
            {tiers.map((tier) => {
              const before = output.baseline?.tiers[tier.tier];
              return (
                <tr key={tier.tier} data-testid={`sim-tier-${tier.tier}`}>
                  <th scope="row">{tier.tier}</th>
                  <td className="num" data-testid={`sim-cost-${tier.tier}`}>
                    <Delta
                      before={before ? before.costPer1000VideosUsd : undefined}
                      after={tier.costPer1000VideosUsd}
                      format={formatMoney}
                    />
                  </td>
                  <td className="num" data-testid={`sim-success-${tier.tier}`}>
                    <Delta before={before?.successRate} after={tier.successRate} format={pct} />
                  </td>
                  <td className="num">
                    <Delta
                      before={before ? before.latencyMs.p50 : undefined}
                      after={tier.latencyMs.p50}
                      format={formatLatency}
                    />
                  </td>
                  <td className="num">
                    <Delta
                      before={before ? before.latencyMs.p95 : undefined}
                      after={tier.latencyMs.p95}
                      format={formatLatency}
                    />
                  </td>
                  <td className="num">{tier.attemptsPerRequest.toFixed(2)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {output && output.result.assumptions.length > 0 ? (
        <details className="rt-assumptions">
          <summary className="small">Assumptions</summary>
          <ul className="small muted">
            {output.result.assumptions.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

/** Targets of `tier` that a flag variant puts in play, as "Together AI kling-2.1-master". */
function targetsForVariant(config: unknown, tier: string, flag: string, variant: string): string[] {
  const targets = readIn(config, ['tiers', tier, 'targets']);
  if (!Array.isArray(targets)) return [];
  return targets.flatMap((t) => {
    if (!isObject(t) || !isObject(t.flag) || t.flag.key !== flag) return [];
    const variants = Array.isArray(t.flag.variants) ? t.flag.variants : [];
    return variants.includes(variant)
      ? [`${providerLabel(String(t.provider))} ${String(t.model)}`]
      : [];
  });
}

export function FlagPreviewPanel({ config }: { config: unknown }): ReactElement {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [output, setOutput] = useState<PreviewOutput | null>(null);
  const run = async (): Promise<void> => {
    setRunning(true);
    setError(null);
    try {
      setOutput(
        await getClient().invoke('routing:preview-flags', {
          config: config as RoutingConfigInput,
          sampleSize: 10_000,
        }),
      );
    } catch (err) {
      setOutput(null);
      setError(describeError(err));
    } finally {
      setRunning(false);
    }
  };
  return (
    <section className="rt-card" aria-label="Flag preview" data-testid="flag-preview">
      <header className="rt-card-header">
        <div>
          <h2>Flag preview</h2>
          <p className="muted small">
            What production's OpenFeature evaluation does with this config, from a sample of 10,000
            user keys per tier.
          </p>
        </div>
        <button
          type="button"
          className="button button-secondary"
          disabled={running}
          data-testid="flag-preview-run"
          onClick={() => void run()}
        >
          {running ? 'Evaluating…' : 'Preview flags'}
        </button>
      </header>
      {error ? <InlineError message={error} /> : null}
      {output && output.flags.length === 0 ? <p className="muted">No flags to preview.</p> : null}
      {output?.flags.map((flag) => (
        <div key={flag.flag} className="rt-preview-flag">
          <h3 className="rt-sub">
            <code>{flag.flag}</code>{' '}
            {flag.state === 'DISABLED' ? <Badge tone="warning">Disabled</Badge> : null}
          </h3>
          {flag.tiers.map((tier) => (
            <div
              key={tier.tier}
              className="rt-preview-tier"
              data-testid={`preview-${flag.flag}-${tier.tier}`}
            >
              <div>
                <div className="rt-tier-label">{tier.tier}</div>
                <div
                  className="rt-bar"
                  role="img"
                  aria-label={`Variants of ${flag.flag} in ${tier.tier}`}
                >
                  {tier.variants
                    .filter((v) => v.share > 0)
                    .map((v, index) => (
                      <span
                        key={v.variant}
                        className={`rt-bar-part rt-bar-${index % 4}`}
                        style={{ width: `${v.share * 100}%` }}
                        title={`${v.variant}: ${formatShare(v.share * 100)}`}
                      >
                        {v.share >= 0.08 ? `${v.variant} ${formatShare(v.share * 100)}` : ''}
                      </span>
                    ))}
                </div>
              </div>
              <ul className="rt-preview-lines">
                {tier.variants
                  .filter((v) => v.share > 0)
                  .map((v) => {
                    const gets = targetsForVariant(config, tier.tier, flag.flag, v.variant);
                    return (
                      <li key={v.variant} data-testid="preview-line">
                        With this config, {formatShare(Math.round(v.share * 1000) / 10)} of{' '}
                        {tier.tier} users get <code>{v.variant}</code>
                        {gets.length > 0 ? <> ({gets.join(', ')})</> : null}
                      </li>
                    );
                  })}
              </ul>
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}

export function RecommendationsPanel({
  config,
  onApply,
}: {
  config: unknown;
  onApply: (next: unknown) => void;
}): ReactElement {
  const [minRating, setMinRating] = useState(1000);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [proposals, setProposals] = useState<RoutingProposal[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());

  const load = async (): Promise<void> => {
    setRunning(true);
    setError(null);
    try {
      const out = await getClient().invoke('routing:recommend', {
        config: config as RoutingConfigInput,
        qualityBar: { minRating },
      });
      setProposals(out.proposals);
      setSelected(new Set(out.proposals.map((p) => p.id)));
    } catch (err) {
      setProposals(null);
      setError(describeError(err));
    } finally {
      setRunning(false);
    }
  };
  const apply = async (): Promise<void> => {
    if (!proposals) return;
    setRunning(true);
    setError(null);
    try {
      const out = await getClient().invoke('routing:apply-proposals', {
        config: config as RoutingConfigInput,
        proposals,
        acceptedIds: [...selected],
      });
      onApply(out.config);
      setProposals(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="rt-card" aria-label="Recommendations" data-testid="routing-recommendations">
      <header className="rt-card-header">
        <div>
          <h2>Recommendations</h2>
          <p className="muted small">
            Tier placement, fallback order and weights proposed from benchmark scorecards and review
            ratings. Accept all, some or none; applied changes go into the editor, not yet saved.
          </p>
        </div>
        <div className="rt-controls">
          <InlineNumber
            label="Free-tier minimum rating"
            value={minRating}
            onValue={(n) => setMinRating(n || 0)}
          />
          <button
            type="button"
            className="button button-secondary"
            disabled={running}
            data-testid="recommend-run"
            onClick={() => void load()}
          >
            Get recommendations
          </button>
        </div>
      </header>
      {error ? <InlineError message={error} /> : null}
      {proposals && proposals.length === 0 ? (
        <p className="muted">
          No proposals: there is not enough evidence yet, or the config already follows it.
        </p>
      ) : null}
      {proposals && proposals.length > 0 ? (
        <>
          <ul className="rt-proposals">
            {proposals.map((p) => (
              <li key={p.id} className="rt-proposal" data-testid={`proposal-${p.id}`}>
                <label className="rt-proposal-head">
                  <input
                    type="checkbox"
                    checked={selected.has(p.id)}
                    onChange={(event) => {
                      const next = new Set(selected);
                      if (event.target.checked) next.add(p.id);
                      else next.delete(p.id);
                      setSelected(next);
                    }}
                  />
                  <strong>{p.title}</strong>
                  <Badge tone="info">{p.tier}</Badge>
                </label>
                <p className="small">{p.reason}</p>
                {p.evidence.length > 0 ? (
                  <table className="table rt-evidence">
                    <thead>
                      <tr>
                        <th>Model</th>
                        <th className="num">Rating (95% CI)</th>
                        <th className="num">Votes</th>
                        <th className="num">Success</th>
                        <th className="num">p95</th>
                        <th className="num">Price / video</th>
                        <th>Pareto</th>
                        <th>Meets bar</th>
                      </tr>
                    </thead>
                    <tbody>
                      {p.evidence.map((e) => (
                        <tr key={e.model}>
                          <td>
                            <code>{e.model}</code>
                          </td>
                          <td className="num">
                            {e.rating === null
                              ? '—'
                              : `${e.rating.toFixed(0)} (${e.ratingLow?.toFixed(0) ?? '?'}–${e.ratingHigh?.toFixed(0) ?? '?'})`}
                          </td>
                          <td className="num">{e.votes}</td>
                          <td className="num">{pct(e.successRate)}</td>
                          <td className="num">{formatLatency(e.p95LatencyMs)}</td>
                          <td className="num">{formatMoney(e.priceUsd)}</td>
                          <td>{e.onParetoFront ? 'yes' : 'no'}</td>
                          <td>{e.meetsBar ? 'yes' : 'no'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="button button-primary"
            disabled={running || selected.size === 0}
            data-testid="recommend-apply"
            onClick={() => void apply()}
          >
            Apply selected ({selected.size})
          </button>
        </>
      ) : null}
    </section>
  );
}
