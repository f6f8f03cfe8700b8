/** The monitor's schedule with an injected clock: interval, jitter bounds, backoff, check now. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { MonitorService } from '../../../src/main/monitor/monitor-service';
import { fetchTogetherCatalogue } from '../../../src/main/monitor/together-catalogue';
import type { CheckResult } from '../../../src/shared/monitor/monitor-schemas';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { FakeClock, counter, monitorDb, testDispatcher } from './monitor-fixtures';

const KEY = 'tgp_v1_PLANTED-SCHEDULE-SECRET-99aa';
const MINUTE = 60_000;
const dispatcher = testDispatcher();
let emulator: TogetherEmulator;
let db: WritableDb;
let clock: FakeClock;
let randomValue = 0.5;
let monitor: MonitorService;
let checks: CheckResult[];

beforeEach(async () => {
  emulator = new TogetherEmulator({ apiKey: KEY });
  await emulator.start();
  db = monitorDb();
  clock = new FakeClock();
  randomValue = 0.5;
  checks = [];
  monitor = new MonitorService({
    db,
    sources: [
      {
        provider: 'together',
        available: () => true,
        fetch: (signal) =>
          fetchTogetherCatalogue({ apiKey: KEY, baseUrl: emulator.baseUrl, dispatcher }, signal),
      },
    ],
    now: clock.now,
    random: () => randomValue,
    timers: clock,
    newId: counter(),
    retryInitialMs: MINUTE,
    emit: (event, payload) => {
      if (event === 'monitor:check-finished') checks.push(payload as CheckResult);
    },
  });
});

afterEach(async () => {
  await monitor.stop();
  db.close();
  await emulator.stop();
});

afterAll(async () => {
  await dispatcher.close();
});

/** Moves the clock and waits for the checks that became due. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms);
  await monitor.idle();
}

function nextDelay(): number {
  const next = monitor.providerStatus('together').nextCheckAt;
  if (next === null) throw new Error('nothing scheduled');
  return next - clock.now();
}

describe('monitor schedule', () => {
  it('checks at start, then every interval (default 15 minutes) with the jitter the random source gives', async () => {
    monitor.start();
    expect(monitor.isRunning).toBe(true);
    await advance(0);
    expect(emulator.catalogueCalls).toBe(1);
    expect(nextDelay()).toBe(15 * MINUTE);
    await advance(15 * MINUTE - 1);
    expect(emulator.catalogueCalls).toBe(1);
    await advance(1);
    expect(emulator.catalogueCalls).toBe(2);
    expect(checks.map((check) => check.trigger)).toEqual(['scheduled', 'scheduled']);
  });

  it('keeps the jitter within ±10% of the interval', () => {
    const interval = 15 * MINUTE;
    const seen: number[] = [];
    for (const value of [0, 0.001, 0.25, 0.5, 0.75, 0.999, 1]) {
      randomValue = value;
      seen.push(monitor.jittered(interval));
    }
    expect(Math.min(...seen)).toBe(810_000);
    expect(Math.max(...seen)).toBe(990_000);
    for (const delay of seen) {
      expect(delay).toBeGreaterThanOrEqual(0.9 * interval);
      expect(delay).toBeLessThanOrEqual(1.1 * interval);
    }
  });

  it('schedules the next check within the jitter bounds', async () => {
    randomValue = 1;
    monitor.start();
    await advance(0);
    expect(nextDelay()).toBe(16.5 * MINUTE);
    randomValue = 0;
    await advance(16.5 * MINUTE);
    expect(nextDelay()).toBe(13.5 * MINUTE);
  });

  it('backs off after failed checks (1, 2, 4 … minutes, capped at the interval), then returns to the interval', async () => {
    monitor.start();
    await advance(0);
    emulator.catalogueFaults.push('error', 'empty', 'partial', 'error', 'truncated');
    await advance(15 * MINUTE);
    expect(checks.at(-1)?.status).toBe('failed');
    expect(nextDelay()).toBe(1 * MINUTE);
    const delays: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await advance(nextDelay());
      delays.push(nextDelay());
    }
    expect(delays).toEqual([2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 15 * MINUTE, 15 * MINUTE]);
    expect(checks.slice(-6).map((check) => check.trigger)).toEqual([
      'scheduled',
      'retry',
      'retry',
      'retry',
      'retry',
      'retry',
    ]);
    expect(checks.at(-1)?.status).toBe('ok');
    expect(monitor.providerStatus('together').consecutiveFailures).toBe(0);
  });

  it('a 429 with retry-after waits as long as the vendor asks before the next check', async () => {
    monitor.start();
    await advance(0);
    emulator.retryAfterSeconds = 10 * 60;
    emulator.catalogueFaults.push('ratelimit');
    await advance(15 * MINUTE);
    expect(checks.at(-1)).toMatchObject({ status: 'failed', failureKind: 'error' });
    expect(checks.at(-1)?.error).toMatch(/rate/i);
    // Not the 1-minute first backoff step: the vendor asked for 10 minutes.
    expect(nextDelay()).toBe(10 * MINUTE);
    const calls = emulator.catalogueCalls;
    await advance(10 * MINUTE - 1);
    expect(emulator.catalogueCalls).toBe(calls);
    await advance(1);
    expect(emulator.catalogueCalls).toBe(calls + 1);
    expect(checks.at(-1)).toMatchObject({ status: 'ok', trigger: 'retry' });
    // A hint past a day is not taken at its word: a day at most.
    emulator.retryAfterSeconds = 30 * 24 * 3600;
    emulator.catalogueFaults.push('ratelimit');
    await advance(nextDelay());
    expect(checks.at(-1)?.status).toBe('failed');
    expect(nextDelay()).toBe(24 * 60 * MINUTE);
  });

  it('"check now" runs at once and restarts the interval from then', async () => {
    monitor.start();
    await advance(0);
    await advance(5 * MINUTE);
    const [result] = await monitor.checkNow({ provider: 'together' });
    expect(result?.trigger).toBe('manual');
    expect(emulator.catalogueCalls).toBe(2);
    expect(nextDelay()).toBe(15 * MINUTE);
    expect(clock.delays()).toEqual([15 * MINUTE]);
    await advance(10 * MINUTE);
    expect(emulator.catalogueCalls).toBe(2);
  });

  it('follows a new interval setting and stops cleanly', async () => {
    monitor.start();
    await advance(0);
    expect(monitor.updateSettings({ intervalMinutes: 5 }).intervalMinutes).toBe(5);
    expect(nextDelay()).toBe(5 * MINUTE);
    expect(() => monitor.updateSettings({ intervalMinutes: 0 })).toThrowError(/intervalMinutes/);
    await monitor.stop();
    expect(monitor.isRunning).toBe(false);
    expect(clock.pending.size).toBe(0);
    await advance(60 * MINUTE);
    expect(emulator.catalogueCalls).toBe(1);
    expect(monitor.providerStatus('together').nextCheckAt).toBeNull();
  });

  it('a catalogue connection that stalls mid-answer is aborted by the check timeout, and the schedule goes on', async () => {
    monitor.start();
    await advance(0);
    emulator.catalogueFaults.push('stall');
    clock.advance(15 * MINUTE);
    while (emulator.catalogueCalls < 2) await new Promise((resolve) => setImmediate(resolve));
    // The check timeout (60 s by default) on the monitor's clock.
    await advance(60_000);
    expect(checks.at(-1)).toMatchObject({ status: 'failed', failureKind: 'error' });
    expect(checks.at(-1)?.error).toMatch(/did not answer within 60 s/);
    expect(nextDelay()).toBe(MINUTE);
    await advance(MINUTE);
    expect(checks.at(-1)).toMatchObject({ status: 'ok', trigger: 'retry' });
  });

  it('a check that hangs is aborted by the check timeout and counts as failed', async () => {
    const hanging = new MonitorService({
      db,
      sources: [
        {
          provider: 'together',
          available: () => true,
          fetch: (signal) =>
            new Promise((_resolve, reject) =>
              signal?.addEventListener('abort', () => reject(new Error('aborted')), {
                once: true,
              }),
            ),
        },
      ],
      now: clock.now,
      timers: clock,
      random: () => 0.5,
      checkTimeoutMs: 30_000,
    });
    const pending = hanging.checkNow({ provider: 'together' });
    clock.advance(30_000);
    const [result] = await pending;
    expect(result).toMatchObject({ status: 'failed', failureKind: 'error' });
    expect(result?.error).toMatch(/did not answer within 30 s/);
  });

  it('a check whose result cannot be stored (database held by another console) fails, is retried, and the schedule goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aideon-monitor-busy-'));
    const file = join(dir, 'console.db');
    const shared = openDatabase({ file });
    // A short wait for the lock, so the test does not sit out the console's 5 s.
    shared.pragma('busy_timeout = 20');
    const logs: string[] = [];
    const finished: CheckResult[] = [];
    const busy = new MonitorService({
      db: shared,
      sources: [
        {
          provider: 'together',
          available: () => true,
          fetch: (signal) =>
            fetchTogetherCatalogue({ apiKey: KEY, baseUrl: emulator.baseUrl, dispatcher }, signal),
        },
      ],
      now: clock.now,
      random: () => 0.5,
      timers: clock,
      newId: counter('busy'),
      retryInitialMs: MINUTE,
      log: (line) => logs.push(line),
      emit: (event, payload) => {
        if (event === 'monitor:check-finished') finished.push(payload as CheckResult);
      },
    });
    // Another console process on the same data folder, in the middle of a write.
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      busy.start();
      clock.advance(0);
      await busy.idle();
      expect(emulator.catalogueCalls).toBe(1);
      expect(finished.at(-1)).toMatchObject({ status: 'failed', failureKind: 'error' });
      expect(finished.at(-1)?.error).toMatch(/database/i);
      expect(finished.at(-1)?.error).not.toContain(KEY);
      // Still scheduled: a retry after the first backoff step.
      const next = busy.providerStatus('together').nextCheckAt;
      expect(next).not.toBeNull();
      expect((next ?? 0) - clock.now()).toBe(MINUTE);
      other.exec('COMMIT');
      clock.advance(MINUTE);
      await busy.idle();
      expect(emulator.catalogueCalls).toBe(2);
      expect(finished.at(-1)).toMatchObject({ status: 'ok', baseline: true });
      expect(busy.providerStatus('together').nextCheckAt).not.toBeNull();
    } finally {
      await busy.stop();
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      shared.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
