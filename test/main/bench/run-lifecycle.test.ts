import { afterEach, describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import type { SandboxAdapter } from '../../../src/main/providers/sandbox/sandbox-adapter';
import type { RunSummary } from '../../../src/shared/domain';
import { readDb, spawnCli, until } from '../../helpers/cli-child';
import { cliIn } from '../../helpers/cli-in-process';
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

function waitFor(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      if (check()) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('a cancelled run ends', () => {
  it('reaches `cancelled` in SQLite and in the last run event even when generations finish while the vendor cancels are in flight', async () => {
    const services = testServices({ sandboxTimeScale: 0.05, analyseVideos: false });
    cleanups.push(services.cleanup);
    // Each vendor cancel takes a while, as a real HTTP call does; meanwhile jobs keep finishing.
    const adapter = services.registry.adapter('sandbox') as SandboxAdapter;
    const cancel = adapter.cancel.bind(adapter);
    adapter.cancel = async (jobId) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await cancel(jobId);
    };
    const events: RunSummary[] = [];
    services.bus.on('bench:run-updated', (run) => events.push(run));
    const { runId } = services.bench.startRun({ suiteId: 'standard', models, budgetUsd: 100 });
    await waitFor(
      () =>
        listGenerationRows(services.db, runId).filter((row) => row.vendor_job_id !== null).length >=
        6,
    );
    const cancelled = await services.bench.cancelRun(runId);
    expect(cancelled).toBeGreaterThan(0);
    const run = await services.bench.waitForRun(runId);
    expect(run.state).toBe('cancelled');
    expect(run.done).toBe(run.total);
    expect(services.bench.isActive(runId)).toBe(false);
    const last = events.filter((event) => event.id === runId).at(-1);
    expect(last?.state).toBe('cancelled');
    expect(last?.done).toBe(last?.total);
    expect(listGenerationRows(services.db, runId).every((row) => row.outcome !== null)).toBe(true);
  }, 60_000);

  it('cancelling a run that already finished leaves it finished', async () => {
    const services = testServices({ analyseVideos: false });
    cleanups.push(services.cleanup);
    const { runId } = services.bench.startRun({ suiteId: 'smoke', models, budgetUsd: 5 });
    await services.bench.waitForRun(runId);
    expect(await services.bench.cancelRun(runId)).toBe(0);
    expect((await services.bench.waitForRun(runId)).state).toBe('finished');
  });
});

const cli = (dataDir: string, args: string[]) =>
  cliIn(dataDir, args, { AIDEON_FFMPEG: '/nonexistent/ffmpeg' });

describe('a run cancelled from another process (CLI)', () => {
  it('`bench cancel` while `bench run` is alive: the run ends as cancelled everywhere and the running process exits 0', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dataDir = `${dir}/data`;
    const env = { AIDEON_SANDBOX_TIME_SCALE: '1', AIDEON_FFMPEG: '/nonexistent/ffmpeg' };
    const runner = spawnCli(
      [
        '--data-dir',
        dataDir,
        'bench',
        'run',
        '--suite',
        'standard',
        '--models',
        'sandbox:sandbox-fast,sandbox:sandbox-pro',
        '--json',
      ],
      env,
    );
    cleanups.push(() => void runner.child.kill('SIGKILL'));
    const runId = await until(() =>
      readDb(dataDir, (db) => {
        const row = db
          .prepare(
            'SELECT run_id FROM generations WHERE vendor_job_id IS NOT NULL GROUP BY run_id HAVING COUNT(*) >= 4',
          )
          .get() as { run_id: string } | undefined;
        return row?.run_id ?? null;
      }),
    );
    const cancelled = await cli(dataDir, ['bench', 'cancel', runId]);
    expect(cancelled.stderr).toBe('');
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/^Cancelled \d+ generation\(s\) of run_/);

    expect(await runner.done).toBe(0);
    const detail = JSON.parse(runner.stdout()) as {
      run: { state: string; done: number; total: number };
      generations: { outcome: string | null }[];
    };
    expect(detail.run.state).toBe('cancelled');
    expect(detail.run.done).toBe(detail.run.total);
    expect(detail.generations.some((generation) => generation.outcome === 'cancelled')).toBe(true);

    const list = await cli(dataDir, ['bench', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${runId}\\s+cancelled\\s+96/96`));
    const show = await cli(dataDir, ['bench', 'show', runId]);
    expect(show.stdout).toContain(`Run ${runId} cancelled:`);
  }, 120_000);
});
