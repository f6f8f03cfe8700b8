import { formatDate } from '../../../shared/format';
import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactElement } from 'react';
import {
  BOARD_STAGES,
  BOARD_TRANSITIONS,
  type BoardCard,
  type BoardStage,
  type StageEvidence,
} from '../../../shared/monitor/monitor-schemas';
import { PROVIDER_LABELS } from '../../../shared/providers/provider-ids';
import { EmptyState, InlineError, Loading } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { advanceCard, loadBoard, simulateRelease } from '../store/monitor-actions';
import { isFocused } from '../store/monitor-slice';
import { useAppStore } from '../store/store';
import { BoardIcon } from './monitor-icons';
import { STAGE_LABELS, STAGE_NEEDS, evidenceFacts, evidenceRunId } from './monitor-format';
import { DialogHeader } from '../components/dialog-header';
import { returnFocusOnClose } from '../lib/keep-focus';

type Fields = Record<string, string>;

/** Builds the evidence for `stage` from the dialog's fields, or says what is missing. */
export function buildEvidence(
  stage: BoardStage,
  fields: Fields,
): { ok: true; evidence: StageEvidence } | { ok: false; issues: string[] } {
  const issues: string[] = [];
  const text = (name: string): string => (fields[name] ?? '').trim();
  const optional = (name: string): string | undefined => text(name) || undefined;
  const integer = (name: string, label: string): number => {
    const raw = text(name);
    const value = Number(raw);
    if (raw === '' || !Number.isInteger(value)) issues.push(`${label}: enter a whole number`);
    return value;
  };
  const note = optional('note');
  const withNote = <T extends object>(value: T): T & { note?: string } =>
    note === undefined ? value : { ...value, note };
  let evidence: StageEvidence;
  switch (stage) {
    case 'detected':
      evidence = withNote({ stage, checkId: null, eventId: null });
      break;
    case 'validated':
      evidence = withNote({
        stage,
        runId: text('runId'),
        parameters: text('parameters'),
        ...(optional('limitations') ? { limitations: text('limitations') } : {}),
      });
      break;
    case 'benchmarked':
      evidence = withNote({
        stage,
        runId: text('runId'),
        voteCount: integer('voteCount', 'Votes'),
      });
      break;
    case 'placed':
      evidence = withNote({
        stage,
        configVersion: integer('configVersion', 'Config version'),
        ...(optional('tier') ? { tier: text('tier') } : {}),
      });
      break;
    case 'rolling_out': {
      const environment = text('environment') || 'dev';
      const percentText = text('percent');
      const percent = Number(percentText);
      if (percentText !== '' && !(percent >= 0 && percent <= 100))
        issues.push('Share of traffic: enter a percentage from 0 to 100');
      evidence = withNote({
        stage,
        configVersion: integer('configVersion', 'Config version'),
        environment: environment as 'dev' | 'staging' | 'production',
        ...(percentText !== '' ? { percent } : {}),
      });
      break;
    }
    case 'stable':
      evidence = withNote({
        stage,
        configVersion: integer('configVersion', 'Config version'),
        cleanDays: integer('cleanDays', 'Days without a critical issue'),
      });
      break;
    case 'rolled_back':
      evidence = withNote({
        stage,
        configVersion: integer('configVersion', 'Config version'),
        reason: text('reason'),
      });
      break;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, evidence };
}

interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'number' | 'textarea' | 'environment' | 'run';
  hint?: string;
}

const STAGE_FIELDS: Record<BoardStage, FieldSpec[]> = {
  detected: [],
  validated: [
    { name: 'runId', label: 'Smoke run', kind: 'run' },
    { name: 'parameters', label: 'Parameters used', kind: 'textarea' },
    { name: 'limitations', label: 'Limitations (optional)', kind: 'textarea' },
  ],
  benchmarked: [
    { name: 'runId', label: 'Benchmark run', kind: 'run' },
    {
      name: 'voteCount',
      label: 'Votes',
      kind: 'number',
      hint: 'Blind votes on this model in Review; at least 10 are needed to rank it.',
    },
  ],
  placed: [
    { name: 'configVersion', label: 'Config version', kind: 'number' },
    {
      name: 'tier',
      label: 'Tier (optional)',
      kind: 'text',
      hint: 'Needed later: stability is measured per tier.',
    },
  ],
  rolling_out: [
    { name: 'configVersion', label: 'Config version', kind: 'number' },
    { name: 'environment', label: 'Environment', kind: 'environment' },
    { name: 'percent', label: 'Share of traffic, % (optional)', kind: 'number' },
  ],
  stable: [
    { name: 'configVersion', label: 'Config version', kind: 'number' },
    {
      name: 'cleanDays',
      label: 'Days without a critical issue',
      kind: 'number',
      hint: 'At least 7 consecutive days, read from production metrics for the tier it was placed in.',
    },
  ],
  rolled_back: [
    { name: 'configVersion', label: 'Config version', kind: 'number' },
    { name: 'reason', label: 'Why it was rolled back', kind: 'textarea' },
  ],
};

function AdvanceDialog({
  card,
  stage,
  onClose,
}: {
  card: BoardCard;
  stage: BoardStage;
  onClose: () => void;
}): ReactElement {
  const formId = useId();
  const runs = useAppStore((state) => state.runs);
  const [fields, setFields] = useState<Fields>({});
  const [issues, setIssues] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const set = (name: string, value: string): void =>
    setFields((current) => ({ ...current, [name]: value }));

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const built = buildEvidence(stage, fields);
    if (!built.ok) {
      setIssues(built.issues);
      return;
    }
    setSaving(true);
    const outcome = await advanceCard(card.id, built.evidence);
    setSaving(false);
    if (outcome.kind === 'invalid') setIssues(outcome.issues);
    else onClose();
  };

  return (
    <Dialog.Root open onOpenChange={(open) => (open ? undefined : onClose())}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog"
          aria-describedby={`${formId}-needs`}
          onCloseAutoFocus={returnFocusOnClose}
        >
          <form onSubmit={(event) => void submit(event)}>
            <DialogHeader closable>
              {card.displayName}: {STAGE_LABELS[stage]}
            </DialogHeader>
            <div className="dialog-body dialog-stack">
              <p className="muted" id={`${formId}-needs`}>
                {STAGE_NEEDS[stage]}
              </p>
              {STAGE_FIELDS[stage].map((field) => {
                const inputId = `${formId}-${field.name}`;
                const value = fields[field.name] ?? '';
                return (
                  <div className="field" key={field.name}>
                    <label htmlFor={inputId}>{field.label}</label>
                    {field.kind === 'textarea' ? (
                      <textarea
                        id={inputId}
                        rows={3}
                        value={value}
                        onChange={(event) => set(field.name, event.target.value)}
                      />
                    ) : field.kind === 'environment' ? (
                      <select
                        id={inputId}
                        value={value || 'dev'}
                        onChange={(event) => set(field.name, event.target.value)}
                      >
                        <option value="dev">dev</option>
                        <option value="staging">staging</option>
                        <option value="production">production</option>
                      </select>
                    ) : field.kind === 'run' ? (
                      <select
                        id={inputId}
                        value={value}
                        onChange={(event) => set(field.name, event.target.value)}
                      >
                        <option value="">Choose a run…</option>
                        {runs.map((run) => (
                          <option key={run.id} value={run.id}>
                            {run.suiteName} · {formatDateTime(run.createdAt)} · {run.id}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        id={inputId}
                        type={field.kind === 'number' ? 'number' : 'text'}
                        value={value}
                        onChange={(event) => set(field.name, event.target.value)}
                      />
                    )}
                    {field.hint ? <p className="field-hint">{field.hint}</p> : null}
                  </div>
                );
              })}
              <div className="field">
                <label htmlFor={`${formId}-note`}>Note (optional)</label>
                <input
                  id={`${formId}-note`}
                  type="text"
                  value={fields.note ?? ''}
                  onChange={(event) => set('note', event.target.value)}
                />
              </div>
              {issues.length > 0 ? (
                <div className="inline-error" role="alert" data-testid="advance-issues">
                  <ul className="issue-list">
                    {issues.map((issue) => (
                      <li key={issue}>{issue}</li>
                    ))}
                  </ul>
                </div>
              ) : null}
            </div>
            <div className="dialog-footer">
              <Dialog.Close className="button button-secondary" type="button">
                Cancel
              </Dialog.Close>
              <button type="submit" className="button button-primary" disabled={saving}>
                {saving ? 'Saving…' : `Move to ${STAGE_LABELS[stage]}`}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function Card({ card }: { card: BoardCard }): ReactElement {
  const navigate = useAppStore((state) => state.navigate);
  const [target, setTarget] = useState<BoardStage | null>(null);
  const focused = useAppStore((state) =>
    isFocused(state.focusedModel, card.provider, card.modelId),
  );
  const element = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focused) element.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [focused]);
  const next = BOARD_TRANSITIONS[card.stage];
  return (
    <li
      ref={element}
      className={`board-card ${focused ? 'is-focused' : ''}`}
      data-testid="board-card"
      data-stage={card.stage}
      data-model={`${card.provider}/${card.modelId}`}
      data-focused={focused}
    >
      <div className="board-card-title">
        <span className="strong">{card.displayName}</span>
        <span className="muted small">{PROVIDER_LABELS[card.provider]}</span>
      </div>
      <code className="muted small board-card-id">{card.modelId}</code>
      <ol className="board-evidence">
        {card.history.map((entry, index) => {
          const runId = evidenceRunId(entry.evidence);
          return (
            <li key={`${entry.stage}-${index}`}>
              <span className="strong small">{STAGE_LABELS[entry.stage]}</span>{' '}
              <time className="muted small" title={formatDateTime(entry.at)}>
                {formatDate(entry.at)}
              </time>
              {runId ? (
                <>
                  {' · '}
                  <button
                    type="button"
                    className="link-button small"
                    onClick={() => navigate({ screen: 'run', runId })}
                  >
                    run {runId.slice(0, 8)}
                  </button>
                </>
              ) : null}
              {evidenceFacts(entry.evidence).map((fact) => (
                <span key={fact} className="board-fact small">
                  {fact}
                </span>
              ))}
            </li>
          );
        })}
      </ol>
      {next.length > 0 ? (
        <div className="board-card-actions">
          {next.map((stage) => (
            <button
              key={stage}
              type="button"
              className={`button button-small ${stage === 'rolled_back' ? 'button-danger-outline' : 'button-secondary'}`}
              onClick={() => setTarget(stage)}
              data-testid={`advance-${stage}`}
            >
              {stage === 'rolled_back' ? 'Roll back' : `→ ${STAGE_LABELS[stage]}`}
            </button>
          ))}
        </div>
      ) : null}
      {target ? <AdvanceDialog card={card} stage={target} onClose={() => setTarget(null)} /> : null}
    </li>
  );
}

/** One column per onboarding stage; each new model is a card that moves right with evidence. */
export function OnboardingBoard(): ReactElement {
  const cards = useAppStore((state) => state.board);
  const status = useAppStore((state) => state.boardStatus);
  // The sandbox's simulated catalogue can release a model: the board can be tried without keys.
  const simulated = useAppStore(
    (state) =>
      state.monitorStatus?.providers.some((entry) => entry.catalogue === 'simulated') ?? false,
  );
  const simulating = useAppStore((state) => state.monitorChecking.sandbox === true);
  if (status.kind === 'error')
    return <InlineError message={status.message} onRetry={() => void loadBoard()} />;
  if (status.kind !== 'loaded')
    return <Loading label="Loading the onboarding board…" skeleton="cards" count={3} />;
  if (cards.length === 0) {
    return (
      <EmptyState
        icon={<BoardIcon />}
        title="No models to onboard yet"
        action={
          simulated ? (
            <button
              type="button"
              className="button button-primary"
              data-testid="board-simulate-release"
              disabled={simulating}
              onClick={() => void simulateRelease()}
            >
              {simulating ? 'Simulating a release…' : 'Simulate a release'}
            </button>
          ) : undefined
        }
      >
        When a provider lists a new video model, the monitor puts it here as a card in
        &ldquo;Detected&rdquo;. You then move it through validation, benchmarking, placement in a
        config and rollout, with the evidence for each step.
        {simulated
          ? ' To try it now, without keys or spending: the sandbox can list one more (simulated) model.'
          : null}
      </EmptyState>
    );
  }
  return (
    <div className="board" data-testid="board">
      {BOARD_STAGES.map((stage) => {
        const inStage = cards.filter((card) => card.stage === stage);
        return (
          <section key={stage} className="board-column" aria-label={STAGE_LABELS[stage]}>
            <h3 className="board-column-title">
              {STAGE_LABELS[stage]} <span className="muted">{inStage.length}</span>
            </h3>
            <ul className="board-cards">
              {inStage.map((card) => (
                <Card key={card.id} card={card} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
