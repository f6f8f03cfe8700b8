/**
 * Jobs a console picks up again when it restarts (rows `submitted` at the vendor) are polled
 * and downloaded whatever the limits say (they are never sent again, and their output links
 * expire), but they hold their slots: no new job is submitted while those already in flight for
 * the model, the provider or the whole console are at the limit.
 *
 * Real runner and SQLite, the sandbox provider. Two consoles in turn (each with one generation at
 * a time) leave two runs with one job at the vendor each and two prompts still queued; a third
 * console resumes both with a limit of 2. Every submission is checked against what SQLite says is
 * in flight at that moment. On the old runner the first run resumed submitted a new job beside
 * the two resumed ones (the second run's job was counted only when its run was driven).
 *
 * A create a stopped console left `submitting` may be at the vendor: while the resuming console
 * looks for it in the vendor's list (Replicate emulator), it holds its slot too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getGenerationRow,
  listGenerationRows,
  saveSuiteVersion,
} from '../../../src/main/bench/bench-repository';
import { type SandboxAdapter } from '../../../src/main/providers/sandbox/sandbox-adapter';
import type {
  GenerationRequest,
  StartOptions,
} from '../../../src/shared/providers/video-provider-spec';
import { sleep, type ServiceOptions } from '../../../src/main/services';
import type { WritableDb } from '../../../src/main/store/db';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const MODEL = { provider: 'sandbox' as const, modelId: 'sandbox-fast' };
const LIMIT = 2;

/** Generations in flight as SQLite has them: being created, at the vendor, or downloading. */
function countInFlight(db: WritableDb): () => number {
  const statement = db.prepare(
    `SELECT count(*) AS n FROM generations
     WHERE outcome IS NULL AND state IN ('submitting', 'submitted', 'downloading')`,
  );
  return () => (statement.get() as { n: number }).n;
}

/** Starts a smoke run (3 prompts) and stops the console once one job is at the vendor. */
async function leaveRunInFlight(dir: string): Promise<string> {
  const console = testServices({
    dataDir: dir,
    analyseVideos: false,
    // About 0.75 s per job, so the job is still in flight when the console stops.
    sandboxTimeScale: 0.5,
    modelConcurrency: { 'sandbox:sandbox-fast': 1 },
  });
  try {
    const submitted = new Promise<void>((resolve) => {
      const off = console.bus.on('bench:generation-updated', (generation) => {
        if (generation.state === 'submitted') {
          off();
          resolve();
        }
      });
    });
    const { runId } = console.bench.startRun({ suiteId: 'smoke', models: [MODEL], budgetUsd: 5 });
    await submitted;
    return runId;
  } finally {
    await console.close();
  }
}

describe('jobs picked up again after a restart', () => {
  it.each<{ limit: string; options: Partial<ServiceOptions> }>([
    { limit: 'model', options: { modelConcurrency: { 'sandbox:sandbox-fast': LIMIT } } },
    { limit: 'provider', options: { providerConcurrency: { sandbox: LIMIT } } },
    { limit: 'global', options: { benchConcurrency: LIMIT } },
  ])(
    'are polled to the end and hold their slots: no new submission while the $limit limit is reached',
    async ({ options }) => {
      const { dir, cleanup } = tempDir('aideon-resume-slots-');
      try {
        const runIds = [await leaveRunInFlight(dir), await leaveRunInFlight(dir)];
        const console = testServices({
          dataDir: dir,
          analyseVideos: false,
          sandboxTimeScale: 0.02,
          ...options,
        });
        try {
          const rowsBefore = runIds.flatMap((runId) => listGenerationRows(console.db, runId));
          // As the two consoles left them: one job at the vendor per run, two prompts queued.
          for (const runId of runIds) {
            const states = rowsBefore.filter((row) => row.run_id === runId).map((row) => row.state);
            expect(states.sort()).toEqual(['queued', 'queued', 'submitted']);
          }
          const resumedJobs = new Map(
            rowsBefore
              .filter((row) => row.state === 'submitted')
              .map((row) => [row.id, row.vendor_job_id]),
          );

          // At each create: how many other generations are in flight (SQLite's view).
          const inFlightAtSubmission: number[] = [];
          const inFlight = countInFlight(console.db);
          const adapter = console.registry.adapter('sandbox') as SandboxAdapter;
          const start = adapter.start.bind(adapter);
          adapter.start = (request: GenerationRequest, startOptions?: StartOptions) => {
            // The generation being created is `submitting` itself.
            inFlightAtSubmission.push(inFlight() - 1);
            return start(request, startOptions);
          };

          expect(console.bench.resumeAll().sort()).toEqual([...runIds].sort());
          for (const runId of runIds) {
            const run = await console.bench.waitForRun(runId);
            expect(run.state).toBe('finished');
            expect(run.succeeded).toBe(3);
          }
          // The four queued prompts were each submitted once; the resumed jobs never again.
          expect(inFlightAtSubmission).toHaveLength(4);
          for (const [id, jobId] of resumedJobs) {
            const row = listGenerationRows(console.db, runIds[0]!)
              .concat(listGenerationRows(console.db, runIds[1]!))
              .find((candidate) => candidate.id === id);
            expect(row?.vendor_job_id).toBe(jobId);
          }
          // None was sent while the two resumed jobs (or others) filled the limit.
          expect(Math.max(...inFlightAtSubmission)).toBeLessThan(LIMIT);
        } finally {
          await console.close();
        }
      } finally {
        cleanup();
      }
    },
    60_000,
  );
});

const KEY = 'r8_resume_slots_key_00000001';
// Predictions take 3 s; the create is held (Prefer: wait) meanwhile, so a console that quits
// right after sending it leaves the generation `submitting`.
const replicate = new ReplicateEmulator({ apiKey: KEY, queueMs: 0, runMs: 3000 });
const env: Record<string, string> = { REPLICATE_API_TOKEN: KEY };
beforeAll(async () => {
  env.AIDEON_REPLICATE_BASE_URL = await replicate.start();
});
afterAll(() => replicate.stop());

describe('a create left mid-way, looked for at the vendor after a restart', () => {
  it('holds its slot while it is looked for: no new job of the provider goes out meanwhile', async () => {
    const { dir, cleanup } = tempDir('aideon-resume-adopt-slots-');
    const fast = (ms: number, signal?: AbortSignal): Promise<void> =>
      sleep(Math.min(ms, 5), signal);
    try {
      const first = testServices({
        dataDir: dir,
        env,
        sleep: fast,
        analyseVideos: false,
        // The second run's model gets no slot here: its prompts stay queued.
        modelConcurrency: { 'replicate:bytedance/seedance-1-lite': 0 },
      });
      let adoptedRunId = '';
      let queuedRunId = '';
      try {
        for (const [id, text] of [
          ['left', 'a ferry crossing at dawn'],
          ['queued', 'a tram in the rain'],
        ] as const)
          saveSuiteVersion(
            first.db,
            {
              id,
              builtIn: false,
              definition: {
                name: id,
                description: '',
                settings: {},
                prompts: [
                  { id: `${id}-0`, text, category: 'general' },
                  { id: `${id}-1`, text: `${text}, seen from above`, category: 'general' },
                ],
              },
            },
            Date.now(),
          );
        adoptedRunId = first.bench.startRun({
          suiteId: 'left',
          models: [{ provider: 'replicate', modelId: 'minimax/video-01' }],
          budgetUsd: 100,
        }).runId;
        queuedRunId = first.bench.startRun({
          suiteId: 'queued',
          models: [{ provider: 'replicate', modelId: 'bytedance/seedance-1-lite' }],
          budgetUsd: 100,
        }).runId;
        // Replicate's default of two at a time: both prompts of the first run are created.
        for (let waited = 0; replicate.stats.creates < 2; waited += 20) {
          expect(waited).toBeLessThan(10_000);
          await sleep(20);
        }
      } finally {
        await first.close();
      }

      const second = testServices({
        dataDir: dir,
        env,
        sleep: fast,
        analyseVideos: false,
        providerConcurrency: { replicate: 1 },
      });
      try {
        const left = listGenerationRows(second.db, adoptedRunId);
        expect(left.map((row) => [row.state, row.vendor_job_id])).toEqual([
          ['submitting', null],
          ['submitting', null],
        ]);
        expect(listGenerationRows(second.db, queuedRunId).map((row) => row.state)).toEqual([
          'queued',
          'queued',
        ]);
        const inFlightAtSubmission: number[] = [];
        const inFlight = countInFlight(second.db);
        const adapter = second.registry.adapter('replicate');
        const start = adapter.start.bind(adapter);
        adapter.start = (request: GenerationRequest, startOptions?: StartOptions) => {
          inFlightAtSubmission.push(inFlight() - 1);
          return start(request, startOptions);
        };
        expect(second.bench.resume().resumed.sort()).toEqual([adoptedRunId, queuedRunId].sort());
        expect((await second.bench.waitForRun(adoptedRunId)).succeeded).toBe(2);
        expect((await second.bench.waitForRun(queuedRunId)).succeeded).toBe(2);
        // Both creates left mid-way were adopted (the first console's two predictions), not
        // sent again.
        const adopted = left.map((row) => getGenerationRow(second.db, row.id)?.vendor_job_id);
        expect(adopted.sort()).toEqual([...replicate.predictions.keys()].slice(0, 2).sort());
        expect(replicate.stats.creates).toBe(4);
        // The second run's two prompts went out one at a time, after the adopted jobs.
        expect(inFlightAtSubmission).toEqual([0, 0]);
      } finally {
        await second.close();
      }
    } finally {
      cleanup();
    }
  }, 60_000);
});
