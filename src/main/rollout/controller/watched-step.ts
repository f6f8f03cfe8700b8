/**
 * The step the watch judges in an environment: one rule for the headless controller and the
 * console's own rollout loop.
 */
import type { Environment } from '../../../shared/rollout/environments';
import { nextStepDueAt, type RolloutState } from '../../../shared/rollout/flag-rollout';
import type { WatchSettings } from '../../../shared/watch/watch-settings';
import type { RolloutStep } from '../../../shared/watch/watch-types';

/**
 * The step the guards judge: a running rollout's step, or the final step of a completed one
 * while the environment still runs the version it published; with `paused`, also a paused
 * rollout's step while its content is still live (marked `paused`). `nextStepAt`: when the next
 * step is due (none for the final step).
 */
export function activeStep(
  rollouts: readonly RolloutState[],
  live: { version: number },
  options: { paused?: boolean } = {},
): (RolloutStep & { nextStepAt?: number }) | null {
  const active = rollouts
    .filter(
      (state) =>
        state.stepIndex >= 0 &&
        state.lastStepAt !== null &&
        (state.status === 'running' ||
          ((state.status === 'completed' || (options.paused && state.status === 'paused')) &&
            state.lastStepVersion === live.version)),
    )
    .sort((a, b) => (b.lastStepAt ?? 0) - (a.lastStepAt ?? 0))[0];
  if (!active) return null;
  const due = active.status === 'running' ? nextStepDueAt(active) : undefined;
  return {
    version: live.version,
    flag: active.flagKey,
    percent: active.steps[active.stepIndex] as number,
    startedAt: active.lastStepAt as number,
    ...(due === undefined ? {} : { nextStepAt: due }),
    ...(active.status === 'paused' ? { paused: true as const } : {}),
  };
}

/**
 * The step the watch judges in `environment`, for the controller and the console's own rollout
 * loop alike. Where auto-rollback is on, a paused step whose content is still live stays watched:
 * a failed check pauses first and rolls back second, and a rollback that failed (the store was
 * briefly unreachable, no key could sign it) or never ran (the controller or console died in
 * between) is done on a later check instead of leaving the breaching step live.
 */
export function watchedStep(
  rollouts: readonly RolloutState[],
  live: { version: number },
  settings: WatchSettings,
  environment: Environment,
): (RolloutStep & { nextStepAt?: number }) | null {
  return activeStep(rollouts, live, {
    paused: settings.environments[environment]?.autoRollback === true,
  });
}
