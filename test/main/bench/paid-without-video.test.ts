/**
 * A vendor that reports a job done, states what it charged, but sends no output URL: the
 * generation is bad_output, and what the vendor says it billed counts against the run's budget
 * (it was recorded as $0, so the run could spend that money again on later submissions).
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import type { ModelRef } from '../../../src/shared/providers/video-provider-spec';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useEmulators } from '../../helpers/vendor-emulators';

const KEY = 'test-key-paid-without-video-01';
const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
const env: Record<string, string> = { TOGETHER_API_KEY: KEY, RUNWAYML_API_SECRET: RUNWAY_KEY };
const { together } = useEmulators(
  {
    together: new TogetherEmulator({ apiKey: KEY }),
    runway: new RunwayEmulator({ apiKey: RUNWAY_KEY }),
  },
  env,
);

const fastSleep = cappedSleep();

async function run(model: ModelRef, prompt: string) {
  const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
  try {
    saveTextSuite(services, 'no-output', [prompt]);
    const { runId } = services.bench.startRun({
      suiteId: 'no-output',
      models: [model],
      budgetUsd: 5,
    });
    const summary = await services.bench.waitForRun(runId);
    return { summary, rows: listGenerationRows(services.db, runId) };
  } finally {
    await services.cleanup();
  }
}

describe('a job reported done and billed, without an output URL', () => {
  it('Together: bad_output, and the outputs.cost it reported counts against the budget', async () => {
    const { summary, rows } = await run(
      { provider: 'together', modelId: 'minimax/video-01-director' },
      'a kite over dunes #no-output',
    );
    expect(rows.map((row) => row.outcome)).toEqual(['bad_output']);
    expect(rows[0]?.error_message).toMatch(/no video_url/);
    // The emulator's outputs.cost for this model (provider-apis.md §1a: $0.28).
    expect(rows[0]?.cost_usd).toBeCloseTo(0.28, 6);
    expect(summary.spentUsd).toBeCloseTo(0.28, 6);
    expect(together.billedUsd()).toBeCloseTo(summary.spentUsd, 6);
  });

  it('Runway: bad_output, and the cost.credits it reported count against the budget', async () => {
    const { summary, rows } = await run(
      { provider: 'runway', modelId: 'gen4.5' },
      'a kite over dunes #no-output',
    );
    expect(rows.map((row) => row.outcome)).toEqual(['bad_output']);
    expect(rows[0]?.error_message).toMatch(/no output URL/);
    // gen4.5: 12 credits/s × 5 s default × $0.01 per credit.
    expect(rows[0]?.cost_usd).toBeCloseTo(0.6, 6);
    expect(summary.spentUsd).toBeCloseTo(0.6, 6);
  });
});
