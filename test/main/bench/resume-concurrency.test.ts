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
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { type SandboxAdapter } from '../../../src/main/providers/sandbox/sandbox-adapter';
import type {
  GenerationRequest,
  StartOptions,
} from '../../../src/shared/providers/video-provider-spec';
import type { ServiceOptions } from '../../../src/main/services';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const MODEL = { provider: 'sandbox' as const, modelId: 'sandbox-fast' };
const LIMIT = 2;

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
          const inFlight = console.db.prepare(
            `SELECT count(*) AS n FROM generations
             WHERE outcome IS NULL AND state IN ('submitting', 'submitted', 'downloading')`,
          );
          const adapter = console.registry.adapter('sandbox') as SandboxAdapter;
          const start = adapter.start.bind(adapter);
          adapter.start = (request: GenerationRequest, startOptions?: StartOptions) => {
            // The generation being created is `submitting` itself.
            inFlightAtSubmission.push((inFlight.get() as { n: number }).n - 1);
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
