/**
 * Rollout → Publishing: the signed config in dev → staging → production, publish / promote /
 * roll back with the diff before signing, co-signing, gradual flag rollouts, the kill switch,
 * the hash-chained history and this console's signing keys. First run: "Set up signing".
 */
import { formatBakeTime, plural } from '../../../shared/format';
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import type {
  EnvironmentOverview,
  HistoryRow,
  PublishOverview,
  RolloutSummary,
} from '../../../shared/rollout/publish-ipc-schemas';
import { ConfirmButton } from '../components/confirm';
import { Badge, InlineError, Loading, ProgressBar } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { downloadText } from '../lib/download';
import { focusLost } from '../lib/keep-focus';
import { formatDateTime, formatRelativeTime, formatTimeOfDay } from '../lib/format';
import { useAction } from '../lib/use-action';
import { useAppStore } from '../store/store';
import {
  DiffTable,
  GenerateKeyDialog,
  PlanButton,
  shortDigest,
  shortKid,
  UnlockDialog,
} from './publishing-dialogs';
import { CosignDialog } from './cosign-dialog';
import { AddPublicKeyDialog, CopyPublicKeyDialog } from './public-key-dialogs';
import { RollbackDialog } from './rollback-dialog';
import { TrustPanel } from './trust-panel';
import { unconfirmedText } from '../../../shared/rollout/unconfirmed-text';
import { leadingController, useControllerPanel } from './use-controller-panel';
import './publishing.css';

const toast = (title: string, tone: 'success' | 'error' | 'info' = 'success'): void =>
  useAppStore.getState().pushToast({ tone, title });

function expiry(iso: string, expired: boolean): ReactElement {
  const at = Date.parse(iso);
  if (expired) return <Badge tone="danger">Expired {formatDateTime(at)}: publish again</Badge>;
  const days = Math.floor((at - Date.now()) / 86_400_000);
  return (
    <span className={days < 14 ? 'pb-warn' : 'muted'} title={formatDateTime(at)}>
      expires in {days} day{days === 1 ? '' : 's'}
    </span>
  );
}

/** "alice laptop (you)" for a kid: names from the trust file, this console's and imported keys. */
function keyNamer(overview: PublishOverview): (kid: string) => string {
  const names = new Map<string, string>();
  for (const key of overview.importedKeys) names.set(key.kid, key.name);
  for (const key of overview.trust?.keys ?? []) names.set(key.kid, key.name);
  const own = new Set(overview.keys.map((key) => key.kid));
  for (const key of overview.keys) names.set(key.kid, key.name);
  return (kid) => `${names.get(kid) ?? shortKid(kid)}${own.has(kid) ? ' (you)' : ''}`;
}

// ---- environment columns ----------------------------------------------------------------------

function EnvironmentColumn({
  env,
  overview,
  refresh,
}: {
  env: EnvironmentOverview;
  overview: PublishOverview;
  refresh: () => void;
}): ReactElement {
  const locked = !overview.keys.some((key) => key.unlocked && key.trusted);
  const lockedReason = 'Unlock a trusted signing key first (Keys → Unlock keys).';
  const live = env.live;
  const previous = overview.environments[overview.environments.indexOf(env) - 1];
  const nameOf = keyNamer(overview);
  const waiting = env.pending.find((item) => item.applicable);
  const action =
    env.environment === 'dev' ? (
      <PlanButton
        label="Publish draft to dev"
        title="Publish the saved draft to dev"
        plan={{ action: 'publish-draft' }}
        confirmLabel="Sign and publish"
        disabled={locked || overview.draft.source !== 'draft'}
        disabledReason={
          overview.draft.source !== 'draft'
            ? 'Save the routing draft first (Rollout → Config → Save draft).'
            : lockedReason
        }
        testId="publish-draft"
        act={(plan) =>
          getClient().invoke('publish:publish-draft', {
            draftRevision: plan.draftRevision ?? 0,
            expectFromVersion: plan.changes[0]?.fromVersion ?? 0,
          })
        }
      />
    ) : (
      <PlanButton
        label={`Promote to ${env.environment}`}
        title={`Promote ${previous?.environment ?? ''} to ${env.environment}`}
        plan={{ action: 'promote', target: env.environment as 'staging' | 'production' }}
        confirmLabel="Sign and promote"
        disabled={locked || !previous?.live}
        disabledReason={
          !previous?.live ? `${previous?.environment ?? ''} has nothing live yet.` : lockedReason
        }
        testId={`promote-${env.environment}`}
        act={(plan) =>
          getClient().invoke('publish:promote', {
            target: env.environment as 'staging' | 'production',
            expectFromVersion: plan.changes[0]?.fromVersion ?? 0,
          })
        }
      />
    );

  return (
    <div className="pb-env" data-testid={`env-${env.environment}`}>
      <div className="pb-env-head">
        <h3>{env.environment}</h3>
        {waiting ? (
          <Badge tone="warning">
            <span data-testid={`env-${env.environment}-pending-badge`}>
              Pending v{waiting.version} · {waiting.keyIds.length}/{env.threshold} signed
            </span>
          </Badge>
        ) : null}
        <span className="muted small">
          needs {env.threshold} signature{env.threshold === 1 ? '' : 's'}
        </span>
      </div>
      {env.problem ? <InlineError message={env.problem} /> : null}
      {live ? (
        <dl className="pb-live">
          <dt>Version</dt>
          <dd data-testid={`env-${env.environment}-version`}>{live.version}</dd>
          <dt>Digest</dt>
          <dd>
            <code title={live.digest} data-testid={`env-${env.environment}-digest`}>
              {shortDigest(live.digest)}
            </code>
          </dd>
          <dt>Signatures</dt>
          <dd data-testid={`env-${env.environment}-signatures`}>
            {live.keyIds.length}/{env.threshold}{' '}
            <span className="muted small">{live.keyIds.map(nameOf).join(', ')}</span>
            {live.underSigned ? (
              <div>
                <Badge tone="warning">
                  Fewer signatures than the trust file now asks for: publish a new version
                </Badge>
              </div>
            ) : null}
          </dd>
          <dt>Issued</dt>
          <dd title={live.issuedAt}>{formatRelativeTime(Date.parse(live.issuedAt))}</dd>
          <dt>Expiry</dt>
          <dd>{expiry(live.expiresAt, live.expired)}</dd>
        </dl>
      ) : (
        <p className="muted small pb-nothing" data-testid={`env-${env.environment}-empty`}>
          {env.environment === 'dev'
            ? 'Nothing published yet. Save a routing draft, then publish it here.'
            : `Nothing live yet. Promote ${previous?.environment ?? ''} when it is ready.`}
        </p>
      )}
      {env.pending.length > 0 ? (
        <div className="pb-pending" data-testid={`env-${env.environment}-pending`}>
          {env.pending.map((item) => (
            <div
              key={item.digest}
              className={`pb-pending-item${item.applicable ? ' pb-pending-open' : ''}`}
              data-testid="pending-bundle"
            >
              <div className="pb-pending-title">
                <strong>
                  {item.applicable
                    ? `Waiting for ${item.needed} more signature${item.needed === 1 ? '' : 's'}`
                    : 'Outdated pending version'}
                </strong>
                <span className="muted small">
                  version {item.version} ·{' '}
                  <code title={item.digest}>{shortDigest(item.digest)}</code>
                </span>
              </div>
              <div className="small" data-testid="pending-signers">
                Signed by {item.keyIds.map(nameOf).join(', ') || 'nobody yet'} ·{' '}
                {item.keyIds.length} of {env.threshold}
              </div>
              <details className="pb-pending-diff" open={item.applicable && item.canSign}>
                <summary className="small">What it changes: {item.summary}</summary>
                <DiffTable diff={item.diff} testId="pending-diff" />
              </details>
              {item.applicable ? (
                item.canSign ? (
                  <CosignDialog
                    environment={env.environment}
                    item={item}
                    threshold={env.threshold}
                    liveVersion={live?.version ?? null}
                    signerNames={item.keyIds.map(nameOf).join(', ')}
                    onDone={refresh}
                  />
                ) : (
                  <span className="small muted" data-testid="cosign-unavailable">
                    {overview.keys.some((key) => key.unlocked && item.keyIds.includes(key.kid))
                      ? 'You signed it; another admin co-signs it in their console (Publishing → this column).'
                      : 'Unlock a trusted key that has not signed it yet to co-sign.'}
                  </span>
                )
              ) : (
                <Badge tone="warning">Built on an older version: publish its content again</Badge>
              )}
            </div>
          ))}
        </div>
      ) : null}
      <div className="pb-env-actions">
        {action}
        {live && live.version > 1 ? (
          <RollbackDialog
            environment={env.environment}
            disabled={locked}
            disabledReason={lockedReason}
          />
        ) : null}
      </div>
    </div>
  );
}

// ---- rollouts -----------------------------------------------------------------------------------

/**
 * A paused rollout whose step is still live: the users in the step still get the new variant,
 * which a "paused" badge alone does not say. Who watches it (the controller that leads, this
 * console's watch for its automatic rollback, or nobody) and since when (the pause, or the
 * controller's start when it started later).
 */
export function pausedLiveText(
  rollout: RolloutSummary,
  controller: { id: string; startedAt: number } | undefined,
  now: number,
): string {
  const percent = rollout.stepIndex >= 0 ? (rollout.steps[rollout.stepIndex] ?? 0) : 0;
  const still = `${percent}% of ${rollout.environment} users still get "${rollout.onVariant}"`;
  const rollBack = `resume it, or roll back under Publishing → ${rollout.environment} → Roll back…`;
  if (controller)
    return `Paused and still live; watched by controller ${controller.id} since ${formatTimeOfDay(Math.max(rollout.updatedAt, controller.startedAt), now)}. ${still}: ${rollBack}`;
  if (rollout.watchedForRollback)
    return `Paused and still live; watched by this console's ${rollout.environment} watch since ${formatTimeOfDay(rollout.updatedAt, now)}, which rolls it back when a guard check fails. ${still}: ${rollBack}`;
  return `Paused and still live since ${formatTimeOfDay(rollout.updatedAt, now)}; nothing rolls it back on its own. ${still}: ${rollBack}`;
}

export function RolloutRow({
  rollout,
  refresh,
}: {
  rollout: RolloutSummary;
  refresh: () => void;
}): ReactElement {
  const act = (action: 'pause' | 'resume' | 'advance'): void =>
    void getClient()
      .invoke('publish:rollout-action', {
        environment: rollout.environment,
        flagKey: rollout.flagKey,
        action,
      })
      .then((result) => {
        toast(result.message);
        refresh();
      })
      .catch((error: unknown) => toast(describeError(error), 'error'));
  const current = rollout.stepIndex >= 0 ? rollout.steps[rollout.stepIndex] : 0;
  const due = rollout.nextStepAt;
  // A live controller owns the due steps, the bakes and the guard rollback of this rollout.
  const controller = leadingController(useControllerPanel().panel);
  const active = rollout.status === 'running' || rollout.status === 'paused';
  return (
    <div
      className={`pb-rollout${active ? '' : ' pb-rollout-done'}`}
      data-testid={`rollout-${rollout.environment}-${rollout.flagKey}`}
      data-status={rollout.status}
    >
      <div className="pb-rollout-head">
        <strong>{rollout.flagKey}</strong>
        <span className="muted small">in {rollout.environment}</span>
        <Badge
          tone={
            rollout.status === 'running'
              ? 'info'
              : rollout.status === 'paused'
                ? 'warning'
                : rollout.status === 'completed'
                  ? 'success'
                  : 'neutral'
          }
        >
          {rollout.status}
        </Badge>
        {controller && active ? (
          <span data-testid="rollout-controller-owned">
            <Badge
              tone="info"
              title={`This console has stood down: controller ${controller.id} on ${controller.host} publishes due steps, bakes them against the guards and rolls back on a breach.`}
            >
              Stepped and watched by controller {controller.id}
            </Badge>
          </span>
        ) : rollout.watching ? (
          <Badge tone="info">Watch is checking the guards</Badge>
        ) : null}
        <span className="pb-rollout-percent" data-testid="rollout-percent">
          {/* The bar below counts steps, not percent: the step is said beside the share. */}
          {rollout.status === 'stopped'
            ? `stopped at ${current}% (step ${rollout.stepIndex + 1} of ${rollout.steps.length})`
            : `${current}% on "${rollout.onVariant}" (step ${rollout.stepIndex + 1} of ${rollout.steps.length})`}
        </span>
      </div>
      <ProgressBar
        value={rollout.stepIndex + 1}
        max={rollout.steps.length}
        label={`Step ${rollout.stepIndex + 1} of ${rollout.steps.length}`}
        tone={rollout.status === 'paused' ? 'neutral' : 'info'}
        size="sm"
      />
      <div className="pb-steps">
        {rollout.steps.map((step, index) => (
          <span
            key={step}
            className={`pb-step${index < rollout.stepIndex ? ' pb-step-done' : ''}${index === rollout.stepIndex ? ' pb-step-current' : ''}`}
          >
            {step}%
          </span>
        ))}
        <span className="muted small">
          bake {formatBakeTime(rollout.bakeMs)} per step
          {rollout.status === 'running' && due !== null
            ? due <= Date.now()
              ? ' · next step due now'
              : ` · next step ${formatDateTime(due)}`
            : ''}
          {rollout.stoppedReason ? ` · stopped: ${rollout.stoppedReason}` : ''}
        </span>
      </div>
      {rollout.status === 'paused' && rollout.stillLive ? (
        <p className="pb-paused-live" data-testid="rollout-paused-live">
          {pausedLiveText(rollout, controller, Date.now())}
        </p>
      ) : null}
      {rollout.problem ? <InlineError message={rollout.problem} /> : null}
      {active ? (
        <div className="pb-row">
          {rollout.status === 'running' ? (
            <>
              <button
                type="button"
                className="button button-secondary button-small"
                data-testid="rollout-pause"
                title={
                  controller
                    ? `Pauses the rollout; controller ${controller.id} holds it until someone resumes it.`
                    : undefined
                }
                onClick={() => act('pause')}
              >
                Pause
              </button>
              <button
                type="button"
                className="button button-primary button-small"
                data-testid="rollout-advance"
                disabled={due !== null && due > Date.now()}
                title={
                  due !== null && due > Date.now()
                    ? `The current step bakes until ${formatDateTime(due)}.${controller ? ` Controller ${controller.id} publishes the next step then, after a passing guard check.` : ''}`
                    : controller
                      ? `Publishes the next step now, without waiting for controller ${controller.id}'s guard check.`
                      : undefined
                }
                onClick={() => act('advance')}
              >
                Next step now
              </button>
            </>
          ) : (
            <button
              type="button"
              className="button button-primary button-small"
              data-testid="rollout-resume"
              onClick={() => act('resume')}
            >
              Resume
            </button>
          )}
        </div>
      ) : null}
    </div>
  );
}

function parseSteps(text: string): number[] | string {
  const parts = text
    .split(/[,\s]+/)
    .map((part) => part.trim().replace(/%$/, ''))
    .filter(Boolean);
  if (parts.length === 0) return 'Enter the steps, e.g. 1, 5, 25, 50, 100.';
  const steps = parts.map(Number);
  if (steps.some((step) => !Number.isInteger(step) || step < 1 || step > 100))
    return 'Each step is a whole percentage from 1 to 100.';
  if (steps.some((step, index) => index > 0 && step <= (steps[index - 1] ?? 0)))
    return 'Steps must go up.';
  return steps;
}

function RolloutPanel({
  overview,
  refresh,
}: {
  overview: PublishOverview;
  refresh: () => void;
}): ReactElement {
  const [environment, setEnvironment] = useState<'dev' | 'staging' | 'production'>('dev');
  const env = overview.environments.find((item) => item.environment === environment);
  const flags = (env?.flags ?? []).filter((flag) => !flag.customTargeting);
  /** Live here, but with a targeting rule of their own: a ramp would overwrite that rule. */
  const ownRule = (env?.flags ?? []).filter((flag) => flag.customTargeting);
  const [flagKey, setFlagKey] = useState('');
  const flag = flags.find((item) => item.key === flagKey) ?? flags[0];
  const [onVariant, setOnVariant] = useState('');
  const [offVariant, setOffVariant] = useState('');
  const [steps, setSteps] = useState('1, 5, 25, 50, 100');
  const [bake, setBake] = useState('60');
  const [error, setError] = useState<string | null>(null);
  // Unchosen, the others keep the flag's default variant and the ramp turns on another one: the
  // first variant listed ("off" before "on") proposed turning "off" on while the rest kept "on".
  const fallbackOff = flag?.defaultVariant ?? undefined;
  const on = flag?.variants.includes(onVariant)
    ? onVariant
    : (flag?.variants.find((variant) => variant !== fallbackOff) ?? flag?.variants[0] ?? '');
  const off = flag?.variants.includes(offVariant)
    ? offVariant
    : fallbackOff !== undefined && fallbackOff !== on && flag?.variants.includes(fallbackOff)
      ? fallbackOff
      : (flag?.variants.find((variant) => variant !== on) ?? '');
  const parsed = parseSteps(steps);
  const bakeMinutes = Number(bake);
  const rollouts = overview.environments.flatMap((item) => item.rollouts);
  const locked = !overview.keys.some((key) => key.unlocked && key.trusted);

  const start = async (): Promise<void> => {
    setError(null);
    if (!flag) return;
    if (typeof parsed === 'string') {
      setError(parsed);
      return;
    }
    try {
      const result = await getClient().invoke('publish:start-rollout', {
        environment,
        flagKey: flag.key,
        onVariant: on,
        offVariant: off,
        steps: parsed,
        bakeMinutes,
      });
      toast(result.message);
      refresh();
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <div className="pb-panel" data-testid="rollout-panel">
      <h3>Gradual rollout</h3>
      <p className="muted small">
        Turns a flag on for a growing share of users. Each step is a new signed version; the next
        step goes out when the bake time is over (and, where the production watch is set up, when
        its guards pass).
      </p>
      {rollouts.length > 0 ? (
        <div className="pb-rollouts">
          {rollouts
            .sort((a, b) => b.updatedAt - a.updatedAt)
            .map((rollout) => (
              <RolloutRow
                key={`${rollout.environment}:${rollout.flagKey}`}
                rollout={rollout}
                refresh={refresh}
              />
            ))}
        </div>
      ) : null}
      <h4>Start a rollout</h4>
      <div className="pb-form">
        <div className="field">
          <label htmlFor="ro-env">Environment</label>
          <select
            id="ro-env"
            data-testid="ro-env"
            value={environment}
            onChange={(event) => setEnvironment(event.target.value as typeof environment)}
          >
            {overview.environments.map((item) => (
              <option key={item.environment} value={item.environment}>
                {item.environment}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ro-flag">Flag</label>
          <select
            id="ro-flag"
            data-testid="ro-flag"
            value={flag?.key ?? ''}
            disabled={flags.length === 0}
            onChange={(event) => setFlagKey(event.target.value)}
          >
            {flags.length === 0 ? (
              <option value="">
                {ownRule.length > 0 ? 'No flag that can be ramped here' : 'No flag live here'}
              </option>
            ) : null}
            {flags.map((item) => (
              <option key={item.key} value={item.key}>
                {item.key}
              </option>
            ))}
          </select>
        </div>
        {ownRule.length > 0 ? (
          <p className="muted small pb-note" data-testid="ro-flag-own-rule">
            {ownRule.map((item) => item.key).join(', ')} {ownRule.length === 1 ? 'is' : 'are'} live
            in {environment} but{' '}
            {ownRule.length === 1 ? 'has its own targeting rule' : 'have their own targeting rules'}
            , so {ownRule.length === 1 ? 'it' : 'they'} cannot be ramped by percentage: a gradual
            rollout would replace that rule. The kill switch still works; to ramp, remove the rule
            in Rollout → Config → Flags and publish.
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="ro-on">Turn on</label>
          <select
            id="ro-on"
            data-testid="ro-on"
            value={on}
            onChange={(event) => setOnVariant(event.target.value)}
          >
            {(flag?.variants ?? []).map((variant) => (
              <option key={variant}>{variant}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ro-off">Others keep</label>
          <select
            id="ro-off"
            data-testid="ro-off"
            value={off}
            onChange={(event) => setOffVariant(event.target.value)}
          >
            {(flag?.variants ?? []).map((variant) => (
              <option key={variant}>{variant}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ro-steps">Steps (%)</label>
          <input
            id="ro-steps"
            data-testid="ro-steps"
            value={steps}
            aria-invalid={typeof parsed === 'string' ? true : undefined}
            onChange={(event) => setSteps(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="ro-bake">Bake (minutes)</label>
          <input
            id="ro-bake"
            data-testid="ro-bake"
            type="number"
            min={0}
            value={bake}
            onChange={(event) => setBake(event.target.value)}
          />
        </div>
        <ConfirmButton
          label="Start rollout…"
          className="button button-primary button-small"
          testId="ro-start"
          title={`Start rolling out "${flag?.key ?? ''}" in ${environment}?`}
          body={
            typeof parsed === 'string'
              ? parsed
              : `Signs and publishes ${environment} version ${(env?.live?.version ?? 0) + 1} with "${flag?.key ?? ''}" at ${parsed[0]}% on "${on}" (the rest on "${off}"). Then ${parsed.slice(1).join('%, ')}${parsed.length > 1 ? '%' : ''}, each after ${plural(bakeMinutes, 'minute')} of baking.`
          }
          confirmLabel="Sign and start"
          busyLabel="Signing…"
          keepLabel="Cancel"
          onConfirm={start}
          // Nothing to sign with, or no flag to ramp: the button cannot start anything (it used
          // to open the confirmation, whose "Sign and start" then failed), as Publish and Kill
          // switch beside it. The line under the form says why.
          disabled={locked || !flag}
        />
      </div>
      {locked ? (
        <p className="small muted">Unlock a trusted key to start or advance a rollout.</p>
      ) : null}
      {error ? <InlineError message={error} /> : null}
    </div>
  );
}

function KillSwitchPanel({ overview }: { overview: PublishOverview }): ReactElement {
  const keys = [
    ...new Set(overview.environments.flatMap((env) => env.flags.map((flag) => flag.key))),
  ].sort();
  const [flagKey, setFlagKey] = useState('');
  const chosen = keys.includes(flagKey) ? flagKey : (keys[0] ?? '');
  const locked = !overview.keys.some((key) => key.unlocked && key.trusted);
  return (
    <div className="pb-panel pb-kill" data-testid="kill-panel">
      <h3>Kill switch</h3>
      <p className="muted small">
        Turns a flag off for everyone in every environment that has it, production first, and stops
        its rollouts. Each environment gets a new signed version.
      </p>
      {keys.length === 0 ? (
        <p className="muted small">No flag is live in any environment.</p>
      ) : (
        <div className="pb-row">
          <select
            aria-label="Flag to switch off"
            data-testid="kill-flag"
            value={chosen}
            onChange={(event) => setFlagKey(event.target.value)}
          >
            {keys.map((key) => (
              <option key={key}>{key}</option>
            ))}
          </select>
          <PlanButton
            label="Kill switch…"
            title={`Switch "${chosen}" off everywhere`}
            plan={{ action: 'kill-switch', flagKey: chosen }}
            confirmLabel="Sign and switch off"
            danger
            disabled={locked}
            disabledReason="Unlock a trusted signing key first."
            testId="kill-switch"
            act={() => getClient().invoke('publish:kill-switch', { flagKey: chosen })}
          />
        </div>
      )}
    </div>
  );
}

// ---- history ------------------------------------------------------------------------------------

function HistoryPanel({ version }: { version: number }): ReactElement {
  const [rows, setRows] = useState<HistoryRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chain, setChain] = useState<string | null>(null);
  const [chainOk, setChainOk] = useState<boolean | null>(null);

  useEffect(() => {
    getClient()
      .invoke('publish:list-history', { limit: 100 })
      .then((history) => {
        setRows(history);
        setError(null);
      })
      .catch((failure: unknown) => setError(describeError(failure)));
  }, [version]);

  const check = async (): Promise<void> => {
    try {
      const result = await getClient().invoke('publish:check-chain', {});
      setChainOk(result.ok);
      setChain(
        result.ok
          ? `Chain intact: ${result.entries} entries, head ${result.head.slice(0, 12)}…`
          : `Chain BROKEN at entry ${result.brokenAtSeq}: ${result.problem}. Someone edited the history database; keep the export and investigate.`,
      );
    } catch (failure) {
      setChainOk(false);
      setChain(describeError(failure));
    }
  };
  const exportJson = async (): Promise<void> => {
    try {
      const file = await getClient().invoke('publish:export-history', {});
      downloadText(file.fileName, file.mimeType, file.content);
      toast(`History exported as ${file.fileName}`);
    } catch (failure) {
      toast(describeError(failure), 'error');
    }
  };

  return (
    <div className="pb-panel" data-testid="history-panel">
      <div className="pb-panel-head">
        <h3>History</h3>
        <div className="pb-row">
          {chain ? (
            <Badge tone={chainOk ? 'success' : 'danger'}>
              <span data-testid="chain-result">{chain}</span>
            </Badge>
          ) : null}
          <button
            type="button"
            className="button button-secondary button-small"
            data-testid="check-chain"
            // Nothing signed yet: nothing to check or export.
            disabled={!rows || rows.length === 0}
            title={rows && rows.length === 0 ? 'Nothing signed yet' : undefined}
            onClick={() => void check()}
          >
            Check chain
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            data-testid="export-history"
            disabled={!rows || rows.length === 0}
            title={rows && rows.length === 0 ? 'Nothing signed yet' : undefined}
            onClick={() => void exportJson()}
          >
            Export JSON
          </button>
        </div>
      </div>
      {error ? <InlineError message={error} /> : null}
      {rows === null && !error ? (
        <Loading label="Loading the history…" skeleton="table" count={3} />
      ) : null}
      {rows && rows.length === 0 ? (
        <p className="muted small">
          Nothing signed yet. Every publish, promotion, step, co-signature and rollback will be
          listed here.
        </p>
      ) : null}
      {rows && rows.length > 0 ? (
        // Scrolls on its own: focusable and named, so the keyboard can scroll it too.
        <div
          className="table-wrap pb-history"
          tabIndex={0}
          role="region"
          aria-label="Publish history"
        >
          <table className="table" data-testid="history-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Env</th>
                <th className="num">Version</th>
                <th>Digest</th>
                <th>Keys</th>
                <th>What changed</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.seq} data-testid="history-row" data-action={row.action}>
                  <td title={new Date(row.at).toISOString()}>{formatDateTime(row.at)}</td>
                  <td>{row.actor}</td>
                  <td>{row.action.replaceAll('_', ' ')}</td>
                  <td>{row.environment ?? 'all'}</td>
                  <td className="num">{row.version ?? '—'}</td>
                  <td>
                    <code title={row.digest ?? ''}>{shortDigest(row.digest)}</code>
                  </td>
                  <td className="small">{row.keyIds.map(shortKid).join(', ') || '—'}</td>
                  <td className="small">
                    {row.diffSummary}
                    {typeof row.detail.reason === 'string' ? (
                      <span className="muted"> · {row.detail.reason.split('\n')[0]}</span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

// ---- keys and first-run setup -----------------------------------------------------------------

function KeysPanel({
  overview,
  refresh,
}: {
  overview: PublishOverview;
  refresh: () => void;
}): ReactElement {
  const anyUnlocked = overview.keys.some((key) => key.unlocked);
  return (
    <div className="pb-panel" data-testid="keys-panel">
      <div className="pb-panel-head">
        <h3>Signing keys</h3>
        <div className="pb-row">
          <GenerateKeyDialog protection={overview.keyProtection} onDone={refresh} />
          <AddPublicKeyDialog onDone={refresh} />
          {overview.keys.length > 0 ? (
            <UnlockDialog protection={overview.keyProtection} onDone={refresh} />
          ) : null}
          {anyUnlocked ? (
            <button
              type="button"
              className="button button-secondary button-small"
              data-testid="keys-lock"
              onClick={() =>
                void getClient()
                  .invoke('publish:lock-keys', {})
                  .then(() => {
                    toast(
                      'Keys locked: nothing can be signed until you unlock them again.',
                      'info',
                    );
                    refresh();
                  })
              }
            >
              Lock
            </button>
          ) : null}
        </div>
      </div>
      <p className="muted small">
        {overview.keyProtection === 'os-keychain'
          ? 'Private keys are encrypted by your operating system keychain and never leave this computer.'
          : 'Private keys are encrypted with a passphrase you type to unlock them for this session; they are never shown or exported.'}
      </p>
      {overview.keys.length === 0 ? (
        <p className="small">No signing key in this console yet.</p>
      ) : (
        <ul className="pb-keys">
          {overview.keys.map((key) => (
            <li key={key.kid} data-testid="signing-key">
              <strong>{key.name}</strong> <code title={key.kid}>{shortKid(key.kid)}</code>{' '}
              {key.unlocked ? (
                <Badge tone="success">Unlocked</Badge>
              ) : (
                <Badge tone="neutral">Locked</Badge>
              )}{' '}
              {overview.trust ? (
                key.trusted ? (
                  <Badge tone="info">In the trust file</Badge>
                ) : (
                  <Badge tone="warning">Not trusted by this store</Badge>
                )
              ) : null}{' '}
              <span className="muted small">
                {key.protection === 'passphrase'
                  ? 'passphrase'
                  : key.protection === 'os-keychain'
                    ? 'keychain'
                    : 'unknown protection'}{' '}
                · created {formatDateTime(Date.parse(key.createdAt))}
              </span>{' '}
              <CopyPublicKeyDialog kid={key.kid} name={key.name} />
            </li>
          ))}
        </ul>
      )}
      {overview.importedKeys.length > 0 ? (
        <>
          <h4>Other admins’ public keys</h4>
          <ul className="pb-keys" data-testid="imported-keys">
            {overview.importedKeys.map((key) => (
              <li key={key.kid} data-testid="imported-key">
                <strong>{key.name}</strong> <code title={key.kid}>{shortKid(key.kid)}</code>{' '}
                {overview.trust ? (
                  key.trusted ? (
                    <Badge tone="info">In the trust file</Badge>
                  ) : (
                    <Badge tone="warning">Not in the trust file yet: Change trust…</Badge>
                  )
                ) : null}{' '}
                <span className="muted small">
                  public key only (signs in their console) · added{' '}
                  {formatDateTime(Date.parse(key.importedAt))}
                </span>{' '}
                <ConfirmButton
                  label="Remove"
                  title={`Remove the public key of “${key.name}”?`}
                  body={
                    <p className="small">
                      This console forgets the key. The trust file does not change: if the key is in
                      it, it can still sign until you take it out with Change trust….
                    </p>
                  }
                  confirmLabel="Remove"
                  busyLabel="Removing…"
                  keepLabel="Keep"
                  testId={`remove-public-key-${key.name}`}
                  onConfirm={() =>
                    getClient()
                      .invoke('publish:remove-public-key', { kid: key.kid })
                      .then(() => refresh())
                      .catch((error: unknown) => toast(describeError(error), 'error'))
                  }
                />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function SetupSigning({
  overview,
  refresh,
}: {
  overview: PublishOverview;
  refresh: () => void;
}): ReactElement {
  const [chosen, setChosen] = useState<string[] | null>(null);
  const choices = [
    ...overview.keys.map((key) => ({
      kid: key.kid,
      name: key.name,
      own: true,
      unlocked: key.unlocked,
    })),
    ...overview.importedKeys.map((key) => ({
      kid: key.kid,
      name: key.name,
      own: false,
      unlocked: false,
    })),
  ];
  const kids = chosen ?? choices.map((key) => key.kid);
  const count = kids.length;
  const [production, setProduction] = useState(1);
  const [trustChanges, setTrustChanges] = useState<number | null>(null);
  const { busy, error, run } = useAction();
  const unlocked = overview.keys.filter((key) => key.unlocked && kids.includes(key.kid)).length;
  const prod = Math.min(production, Math.max(count, 1));
  // Trust changes default to what this console can sign alone (at most production's count).
  const trustNeeded = Math.min(
    trustChanges ?? Math.max(1, Math.min(prod, unlocked)),
    Math.max(count, 1),
  );

  const create = async (): Promise<void> => {
    await run(async () => {
      await getClient().invoke('publish:init-trust', {
        kids,
        thresholds: { dev: 1, staging: 1, production: prod, trust: trustNeeded },
      });
      toast('Signing is set up: the trust file is in every environment of the store.');
      refresh();
    });
  };

  return (
    <div className="pb-setup" data-testid="setup-signing">
      <h3>Set up signing</h3>
      <p className="small">
        This config store has no trust file yet, so nothing can be published. Two steps, once per
        store:
      </p>
      <ol className="pb-setup-steps">
        <li className={overview.keys.length > 0 ? 'pb-done' : ''}>
          <strong>Generate a signing key</strong> for each admin who will sign.{' '}
          {overview.keys.length > 0 ? (
            <span className="muted small">{plural(overview.keys.length, 'key')} here.</span>
          ) : null}
          <div className="pb-row">
            <GenerateKeyDialog
              protection={overview.keyProtection}
              onDone={refresh}
              primary={overview.keys.length === 0}
            />
            {overview.keys.some((key) => !key.unlocked) ? (
              <UnlockDialog protection={overview.keyProtection} onDone={refresh} />
            ) : null}
            <AddPublicKeyDialog onDone={refresh} />
          </div>
          <span className="field-hint">
            Other admins generate their key in their own console and send you its public key (Keys →
            Copy public key); add it here so it can co-sign.
          </span>
        </li>
        <li>
          <strong>Create the trust file</strong>: which keys may sign, and how many signatures each
          environment needs.
          {overview.keys.length > 0 ? (
            <div className="pb-setup-trust">
              {choices.map((key) => (
                <label key={key.kid} className="check-label" data-testid={`setup-key-${key.name}`}>
                  <input
                    type="checkbox"
                    checked={kids.includes(key.kid)}
                    onChange={(event) =>
                      setChosen(
                        event.target.checked
                          ? [...kids, key.kid]
                          : kids.filter((kid) => kid !== key.kid),
                      )
                    }
                  />{' '}
                  {key.name} <code>{shortKid(key.kid)}</code>{' '}
                  {key.own ? (
                    key.unlocked ? null : (
                      <Badge tone="warning">locked</Badge>
                    )
                  ) : (
                    <Badge tone="info">another admin</Badge>
                  )}
                </label>
              ))}
              <div className="field pb-inline-field">
                <label htmlFor="setup-production">Signatures production needs</label>
                <input
                  id="setup-production"
                  type="number"
                  min={1}
                  max={Math.max(count, 1)}
                  value={prod}
                  onChange={(event) => setProduction(Number(event.target.value) || 1)}
                />
                <span className="field-hint">
                  dev and staging need 1. With 2 or more, a second admin co-signs each production
                  change.
                </span>
              </div>
              <div className="field pb-inline-field">
                <label htmlFor="setup-trust">Signatures trust changes need</label>
                <input
                  id="setup-trust"
                  type="number"
                  min={1}
                  max={Math.max(count, 1)}
                  value={trustNeeded}
                  data-testid="setup-trust-threshold"
                  onChange={(event) => setTrustChanges(Number(event.target.value) || 1)}
                />
                <span className="field-hint">
                  Creating the trust file and every later change need this many keys unlocked in one
                  console.
                  {trustNeeded < prod
                    ? ` Fewer than production’s ${prod}: whoever can change the trust file can change who signs production.`
                    : ''}
                </span>
              </div>
              <button
                type="button"
                className="button button-primary"
                disabled={busy || count === 0 || unlocked < trustNeeded}
                title={unlocked < trustNeeded ? 'Unlock the chosen keys first.' : undefined}
                data-testid="setup-create-trust"
                onClick={() => void create()}
              >
                {busy ? 'Signing…' : 'Create trust file'}
              </button>
              {unlocked < trustNeeded ? (
                <p className="small pb-warn">
                  Creating it needs {plural(trustNeeded, 'unlocked key')} among the chosen ones;{' '}
                  {unlocked} {unlocked === 1 ? 'is' : 'are'} unlocked.
                </p>
              ) : null}
            </div>
          ) : (
            <p className="muted small">Generate a key first.</p>
          )}
        </li>
      </ol>
      {error ? <InlineError message={error} /> : null}
    </div>
  );
}

/**
 * Changes to a config store whose outcome is unknown (the answer was lost and the store could
 * not be read back), kept in the data folder until a read settles them: one line per store and
 * environment, saying what happens to them (unconfirmed-text.ts). Nothing when there are none.
 */
export function UnconfirmedChanges({
  groups,
}: {
  groups: NonNullable<PublishOverview['unconfirmed']>;
}): ReactElement | null {
  if (groups.length === 0) return null;
  return (
    <>
      {groups.map((group) => (
        <div
          key={`${group.storeUri}\0${group.environment}`}
          className="pb-callout"
          role="status"
          data-testid="unconfirmed-changes"
        >
          <span>{unconfirmedText(group)}</span>
        </div>
      ))}
    </>
  );
}

function StoreRow({
  overview,
  refresh,
}: {
  overview: PublishOverview;
  refresh: () => void;
}): ReactElement {
  const [editing, setEditing] = useState(false);
  const [uri, setUri] = useState(overview.storeUri);
  const [error, setError] = useState<string | null>(null);
  const save = async (value: string | null): Promise<void> => {
    setError(null);
    try {
      await getClient().invoke('publish:set-store', { storeUri: value });
      setEditing(false);
      refresh();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <div className="pb-store" data-testid="store-row">
      <span className="muted small">Config store</span>{' '}
      {editing ? (
        <>
          <input
            aria-label="Config store URI"
            className="pb-store-input"
            value={uri}
            placeholder="dir:/srv/aideon-config or etcd://host:2379/aideon"
            onChange={(event) => setUri(event.target.value)}
          />
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => void save(uri)}
          >
            Use this store
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => void save(null)}
          >
            Back to the default
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => setEditing(false)}
          >
            Cancel
          </button>
        </>
      ) : (
        <>
          <code data-testid="store-uri">{overview.storeUri}</code>{' '}
          {overview.storeIsDefault ? <Badge tone="neutral">default</Badge> : null}{' '}
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => {
              setUri(overview.storeUri);
              setEditing(true);
            }}
          >
            Change…
          </button>
        </>
      )}
      {error ? <InlineError message={error} /> : null}
    </div>
  );
}

// ---- the section -------------------------------------------------------------------------------

export function PublishingSection(): ReactElement {
  const [overview, setOverview] = useState<PublishOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const refresh = useCallback((): void => {
    getClient()
      .invoke('publish:get-overview', {})
      .then((next) => {
        setOverview(next);
        setError(null);
        setVersion((value) => value + 1);
      })
      .catch((failure: unknown) => setError(describeError(failure)));
  }, []);

  useEffect(() => {
    refresh();
    const off = getClient().on('publish:state-changed', () => refresh());
    // Bake times and expiry move on without events; refresh the relative times now and then.
    const timer = setInterval(refresh, 30_000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [refresh]);

  // Unlocking removes the callout whose button had the focus (it fell to the page): it goes on
  // to what can be done now, publishing the draft, or to the section when that cannot be
  // pressed. Only on the change: opening Rollout with a key already unlocked moves nothing.
  const section = useRef<HTMLElement>(null);
  const canSign = overview?.keys.some((key) => key.unlocked && key.trusted) ?? null;
  const couldSign = useRef(canSign);
  useEffect(() => {
    const before = couldSign.current;
    couldSign.current = canSign;
    if (before !== false || canSign !== true || !focusLost()) return;
    const publish = section.current?.querySelector<HTMLButtonElement>(
      '[data-testid="publish-draft"]',
    );
    if (publish && !publish.disabled) return publish.focus();
    section.current?.setAttribute('tabindex', '-1');
    section.current?.focus();
  }, [canSign]);

  const header = (
    <div className="rt-card-header">
      <div>
        <h2>Publishing</h2>
        <p className="muted small">
          Signed configs in dev → staging → production. Every change shows what it will change
          before you sign it, and goes into a hash-chained history.
        </p>
      </div>
      {overview ? (
        <div className="pb-row">
          <button
            type="button"
            className="button button-secondary button-small"
            title="Read the config store again (other admins' consoles change it too)"
            data-testid="publish-refresh"
            onClick={refresh}
          >
            Refresh
          </button>
          <span className="muted small">Signing as {overview.actor}</span>
          {overview.keys.some((key) => key.unlocked) ? (
            <Badge tone="success">
              {plural(overview.keys.filter((key) => key.unlocked).length, 'key')} unlocked
            </Badge>
          ) : overview.keys.length > 0 ? (
            <Badge tone="warning">Keys locked</Badge>
          ) : null}
        </div>
      ) : null}
    </div>
  );

  if (error && !overview)
    return (
      <section className="rt-card pb-section" data-testid="publishing-section">
        {header}
        <InlineError message={error} onRetry={refresh} />
      </section>
    );
  if (!overview)
    return (
      <section className="rt-card pb-section" data-testid="publishing-section">
        {header}
        <Loading label="Reading the config store…" skeleton="cards" count={3} />
      </section>
    );

  return (
    <section
      className="rt-card pb-section"
      data-testid="publishing-section"
      aria-label="Publishing"
      ref={section}
    >
      {header}
      <StoreRow overview={overview} refresh={refresh} />
      {overview.storeProblem ? (
        <InlineError message={overview.storeProblem} onRetry={refresh} />
      ) : null}
      <UnconfirmedChanges groups={overview.unconfirmed ?? []} />
      {!overview.trust && !overview.storeProblem ? (
        <SetupSigning overview={overview} refresh={refresh} />
      ) : null}
      {overview.trust ? (
        <>
          {!overview.keys.some((key) => key.unlocked && key.trusted) ? (
            <div className="pb-callout" role="status" data-testid="unlock-callout">
              <span>No trusted key is unlocked in this session, so you can look but not sign.</span>
              {overview.keys.length > 0 ? (
                <UnlockDialog protection={overview.keyProtection} onDone={refresh} />
              ) : (
                <GenerateKeyDialog protection={overview.keyProtection} onDone={refresh} primary />
              )}
            </div>
          ) : null}
          <div className="pb-envs">
            {overview.environments.map((env, index) => (
              <div key={env.environment} className="pb-env-wrap">
                {index > 0 ? (
                  <span className="pb-arrow" aria-hidden="true">
                    →
                  </span>
                ) : null}
                <EnvironmentColumn env={env} overview={overview} refresh={refresh} />
              </div>
            ))}
          </div>
          <div className="pb-grid">
            <RolloutPanel overview={overview} refresh={refresh} />
            <KillSwitchPanel overview={overview} />
          </div>
        </>
      ) : null}
      {overview.trust ? (
        <div className="pb-grid pb-grid-even">
          <TrustPanel overview={overview} refresh={refresh} />
          <KeysPanel overview={overview} refresh={refresh} />
        </div>
      ) : null}
      <HistoryPanel version={version} />
    </section>
  );
}
