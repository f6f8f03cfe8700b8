/**
 * Issue 13 item 9: the generation timeout is a per-run setting, stored with the run. A job that
 * hangs at the vendor ends with outcome `timeout` after the run's timeout, and is cancelled at
 * the vendor where the vendor has a cancel (Runway: DELETE /v1/tasks/{id}); Together has none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listGenerationRows,
  runTimeoutSeconds,
  saveSuiteVersion,
} from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import {
  defaultTimeoutSeconds,
  FALLBACK_TIMEOUT_SECONDS,
  parseTimeoutDuration,
} from '../../../src/shared/bench/generation-timeout';
import { invokeChannels } from '../../../src/shared/ipc/contract';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { testServices } from '../../helpers/services';
import { cappedSleep } from '../../helpers/vendor-emulators';

const KEYS = { together: 'tgp_v1_timeout-key-00000001', runway: `key_${'ef'.repeat(64)}` };
const runway = new RunwayEmulator({ apiKey: KEYS.runway, slowMs: 50 });
const together = new TogetherEmulator({ apiKey: KEYS.together, slowMs: 50 });
const env: Record<string, string> = {
  TOGETHER_API_KEY: KEYS.together,
  RUNWAYML_API_SECRET: KEYS.runway,
};

beforeAll(async () => {
  env.AIDEON_RUNWAY_BASE_URL = await runway.start();
  env.AIDEON_TOGETHER_BASE_URL = await together.start();
});
afterAll(async () => {
  await runway.stop();
  await together.stop();
});

const fastSleep = cappedSleep(20);

function services() {
  const made = testServices({ env, sleep: fastSleep, analyseVideos: false });
  saveSuiteVersion(
    made.db,
    {
      id: 'hang',
      builtIn: false,
      definition: {
        name: 'Hang',
        description: '',
        settings: {},
        prompts: [{ id: 'h', text: 'a lighthouse at dusk #hang', category: 'general' }],
      },
    },
    Date.now(),
  );
  return made;
}

describe('generation timeout per run', () => {
  it('ends a hung Runway job as timeout and cancels it at Runway', async () => {
    const made = services();
    try {
      const before = runway.stats.cancels;
      const { runId } = made.bench.startRun({
        suiteId: 'hang',
        models: [{ provider: 'runway', modelId: 'gen4.5' }],
        budgetUsd: 100,
        timeoutSeconds: 1,
      });
      expect(runTimeoutSeconds(made.db, runId)).toBe(1);
      const summary = await made.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const [row] = listGenerationRows(made.db, runId);
      expect(row?.outcome).toBe('timeout');
      expect(row?.error_code).toBe('timeout');
      expect(row?.vendor_job_id).toBeTruthy();
      expect(runway.stats.cancels).toBe(before + 1);
    } finally {
      await made.cleanup();
    }
  }, 30_000);

  it('ends a hung Together job as timeout (Together has no cancel: nothing is sent)', async () => {
    const made = services();
    try {
      const { runId } = made.bench.startRun({
        suiteId: 'hang',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 100,
        timeoutSeconds: 1,
      });
      await made.bench.waitForRun(runId);
      const [row] = listGenerationRows(made.db, runId);
      expect(row?.outcome).toBe('timeout');
      expect(row?.error_message).toMatch(/No result after 1 s/);
      expect(together.stats.cancels).toBe(0);
    } finally {
      await made.cleanup();
    }
  }, 30_000);

  it('a resumed run keeps its timeout (stored with the run, not the 15 min default)', async () => {
    const first = services();
    let second: ReturnType<typeof testServices> | undefined;
    try {
      const { runId } = first.bench.startRun({
        suiteId: 'hang',
        models: [{ provider: 'runway', modelId: 'gen4.5' }],
        budgetUsd: 100,
        timeoutSeconds: 2,
      });
      // Stop the console once the job is submitted, before its timeout.
      for (let i = 0; i < 400 && !listGenerationRows(first.db, runId)[0]?.vendor_job_id; i += 1)
        await sleep(5);
      await first.close();
      second = testServices({
        env,
        sleep: fastSleep,
        analyseVideos: false,
        dataDir: first.dataDir,
      });
      expect(listGenerationRows(second.db, runId)[0]?.outcome ?? null).toBeNull();
      expect(runTimeoutSeconds(second.db, runId)).toBe(2);
      expect(second.bench.resume().resumed).toEqual([runId]);
      await second.bench.waitForRun(runId);
      const [row] = listGenerationRows(second.db, runId);
      expect(row?.outcome).toBe('timeout');
      expect(row?.error_message).toMatch(/No result after 2 s/);
    } finally {
      await second?.close();
      await first.cleanup();
    }
  }, 30_000);

  it('refuses a timeout out of bounds, naming it, and stores nothing', async () => {
    const made = services();
    try {
      for (const timeoutSeconds of [0, 6 * 3600 + 1, 2.5]) {
        expect(() =>
          made.bench.startRun({
            suiteId: 'hang',
            models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
            budgetUsd: 1,
            timeoutSeconds,
          }),
        ).toThrow(/timeoutSeconds/);
      }
      const count = made.db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number };
      expect(count.n).toBe(0);
      const schema = invokeChannels['bench:start-run'].input;
      const base = { suiteId: 'hang', models: [{ provider: 'sandbox', modelId: 'x' }] };
      expect(schema.safeParse({ ...base, budgetUsd: 1, timeoutSeconds: 600 }).success).toBe(true);
      const bad = schema.safeParse({ ...base, budgetUsd: 1, timeoutSeconds: 0 });
      expect(bad.success).toBe(false);
      expect(bad.error?.issues[0]?.path).toEqual(['timeoutSeconds']);
      expect(bad.error?.issues[0]?.message).toMatch(/at least 1 s/);
    } finally {
      await made.cleanup();
    }
  });

  it('derives a per-model default from the typical time: max(2 min, 4 × typical), else 15 min', () => {
    expect(defaultTimeoutSeconds('together')).toBe(720);
    expect(defaultTimeoutSeconds('gemini')).toBe(1440);
    expect(defaultTimeoutSeconds('sandbox')).toBe(120);
    expect(defaultTimeoutSeconds('runway')).toBe(FALLBACK_TIMEOUT_SECONDS);
  });

  it('reads durations: seconds, s, m, h; refuses the rest', () => {
    expect(parseTimeoutDuration('90')).toBe(90);
    expect(parseTimeoutDuration('90s')).toBe(90);
    expect(parseTimeoutDuration('10m')).toBe(600);
    expect(parseTimeoutDuration('1h')).toBe(3600);
    expect(parseTimeoutDuration('1.5m')).toBe(90);
    expect(() => parseTimeoutDuration('soon')).toThrow(/not a duration/);
    expect(() => parseTimeoutDuration('7h')).toThrow(/out of range/);
    expect(() => parseTimeoutDuration('0')).toThrow(/out of range/);
    expect(() => parseTimeoutDuration('1.5s')).toThrow(/whole number/);
  });
});
