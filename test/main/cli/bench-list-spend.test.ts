/**
 * `aideon bench list` shows what each run's vendors billed and what counts against its budget,
 * in the run summary's words: a run with a submission whose outcome is unknown counts more than
 * it billed. Real runner, real SQLite, the Together emulator (its `#html-create` prompt answers
 * the submission with an HTML page, so the outcome is unknown).
 */
import { describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import type { RunSummary } from '../../../src/shared/domain';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'test-key-bench-list-spend-01';
const { env } = useTogetherEmulator(KEY);

const list = (dataDir: string, ...flags: string[]) => cliIn(dataDir, ['bench', 'list', ...flags]);

describe('aideon bench list: billed and counted against the budget', () => {
  it('shows both for a run whose unknown submission counts more than was billed', async () => {
    const services = testServices({
      env,
      sleep: cappedSleep(),
      analyseVideos: false,
    });
    try {
      saveTextSuite(services, 'spend', ['a lighthouse at dusk', 'a harbour at night #html-create']);
      const { runId } = services.bench.startRun({
        suiteId: 'spend',
        name: 'spend check',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 5,
      });
      await services.bench.waitForRun(runId);
      await services.close();

      const json = await list(services.dataDir, '--json');
      expect(json.code).toBe(0);
      const [run] = JSON.parse(json.stdout) as RunSummary[];
      // The fields that were there before stay, with the counted figure beside them.
      expect(run).toMatchObject({ id: runId, state: 'finished', budgetUsd: 5, unknownOutcomes: 1 });
      expect(run?.spentUsd).toBeCloseTo(0.28, 9);
      const counted = run?.countedUsd ?? 0;
      expect(counted).toBeGreaterThan(0.28);
      const unknownUsd = counted - 0.28;

      const text = await list(services.dataDir);
      expect(text).toMatchObject({ code: 0, stderr: '' });
      expect(text.stdout).toBe(
        `${runId}  finished    2/2  $0.28 billed · $${counted.toFixed(2)} counted against the $5.00 budget (includes $${unknownUsd.toFixed(2)} for 1 submission with unknown outcome)  spend check\n`,
      );
    } finally {
      await services.cleanup();
    }
  });
});
