// @vitest-environment happy-dom
/**
 * Rollout → Production watch, while this console runs the rollouts itself: a rollout state its
 * loop cannot read is shown at the top of the controller panel, with why and what to do (and,
 * after a failed check, what became of the step), instead of nothing.
 */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { setClient } from '../../src/renderer/src/ipc';
import { serveControllerPanel } from './fake-transport';
import { ControllerPanel } from '../../src/renderer/src/rollout/controller-panel';

const problem =
  'Invalid rollout state dev/rollouts/new-video-model in the config store (edited by hand?); it cannot be used until the value is restored: bakeMs: Bake is required';
const advice =
  'metrics are missing under config version 2 (new-video-model). The step is HELD LIVE: … To roll back now: aideon config rollback --store etcd://ops:2379/aideon --env dev --to-version 1 --yes. Then mend dev/rollouts/new-video-model (restore its value) or delete it, and start a new rollout.';

afterEach(() => {
  cleanup();
  setClient(null);
});

describe('controller panel: a damaged rollout state under the console’s own loop', () => {
  it('says which state, why, and what to do', async () => {
    serveControllerPanel({
      storeUri: 'etcd://ops:2379/aideon',
      active: false,
      controllers: [],
      problem: null,
      checkedAt: 1_000,
      leader: null,
      consoleStoodDown: false,
      environments: [],
      damaged: [{ environment: 'dev', problem, advice }],
    });
    render(<ControllerPanel />);
    const notice = await screen.findByTestId('console-damaged-dev');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.textContent).toContain('dev: a rollout state cannot be read.');
    expect(notice.textContent).toContain(problem);
    expect(notice.textContent).toContain('aideon config rollback --store etcd://ops:2379/aideon');
    expect(notice.textContent).toContain('Then mend dev/rollouts/new-video-model');
    // The usual line about running rollouts only while the console is open is still there.
    expect(screen.getByTestId('controller-panel').textContent).toContain(
      'No rollout controller is registered',
    );
  });
});
