import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listGenerationRows, listRunSummaries } from '../../../src/main/bench/bench-repository';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { readDb, spawnCli, until, type CliChild } from '../../helpers/cli-child';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const KEY = 'tgp_v1_lease-test-key-000000000001';
const MODELS = 'together:minimax/video-01-director,together:Wan-AI/wan2.7-t2v';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  dataDir: string;
  suite: string;
  emulator: TogetherEmulator;
  env: NodeJS.ProcessEnv;
  start: (args: string[], extraEnv?: NodeJS.ProcessEnv) => CliChild;
}

async function setup(prompts: number, leaseMs: number, runMs = 700): Promise<Setup> {
  const { dir, cleanup } = tempDir('aideon-lease-');
  const emulator = new TogetherEmulator({ apiKey: KEY, queueMs: 200, runMs });
  const baseUrl = await emulator.start();
  const children: CliChild[] = [];
  cleanups.push(async () => {
    for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
    await emulator.stop();
    cleanup();
  });
  const suite = join(dir, 'lease.yaml');
  writeFileSync(
    suite,
    [
      'name: Lease',
      'settings: { durationSeconds: 5 }',
      'prompts:',
      ...Array.from(
        { length: prompts },
        (_, i) => `  - { id: p${i + 1}, text: "lease test prompt number ${i + 1}" }`,
      ),
      '',
    ].join('\n'),
  );
  const env = {
    TOGETHER_API_KEY: KEY,
    AIDEON_TOGETHER_BASE_URL: baseUrl,
    AIDEON_FFMPEG: '/nonexistent/ffmpeg',
    AIDEON_RUN_LEASE_MS: String(leaseMs),
  };
  const dataDir = join(dir, 'data');
  return {
    dataDir,
    suite,
    emulator,
    env,
    start: (args, extraEnv = {}) => {
      const child = spawnCli(['--data-dir', dataDir, ...args], { ...env, ...extraEnv });
      children.push(child);
      return child;
    },
  };
}

interface Row {
  state: string;
  outcome: string | null;
  vendor_job_id: string | null;
  media_id: string | null;
}

function rows(dataDir: string): Row[] {
  return (
    readDb(
      dataDir,
      (db) =>
        db
          .prepare('SELECT state, outcome, vendor_job_id, media_id FROM generations')
          .all() as Row[],
    ) ?? []
  );
}

/** Polls the database and keeps the largest number of generations at the vendor at once. */
function watchInFlight(dataDir: string): { max: () => number; stop: () => void } {
  let max = 0;
  const timer = setInterval(() => {
    // A stored video waiting for its analysis no longer holds a slot (media_id is set).
    const inFlight = rows(dataDir).filter(
      (row) =>
        ['submitting', 'submitted', 'downloading'].includes(row.state) && row.media_id === null,
    ).length;
    max = Math.max(max, inFlight);
  }, 25);
  return { max: () => max, stop: () => clearInterval(timer) };
}

function runArgs(suite: string): string[] {
  return ['bench', 'run', '--suite', suite, '--models', MODELS, '--budget', '50', '--json'];
}

describe('one process drives a run (run leases)', () => {
  it('`bench resume` while `bench run` is alive is refused with the owner named; the run is driven once', async () => {
    // Long enough (about 30 s) that the second CLI, slow to start on a busy machine, finds it running.
    const env = await setup(12, 3000, 2500);
    const first = env.start(runArgs(env.suite));
    const inFlight = watchInFlight(env.dataDir);
    await until(() => env.emulator.stats.creates >= 2);
    const second = env.start(['bench', 'resume']);
    expect(await second.done).toBe(1);
    expect(second.stderr()).toMatch(
      new RegExp(
        `^aideon: Run run_\\S+ is being driven by another console: process ${first.child.pid} on ${hostname()} \\(last heartbeat \\d+ s ago\\); its lease expires at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`,
        'm',
      ),
    );
    // The second process touched nothing: no submission of its own, nothing marked unknown.
    expect(rows(env.dataDir).some((row) => row.outcome === 'submit_unknown')).toBe(false);

    expect(await first.done).toBe(0);
    inFlight.stop();
    const detail = JSON.parse(first.stdout()) as { run: { state: string; succeeded: number } };
    expect(detail.run).toMatchObject({ state: 'finished', succeeded: 24 });
    const final = rows(env.dataDir);
    expect(final.every((row) => row.outcome === 'success')).toBe(true);
    // Each generation reached the vendor once, and never more than the provider limit (2) at once.
    expect(env.emulator.stats.creates).toBe(24);
    expect(new Set(final.map((row) => row.vendor_job_id)).size).toBe(24);
    expect(inFlight.max()).toBeLessThanOrEqual(2);
    // The lease is released when the run ends.
    expect(
      readDb(env.dataDir, (db) => db.prepare('SELECT COUNT(*) AS n FROM run_leases').get()),
    ).toEqual({ n: 0 });
  }, 120_000);

  it('kill -9 of the owner: `bench resume` takes over at once, polls the submitted jobs and never resubmits', async () => {
    const env = await setup(6, 30_000);
    const first = env.start(runArgs(env.suite));
    await until(() => env.emulator.stats.creates >= 3);
    first.child.kill('SIGKILL');
    expect(await first.done).toBe(-9);
    const submittedBefore = rows(env.dataDir).filter((row) => row.vendor_job_id !== null);
    expect(submittedBefore.length).toBeGreaterThan(0);
    // The lease is still there (nobody released it) and not expired: the dead pid frees it.
    expect(
      readDb(
        env.dataDir,
        (db) => db.prepare('SELECT pid FROM run_leases').get() as { pid: number },
      ),
    ).toEqual({ pid: first.child.pid });

    const second = env.start(['bench', 'resume', '--json']);
    expect(await second.done).toBe(0);
    const final = rows(env.dataDir);
    expect(final.every((row) => row.outcome !== null)).toBe(true);
    for (const before of submittedBefore)
      expect(final.some((row) => row.vendor_job_id === before.vendor_job_id)).toBe(true);
    const jobIds = final.map((row) => row.vendor_job_id).filter((id) => id !== null);
    expect(new Set(jobIds).size).toBe(jobIds.length);
    const unknown = final.filter((row) => row.outcome === 'submit_unknown').length;
    expect(env.emulator.stats.creates).toBeGreaterThanOrEqual(jobIds.length);
    expect(env.emulator.stats.creates).toBeLessThanOrEqual(jobIds.length + unknown);
  }, 120_000);

  it('an owner that stops responding loses its lease when it expires; resume takes over and the stalled owner then stops', async () => {
    const env = await setup(6, 1500);
    const first = env.start(runArgs(env.suite));
    await until(() => env.emulator.stats.creates >= 2);
    first.child.kill('SIGSTOP');
    // Its process is alive (stopped, not dead), so only the lease's expiry frees the run.
    await until(() =>
      readDb(
        env.dataDir,
        (db) =>
          (db.prepare('SELECT expires_at FROM run_leases').get() as { expires_at: number })
            .expires_at < Date.now(),
      ),
    );
    const second = env.start(['bench', 'resume', '--json']);
    expect(await second.done).toBe(0);
    const afterTakeover = rows(env.dataDir);
    expect(afterTakeover.every((row) => row.outcome !== null)).toBe(true);
    const creates = env.emulator.stats.creates;

    first.child.kill('SIGCONT');
    expect(await first.done).toBe(1);
    expect(first.stderr()).toMatch(/was taken over by another console process/);
    // The woken owner sent nothing more and changed no outcome.
    expect(env.emulator.stats.creates).toBe(creates);
    expect(rows(env.dataDir).map((row) => row.outcome)).toEqual(
      afterTakeover.map((row) => row.outcome),
    );
    const jobIds = afterTakeover.map((row) => row.vendor_job_id).filter((id) => id !== null);
    expect(new Set(jobIds).size).toBe(jobIds.length);
    const unknown = afterTakeover.filter((row) => row.outcome === 'submit_unknown').length;
    expect(creates).toBeLessThanOrEqual(jobIds.length + unknown);
  }, 120_000);
});

describe('a run driven by another console, as the UI sees it', () => {
  it('lists it as driven elsewhere (pid, host, lease expiry) over the contract, and leaves it alone on resume', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const first = testServices({ dataDir: dir, sandboxTimeScale: 1, analyseVideos: false });
    cleanups.push(() => first.close());
    const second = testServices({ dataDir: dir, sandboxTimeScale: 1, analyseVideos: false });
    cleanups.push(() => second.close());
    const { runId } = first.bench.startRun({
      suiteId: 'smoke',
      models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
      budgetUsd: 5,
    });
    const resumed = second.bench.resume();
    expect(resumed.resumed).toEqual([]);
    expect(resumed.drivenElsewhere.map((entry) => entry.runId)).toEqual([runId]);

    const dispatcher = createAppDispatcher(second, { checkOutputs: true });
    const listed = (await dispatcher.dispatch('bench:list-runs', {})) as {
      ok: true;
      value: { id: string; drivenElsewhere: unknown }[];
    };
    expect(listed.ok).toBe(true);
    expect(listed.value.find((run) => run.id === runId)?.drivenElsewhere).toEqual({
      pid: process.pid,
      host: hostname(),
      heartbeatAt: expect.any(Number),
      expiresAt: expect.any(Number),
    });
    const got = (await dispatcher.dispatch('bench:get-run', { runId })) as {
      ok: true;
      value: { run: { drivenElsewhere: unknown } };
    };
    expect(got.value.run.drivenElsewhere).not.toBeNull();
    // The driver itself sees it as its own.
    expect(listRunSummaries(first.db, first.bench.viewer())[0]?.drivenElsewhere).toBeNull();
    const run = await first.bench.waitForRun(runId);
    expect(run.state).toBe('finished');
    expect(listGenerationRows(first.db, runId).every((row) => row.outcome === 'success')).toBe(
      true,
    );
    expect(listRunSummaries(second.db, second.bench.viewer())[0]?.drivenElsewhere).toBeNull();
  }, 60_000);
});
