/**
 * A vendor reports a running job in a status its documentation does not list (#new-status:
 * Together says "upscaling", as when a vendor adds a step). Each such answer counted as a failed
 * status call: after 8 in a row (about 2.5 minutes of backoff) the paid job was given up as
 * `failure` although it was still running, and its video was lost. Now the job is followed on its
 * schedule until it ends (its video stored) or its timeout, whose message then says which status
 * the vendor last reported. The row shows a note meanwhile. Together emulator, runner, SQLite.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { FalEmulator } from '../../emulators/fal-emulator';
import { LumaEmulator } from '../../emulators/luma-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useEmulators } from '../../helpers/vendor-emulators';

const KEY = 'tgp_v1_unknown-status-key-00001';
const env: Record<string, string> = { TOGETHER_API_KEY: KEY, LUMAAI_API_KEY: KEY, FAL_KEY: KEY };
const { together, luma, fal } = useEmulators(
  {
    together: new TogetherEmulator({ apiKey: KEY }),
    luma: new LumaEmulator({ apiKey: KEY }),
    fal: new FalEmulator({ apiKey: KEY }),
  },
  env,
);

const fastSleep = cappedSleep();
const MODEL = { provider: 'together' as const, modelId: 'minimax/video-01-director' };

describe('a job reported in a status the adapter does not know', () => {
  it('is followed to its video, with a note while it lasts', async () => {
    const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
    try {
      const notes: string[] = [];
      services.bus.on('bench:generation-updated', (generation) => {
        if (generation.waiting) notes.push(generation.waiting);
      });
      saveTextSuite(services, 'new-status', ['a kite over dunes #new-status']);
      const polls = together.stats.polls;
      const { runId } = services.bench.startRun({
        suiteId: 'new-status',
        models: [MODEL],
        budgetUsd: 5,
        timeoutSeconds: 600,
      });
      const summary = await services.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const [row] = listGenerationRows(services.db, runId);
      expect([row?.outcome, row?.error_message]).toEqual(['success', null]);
      expect(row?.media_id).not.toBeNull();
      expect(row?.cost_usd).toBeCloseTo(0.28, 6);
      expect(row?.waiting).toBeNull();
      // Ten "upscaling" answers, more than the 8 failed status calls a job is given up after.
      expect(together.stats.polls - polls).toBeGreaterThanOrEqual(12);
      expect(together.stats.creates).toBe(1);
      expect(notes).toContain(
        'Together AI reports a status this console does not know ("upscaling"); the job is followed until it ends or its timeout.',
      );
    } finally {
      await services.cleanup();
    }
  });

  it('one that never ends is ended by its timeout, saying which status it was last in', async () => {
    const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
    try {
      saveTextSuite(services, 'new-status-hang', ['a boat at dawn #new-status #hang']);
      const { runId } = services.bench.startRun({
        suiteId: 'new-status-hang',
        models: [MODEL],
        budgetUsd: 5,
        timeoutSeconds: 1,
      });
      expect((await services.bench.waitForRun(runId)).state).toBe('finished');
      const [row] = listGenerationRows(services.db, runId);
      expect([row?.outcome, row?.error_code]).toEqual(['timeout', 'timeout']);
      expect(row?.error_message).toMatch(
        /^No result after 1 s\. Together AI last reported the job in a status this console does not know \("upscaling"\); it may still finish there\. Together AI did not finish in time/,
      );
      // Together cannot cancel: the job runs on there, so its estimate stays counted.
      expect(row?.billing_unknown).toBe(1);
      expect(row?.vendor_job_id).not.toBeNull();
    } finally {
      await services.cleanup();
    }
  });

  it('Luma: a generation in a state Luma does not document is followed to its video', async () => {
    const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
    try {
      saveTextSuite(services, 'luma-new-status', ['a lantern in fog #new-status']);
      const polls = luma.stats.polls;
      const { runId } = services.bench.startRun({
        suiteId: 'luma-new-status',
        models: [{ provider: 'luma', modelId: 'ray-2' }],
        budgetUsd: 5,
        timeoutSeconds: 600,
      });
      expect((await services.bench.waitForRun(runId)).state).toBe('finished');
      const [row] = listGenerationRows(services.db, runId);
      expect([row?.outcome, row?.error_message]).toEqual(['success', null]);
      expect(row?.media_id).not.toBeNull();
      // Ten "upscaling" answers, more than the 8 failed status calls a job is given up after.
      expect(luma.stats.polls - polls).toBeGreaterThanOrEqual(12);
      expect(luma.stats.creates).toBe(1);
    } finally {
      await services.cleanup();
    }
  });

  it('fal: a request in a status fal does not document is followed to its video', async () => {
    const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
    try {
      saveTextSuite(services, 'fal-new-status', ['a lantern in fog #new-status']);
      const { runId } = services.bench.startRun({
        suiteId: 'fal-new-status',
        models: [{ provider: 'fal', modelId: 'fal-ai/veo3.1' }],
        budgetUsd: 10,
        timeoutSeconds: 600,
      });
      expect((await services.bench.waitForRun(runId)).state).toBe('finished');
      const [row] = listGenerationRows(services.db, runId);
      expect([row?.outcome, row?.error_message]).toEqual(['success', null]);
      expect(row?.media_id).not.toBeNull();
      expect(fal.stats.creates).toBe(1);
    } finally {
      await services.cleanup();
    }
  });
});
