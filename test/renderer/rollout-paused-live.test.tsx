// @vitest-environment happy-dom
/**
 * Rollout → Publishing: a rollout paused (by the controller, the watch or an admin) whose step
 * is still live says so plainly, with who watches it and since when, instead of a "paused"
 * badge that reads as if nothing were live. The real RolloutRow, with the controller panel
 * answered by a fake transport.
 */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { setClient } from '../../src/renderer/src/ipc';
import { serveControllerPanel } from './fake-transport';
import { RolloutRow } from '../../src/renderer/src/rollout/publishing-section';
import { formatTimeOfDay } from '../../src/shared/format';
import {
  CONTROLLER_STATUS_SCHEMA,
  type ControllerPanel,
} from '../../src/shared/rollout/controller-status';
import type { RolloutSummary } from '../../src/shared/rollout/publish-ipc-schemas';

const NOW = Date.now();
const PAUSED_AT = NOW - 25 * 60_000;
const CONTROLLER_STARTED = NOW - 3 * 3_600_000;

const rollout = (extra: Partial<RolloutSummary> = {}): RolloutSummary => ({
  environment: 'production',
  flagKey: 'premium-pro-video',
  onVariant: 'on',
  offVariant: 'off',
  steps: [10, 50, 100],
  bakeMs: 3_600_000,
  stepIndex: 1,
  status: 'paused',
  lastStepAt: PAUSED_AT - 3_600_000,
  startedBy: 'alice',
  updatedAt: PAUSED_AT,
  nextStepAt: null,
  watching: false,
  stillLive: true,
  watchedForRollback: false,
  problem: null,
  ...extra,
});

function panel(leading: boolean): ControllerPanel {
  return {
    storeUri: 'dir:/srv/store',
    active: leading,
    controllers: leading
      ? [
          {
            schema: CONTROLLER_STATUS_SCHEMA,
            id: 'ctl-prod-1',
            host: 'ops-1',
            pid: 4242,
            actor: 'controller:ctl-prod-1',
            role: 'leader',
            leaseKind: 'lock-file',
            startedAt: CONTROLLER_STARTED,
            lastTickAt: NOW,
            aliveUntil: NOW + 60_000,
            activity: 'watching production',
            lastEvent: null,
            alive: true,
          },
        ]
      : [],
    problem: null,
    checkedAt: NOW,
    leader: leading ? 'ctl-prod-1' : null,
    consoleStoodDown: leading,
    environments: [],
  };
}

afterEach(() => {
  cleanup();
  setClient(null);
});

describe('a paused rollout whose step is still live', () => {
  it('a controller leads: "Paused and still live; watched by controller <id> since HH:MM"', async () => {
    serveControllerPanel(panel(true));
    render(<RolloutRow rollout={rollout()} refresh={() => undefined} />);
    // The controller panel answers asynchronously; the row names the controller once it has.
    await screen.findByTestId('rollout-controller-owned');
    const notice = screen.getByTestId('rollout-paused-live');
    expect(notice.textContent).toBe(
      `Paused and still live; watched by controller ctl-prod-1 since ${formatTimeOfDay(PAUSED_AT, NOW)}. 50% of production users still get "on": resume it, or roll back under Publishing → production → Roll back…`,
    );
  });

  it("this console's watch checks it for its rollback", async () => {
    serveControllerPanel(panel(false));
    render(
      <RolloutRow rollout={rollout({ watchedForRollback: true })} refresh={() => undefined} />,
    );
    const notice = await screen.findByTestId('rollout-paused-live');
    expect(notice.textContent).toMatch(
      new RegExp(
        `^Paused and still live; watched by this console's production watch since ${formatTimeOfDay(PAUSED_AT, NOW)}, which rolls it back when a guard check fails\\. 50% of production users still get "on"`,
      ),
    );
  });

  it('nobody watches it: it says that nothing rolls it back on its own', async () => {
    serveControllerPanel(panel(false));
    render(<RolloutRow rollout={rollout()} refresh={() => undefined} />);
    const notice = await screen.findByTestId('rollout-paused-live');
    expect(notice.textContent).toMatch(
      /^Paused and still live since .*; nothing rolls it back on its own\. 50% of production users still get "on"/,
    );
  });

  it('paused but no longer live (rolled back), or running: no such notice', async () => {
    serveControllerPanel(panel(false));
    const { rerender } = render(
      <RolloutRow rollout={rollout({ stillLive: false })} refresh={() => undefined} />,
    );
    await screen.findByTestId('rollout-production-premium-pro-video');
    expect(screen.queryByTestId('rollout-paused-live')).toBeNull();
    rerender(<RolloutRow rollout={rollout({ status: 'running' })} refresh={() => undefined} />);
    expect(screen.queryByTestId('rollout-paused-live')).toBeNull();
  });
});

describe('the rollout line beside its bar', () => {
  it('says the step as the bar counts it, beside the share of users', async () => {
    serveControllerPanel(panel(false));
    render(<RolloutRow rollout={rollout({ status: 'running' })} refresh={() => undefined} />);
    expect(screen.getByTestId('rollout-percent').textContent).toBe('50% on "on" (step 2 of 3)');
    cleanup();
    render(
      <RolloutRow
        rollout={rollout({ status: 'stopped', stepIndex: 0, stillLive: false })}
        refresh={() => undefined}
      />,
    );
    expect(screen.getByTestId('rollout-percent').textContent).toBe('stopped at 10% (step 1 of 3)');
  });
});
