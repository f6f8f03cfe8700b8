/**
 * Two consoles on one data folder: the other one holds SQLite's write lock for longer than the
 * busy timeout just as a paid job's writes are due (its vendor job id, its cost, its stored
 * video, its outcome). Such a write used to throw SQLITE_BUSY out of the generation: it ended
 * as `failure` ("Something went wrong inside the console") with cost $0 and no job id, while the
 * job ran on at Together and was billed. Now each waits for the lock (retried with backoff, see
 * busyPatienceMs) while the job is followed and downloaded with what is known in memory.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BenchRunner, type BenchRunnerDeps } from '../../../src/main/bench/bench-runner';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';

const KEY = 'test-key-job-id-write-busy-01';
/** The create answers after 1.5 s (#slow); the job then completes 300 ms later by the clock. */
const together = new TogetherEmulator({ apiKey: KEY, slowMs: 1500, queueMs: 0, runMs: 300 });
const REPLICATE_KEY = 'r8_job_id_write_busy_000000001';
const replicate = new ReplicateEmulator({ apiKey: REPLICATE_KEY, queueMs: 0, runMs: 300 });
const env: Record<string, string> = { TOGETHER_API_KEY: KEY, REPLICATE_API_TOKEN: REPLICATE_KEY };
beforeAll(async () => {
  env.AIDEON_TOGETHER_BASE_URL = await together.start();
  env.AIDEON_REPLICATE_BASE_URL = await replicate.start();
});
afterAll(async () => {
  await together.stop();
  await replicate.stop();
});

const MODEL = { provider: 'together' as const, modelId: 'minimax/video-01-director' };

/** Another process that takes the database's write lock and keeps it `holdMs`. */
function holdWriteLock(file: string, holdMs: number): Promise<() => Promise<void>> {
  const script = `const D=require('better-sqlite3');const d=new D(${JSON.stringify(file)});d.pragma('busy_timeout=5000');d.exec('BEGIN IMMEDIATE');process.stdout.write('locked\\n');setTimeout(()=>{d.exec('COMMIT');d.close();process.exit(0)},${holdMs});`;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve(() => exited);
    });
    child.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
}

/**
 * A second connection in this process that holds the write lock until release(). The console's
 * own busy timeout is lowered to 100 ms by these tests (instead of 5 s) so they stay short; the
 * lock still outlasts it many times over.
 */
function inProcessLock(file: string): { release: () => void; held: () => boolean } {
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  let held = true;
  return {
    held: () => held,
    release: () => {
      if (!held) return;
      held = false;
      other.exec('COMMIT');
      other.close();
    },
  };
}

describe('the writes of a paid job while another process holds the database', () => {
  it('Together, its job id: the paid job is followed to its video, not ended as a $0 failure', async () => {
    const services = testServices({ env, analyseVideos: false });
    together.requestLog = [];
    together.jobs.clear();
    try {
      saveTextSuite(services, 'busy', ['a waterfall #slow']);
      const { runId } = services.bench.startRun({
        suiteId: 'busy',
        models: [MODEL],
        budgetUsd: 5,
      });
      while (!together.requestLog.some((entry) => entry.method === 'POST')) await sleep(10);
      // Held 7 s from the create's start: past the 5 s busy timeout after its answer (1.5 s).
      const released = await holdWriteLock(join(services.dataDir, 'aideon.sqlite'), 7000);
      const summary = await services.bench.waitForRun(runId);
      await released();
      const [row] = listGenerationRows(services.db, runId);
      const jobIds = [...together.jobs.keys()];
      expect(jobIds).toHaveLength(1);
      await sleep(400);
      const billed = together.billedUsd();
      // Before the fix: outcome 'failure', no vendor_job_id, $0 counted, while Together bills $0.28.
      expect(
        { outcome: row?.outcome, jobId: row?.vendor_job_id, cost: row?.cost_usd },
        JSON.stringify({ error: row?.error_message }),
      ).toEqual({ outcome: 'success', jobId: jobIds[0], cost: 0.28 });
      expect(row?.media_id).toBeTruthy();
      expect(summary.state).toBe('finished');
      expect(summary.countedUsd).toBeGreaterThanOrEqual(billed - 1e-9);
      expect(together.requestLog.filter((entry) => entry.method === 'POST')).toHaveLength(1);
    } finally {
      together.requestLog = undefined;
      await services.cleanup();
    }
  }, 30_000);

  it('Together, its cost and stored video: downloaded while the lock is held, recorded once it is free', async () => {
    const lines: string[] = [];
    const services = testServices({ env, analyseVideos: false, log: (line) => lines.push(line) });
    services.db.pragma('busy_timeout = 100');
    together.requestLog = [];
    together.jobs.clear();
    let lock: ReturnType<typeof inProcessLock> | undefined;
    let downloadedWhileLocked = false;
    try {
      saveTextSuite(services, 'busy-cost', ['a lighthouse at dusk']);
      // Locked the moment the job id is in: what follows (its cost, its video) meets the lock.
      services.bus.on('bench:generation-updated', (record) => {
        if (record.state === 'submitted' && !lock)
          lock = inProcessLock(join(services.dataDir, 'aideon.sqlite'));
      });
      const { runId } = services.bench.startRun({
        suiteId: 'busy-cost',
        models: [MODEL],
        budgetUsd: 5,
      });
      // Released once the video was fetched from Together (or after 10 s, and the test fails).
      for (let waited = 0; waited < 10_000; waited += 10) {
        if (together.requestLog.some((entry) => entry.path.startsWith('/files/'))) {
          downloadedWhileLocked = lock?.held() === true;
          break;
        }
        await sleep(10);
      }
      lock?.release();
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      expect(lock).toBeDefined();
      expect(downloadedWhileLocked).toBe(true);
      expect(lines.some((line) => line.includes('waits for the database'))).toBe(true);
      expect({
        outcome: row?.outcome,
        jobId: row?.vendor_job_id,
        cost: row?.cost_usd,
      }).toEqual({ outcome: 'success', jobId: [...together.jobs.keys()][0], cost: 0.28 });
      expect(row?.media_id).toBeTruthy();
      expect(existsSync(services.media.pathOf(row?.media_id as string))).toBe(true);
      expect(summary.state).toBe('finished');
      expect(summary.spentUsd).toBeCloseTo(0.28, 9);
    } finally {
      lock?.release();
      together.requestLog = undefined;
      await services.cleanup();
    }
  }, 30_000);

  it('a write that meets the lock does not stop the thread for the busy timeout', async () => {
    // The connection keeps its own 5 s busy timeout here (the other tests lower it to 100 ms).
    const services = testServices({ env, analyseVideos: false });
    together.jobs.clear();
    let lock: ReturnType<typeof inProcessLock> | undefined;
    let last = Date.now();
    let worstGap = 0;
    const ticker = setInterval(() => {
      const now = Date.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 20);
    try {
      saveTextSuite(services, 'busy-thread', ['a harbour at night']);
      services.bus.on('bench:generation-updated', (record) => {
        if (record.state === 'submitted' && !lock) {
          lock = inProcessLock(join(services.dataDir, 'aideon.sqlite'));
          // Released by a timer on this thread: it cannot fire while the thread waits in SQLite.
          const held = lock;
          setTimeout(() => held.release(), 1500).unref();
          last = Date.now();
          worstGap = 0;
        }
      });
      const { runId } = services.bench.startRun({
        suiteId: 'busy-thread',
        models: [MODEL],
        budgetUsd: 5,
      });
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      expect(lock).toBeDefined();
      // Before: the next write waited out SQLite's 5 s busy timeout on the thread, every timer,
      // poll and request (in the desktop app, every window's) stopped with it.
      expect(worstGap).toBeLessThan(2500);
      expect({ outcome: row?.outcome, cost: row?.cost_usd }).toEqual({
        outcome: 'success',
        cost: 0.28,
      });
      expect(summary.state).toBe('finished');
    } finally {
      clearInterval(ticker);
      lock?.release();
      await services.cleanup();
    }
  }, 30_000);

  it('Together, a job that fails: its outcome waits for the lock, with its job id', async () => {
    const services = testServices({ env, analyseVideos: false });
    services.db.pragma('busy_timeout = 100');
    together.jobs.clear();
    let lock: ReturnType<typeof inProcessLock> | undefined;
    try {
      saveTextSuite(services, 'busy-fail', ['a storm #fail']);
      services.bus.on('bench:generation-updated', (record) => {
        if (record.state === 'submitted' && !lock) {
          lock = inProcessLock(join(services.dataDir, 'aideon.sqlite'));
          const held = lock;
          setTimeout(() => held.release(), 1500).unref();
        }
      });
      const { runId } = services.bench.startRun({
        suiteId: 'busy-fail',
        models: [MODEL],
        budgetUsd: 5,
      });
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      expect(lock).toBeDefined();
      expect(row?.outcome).toBe('failure');
      expect(row?.vendor_job_id).toBe([...together.jobs.keys()][0]);
      expect(row?.error_message).not.toMatch(/inside the console/);
      expect(summary.state).toBe('finished');
    } finally {
      lock?.release();
      await services.cleanup();
    }
  }, 30_000);

  it('Together, cancelled while its job id waits for the lock: ended with the id, its estimate counted', async () => {
    const lines: string[] = [];
    const services = testServices({ env, analyseVideos: false, log: (line) => lines.push(line) });
    services.db.pragma('busy_timeout = 100');
    together.requestLog = [];
    together.jobs.clear();
    let lock: ReturnType<typeof inProcessLock> | undefined;
    try {
      saveTextSuite(services, 'busy-cancel', ['a canyon #slow']);
      const { runId } = services.bench.startRun({
        suiteId: 'busy-cancel',
        models: [MODEL],
        budgetUsd: 5,
      });
      while (!together.requestLog.some((entry) => entry.method === 'POST')) await sleep(10);
      lock = inProcessLock(join(services.dataDir, 'aideon.sqlite'));
      // The create answered (1.5 s) and its job id could not be written yet.
      while (!lines.some((line) => line.includes('waits for the database'))) await sleep(10);
      const [generation] = listGenerationRows(services.db, runId);
      expect(generation?.state).toBe('submitting');
      expect(await services.bench.cancelGeneration(generation?.id as string)).toBe(true);
      lock.release();
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      // Together cannot cancel a job: it runs on and is billed, so the estimate stays counted.
      expect({
        outcome: row?.outcome,
        jobId: row?.vendor_job_id,
        billingUnknown: row?.billing_unknown,
      }).toEqual({ outcome: 'cancelled', jobId: [...together.jobs.keys()][0], billingUnknown: 1 });
      await sleep(400);
      expect(summary.countedUsd).toBeGreaterThanOrEqual(together.billedUsd() - 1e-9);
      expect(summary.countedUsd).toBeGreaterThanOrEqual(0.28 - 1e-9);
    } finally {
      lock?.release();
      together.requestLog = undefined;
      await services.cleanup();
    }
  }, 30_000);

  it('Together, locked past busyPatienceMs: the row is left mid-create, and the next start counts it (never sent again)', async () => {
    const lines: string[] = [];
    const services = testServices({ env, analyseVideos: false, log: (line) => lines.push(line) });
    services.db.pragma('busy_timeout = 100');
    together.requestLog = [];
    together.jobs.clear();
    // A runner that gives up on a locked database after 300 ms (the default is 10 minutes).
    const deps = (services.bench as unknown as { deps: BenchRunnerDeps }).deps;
    const runner = new BenchRunner({ ...deps, busyPatienceMs: 300 });
    let lock: ReturnType<typeof inProcessLock> | undefined;
    try {
      saveTextSuite(services, 'busy-long', ['a glacier']);
      // Locked just before the create is sent: the claim is in, the job id cannot be written.
      const { runId } = runner.startRun({ suiteId: 'busy-long', models: [MODEL], budgetUsd: 5 });
      lock = inProcessLock(join(services.dataDir, 'aideon.sqlite'));
      await runner.waitForRun(runId);
      const [jobId] = [...together.jobs.keys()];
      expect(jobId).toBeDefined();
      // Nothing could be written: the row is as the claim left it, like after a crash mid-create.
      const [left] = listGenerationRows(services.db, runId);
      expect({ state: left?.state, outcome: left?.outcome }).toEqual({
        state: 'submitting',
        outcome: null,
      });
      // The job id is in the log, for the admin.
      expect(lines.some((line) => line.includes(jobId as string))).toBe(true);
      lock.release();
      expect(runner.resume().resumed).toEqual([runId]);
      const summary = await runner.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      expect(row?.outcome).toBe('submit_unknown');
      await sleep(400);
      expect(summary.countedUsd).toBeGreaterThanOrEqual(together.billedUsd() - 1e-9);
      expect(together.requestLog.filter((entry) => entry.method === 'POST')).toHaveLength(1);
    } finally {
      lock?.release();
      await runner.stop();
      together.requestLog = undefined;
      await services.cleanup();
    }
  }, 30_000);

  it('Replicate, locked past busyPatienceMs: the next start finds the prediction in its list and gets the video', async () => {
    const services = testServices({
      env,
      analyseVideos: false,
      sleep: (ms, signal) => sleep(Math.min(ms, 5), signal),
    });
    services.db.pragma('busy_timeout = 100');
    const deps = (services.bench as unknown as { deps: BenchRunnerDeps }).deps;
    const runner = new BenchRunner({ ...deps, busyPatienceMs: 300 });
    let lock: ReturnType<typeof inProcessLock> | undefined;
    try {
      saveTextSuite(services, 'busy-replicate', ['a ferry crossing at dawn']);
      const { runId } = runner.startRun({
        suiteId: 'busy-replicate',
        models: [{ provider: 'replicate', modelId: 'minimax/video-01' }],
        budgetUsd: 100,
      });
      lock = inProcessLock(join(services.dataDir, 'aideon.sqlite'));
      await runner.waitForRun(runId);
      const [left] = listGenerationRows(services.db, runId);
      expect({ state: left?.state, jobId: left?.vendor_job_id }).toEqual({
        state: 'submitting',
        jobId: null,
      });
      lock.release();
      // As after a crash mid-create: looked for in Replicate's list, adopted, not sent again.
      expect(runner.resume().resumed).toEqual([runId]);
      const summary = await runner.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      expect(row?.outcome).toBe('success');
      expect(row?.vendor_job_id).toBe([...replicate.predictions.keys()][0]);
      expect(row?.media_id).toBeTruthy();
      expect(summary.state).toBe('finished');
      expect(replicate.stats.creates).toBe(1);
    } finally {
      lock?.release();
      await runner.stop();
      await services.cleanup();
    }
  }, 30_000);

  it('a run started while the database is locked: refused with a clear error, nothing written or sent', async () => {
    const services = testServices({ env, analyseVideos: false });
    services.db.pragma('busy_timeout = 100');
    together.requestLog = [];
    let lock: ReturnType<typeof inProcessLock> | undefined;
    try {
      saveTextSuite(services, 'busy-start', ['a harbour at noon']);
      lock = inProcessLock(join(services.dataDir, 'aideon.sqlite'));
      let refused: unknown;
      try {
        services.bench.startRun({
          suiteId: 'busy-start',
          models: [MODEL],
          budgetUsd: 5,
          analysis: false,
          timeoutSeconds: 60,
        });
      } catch (error) {
        refused = error;
      }
      expect(refused).toMatchObject({ code: 'conflict', retryable: true });
      expect(String((refused as Error).message)).toMatch(
        /locked by another program.*Nothing was sent/,
      );
      lock.release();
      expect(services.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 });
      expect(services.db.prepare('SELECT COUNT(*) AS n FROM run_leases').get()).toEqual({ n: 0 });
      await sleep(50);
      expect(together.requestLog).toEqual([]);
    } finally {
      lock?.release();
      together.requestLog = undefined;
      await services.cleanup();
    }
  });

  it('a failure inside the console while a job runs at the vendor: ended with its id, its estimate counted', async () => {
    const lines: string[] = [];
    const services = testServices({ env, analyseVideos: false, log: (line) => lines.push(line) });
    together.jobs.clear();
    // The console's own bug while following the job (not the vendor's answer): its status read
    // throws a TypeError. Everything else is the real adapter against the emulator.
    const deps = (services.bench as unknown as { deps: BenchRunnerDeps }).deps;
    const registry = Object.create(deps.registry) as typeof deps.registry;
    registry.adapter = (provider) => {
      const real = deps.registry.adapter(provider);
      return new Proxy(real, {
        get: (target, key, receiver) =>
          key === 'status'
            ? () => Promise.reject(new TypeError('a bug in the console'))
            : (Reflect.get(target, key, receiver) as unknown),
      });
    };
    const runner = new BenchRunner({ ...deps, registry });
    try {
      saveTextSuite(services, 'internal', ['a meadow']);
      const { runId } = runner.startRun({ suiteId: 'internal', models: [MODEL], budgetUsd: 5 });
      const summary = await runner.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      expect(lines.some((line) => line.includes('a bug in the console'))).toBe(true);
      // Together runs the job on and bills it: the row keeps its id and counts its estimate.
      expect({
        outcome: row?.outcome,
        jobId: row?.vendor_job_id,
        billingUnknown: row?.billing_unknown,
      }).toEqual({ outcome: 'failure', jobId: [...together.jobs.keys()][0], billingUnknown: 1 });
      await sleep(400);
      expect(summary.countedUsd).toBeGreaterThanOrEqual(together.billedUsd() - 1e-9);
      expect(summary.countedUsd).toBeGreaterThanOrEqual(0.28 - 1e-9);
    } finally {
      await runner.stop();
      await services.cleanup();
    }
  });
});
