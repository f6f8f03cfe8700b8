/**
 * A vendor accepts a create but answers a job id the console cannot use: 200 KB long (#huge-id)
 * or with characters a URL path cannot hold (#odd-id). Before, the first status call was
 * answered HTTP 431 (or the id was refused as "not a Luma generation id"), and the generation
 * ended as a failure advising to "change the prompt": a job the vendor made, and may bill, was
 * blamed on the prompt. Now the adapters' one shared check (providers/job-id-check.ts) makes it
 * an unknown outcome: `submit_unknown`, never sent again, never looked up in the vendor's list
 * (it would give the same id), with a message naming what is wrong with the id (the id itself
 * truncated) and to check the provider's account; its estimate counts against the budget.
 * Through the real runner, SQLite and the IPC answer the app shows (parsed by the contract).
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { registerBenchIpc } from '../../../src/main/ipc/register-bench-ipc';
import type { RunDetail } from '../../../src/shared/domain';
import { invokeChannels } from '../../../src/shared/ipc/contract';
import type { ModelRef } from '../../../src/shared/providers/video-provider-spec';
import { LumaEmulator } from '../../emulators/luma-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useEmulators } from '../../helpers/vendor-emulators';

const KEY = 'test-key-unusable-job-id-0001';
const env: Record<string, string> = { TOGETHER_API_KEY: KEY, LUMAAI_API_KEY: KEY };
const { together, luma } = useEmulators(
  { together: new TogetherEmulator({ apiKey: KEY }), luma: new LumaEmulator({ apiKey: KEY }) },
  env,
);

const fastSleep = cappedSleep();

async function run(model: ModelRef, prompts: string[]) {
  const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
  try {
    saveTextSuite(services, 'odd-ids', prompts);
    const { runId } = services.bench.startRun({
      suiteId: 'odd-ids',
      models: [model],
      budgetUsd: 20,
    });
    const summary = await services.bench.waitForRun(runId);
    const handlers = registerBenchIpc(services);
    const detail = invokeChannels['bench:get-run'].output.parse(
      await handlers['bench:get-run']!({ runId }, {}),
    ) as RunDetail;
    return { summary, rows: listGenerationRows(services.db, runId), detail };
  } finally {
    await services.cleanup();
  }
}

function expectUnknownOutcome(message: string | null | undefined, label: string): void {
  expect(message).toContain(`${label} answered the create with an unusable job id`);
  expect(message).toMatch(/may still be billed/);
  expect(message).toMatch(/check the provider's account/);
  expect(message).toMatch(/not sent again/);
  expect(message).not.toMatch(/change the prompt/i);
  expect(message).not.toContain(KEY);
  // The id is shown truncated, never whole.
  expect(message!.length).toBeLessThanOrEqual(1000);
  expect(message).not.toMatch(/x{100}/);
}

describe('a create answered with an unusable job id', () => {
  it('Together (no job list): submit_unknown, never sent again nor polled, and says what is wrong with the id', async () => {
    const creates = together.stats.creates;
    const polls = together.stats.polls;
    const { summary, rows, detail } = await run(
      { provider: 'together', modelId: 'minimax/video-01-director' },
      ['a lighthouse in fog #huge-id', 'a tram in the rain #odd-id'],
    );
    expect(summary.state).toBe('finished');
    expect(rows.map((row) => [row.outcome, row.error_code])).toEqual([
      ['submit_unknown', 'provider_unavailable'],
      ['submit_unknown', 'provider_unavailable'],
    ]);
    // Each job was created once at the vendor and never asked about (no 431).
    expect(together.stats.creates - creates).toBe(2);
    expect(together.stats.polls - polls).toBe(0);
    expect(rows.map((row) => row.vendor_job_id)).toEqual([null, null]);
    const [huge, odd] = detail.generations;
    expectUnknownOutcome(huge?.errorMessage, 'Together AI');
    expect(huge?.errorMessage).toMatch(
      /it is 20\d,\d{3} characters long \(at most 512 fit in the status call's URL\) \(it starts "[0-9a-f-]{36}-xxx/,
    );
    expectUnknownOutcome(odd?.errorMessage, 'Together AI');
    expect(odd?.errorMessage).toMatch(
      /it contains characters that cannot go into a URL path \(a space, "\?", "#", U\+0007\)/,
    );
    // Counted against the budget at its estimate: it may be billed.
    expect(detail.run.countedUsd).toBeCloseTo(
      (huge?.estimatedCostUsd ?? 0) + (odd?.estimatedCostUsd ?? 0),
      9,
    );
    expect(detail.run.countedUsd).toBeGreaterThan(0);
  });

  it('Luma (lists its jobs): not looked up nor adopted from the list, submit_unknown, never sent again', async () => {
    const creates = luma.stats.creates;
    const polls = luma.stats.polls;
    const { rows, detail } = await run({ provider: 'luma', modelId: 'ray-2' }, [
      'a fox in snow #huge-id',
      'a kite at noon',
    ]);
    expect(rows.map((row) => row.outcome)).toEqual(['submit_unknown', 'success']);
    expect(luma.stats.creates - creates).toBe(2);
    const shown = detail.generations.find((generation) => generation.outcome === 'submit_unknown');
    expectUnknownOutcome(shown?.errorMessage, 'Luma');
    expect(shown?.errorMessage).toMatch(/characters long/);
    // Only the good job was polled.
    expect(luma.stats.polls - polls).toBeGreaterThan(0);
    expect(rows[0]?.vendor_job_id).toBeNull();
  });
});
