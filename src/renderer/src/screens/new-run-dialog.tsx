/**
 * "New benchmark": choose a suite, tick models, set a budget. The plan is asked for live
 * (`bench:plan-run`) as choices change and shown before anything starts; Start stays disabled
 * while the plan does not fit the budget.
 */
import { matchModel } from '../components/model-picker';
import { parseDollars } from '../../../shared/money-input';
import { modelPriceOrigin, modelPriceText } from '../../../shared/providers/model-price';
import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useId, useMemo, useState, type ReactElement } from 'react';
import type { RunPlan } from '../../../shared/domain';
import {
  planLineCostText,
  planLinePriceOrigin,
  planPriceNote,
  planTotalCostText,
  unboundedPriceModels,
} from '../../../shared/bench/plan-cost';
import {
  defaultTimeoutSeconds,
  FALLBACK_TIMEOUT_SECONDS,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
} from '../../../shared/bench/generation-timeout';
import {
  PROVIDER_LABELS,
  type ModelInfo,
  type ModelRef,
} from '../../../shared/providers/video-provider-spec';
import { providerLabel } from '../../../shared/providers/provider-ids';
import { InlineError, Loading, SimulatedBadge } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { formatMoney, formatRoughDuration } from '../lib/format';
import { modelKey } from '../lib/models';
import { startRun } from '../store/actions';
import { useAppStore } from '../store/store';
import { DialogHeader } from '../components/dialog-header';
import { returnFocusOnClose } from '../lib/keep-focus';

const SANDBOX_DEFAULTS = ['sandbox:sandbox-fast', 'sandbox:sandbox-pro'];
const PLAN_DEBOUNCE_MS = 200;

type PlanState =
  | { kind: 'none'; reason: string }
  | { kind: 'loading'; previous: RunPlan | null }
  | { kind: 'ready'; plan: RunPlan }
  | { kind: 'error'; message: string };

/** Parses the budget field; `undefined` for empty, `null` for something that is not an amount. */
export function parseBudget(text: string): number | undefined | null {
  if (text.trim() === '') return undefined;
  const value = parseDollars(text);
  return Number.isFinite(value) && value >= 0 && value <= 100000 ? value : null;
}

/**
 * Parses the timeout field (minutes, decimals allowed) into whole seconds; `undefined` for empty
 * (each model's default), `null` for something that is not a timeout from 1 s to 6 h.
 */
export function parseTimeoutMinutes(text: string): number | undefined | null {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const minutes = Number(trimmed);
  if (!Number.isFinite(minutes)) return null;
  const seconds = Math.round(minutes * 60);
  return seconds >= MIN_TIMEOUT_SECONDS && seconds <= MAX_TIMEOUT_SECONDS ? seconds : null;
}

/** The default shown in the timeout field: the chosen models' defaults, in minutes. */
export function defaultTimeoutHint(refs: readonly ModelRef[]): string {
  const minutes = [...new Set(refs.map((ref) => defaultTimeoutSeconds(ref.provider) / 60))].sort(
    (a, b) => a - b,
  );
  const format = (value: number): string => `${Number(value.toFixed(1))}`;
  if (minutes.length === 0) return `${format(FALLBACK_TIMEOUT_SECONDS / 60)}`;
  const first = minutes[0] ?? 0;
  const last = minutes.at(-1) ?? first;
  return first === last ? format(first) : `${format(first)}–${format(last)}`;
}

export function NewRunDialog(): ReactElement {
  const dialog = useAppStore((state) => state.newRunDialog);
  const closeNewRunDialog = useAppStore((state) => state.closeNewRunDialog);
  return (
    <Dialog.Root
      open={dialog.open}
      onOpenChange={(open) => {
        if (!open) closeNewRunDialog();
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog dialog-wide"
          aria-describedby={undefined}
          onCloseAutoFocus={returnFocusOnClose}
        >
          {dialog.open ? (
            <NewRunForm
              preset={dialog.preset}
              initialSuiteId={dialog.suiteId}
              onDone={closeNewRunDialog}
            />
          ) : null}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function NewRunForm({
  preset,
  initialSuiteId,
  onDone,
}: {
  preset: 'sandbox' | 'blank';
  initialSuiteId?: string | undefined;
  onDone: () => void;
}): ReactElement {
  const suites = useAppStore((state) => state.suites);
  const suitesStatus = useAppStore((state) => state.suitesStatus);
  const models = useAppStore((state) => state.models);
  const providersWithKeys = useAppStore((state) => state.appInfo?.providersWithKeys);
  const formId = useId();

  const [suiteId, setSuiteId] = useState<string>(
    () => suites.find((suite) => suite.id === initialSuiteId)?.id ?? suites[0]?.id ?? '',
  );
  const [selected, setSelected] = useState<string[]>(() =>
    preset === 'sandbox'
      ? SANDBOX_DEFAULTS.filter((key) => models.some((model) => modelKey(model) === key))
      : [],
  );
  const [budgetText, setBudgetText] = useState(preset === 'sandbox' ? '5' : '');
  const [name, setName] = useState('');
  const [allowCache, setAllowCache] = useState(false);
  const [analysis, setAnalysis] = useState(true);
  const [timeoutText, setTimeoutText] = useState('');
  const [plan, setPlan] = useState<PlanState>({
    kind: 'none',
    reason: 'Choose a suite and at least one model.',
  });
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    if (!suiteId && suites[0]) setSuiteId(suites[0].id);
  }, [suiteId, suites]);

  const budget = parseBudget(budgetText);
  const timeoutSeconds = parseTimeoutMinutes(timeoutText);
  const refs: ModelRef[] = useMemo(
    () =>
      models
        .filter((model) => selected.includes(modelKey(model)))
        .map((model) => ({ provider: model.provider, modelId: model.modelId })),
    [models, selected],
  );

  // Ask for the plan whenever a choice changes (debounced; stale answers are dropped).
  useEffect(() => {
    if (!suiteId || refs.length === 0) {
      setPlan({
        kind: 'none',
        reason: !suiteId ? 'Choose a suite.' : 'Tick at least one model to see the plan.',
      });
      return;
    }
    if (budget === null) {
      setPlan({
        kind: 'none',
        reason: 'Enter the budget as an amount in dollars, e.g. 5 or 12.50.',
      });
      return;
    }
    let stale = false;
    setPlan((current) => ({
      kind: 'loading',
      previous: current.kind === 'ready' ? current.plan : null,
    }));
    const timer = setTimeout(() => {
      getClient()
        .invoke('bench:plan-run', {
          suiteId,
          models: refs,
          ...(budget === undefined ? {} : { budgetUsd: budget }),
        })
        .then((value) => {
          if (!stale) setPlan({ kind: 'ready', plan: value });
        })
        .catch((error: unknown) => {
          if (!stale) setPlan({ kind: 'error', message: describeError(error) });
        });
    }, PLAN_DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [suiteId, refs, budget]);

  const shownPlan =
    plan.kind === 'ready' ? plan.plan : plan.kind === 'loading' ? plan.previous : null;
  const canStart =
    plan.kind === 'ready' &&
    plan.plan.withinBudget &&
    budget !== undefined &&
    budget !== null &&
    timeoutSeconds !== null &&
    !starting;

  const toggle = (key: string): void =>
    setSelected((current) =>
      current.includes(key) ? current.filter((entry) => entry !== key) : [...current, key],
    );

  const [modelSearch, setModelSearch] = useState('');
  const grouped = useMemo(() => {
    const groups = new Map<string, ModelInfo[]>();
    const words = modelSearch.trim();
    for (const model of models) {
      // Ticked models stay in the list whatever the search, so nothing chosen is hidden.
      if (
        words !== '' &&
        !selected.includes(modelKey(model)) &&
        matchModel(`${model.displayName} ${modelKey(model)}`, words, [
          PROVIDER_LABELS[model.provider],
        ]) === 0
      )
        continue;
      const list = groups.get(model.provider) ?? [];
      list.push(model);
      groups.set(model.provider, list);
    }
    return [...groups.entries()];
  }, [models, modelSearch, selected]);

  const submit = async (): Promise<void> => {
    if (!canStart || budget === undefined || budget === null) return;
    setStarting(true);
    const trimmed = name.trim();
    const runId = await startRun({
      suiteId,
      models: refs,
      budgetUsd: budget,
      ...(trimmed ? { name: trimmed } : {}),
      ...(allowCache ? { allowCache: true } : {}),
      ...(analysis ? {} : { analysis: false }),
      ...(timeoutSeconds === undefined || timeoutSeconds === null ? {} : { timeoutSeconds }),
    });
    setStarting(false);
    if (runId) onDone();
  };

  return (
    <form
      className="dialog-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <DialogHeader closable>New benchmark</DialogHeader>
      <div className="dialog-body new-run-grid">
        <div className="new-run-choices">
          <div className="field">
            <label htmlFor={`${formId}-suite`}>Prompt suite</label>
            {suitesStatus.kind === 'error' ? (
              <InlineError message={suitesStatus.message} />
            ) : (
              <select
                id={`${formId}-suite`}
                data-testid="suite-select"
                value={suiteId}
                onChange={(event) => setSuiteId(event.target.value)}
              >
                {suites.map((suite) => (
                  <option key={suite.id} value={suite.id}>
                    {suite.builtIn ? suite.name : `${suite.name} (v${suite.version})`}
                  </option>
                ))}
              </select>
            )}
            <p className="field-hint">
              {(() => {
                const suite = suites.find((entry) => entry.id === suiteId);
                return suite
                  ? `${suite.promptCount} prompts${suite.builtIn ? ', built in' : ''}. ${suite.description}`
                  : null;
              })()}
            </p>
          </div>

          <fieldset className="field">
            <legend>Models</legend>
            <input
              type="search"
              className="model-search"
              placeholder="Search models by name, provider or id…"
              aria-label="Search models"
              value={modelSearch}
              onChange={(event) => setModelSearch(event.target.value)}
              data-testid="new-run-model-search"
            />
            <div className="model-picker">
              {grouped.map(([provider, list]) => {
                const needsKey =
                  provider !== 'sandbox' && !(providersWithKeys ?? []).includes(provider);
                return (
                  <div key={provider} className="model-group">
                    <div className="model-group-title small">
                      {providerLabel(provider)}
                      {needsKey ? <span className="muted"> · needs an API key</span> : null}
                    </div>
                    {list.map((model) => {
                      const key = modelKey(model);
                      return (
                        <label key={key} className="check-row">
                          <input
                            type="checkbox"
                            checked={selected.includes(key)}
                            onChange={() => toggle(key)}
                            data-testid={`model-checkbox-${model.modelId}`}
                          />
                          <span className="check-label">
                            {model.displayName}
                            {model.simulated ? <SimulatedBadge /> : null}
                          </span>
                          <span
                            className="muted small num"
                            title={model.simulated ? undefined : modelPriceOrigin(model.pricing)}
                            data-testid={`model-price-${model.modelId}`}
                          >
                            {modelPriceText(model, { blankWhenSimulated: true })}
                            {model.pricing.entered ? (
                              <span className="price-entered-mark"> · admin-entered</span>
                            ) : null}
                          </span>
                        </label>
                      );
                    })}
                  </div>
                );
              })}
            </div>
          </fieldset>

          <div className="field-row">
            <div className="field">
              <label htmlFor={`${formId}-budget`}>Budget</label>
              <div className="input-prefix">
                <span aria-hidden="true">$</span>
                <input
                  id={`${formId}-budget`}
                  inputMode="decimal"
                  value={budgetText}
                  placeholder="e.g. 5.00"
                  onChange={(event) => setBudgetText(event.target.value)}
                  aria-invalid={budget === null}
                  data-testid="budget-input"
                />
              </div>
              <p className="field-hint">The run stops before it would spend more than this.</p>
            </div>
            <div className="field">
              <label htmlFor={`${formId}-name`}>Name (optional)</label>
              <input
                id={`${formId}-name`}
                value={name}
                maxLength={120}
                placeholder="Named after the suite and date"
                onChange={(event) => setName(event.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${formId}-timeout`}>Timeout (minutes)</label>
              <input
                id={`${formId}-timeout`}
                inputMode="decimal"
                value={timeoutText}
                placeholder={`Default ${defaultTimeoutHint(refs)}`}
                onChange={(event) => setTimeoutText(event.target.value)}
                aria-invalid={timeoutSeconds === null}
                data-testid="timeout-input"
              />
              <p className="field-hint" data-testid="timeout-hint">
                {timeoutSeconds === null
                  ? 'Enter minutes from 0.02 (1 s) to 360 (6 h), or leave empty for the default.'
                  : 'A generation still running after this is cancelled at the vendor and counted as timed out.'}
              </p>
            </div>
          </div>
          <label className="checkbox-row" data-testid="allow-cache">
            <input
              type="checkbox"
              checked={allowCache}
              onChange={(event) => setAllowCache(event.target.checked)}
            />
            <span>
              Reuse identical earlier results (same model, prompt, seed and settings): marked cached
              and free. Leave off to measure speed and cost afresh.
            </span>
          </label>
          <label className="checkbox-row" data-testid="analyse-videos">
            <input
              type="checkbox"
              checked={analysis}
              onChange={(event) => setAnalysis(event.target.checked)}
            />
            <span>
              Check each video with ffmpeg (metadata, compliance with the settings, flicker, blur,
              frozen and black frames). Runs on this computer after the download; identical files
              are checked once.
            </span>
          </label>
        </div>

        <PlanPanel
          plan={plan}
          shownPlan={shownPlan}
          budget={budget}
          onUseBudget={(value) => setBudgetText(value.toFixed(2))}
        />
      </div>
      <div className="dialog-footer">
        <Dialog.Close className="button button-secondary" type="button">
          Cancel
        </Dialog.Close>
        {/* While it starts the button is only marked disabled (submit ignores it): a disabled
            button drops the keyboard focus to the page, out of the dialog, and a run that does
            not start leaves the admin with nowhere to press Enter again. */}
        <button
          type="submit"
          className="button button-primary"
          disabled={!canStart && !starting}
          aria-disabled={starting || undefined}
          data-testid="start-run"
        >
          {starting ? 'Starting…' : 'Start benchmark'}
        </button>
      </div>
    </form>
  );
}

function PlanPanel({
  plan,
  shownPlan,
  budget,
  onUseBudget,
}: {
  plan: PlanState;
  shownPlan: RunPlan | null;
  budget: number | undefined | null;
  onUseBudget: (value: number) => void;
}): ReactElement {
  if (plan.kind === 'none') {
    return (
      <aside className="plan plan-empty" aria-live="polite">
        <p className="muted">{plan.reason}</p>
      </aside>
    );
  }
  if (plan.kind === 'error') {
    return (
      <aside className="plan" aria-live="polite">
        <InlineError message={plan.message} />
      </aside>
    );
  }
  if (!shownPlan) {
    return (
      <aside className="plan plan-empty" aria-live="polite">
        <Loading label="Working out the plan…" />
      </aside>
    );
  }
  const priceNote = planPriceNote(shownPlan);
  const warnings = shownPlan.models.flatMap((line) => [
    // The price note says it once for every model without a price, in plain words.
    ...line.warnings
      .filter((warning) => !(line.priceUnknown && warning.startsWith('price:')))
      .map((warning) => `${line.displayName}: ${warning}`),
    // Prompts a model cannot take are not sent (no cost); say which, before anything starts.
    ...(line.skipped ?? []).map((skip) => `Not sent: ${skip.promptId}: ${skip.reason}.`),
  ]);
  const fits = shownPlan.withinBudget && budget !== undefined && budget !== null;
  const unbounded = unboundedPriceModels(shownPlan.models);
  const suggested = Math.ceil(shownPlan.estimatedCostUsd * 1.1 * 100) / 100;
  return (
    <aside
      className={`plan ${plan.kind === 'loading' ? 'plan-updating' : ''}`}
      aria-live="polite"
      aria-busy={plan.kind === 'loading'}
      data-testid="plan-summary"
    >
      <h3 className="plan-title">Plan</h3>
      <dl className="plan-facts">
        <div>
          <dt>Generations</dt>
          <dd className="num" data-testid="plan-generations">
            {shownPlan.generations}
          </dd>
        </div>
        <div>
          <dt>Expected time</dt>
          <dd>{formatRoughDuration(shownPlan.expectedDurationSeconds)}</dd>
        </div>
      </dl>
      <table className="plan-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Clips
            </th>
            <th scope="col" className="num">
              Est. cost
            </th>
          </tr>
        </thead>
        <tbody>
          {shownPlan.models.map((line) => (
            <tr key={`${line.provider}:${line.modelId}`}>
              <td>
                {line.displayName} {line.simulated ? <SimulatedBadge /> : null}
                {line.priceEntered ? (
                  <span className="plan-price-origin muted small" data-testid="plan-line-origin">
                    {planLinePriceOrigin(line)}
                  </span>
                ) : null}
              </td>
              <td className="num">{line.generations}</td>
              <td
                className={`num${line.priceUnknown ? ' plan-price-unknown' : ''}`}
                data-testid="plan-line-cost"
                title={
                  line.priceUnknown
                    ? 'No price is known for this model: see the note under the plan.'
                    : (planLinePriceOrigin(line) ?? undefined)
                }
              >
                {planLineCostText(line)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td />
            <td className="num strong" data-testid="plan-total-cost">
              {planTotalCostText(shownPlan)}
            </td>
          </tr>
        </tfoot>
      </table>
      {priceNote ? (
        <p className="plan-note small" data-testid="plan-price-note">
          {priceNote}
        </p>
      ) : null}
      {warnings.length > 0 ? (
        <ul className="plan-warnings small">
          {warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : null}
      {fits ? (
        <p className="plan-verdict plan-fits" data-testid="plan-verdict" data-fits="true">
          Fits the {formatMoney(budget)} budget.
        </p>
      ) : (
        <div className="plan-verdict plan-over" data-testid="plan-verdict" data-fits="false">
          <p>
            {unbounded.length > 0
              ? `No price is known for ${unbounded.map((line) => line.displayName).join(', ')}, and none bounds it: no budget could be held. Leave ${unbounded.length === 1 ? 'it' : 'them'} out to start.`
              : budget === undefined || budget === null
                ? 'Set a budget to start.'
                : `The estimate of ${planTotalCostText(shownPlan)} is over the ${formatMoney(budget)} budget. Raise the budget or choose fewer models.`}
          </p>
          {unbounded.length > 0 ? null : (
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => onUseBudget(suggested)}
            >
              Set budget to {formatMoney(suggested)}
            </button>
          )}
        </div>
      )}
    </aside>
  );
}
