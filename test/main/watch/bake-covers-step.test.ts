/**
 * The watch's bake covers the whole rollout step: a watch bake (60 min) shorter than the
 * rollout's step (90 min) keeps checking until the next step is due, instead of leaving the
 * last 30 minutes unchecked.
 */
import { describe, expect, it } from 'vitest';
import { bakeStep } from '../../../src/main/watch/bake-loop';
import { watchSettingsSchema } from '../../../src/shared/watch/watch-settings';
import type { RolloutStep, WatchReport } from '../../../src/shared/watch/watch-types';

const MINUTE = 60_000;

function run(step: RolloutStep) {
  let now = step.startedAt;
  const checkedAt: number[] = [];
  const settings = watchSettingsSchema.parse({ bakeMinutes: 60, checkIntervalMinutes: 10 });
  return bakeStep({
    env: 'production',
    rollout: { currentStep: async () => step, pause: async () => true, rollback: async () => {} },
    notifier: { notify: () => undefined },
    clock: {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    },
    settings: () => settings,
    evaluate: async (env) => {
      checkedAt.push(now);
      return {
        env,
        checkedAt: now,
        window: '1h',
        step,
        status: 'pass',
        counts: { pass: 1, breach: 0, no_data: 0, error: 0 },
        guards: [],
        problems: [],
      } satisfies WatchReport;
    },
  }).then((result) => ({ result, checkedAt }));
}

describe('bake covers the whole step', () => {
  it('checks until the rollout’s next step is due when that is later than the watch’s bake', async () => {
    const { result, checkedAt } = await run({
      version: 42,
      flag: 'f',
      percent: 10,
      startedAt: 0,
      nextStepAt: 90 * MINUTE,
    });
    expect(result.outcome).toBe('baked');
    expect(checkedAt.at(-1)).toBe(90 * MINUTE);
    expect(checkedAt).toHaveLength(10);
  });

  it('the final step (no next step) bakes for the watch’s own time', async () => {
    const { checkedAt } = await run({ version: 43, flag: 'f', percent: 100, startedAt: 0 });
    expect(checkedAt.at(-1)).toBe(60 * MINUTE);
  });
});
