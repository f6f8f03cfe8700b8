/**
 * An admin's write that meets another Aideon process's write lock is made again by the
 * console (bounded by the busy patience) instead of being answered "busy, try again": when the
 * other process releases the lock in time, the write goes through with nobody pressing again.
 * Only calls that changed nothing are made again (ipc/busy-retry-channels.ts): a run start is
 * made again only for its own "nothing was sent" conflict, so a paid run never starts twice.
 * Real SQLite: a second connection holds BEGIN IMMEDIATE as another process would.
 */
import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type HandlerMap } from '../../../src/main/ipc/dispatcher';
import { sleep } from '../../../src/main/services';
import { AppError } from '../../../src/shared/errors';
import { holdWriteLock as lockHeldBy } from '../../helpers/db-lock';
import type { Result } from '../../../src/shared/ipc/result';
import { okValue, openTestConsole } from '../../helpers/test-console';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const holdWriteLock = (dataDir: string): (() => void) =>
  lockHeldBy(dataDir, (release) => cleanups.push(release));

const SUITE = {
  definition: {
    name: 'Waited for',
    settings: {},
    prompts: [{ id: 'p1', text: 'a heron in the reeds' }],
  },
};

describe('an admin write while another process holds the lock for a while', () => {
  it('goes through once the lock is released, without being sent again by the admin', async () => {
    const wired = openTestConsole(cleanups);
    await wired.ready;
    const { dispatcher, services } = wired;
    const release = holdWriteLock(wired.dataDir);
    const saving = dispatcher.dispatch('suites:save', SUITE);
    const starting = dispatcher.dispatch('bench:start-run', {
      suiteId: 'smoke',
      models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
      budgetUsd: 5,
    });
    const settled: string[] = [];
    void saving.then(() => settled.push('save'));
    void starting.then(() => settled.push('start'));
    // Held for a while: both calls are still waiting (before: refused at once).
    await sleep(800);
    expect(settled).toEqual([]);
    release();
    const saved = await saving;
    expect(saved).toMatchObject({ ok: true, value: { version: 1 } });
    const started = await starting;
    expect(started).toMatchObject({ ok: true });
    // The run was started once: one run, each generation sent once.
    const { runId } = okValue<{ runId: string }>(started);
    await services.bench.waitForRun(runId);
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 1 });
    const jobs = services.db
      .prepare(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT vendor_job_id) AS distinct_jobs FROM generations',
      )
      .get() as { n: number; distinct_jobs: number };
    expect(jobs.n).toBeGreaterThan(0);
    expect(jobs.distinct_jobs).toBe(jobs.n);
    const suites = okValue<{ name: string }[]>(await dispatcher.dispatch('suites:list', {}));
    expect(suites.filter((suite) => suite.name === SUITE.definition.name)).toHaveLength(1);
  }, 30_000);

  it('past its patience: a retryable error that names the process it knows of and what to do', async () => {
    const wired = openTestConsole(cleanups, { busyPatienceMs: 400 });
    await wired.ready;
    // Another console on another machine drives a run here (its lease is live).
    const other = new Database(join(wired.dataDir, 'aideon.sqlite'));
    other.pragma('foreign_keys = OFF');
    other
      .prepare(
        'INSERT INTO run_leases (run_id, owner_id, pid, host, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        'run_elsewhere',
        'owner_x',
        4242,
        `not-${hostname()}`,
        0,
        Date.now(),
        Date.now() + 3.6e6,
      );
    other.close();
    holdWriteLock(wired.dataDir);
    const started = Date.now();
    const answer = await wired.dispatcher.dispatch('suites:save', SUITE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(answer).toMatchObject({ ok: false, error: { code: 'conflict', retryable: true } });
    const message = (answer as { error: { message: string } }).error.message;
    expect(message).toMatch(/stayed busy for 400 ms/);
    expect(message).toMatch(/process 4242 on not-.*, driving a benchmark run/);
    expect(message).toMatch(/Nothing was changed\. Let that process finish or close it/);
    expect(message).toMatch(/AIDEON_BUSY_PATIENCE_MS/);
  }, 30_000);
});

describe('which busy calls the dispatcher makes again', () => {
  const busy = (): Error => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  function dispatcherCounting(
    channel: string,
    failures: (() => unknown)[],
  ): { calls: () => number; dispatch: (input: unknown) => Promise<Result<unknown>> } {
    let calls = 0;
    const handler = (): unknown => {
      const fail = failures[calls];
      calls += 1;
      if (fail) throw fail();
      return { runId: 'run_1' };
    };
    const dispatcher = createDispatcher({ [channel]: handler } as unknown as HandlerMap, {
      busyRetry: { patienceMs: 5_000, now: Date.now, sleep: (ms) => sleep(Math.min(ms, 5)) },
    });
    return { calls: () => calls, dispatch: (input) => dispatcher.dispatch(channel, input) };
  }
  const startInput = {
    suiteId: 'smoke',
    models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
    budgetUsd: 1,
  };

  it('a run start is made again for its own "nothing was sent" conflict', async () => {
    const nothingSent = (): AppError =>
      new AppError('conflict', 'The run was not started: busy. Nothing was sent.', {
        retryable: true,
        cause: busy(),
      });
    const call = dispatcherCounting('bench:start-run', [nothingSent, nothingSent]);
    expect(await call.dispatch(startInput)).toMatchObject({ ok: true });
    expect(call.calls()).toBe(3);
  });

  it('a run start that met a busy database anywhere else is answered at once (it may have been sent)', async () => {
    const call = dispatcherCounting('bench:start-run', [busy]);
    expect(await call.dispatch(startInput)).toMatchObject({
      ok: false,
      error: { code: 'conflict', retryable: true },
    });
    expect(call.calls()).toBe(1);
  });

  it('a check that may start a paid smoke run is never made again', async () => {
    const call = dispatcherCounting('monitor:check-now', [busy]);
    expect(await call.dispatch({})).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(call.calls()).toBe(1);
  });

  it('an error that is not a busy database is answered at once', async () => {
    const call = dispatcherCounting('suites:save', [() => new AppError('validation', 'bad')]);
    expect(await call.dispatch(SUITE)).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(call.calls()).toBe(1);
  });
});
