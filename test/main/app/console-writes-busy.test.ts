/**
 * The interactive console (desktop main process, `aideon serve`) while another Aideon process
 * (the CLI, a second console, the rollout controller) holds SQLite's write lock. Its one thread
 * serves every window: a write that waited out SQLite's 5 s busy timeout froze every window's
 * IPC, timers and events for 5 s per write. Now the console's connection waits briefly
 * (CONSOLE_BUSY_TIMEOUT_MS) and then:
 * - an action an admin is waiting on is answered at once with the retryable "database is busy"
 *   error, nothing changed, and works when tried again after the lock is released;
 * - a write nobody would try again (a guard breach's inbox entry, the monitor's models in use)
 *   is made in the background once the database is free.
 * Real SQLite: a second connection holds BEGIN IMMEDIATE as another process would.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listModelsInUse } from '../../../src/main/monitor/monitor-repository';
import { modelsInUseSyncer } from '../../../src/main/monitor/models-in-use';
import { sleep } from '../../../src/main/services';
import { CONSOLE_BUSY_TIMEOUT_MS } from '../../../src/main/store/busy-retry';
import type { Result } from '../../../src/shared/ipc/result';
import { okValue, openTestConsole } from '../../helpers/test-console';
import { seedGenerations } from '../review/seed-review';
import { gapMeter, holdWriteLock as lockHeldBy } from '../../helpers/db-lock';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const holdWriteLock = (dataDir: string): (() => void) =>
  lockHeldBy(dataDir, (release) => cleanups.push(release));

const SUITE = {
  definition: {
    name: 'Held',
    settings: {},
    prompts: [{ id: 'p1', text: 'a kite over a beach' }],
  },
};

describe('the console while another process holds the database', () => {
  it('makes each write again until its patience runs out, then answers a retryable error naming the cause; never stops the thread; each works once the lock is free', async () => {
    // A short patience (AIDEON_BUSY_PATIENCE_MS): each write is tried again for 300 ms.
    const wired = openTestConsole(cleanups, { busyPatienceMs: 300 });
    await wired.ready;
    const { dispatcher, services } = wired;
    expect(services.db.pragma('busy_timeout', { simple: true })).toBe(CONSOLE_BUSY_TIMEOUT_MS);
    seedGenerations(services.db, { models: ['sandbox:m1', 'sandbox:m2'], prompts: 2 });
    const draft = okValue<{ config: unknown; revision: number }>(
      await dispatcher.dispatch('routing:get-draft', {}),
    );
    const watchSettings = okValue<Record<string, unknown>>(
      await dispatcher.dispatch('watch:get-settings', {}),
    );
    const pair = okValue<{ pair: { token: string } | null }>(
      await dispatcher.dispatch('review:next-pair', {}),
    ).pair;
    expect(pair).not.toBeNull();
    const storeUri = `dir:${join(wired.dataDir, 'other-store')}`;
    const writes: [string, unknown][] = [
      ['suites:save', SUITE],
      ['routing:save-draft', { config: draft.config, expectedRevision: draft.revision }],
      ['watch:save-settings', { settings: { ...watchSettings, checkIntervalMinutes: 7 } }],
      ['monitor:update-settings', { intervalMinutes: 45 }],
      ['monitor:mark-read', {}],
      ['review:cast-vote', { token: pair?.token, verdict: 'a' }],
      ['publish:set-store', { storeUri }],
    ];

    const release = holdWriteLock(wired.dataDir);
    const meter = gapMeter();
    const locked: Record<string, Result<unknown>> = {};
    try {
      for (const [channel, input] of writes) {
        locked[channel] = await dispatcher.dispatch(channel, input);
        // Each IPC message is its own task in the app: let timers run between them, so the
        // gap measured is one write's, not the seven's added up.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      // A read still answers meanwhile (WAL: readers do not wait for the writer).
      expect(await dispatcher.dispatch('watch:get-settings', {})).toMatchObject({ ok: true });
    } finally {
      meter.stop();
    }
    for (const [channel] of writes) {
      expect(locked[channel], channel).toMatchObject({
        ok: false,
        error: { code: 'conflict', retryable: true },
      });
      const message = (locked[channel] as { error: { message: string } }).error.message;
      expect(message, channel).toMatch(/busy/);
      expect(message, channel).toMatch(/again/);
      expect(message, channel).toMatch(/another Aideon process/);
      expect(message, channel).toMatch(/Nothing was changed/);
      expect(message, channel).not.toMatch(/inside the console/);
    }
    // Before: each write waited SQLite's 5 s busy timeout on this thread (7 writes, 35 s of
    // frozen windows). Generous bound: one short busy wait plus a loaded machine's slack.
    expect(meter.worst()).toBeLessThan(1000);

    // Nothing was changed by the refused writes.
    expect(
      okValue<{ revision: number }>(await dispatcher.dispatch('routing:get-draft', {})).revision,
    ).toBe(draft.revision);
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM votes').get()).toEqual({ n: 0 });

    release();
    for (const [channel, input] of writes)
      expect(await dispatcher.dispatch(channel, input), channel).toMatchObject({ ok: true });
    expect(
      okValue<{ checkIntervalMinutes: number }>(await dispatcher.dispatch('watch:get-settings', {}))
        .checkIntervalMinutes,
    ).toBe(7);
    expect(
      okValue<{ settings: { intervalMinutes: number } }>(
        await dispatcher.dispatch('monitor:get-status', {}),
      ).settings.intervalMinutes,
    ).toBe(45);
    // The vote kept its pair open while refused; it is stored once now.
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM votes').get()).toEqual({ n: 1 });
    expect(
      okValue<{ storeUri: string }>(await dispatcher.dispatch('publish:get-overview', {})).storeUri,
    ).toBe(storeUri);
  }, 30_000);

  it('a cancel that meets the lock changes nothing, and cancels once tried again', async () => {
    // The sandbox at its real pace: the run is still going when it is cancelled.
    const wired = openTestConsole(cleanups, { sandboxTimeScale: 1, busyPatienceMs: 300 });
    await wired.ready;
    const { dispatcher, services } = wired;
    // A run this console drives, slow enough to be cancelled mid-way.
    const { runId } = okValue<{ runId: string }>(
      await dispatcher.dispatch('bench:start-run', {
        suiteId: 'smoke',
        models: [{ provider: 'sandbox', modelId: 'sandbox-pro' }],
        budgetUsd: 5,
      }),
    );
    const release = holdWriteLock(wired.dataDir);
    const answer = await dispatcher.dispatch('bench:cancel-run', { runId });
    expect(answer).toMatchObject({ ok: false, error: { code: 'conflict', retryable: true } });
    // Not halted in this process while still `running` on disk (the next start, or the next
    // follow tick, would resume it and send its queued generations after all).
    const runs = (services.bench as unknown as { runs: Map<string, { cancelled?: boolean }> }).runs;
    expect(runs.get(runId)?.cancelled).not.toBe(true);
    expect(
      okValue<{ run: { state: string } }>(await dispatcher.dispatch('bench:get-run', { runId })).run
        .state,
    ).toBe('running');
    release();
    expect(await dispatcher.dispatch('bench:cancel-run', { runId })).toMatchObject({ ok: true });
    const run = okValue<{ run: { state: string } }>(
      await dispatcher.dispatch('bench:get-run', { runId }),
    );
    expect(run.run.state).toBe('cancelled');
  }, 30_000);

  it('a guard breach found while the lock is held: the check answers, the breach reaches the inbox once it is free', async () => {
    const lines: string[] = [];
    const wired = openTestConsole(cleanups, { lines });
    await wired.ready;
    const { dispatcher } = wired;
    const inbox = async () =>
      okValue<{ events: { kind: string; env?: string }[] }>(
        await dispatcher.dispatch('monitor:list-inbox', {}),
      ).events.filter((event) => event.kind === 'guard_breached');
    expect(await inbox()).toEqual([]);
    const release = holdWriteLock(wired.dataDir);
    const meter = gapMeter();
    // No Prometheus is set for production: the check is not healthy, a breach for the inbox.
    const report = await dispatcher.dispatch('watch:check-now', { env: 'production' });
    meter.stop();
    expect(report).toMatchObject({ ok: true });
    expect((report as { value: { status: string } }).value.status).not.toBe('pass');
    expect(meter.worst()).toBeLessThan(1000);
    expect(lines.some((line) => /inbox once it is free/.test(line))).toBe(true);
    // Checked again while still locked: its record is skipped again, logged once per busy spell.
    expect(await dispatcher.dispatch('watch:check-now', { env: 'production' })).toMatchObject({
      ok: true,
    });
    expect(lines.filter((line) => /check record was not kept/.test(line))).toHaveLength(1);
    expect(await inbox()).toEqual([]);
    release();
    for (let waited = 0; waited < 10_000 && (await inbox()).length === 0; waited += 50)
      await sleep(50);
    expect(await inbox()).toMatchObject([{ kind: 'guard_breached', env: 'production' }]);
  }, 30_000);

  it('the models in use, when a publish meets the lock: kept for now, written once the database is free', async () => {
    const lines: string[] = [];
    const wired = openTestConsole(cleanups, { lines });
    await wired.ready;
    const { services } = wired;
    const config = {
      schemaVersion: 1,
      tiers: { free: { targets: [{ provider: 'sandbox', model: 'sandbox-fast' }] } },
    };
    const syncer = modelsInUseSyncer({
      publishedConfigs: async () => [
        {
          environment: 'production',
          live: { config, version: 1 },
          problem: null,
        } as never,
      ],
      monitor: services.monitor,
      log: (line) => lines.push(line),
      busyRetryMs: 50,
    });
    cleanups.push(() => syncer.stop());
    const release = holdWriteLock(wired.dataDir);
    // Before: the busy error rejected the sync (an unhandled rejection from the publish event).
    expect(await syncer.request()).toMatchObject({ status: 'kept', busy: true });
    expect(listModelsInUse(services.db)).toEqual([]);
    await sleep(200);
    release();
    for (let waited = 0; waited < 10_000 && listModelsInUse(services.db).length === 0; waited += 50)
      await sleep(50);
    await syncer.idle();
    expect(listModelsInUse(services.db).map((row) => row.modelId)).toEqual(['sandbox-fast']);
  }, 30_000);
});
