/**
 * Pieces of the run view: what the run billed and counts against its budget, per-model progress
 * with cancel, and a clip's analysis line.
 */
import * as Tooltip from '@radix-ui/react-tooltip';
import { TooltipRoot } from '../components/tooltip-root';
import { useEffect, useState, type ReactElement } from 'react';
import {
  overBudgetText,
  runSpendFigures,
  simulatedSpend,
  unknownSpendText,
} from '../../../shared/bench/run-spend';
import type { GenerationRecord, RunSummary } from '../../../shared/domain';
import { ConfirmButton } from '../components/confirm';
import { AlertIcon, InfoIcon } from '../components/icons';
import { ProgressBar } from '../components/ui';
import { formatMoney, formatRoughDuration } from '../lib/format';
import { analysisLine, measuresOf } from '../lib/measures';
import { modelName } from '../lib/models';
import { cancelModel } from '../store/bench-actions';
import { useAppStore } from '../store/store';
import type { ModelProgress } from './run-progress';

/** The current time, ticking every `intervalMs` while `active` (for time remaining). */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}

export function timeLeftText(seconds: number | null, running: boolean): string {
  if (!running) return '';
  if (seconds === null) return 'estimating time left…';
  return `${formatRoughDuration(seconds)} left`;
}

/**
 * Billed (what the vendors charged) and counted against the budget (billed, plus the estimate of
 * each submission whose outcome is unknown): the budget check uses the second, so both show.
 */
export function RunSpendSummary({ run }: { run: RunSummary }): ReactElement {
  const spend = runSpendFigures(run);
  const unknown = unknownSpendText(spend);
  const over = overBudgetText(spend);
  const simulated = simulatedSpend(run);
  return (
    <div className="run-summary-spend" data-testid="run-spend">
      {simulated === 'all' ? (
        <span
          className="muted small"
          title="Every model of this run is the sandbox's: nothing was billed; these are the prices it simulates."
        >
          Simulated cost (nothing billed)
        </span>
      ) : simulated === 'some' ? (
        <span
          className="muted small"
          title="The sandbox's generations in this run were not billed: their share of this figure is the price it simulates."
        >
          Billed (sandbox&rsquo;s share simulated)
        </span>
      ) : (
        <span className="muted small">Billed</span>
      )}
      <span className="strong num big" data-testid="run-spend-billed">
        {formatMoney(spend.billedUsd)}
      </span>
      <span className="muted small num" data-testid="run-spend-counted">
        {formatMoney(spend.countedUsd)} counted against the {formatMoney(spend.budgetUsd)} budget
        {unknown ? (
          <span
            data-testid="run-spend-unknown"
            title="A submission whose outcome is unknown may have been accepted and billed without an answer, so the budget counts it at its estimate until its vendor's bill says otherwise."
          >
            {' '}
            {unknown}
          </span>
        ) : null}{' '}
        · est. {formatMoney(run.estimatedCostUsd)}
      </span>
      {over ? (
        <span
          className="badge badge-danger"
          data-testid="run-spend-over"
          title="Generations are submitted only while what was billed and what is in flight, at their estimates, stay within the budget; a vendor billed some clips above their estimates."
        >
          {over}
        </span>
      ) : null}
    </div>
  );
}

export function ModelProgressList({
  run,
  progress,
}: {
  run: RunSummary;
  progress: readonly ModelProgress[];
}): ReactElement {
  const models = useAppStore((state) => state.models);
  const running = run.state === 'running';
  return (
    <ul className="model-progress-list" aria-label="Progress per model">
      {progress.map((line) => {
        const name = modelName(models, line);
        return (
          <li
            key={`${line.provider}:${line.modelId}`}
            className="model-progress"
            data-testid="model-progress"
          >
            <span className="model-progress-name strong" title={`${line.provider}:${line.modelId}`}>
              {name}
            </span>
            <ProgressBar
              size="sm"
              value={line.done}
              max={line.total}
              label={`${name}: ${line.done} of ${line.total} done`}
              tone={
                line.active > 0
                  ? 'info'
                  : line.succeeded > 0
                    ? 'success'
                    : line.failed > 0
                      ? 'danger'
                      : 'neutral'
              }
            />
            <span className="small num model-progress-count">
              {line.done}/{line.total}
              {line.failed > 0 ? <span className="count-bad"> · {line.failed} failed</span> : null}
              {line.cancelled > 0 ? (
                <span className="muted"> · {line.cancelled} cancelled</span>
              ) : null}
            </span>
            <span className="small num model-progress-spend">
              <span className="strong">{formatMoney(line.spentUsd)}</span>
              <span className="muted"> of ~{formatMoney(line.estimatedUsd)}</span>
            </span>
            <span className="small muted model-progress-eta">
              {line.active > 0 ? timeLeftText(line.remainingSeconds, running) : ''}
            </span>
            <span className="model-progress-action">
              {running && line.active > 0 ? (
                <ConfirmButton
                  label="Cancel this model"
                  ariaLabel={`Cancel ${name}`}
                  title={`Cancel ${name}?`}
                  body={
                    <>
                      Its {line.active} queued or running{' '}
                      {line.active === 1 ? 'generation is' : 'generations are'} stopped and the
                      cancellation is sent to the provider. The other models keep running; finished
                      results are kept.
                    </>
                  }
                  confirmLabel="Cancel this model"
                  busyLabel="Cancelling…"
                  keepLabel="Keep running"
                  testId="cancel-model"
                  onConfirm={() => cancelModel(run.id, line, name)}
                />
              ) : null}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** "4.0 s · 480×270 · 24 fps · h264 · audio", findings as chips, measures in a tooltip. */
export function AnalysisDetails({
  analysis,
}: {
  analysis: NonNullable<GenerationRecord['analysis']>;
}): ReactElement {
  const line = analysisLine(analysis);
  const measures = measuresOf(analysis.measures);
  return (
    <div className="analysis" data-testid="analysis-line">
      {line ? <span className="analysis-text num">{line}</span> : null}
      {measures.length > 0 ? (
        <TooltipRoot>
          <Tooltip.Trigger asChild>
            <button
              type="button"
              className="measures-trigger small"
              data-testid="measures-trigger"
              aria-label="Technical measures of this video"
            >
              <InfoIcon width={14} height={14} /> Measures
            </button>
          </Tooltip.Trigger>
          <Tooltip.Portal>
            <Tooltip.Content
              className="tooltip measures-tooltip"
              side="bottom"
              align="start"
              sideOffset={6}
              data-testid="measures-tooltip"
            >
              <table className="measures-table">
                <tbody>
                  {measures.map((measure) => (
                    <tr key={measure.key}>
                      <th scope="row">{measure.label}</th>
                      <td className="num strong">{measure.value}</td>
                      <td className="muted">{measure.explanation}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Tooltip.Arrow className="tooltip-arrow" />
            </Tooltip.Content>
          </Tooltip.Portal>
        </TooltipRoot>
      ) : null}
      {analysis.findings.map((finding) => (
        <span key={finding} className="finding-chip" data-testid="finding-chip" title={finding}>
          <AlertIcon width={12} height={12} /> {finding}
        </span>
      ))}
      {analysis.error ? (
        <span className="muted small" data-testid="analysis-error">
          Not analysed: {analysis.error}
        </span>
      ) : null}
    </div>
  );
}
