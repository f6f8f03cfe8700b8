/** Tiers tab: strategy, targets (reorderable chain, weights as percentages), limits, breaker. */
import { ModelPicker } from '../components/model-picker';
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { ModelInfo } from '../../../shared/providers/video-provider-spec';
import type { RoutingProblem } from '../../../shared/routing/routing-problem';
import { FieldProblems } from './problem-notes';
import {
  formatShare,
  isObject,
  moveItem,
  numberOrUndefined,
  problemsAt,
  problemsUnder,
  readIn,
  updateIn,
  weightPercentages,
  type JsonObject,
} from './routing-edit';

interface EditorProps {
  config: unknown;
  problems: readonly RoutingProblem[];
  models: readonly ModelInfo[];
  onChange: (next: unknown) => void;
}

export function TiersEditor({ config, problems, models, onChange }: EditorProps): ReactElement {
  const tiers = readIn(config, ['tiers']);
  if (!isObject(tiers) || Object.keys(tiers).length === 0) {
    return (
      <p className="muted">
        This config has no tiers the form can show. Fix it in the Raw JSON tab.
      </p>
    );
  }
  return (
    <div className="rt-tiers">
      {Object.entries(tiers).map(([id, tier]) => (
        <TierCard
          key={id}
          id={id}
          tier={isObject(tier) ? tier : {}}
          problems={problemsUnder(problems, `tiers.${id}`)}
          models={models}
          onChange={(path, value) => onChange(updateIn(config, ['tiers', id, ...path], value))}
        />
      ))}
    </div>
  );
}

function NumberField({
  label,
  value,
  path,
  problems,
  onChange,
  step,
  placeholder,
  testId,
}: {
  label: string;
  value: unknown;
  path: string;
  problems: readonly RoutingProblem[];
  onChange: (value: number | undefined) => void;
  step?: string;
  placeholder?: string;
  testId?: string;
}): ReactElement {
  const own = problemsAt(problems, path);
  return (
    <label className="rt-field">
      <span>{label}</span>
      <input
        type="number"
        step={step ?? 'any'}
        value={typeof value === 'number' ? value : ''}
        placeholder={placeholder}
        aria-invalid={own.some((p) => p.severity === 'error') ? true : undefined}
        data-testid={testId}
        onChange={(event) => onChange(numberOrUndefined(event.target.value))}
      />
      <FieldProblems problems={own} />
    </label>
  );
}

function TierCard({
  id,
  tier,
  problems,
  models,
  onChange,
}: {
  id: string;
  tier: JsonObject;
  problems: readonly RoutingProblem[];
  models: readonly ModelInfo[];
  onChange: (path: (string | number)[], value: unknown) => void;
}): ReactElement {
  const strategy = tier.strategy === 'weighted' ? 'weighted' : 'fallback';
  const targets = Array.isArray(tier.targets) ? tier.targets : [];
  const shares = weightPercentages(targets.map((t) => (isObject(t) ? t.weight : undefined)));
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const base = `tiers.${id}`;
  const limits = isObject(tier.limits) ? tier.limits : {};
  const breaker = isObject(tier.breaker) ? tier.breaker : {};
  const budget = isObject(tier.budget) ? tier.budget : {};
  const kinds = Array.isArray(tier.requestKinds) ? tier.requestKinds : ['text-to-video'];
  // The rows are keyed by position, so after ↑, ↓ or ✕ the focused button would stay in place
  // and act on another target (or, disabled or gone, drop the focus to the page). The focus
  // follows the moved target instead, to the same arrow (the other one at an end); after ✕ it
  // goes to the next target's ✕, or the last one's, or "Add target".
  const card = useRef<HTMLElement>(null);
  const focusAfter = useRef<{ index: number; kinds: readonly string[] } | null>(null);
  useEffect(() => {
    const next = focusAfter.current;
    if (!next) return;
    focusAfter.current = null;
    for (const kind of next.kinds) {
      const selector =
        kind === 'add' ? '.rt-add' : `[data-testid="tier-${id}-${kind}-${next.index}"]`;
      const button = card.current?.querySelector<HTMLButtonElement>(selector);
      if (button && !button.disabled) {
        button.focus();
        return;
      }
    }
  });
  const move = (from: number, to: number): void => {
    focusAfter.current = { index: to, kinds: to < from ? ['up', 'down'] : ['down', 'up'] };
    onChange(['targets'], moveItem(targets, from, to));
  };

  return (
    <section className="rt-card rt-tier" data-testid={`tier-${id}`} ref={card}>
      <header className="rt-card-header">
        <div>
          <h2>
            {id} <span className="muted rt-kinds">{kinds.join(' · ')}</span>
          </h2>
          {typeof tier.description === 'string' ? (
            <p className="muted small">{tier.description}</p>
          ) : null}
        </div>
        <label className="rt-inline">
          <span>Strategy</span>
          <select
            value={strategy}
            data-testid={`tier-${id}-strategy`}
            onChange={(event) => onChange(['strategy'], event.target.value)}
          >
            <option value="fallback">Fallback chain (in order)</option>
            <option value="weighted">Weighted (random by weight)</option>
          </select>
        </label>
      </header>
      <FieldProblems problems={problemsAt(problems, base)} />
      <FieldProblems problems={problemsAt(problems, `${base}.targets`)} />
      <p className="muted small rt-hint">
        {strategy === 'fallback'
          ? 'Targets are tried top to bottom. Drag a row, or use the arrows, to change the order.'
          : 'The first target is picked by weight; if it fails the others are tried top to bottom.'}
      </p>
      <table className="rt-targets">
        <thead>
          <tr>
            <th aria-label="Order" />
            <th>Model</th>
            {strategy === 'weighted' ? <th className="num">Weight</th> : null}
            <th className="num">Timeout (s)</th>
            <th className="num">Retries</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        {targets.map((raw, index) => {
          const target = isObject(raw) ? raw : {};
          const path = `${base}.targets.${index}`;
          const rowProblems = problemsUnder(problems, path);
          const flag = isObject(target.flag) ? target.flag : null;
          return (
            <tbody
              key={index}
              className={`rt-target ${dropAt === index && dragFrom !== null ? 'is-drop' : ''}`}
              data-testid={`tier-${id}-target-${index}`}
              draggable
              onDragStart={(event) => {
                setDragFrom(index);
                event.dataTransfer.effectAllowed = 'move';
                event.dataTransfer.setData('text/plain', String(index));
              }}
              onDragOver={(event) => {
                if (dragFrom === null) return;
                event.preventDefault();
                setDropAt(index);
              }}
              onDragEnd={() => {
                setDragFrom(null);
                setDropAt(null);
              }}
              onDrop={(event) => {
                event.preventDefault();
                if (dragFrom !== null) move(dragFrom, index);
                setDragFrom(null);
                setDropAt(null);
              }}
            >
              <tr>
                <td className="rt-order">
                  <span className="rt-grip" aria-hidden="true">
                    ⋮⋮
                  </span>
                  {index + 1}
                </td>
                <td className="rt-model-cell">
                  <ModelPicker
                    value={`${String(target.provider ?? '')}:${String(target.model ?? '')}`}
                    models={models}
                    label={`Model of target ${index + 1} in ${id}`}
                    testId={`tier-${id}-model-${index}`}
                    onChange={(picked) =>
                      onChange(['targets', index], {
                        ...target,
                        provider: picked.provider,
                        model: picked.modelId,
                      })
                    }
                  />
                  {flag ? (
                    <div className="small muted rt-flag-cond">
                      only when <code>{String(flag.key)}</code> is{' '}
                      <code>{Array.isArray(flag.variants) ? flag.variants.join(' or ') : '?'}</code>
                    </div>
                  ) : null}
                </td>
                {strategy === 'weighted' ? (
                  <td className="num rt-weight">
                    <input
                      type="number"
                      min={0}
                      step="any"
                      aria-label={`Weight of target ${index + 1} in ${id}`}
                      data-testid={`tier-${id}-weight-${index}`}
                      value={typeof target.weight === 'number' ? target.weight : ''}
                      onChange={(event) =>
                        onChange(
                          ['targets', index, 'weight'],
                          numberOrUndefined(event.target.value),
                        )
                      }
                    />
                    <span className="rt-share" data-testid={`tier-${id}-share-${index}`}>
                      {formatShare(shares[index] ?? null)}
                    </span>
                  </td>
                ) : null}
                <td className="num">
                  <input
                    type="number"
                    min={1}
                    aria-label={`Timeout of target ${index + 1} in ${id}`}
                    placeholder="300"
                    value={typeof target.timeoutSeconds === 'number' ? target.timeoutSeconds : ''}
                    onChange={(event) =>
                      onChange(
                        ['targets', index, 'timeoutSeconds'],
                        numberOrUndefined(event.target.value),
                      )
                    }
                  />
                </td>
                <td className="num">
                  <input
                    type="number"
                    min={0}
                    max={5}
                    aria-label={`Retries of target ${index + 1} in ${id}`}
                    placeholder="1"
                    value={typeof target.retries === 'number' ? target.retries : ''}
                    onChange={(event) =>
                      onChange(['targets', index, 'retries'], numberOrUndefined(event.target.value))
                    }
                  />
                </td>
                <td className="rt-actions">
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`Move target ${index + 1} of ${id} up`}
                    data-testid={`tier-${id}-up-${index}`}
                    disabled={index === 0}
                    onClick={() => move(index, index - 1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`Move target ${index + 1} of ${id} down`}
                    data-testid={`tier-${id}-down-${index}`}
                    disabled={index === targets.length - 1}
                    onClick={() => move(index, index + 1)}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`Remove target ${index + 1} of ${id}`}
                    data-testid={`tier-${id}-remove-${index}`}
                    onClick={() => {
                      focusAfter.current = {
                        index: Math.min(index, targets.length - 2),
                        kinds: ['remove', 'add'],
                      };
                      onChange(
                        ['targets'],
                        targets.filter((_, i) => i !== index),
                      );
                    }}
                  >
                    ✕
                  </button>
                </td>
              </tr>
              {rowProblems.length > 0 ? (
                <tr className="rt-target-problems">
                  <td />
                  <td colSpan={strategy === 'weighted' ? 5 : 4}>
                    <FieldProblems problems={rowProblems} />
                  </td>
                </tr>
              ) : null}
            </tbody>
          );
        })}
      </table>
      <button
        type="button"
        className="button button-secondary button-small rt-add"
        onClick={() => {
          const first = models[0];
          onChange(
            ['targets'],
            [
              ...targets,
              {
                provider: first?.provider ?? 'sandbox',
                model: first?.modelId ?? 'sandbox-fast',
                timeoutSeconds: 300,
                retries: 1,
                ...(strategy === 'weighted' ? { weight: 0 } : {}),
              },
            ],
          );
        }}
      >
        + Add target
      </button>
      <div className="rt-groups">
        <fieldset className="rt-group">
          <legend>Limits</legend>
          <NumberField
            label="Max seconds"
            value={limits.maxSeconds}
            path={`${base}.limits.maxSeconds`}
            problems={problems}
            placeholder="no limit"
            onChange={(v) => onChange(['limits', 'maxSeconds'], v)}
          />
          <label className="rt-field">
            <span>Max resolution</span>
            <input
              type="text"
              value={typeof limits.maxResolution === 'string' ? limits.maxResolution : ''}
              placeholder="no limit"
              onChange={(event) =>
                onChange(['limits', 'maxResolution'], event.target.value.trim() || undefined)
              }
            />
            <FieldProblems problems={problemsAt(problems, `${base}.limits.maxResolution`)} />
          </label>
          <NumberField
            label="Daily quota per user"
            value={limits.dailyQuota}
            path={`${base}.limits.dailyQuota`}
            problems={problems}
            step="1"
            placeholder="unlimited"
            onChange={(v) => onChange(['limits', 'dailyQuota'], v)}
          />
        </fieldset>
        <fieldset className="rt-group" data-testid={`${base}-budget`}>
          <legend>Budget (whole tier)</legend>
          <NumberField
            label="Daily budget ($)"
            value={budget.dailyUsd}
            path={`${base}.budget.dailyUsd`}
            problems={problems}
            placeholder="none"
            testId={`${base}.budget.dailyUsd`}
            onChange={(v) => onChange(['budget', 'dailyUsd'], v)}
          />
          <NumberField
            label="Monthly budget ($)"
            value={budget.monthlyUsd}
            path={`${base}.budget.monthlyUsd`}
            problems={problems}
            placeholder="none"
            testId={`${base}.budget.monthlyUsd`}
            onChange={(v) => onChange(['budget', 'monthlyUsd'], v)}
          />
          <NumberField
            label="Daily request quota"
            value={budget.dailyRequests}
            path={`${base}.budget.dailyRequests`}
            problems={problems}
            step="1"
            placeholder="none"
            testId={`${base}.budget.dailyRequests`}
            onChange={(v) => onChange(['budget', 'dailyRequests'], v)}
          />
          <NumberField
            label="Daily generated seconds"
            value={budget.dailyGeneratedSeconds}
            path={`${base}.budget.dailyGeneratedSeconds`}
            problems={problems}
            placeholder="none"
            testId={`${base}.budget.dailyGeneratedSeconds`}
            onChange={(v) => onChange(['budget', 'dailyGeneratedSeconds'], v)}
          />
        </fieldset>
        <fieldset className="rt-group">
          <legend>Circuit breaker</legend>
          <NumberField
            label="Failure rate (0–1)"
            value={breaker.failureRate}
            path={`${base}.breaker.failureRate`}
            problems={problems}
            step="0.05"
            placeholder="0.5"
            onChange={(v) => onChange(['breaker', 'failureRate'], v)}
          />
          <NumberField
            label="Minimum requests"
            value={breaker.minimumRequests}
            path={`${base}.breaker.minimumRequests`}
            problems={problems}
            step="1"
            placeholder="20"
            onChange={(v) => onChange(['breaker', 'minimumRequests'], v)}
          />
          <NumberField
            label="Cooldown (s)"
            value={breaker.cooldownSeconds}
            path={`${base}.breaker.cooldownSeconds`}
            problems={problems}
            placeholder="30"
            onChange={(v) => onChange(['breaker', 'cooldownSeconds'], v)}
          />
        </fieldset>
      </div>
    </section>
  );
}
