/**
 * A sandbox run returns what the sandbox offers: a suite at 8 s, 9:16, 720p comes back at 8 s,
 * 720x1280, and every generation passes the compliance check (issue 16, item 7).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listGenerationRows, saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import { testServices } from '../../helpers/services';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('a sandbox run at settings other than the shipped clips', () => {
  it('at 8 s 9:16 720p passes compliance, every generation', async () => {
    const services = testServices();
    cleanups.push(services.cleanup);
    saveSuiteVersion(
      services.db,
      {
        id: 'vertical',
        builtIn: false,
        definition: {
          name: 'Vertical 8 s',
          description: 'Two prompts at 8 s, 9:16, 720p.',
          settings: { durationSeconds: 8, aspectRatio: '9:16', resolution: '720p', seed: 3 },
          prompts: [
            { id: 'v-01', category: 'people', text: 'A dancer spins in a neon-lit alley.' },
            { id: 'v-02', category: 'animals', text: 'A cat jumps onto a sunny windowsill.' },
          ],
        },
      },
      Date.now(),
    );
    const { runId } = services.bench.startRun({
      suiteId: 'vertical',
      models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
      budgetUsd: 5,
    });
    const run = await services.bench.waitForRun(runId);
    expect(run.state).toBe('finished');
    expect(run.succeeded).toBe(2);
    const rows = listGenerationRows(services.db, runId);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.analysis_error).toBeNull();
      const probe = JSON.parse(row.video_probe!) as Record<string, number>;
      expect([probe.width, probe.height]).toEqual([720, 1280]);
      expect(probe.durationSeconds).toBeCloseTo(8, 0);
      expect(JSON.parse(row.compliance!)).toEqual([]);
    }
  });
});
