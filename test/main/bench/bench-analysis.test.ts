import { afterEach, describe, expect, it } from 'vitest';
import { getRunSummary, listGenerationRows } from '../../../src/main/bench/bench-repository';
import { ffmpegWrapper } from '../../helpers/ffmpeg-wrapper';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const models = [
  { provider: 'sandbox' as const, modelId: 'sandbox-fast' },
  { provider: 'sandbox' as const, modelId: 'sandbox-pro' },
];

function setup(options: { benchConcurrency?: number } = {}) {
  const { dir, cleanup } = tempDir('aideon-tools-');
  cleanups.push(cleanup);
  const wrapper = ffmpegWrapper(dir);
  const services = testServices({ env: { AIDEON_FFMPEG: wrapper.ffmpegPath }, ...options });
  cleanups.push(services.cleanup);
  return { services, wrapper };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('video analysis in a run', () => {
  it('runs outside the generation slot, and the run finishes only after the analyses', async () => {
    const { services, wrapper } = setup({ benchConcurrency: 1 });
    wrapper.closeGate();
    const { runId } = services.bench.startRun({ suiteId: 'smoke', models, budgetUsd: 5 });
    // With one generation slot and every analysis held at the gate, all six videos are still
    // generated and stored: the slot does not wait for the analysis.
    await until(() => listGenerationRows(services.db, runId).every((row) => row.media_id !== null));
    expect(wrapper.calls()).toEqual([]);
    const waiting = listGenerationRows(services.db, runId);
    expect(waiting.every((row) => row.outcome === null && row.state === 'downloading')).toBe(true);
    expect(getRunSummary(services.db, runId)?.state).toBe('running');
    expect(services.bench.isActive(runId)).toBe(true);

    wrapper.openGate();
    const run = await services.bench.waitForRun(runId);
    expect(run.state).toBe('finished');
    expect(run.succeeded).toBe(6);
    const rows = listGenerationRows(services.db, runId);
    for (const row of rows) {
      expect(row.video_probe).not.toBeNull();
      expect(row.analysis_error).toBeNull();
      // The recorded total ends when the video was stored, before any analysis ran.
      expect(row.finished_at! - row.submitted_at!).toBeGreaterThanOrEqual(0);
    }
    // Identical files (same SHA-256) are analysed once: one ffprobe + one ffmpeg per file.
    const distinct = new Set(rows.map((row) => row.media_id)).size;
    expect(distinct).toBeLessThan(rows.length);
    expect(wrapper.calls().filter((call) => call === 'ffmpeg')).toHaveLength(distinct);
    expect(wrapper.calls().filter((call) => call === 'ffprobe')).toHaveLength(distinct);
  });

  it('can be turned off per run: no ffmpeg, a note on every generation, recorded on the run', async () => {
    const { services, wrapper } = setup();
    const { runId } = services.bench.startRun({
      suiteId: 'smoke',
      models,
      budgetUsd: 5,
      analysis: false,
    });
    const run = await services.bench.waitForRun(runId);
    expect(run.succeeded).toBe(6);
    expect(wrapper.calls()).toEqual([]);
    for (const row of listGenerationRows(services.db, runId)) {
      expect(row.video_probe).toBeNull();
      expect(row.analysis_error).toBe('Not analysed: video analysis was turned off for this run.');
    }
    expect(services.db.prepare('SELECT analysis FROM runs WHERE id = ?').get(runId)).toEqual({
      analysis: 0,
    });
  });

  it('resumes a stored video whose analysis was interrupted without downloading it again', async () => {
    const { dir, cleanup } = tempDir('aideon-resume-');
    cleanups.push(cleanup);
    const tools = tempDir('aideon-tools-');
    cleanups.push(tools.cleanup);
    const wrapper = ffmpegWrapper(tools.dir);
    const env = { AIDEON_FFMPEG: wrapper.ffmpegPath };
    wrapper.closeGate();
    const first = testServices({ dataDir: dir, env });
    const { runId } = first.bench.startRun({
      suiteId: 'smoke',
      models: [models[0]!],
      budgetUsd: 5,
    });
    await until(() => listGenerationRows(first.db, runId).every((row) => row.media_id !== null));
    await first.close();
    wrapper.openGate();

    const second = testServices({ dataDir: dir, env });
    cleanups.push(second.cleanup);
    const adapter = second.registry.adapter('sandbox');
    let downloads = 0;
    const original = adapter.download.bind(adapter);
    adapter.download = (...args: Parameters<typeof adapter.download>) => {
      downloads += 1;
      return original(...args);
    };
    expect(second.bench.resumeAll()).toEqual([runId]);
    const run = await second.bench.waitForRun(runId);
    expect(run.state).toBe('finished');
    expect(run.succeeded).toBe(3);
    expect(downloads).toBe(0);
    for (const row of listGenerationRows(second.db, runId)) expect(row.video_probe).not.toBeNull();
  });
});
