/**
 * A create answered by the edge proxy in front of the vendor (an HTML 502/504 page) reached the
 * vendor: the job may exist and be billed. It is never sent again blindly: where the vendor lists
 * its jobs the list decides (the job is adopted), elsewhere the generation ends as submit_unknown.
 * A 5xx in the vendor's own JSON error shape (e.g. 503 overloaded) is the vendor's refusal and is
 * still retried (test/main/bench/bench-runner.test.ts and the fault matrix cover that).
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import type { ModelRef } from '../../../src/shared/providers/video-provider-spec';
import { LumaEmulator } from '../../emulators/luma-emulator';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useEmulators } from '../../helpers/vendor-emulators';

const KEY = 'test-key-submit-gateway-0001';
const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
const env: Record<string, string> = {
  TOGETHER_API_KEY: KEY,
  RUNWAYML_API_SECRET: RUNWAY_KEY,
  LUMAAI_API_KEY: KEY,
};
const { together, runway, luma } = useEmulators(
  {
    together: new TogetherEmulator({ apiKey: KEY }),
    runway: new RunwayEmulator({ apiKey: RUNWAY_KEY }),
    luma: new LumaEmulator({ apiKey: KEY }),
  },
  env,
);

const fastSleep = cappedSleep();

async function run(model: ModelRef, prompt: string) {
  const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
  try {
    saveTextSuite(services, 'gateway', [prompt]);
    const { runId } = services.bench.startRun({
      suiteId: 'gateway',
      models: [model],
      budgetUsd: 20,
    });
    const summary = await services.bench.waitForRun(runId);
    return { summary, rows: listGenerationRows(services.db, runId) };
  } finally {
    await services.cleanup();
  }
}

describe("a create answered with the gateway's 504 page", () => {
  for (const [name, emulator, model] of [
    ['Together', together, { provider: 'together', modelId: 'minimax/video-01-director' }],
    ['Runway', runway, { provider: 'runway', modelId: 'gen4.5' }],
  ] as const) {
    it(`${name} (no job list): is not sent again; submit_unknown, its estimate counted`, async () => {
      const before = emulator.stats.creates;
      const { summary, rows } = await run(model as ModelRef, 'a lighthouse in fog #gateway-create');
      // The job was made (and billed) behind the proxy: a second create would pay twice.
      expect(emulator.stats.creates - before).toBe(1);
      expect(rows.map((row) => row.outcome)).toEqual(['submit_unknown']);
      expect(rows[0]?.error_message).toMatch(/HTTP 504/);
      expect(rows[0]?.error_message).toMatch(/not sent again/);
      expect(summary.countedUsd).toBeCloseTo(rows[0]?.estimated_cost_usd ?? -1, 6);
    });
  }

  it('Luma (lists its jobs): the job the proxy hid is found and adopted, not sent again', async () => {
    const before = luma.stats.creates;
    const { rows } = await run({ provider: 'luma', modelId: 'ray-2' }, 'a tram #gateway-create');
    expect(luma.stats.creates - before).toBe(1);
    expect(rows.map((row) => row.outcome)).toEqual(['success']);
    expect(rows[0]?.vendor_job_id).toBeTruthy();
  });
});
