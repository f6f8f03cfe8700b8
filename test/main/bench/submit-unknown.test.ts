/**
 * Issue 13 item 3: a create answered HTTP 200 with an unreadable (HTML) body, or lost after it was
 * sent, is never sent again blindly. Where the vendor lists jobs (Replicate, Luma) the list decides;
 * elsewhere (Together) the generation ends as submit_unknown with what to check.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import type { ModelRef } from '../../../src/shared/providers/video-provider-spec';
import { LumaEmulator } from '../../emulators/luma-emulator';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useEmulators } from '../../helpers/vendor-emulators';

const KEY = 'test-key-submit-unknown-0001';
const env: Record<string, string> = {
  TOGETHER_API_KEY: KEY,
  REPLICATE_API_TOKEN: KEY,
  LUMAAI_API_KEY: KEY,
};
const { together, replicate, luma } = useEmulators(
  {
    together: new TogetherEmulator({ apiKey: KEY }),
    replicate: new ReplicateEmulator({ apiKey: KEY }),
    luma: new LumaEmulator({ apiKey: KEY }),
  },
  env,
);

const fastSleep = cappedSleep();

async function run(model: ModelRef, prompts: string[]) {
  const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
  try {
    saveTextSuite(services, 'unknown', prompts);
    const { runId } = services.bench.startRun({
      suiteId: 'unknown',
      models: [model],
      budgetUsd: 20,
    });
    const summary = await services.bench.waitForRun(runId);
    return { summary, rows: listGenerationRows(services.db, runId) };
  } finally {
    await services.cleanup();
  }
}

describe('creates with an unknown outcome', () => {
  it('Together (no job list): submit_unknown, never sent again, and the message says what to check', async () => {
    const before = together.stats.creates;
    const { summary, rows } = await run(
      { provider: 'together', modelId: 'minimax/video-01-director' },
      ['a harbour at night #html-create', 'a windmill #reset-once'],
    );
    expect(summary.state).toBe('finished');
    expect(rows.map((row) => row.outcome)).toEqual(['submit_unknown', 'submit_unknown']);
    // The HTML answer came after the job was made (and billed): exactly one create, no second.
    expect(together.stats.creates - before).toBe(1);
    expect(rows[0]?.error_message).toMatch(/not JSON \(text\/html\)/);
    expect(rows[0]?.error_message).toMatch(/not sent again/);
    expect(rows[0]?.error_message).toMatch(/Together AI dashboard/);
  });

  for (const [name, emulator, model] of [
    ['Replicate', replicate, { provider: 'replicate', modelId: 'minimax/video-01' }],
    ['Luma', luma, { provider: 'luma', modelId: 'ray-2' }],
  ] as const) {
    it(`${name} (lists its jobs): adopts the job the HTML answer hid, resends one that never arrived`, async () => {
      const before = emulator.stats.creates;
      const { rows } = await run(model as ModelRef, [
        'a harbour at night #html-create',
        'a windmill #reset-once',
      ]);
      expect(rows.map((row) => row.outcome)).toEqual(['success', 'success']);
      // One paid job each: the hidden one was found, the lost one was sent once more.
      expect(emulator.stats.creates - before).toBe(2);
    });
  }
});
