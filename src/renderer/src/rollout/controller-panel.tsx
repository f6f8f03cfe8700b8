/**
 * Rollout → Production watch: the rollout controller for this console's config store. With a
 * live controller leading: who and where it runs, its last tick, what it does per environment,
 * and that this console has stood down (its own ramp, bake and guard loop is off). With only
 * stale records: a warning with what to do. With none: one line saying rollouts then run only
 * while this console is open, and where `aideon controller` is documented.
 */
import { useEffect, useState, type ReactElement } from 'react';
import {
  ageText,
  type ControllerEnvironment,
  type ControllerPanel as Panel,
} from '../../../shared/rollout/controller-status';
import { Badge, InlineError } from '../components/ui';
import { formatTimeOfDay } from '../lib/format';
import { refreshControllerPanel, useControllerPanel } from './use-controller-panel';
import './controller-panel.css';

type Controller = Panel['controllers'][number];

/** What the controller works on in one environment, in one line. */
function environmentLine(env: ControllerEnvironment, now: number): string {
  if (env.problem) return `could not be read: ${env.problem}`;
  const parts: string[] = [];
  if (env.step) {
    const what = `step ${env.step.percent}% of "${env.step.flagKey}" (version ${env.step.version})`;
    if (env.step.nextStepAt === null) parts.push(`watching the final ${what}`);
    else if (env.step.nextStepAt <= now)
      parts.push(`${what} is due to move on (after a passing guard check)`);
    else parts.push(`baking ${what} until ${formatTimeOfDay(env.step.nextStepAt, now)}`);
  }
  for (const rollout of env.rollouts) {
    if (rollout.status === 'paused')
      parts.push(
        `"${rollout.flagKey}" paused at ${rollout.percent} %${rollout.reason ? `: ${rollout.reason}` : ''}`,
      );
    else if (rollout.flagKey !== env.step?.flagKey && rollout.nextStepAt !== null)
      parts.push(
        `"${rollout.flagKey}" next step (${rollout.steps[rollout.stepIndex + 1] ?? 100} %) due ${formatTimeOfDay(rollout.nextStepAt, now)}`,
      );
  }
  if (parts.length > 0) return parts.join(' · ');
  return env.liveVersion === null
    ? 'nothing published'
    : `no rollout running (version ${env.liveVersion} live)`;
}

function ControllerLine({
  controller,
  age,
}: {
  controller: Controller;
  age: number;
}): ReactElement {
  return (
    <p
      className="ct-line"
      data-testid={`controller-${controller.id}`}
      data-alive={controller.alive ? 'true' : 'false'}
      data-role={controller.role}
    >
      <strong>
        Controller {controller.id} on {controller.host}
      </strong>
      {' · '}
      {controller.alive ? (
        <Badge tone="success">alive</Badge>
      ) : (
        <Badge tone="danger">heartbeat stale</Badge>
      )}{' '}
      <Badge tone={controller.role === 'leader' ? 'info' : 'neutral'}>{controller.role}</Badge>
      {' · '}
      <span data-testid="controller-last-tick">last tick {ageText(age)}</span>
      <span className="muted small">
        {' '}
        · {controller.leaseKind === 'etcd-lease' ? 'etcd lease' : 'lock-file lease'} · signs as{' '}
        {controller.actor}
      </span>
    </p>
  );
}

/** Records in the store that are not controller heartbeats: named, so none vanishes silently. */
function UnreadableRecords({
  lines,
}: {
  lines: readonly string[] | undefined;
}): ReactElement | null {
  if (!lines || lines.length === 0) return null;
  return (
    <div className="ct-warning" role="alert" data-testid="controller-unreadable">
      <strong>
        {lines.length === 1
          ? 'A controller record in the store could not be read'
          : `${lines.length} controller records in the store could not be read`}
        ; a controller whose record is damaged is not shown above.
      </strong>
      <ul className="small">
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Rollout states this console's own loop cannot read: what is damaged and what to do (the live
 * step is still guarded; no step is advanced).
 */
function DamagedStates({ items }: { items: Panel['damaged'] }): ReactElement | null {
  if (!items || items.length === 0) return null;
  return (
    <>
      {items.map((item) => (
        <div
          key={item.environment}
          className="ct-warning"
          role="alert"
          data-testid={`console-damaged-${item.environment}`}
        >
          <strong>
            {item.environment}: a rollout state cannot be read. {item.problem}
          </strong>
          <p className="small">{item.advice}</p>
        </div>
      ))}
    </>
  );
}

export function ControllerPanel(): ReactElement {
  const { panel, error, receivedAt } = useControllerPanel();
  // Ages move between polls: count from the answer's own clock plus the time since it came.
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const now = panel ? panel.checkedAt + Math.max(0, tick - receivedAt) : tick;

  if (!panel)
    return (
      <div className="ct-panel" data-testid="controller-panel" data-state="loading">
        {error ? (
          <InlineError message={error} onRetry={refreshControllerPanel} />
        ) : (
          <p className="muted small">Reading the rollout controller records…</p>
        )}
      </div>
    );

  if (panel.problem)
    return (
      <div className="ct-panel" data-testid="controller-panel" data-state="error">
        <InlineError
          message={`The controller records could not be read from ${panel.storeUri}: ${panel.problem}`}
          onRetry={refreshControllerPanel}
        />
      </div>
    );

  if (panel.controllers.length === 0)
    return (
      <div className="ct-panel ct-none" data-testid="controller-panel" data-state="none">
        <DamagedStates items={panel.damaged} />
        <UnreadableRecords lines={panel.unreadable} />
        <p className="small">
          No rollout controller is registered for this store, so ramp steps, bakes and automatic
          rollback run only while this console is open. To keep them running with every laptop
          closed, run <code>aideon controller</code> (README: “Running the controller in
          production”; systemd unit and Dockerfile in <code>docs/controller/</code>).
        </p>
      </div>
    );

  const leader = panel.controllers.find((controller) => controller.id === panel.leader);
  const lastTickAge = (controller: Controller): number => now - controller.lastTickAt;

  if (leader) {
    const others = panel.controllers.filter((controller) => controller !== leader);
    return (
      <div className="ct-panel ct-alive" data-testid="controller-panel" data-state="alive">
        <UnreadableRecords lines={panel.unreadable} />
        <ControllerLine controller={leader} age={lastTickAge(leader)} />
        <p className="small" data-testid="controller-activity">
          Doing now: {leader.activity}
        </p>
        <ul className="ct-envs" data-testid="controller-environments">
          {panel.environments.map((env) => (
            <li key={env.environment} data-testid={`controller-env-${env.environment}`}>
              <strong>{env.environment}</strong>: {environmentLine(env, now)}
            </li>
          ))}
        </ul>
        {leader.lastEvent ? (
          <p className="small" data-testid="controller-last-action">
            Last action {formatTimeOfDay(leader.lastEvent.at, now)}:{' '}
            {leader.lastEvent.type.replaceAll('_', ' ')} — {leader.lastEvent.message.split('\n')[0]}
          </p>
        ) : (
          <p className="small muted">No action yet since it started.</p>
        )}
        <div className="ct-stood-down" role="status" data-testid="controller-stood-down">
          <Badge tone="info">This console has stood down</Badge>{' '}
          <span className="small">
            Its own ramp, bake and guard loop is off: {leader.id} advances due steps, checks each
            step against the guards and pauses or rolls back on a breach. Pause, resume, “Next step
            now” and the kill switch still work here; the controller reads them on its next tick. It
            checks the guards with its own watch settings (its <code>--watch-settings</code> file or
            its data folder), not the ones saved below.
          </span>
        </div>
        {others.map((controller) => (
          <ControllerLine
            key={controller.id}
            controller={controller}
            age={lastTickAge(controller)}
          />
        ))}
      </div>
    );
  }

  // Records, but no live leader: nobody acts for the store while this console is closed.
  const latest = panel.controllers[0] as Controller;
  const standby = panel.controllers.find((controller) => controller.alive);
  return (
    <div className="ct-panel ct-stale" data-testid="controller-panel" data-state="stale">
      <DamagedStates items={panel.damaged} />
      <UnreadableRecords lines={panel.unreadable} />
      <div className="ct-warning" role="alert" data-testid="controller-stale-warning">
        <strong>
          {standby
            ? `No controller leads: ${standby.id} on ${standby.host} is a standby waiting for the lease.`
            : `The rollout controller is not running: ${latest.id} on ${latest.host} last ticked ${ageText(lastTickAge(latest))} (${formatTimeOfDay(latest.lastTickAt, now)}).`}
        </strong>
        <p className="small">
          Nothing advances ramp steps, bakes them or rolls back on a breach once this console is
          closed. While it stays open this console has taken that work back. What to do: start the
          controller again (<code>systemctl start aideon-controller</code>, the container, or{' '}
          <code>aideon controller --store {panel.storeUri}</code>) and check its log for why it
          stopped; or keep this console open to take over until it is back.
        </p>
      </div>
      {panel.controllers.map((controller) => (
        <ControllerLine key={controller.id} controller={controller} age={lastTickAge(controller)} />
      ))}
      {latest.lastEvent ? (
        <p className="small muted" data-testid="controller-last-action">
          Its last action ({formatTimeOfDay(latest.lastEvent.at, now)}):{' '}
          {latest.lastEvent.type.replaceAll('_', ' ')} — {latest.lastEvent.message.split('\n')[0]}
        </p>
      ) : null}
    </div>
  );
}
