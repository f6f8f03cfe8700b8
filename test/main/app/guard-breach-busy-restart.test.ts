/**
 * A guard breach's inbox entry that meets another process's write lock is written in the
 * background once the database is free (monitor-service.ts recordGuardBreachSoon). It used to
 * wait in memory only: a console stopped (SIGTERM) or killed while the lock was still held lost
 * it, and the admin's inbox never showed the breach. It is now also kept beside the database
 * (the mechanism the controller's check records use, store/pending-journal.ts) and written at
 * the next start, once.
 *
 * Through the real process: `aideon serve` (serveCommand in a child), a real Prometheus with no
 * series (every guard has no data: a breach), real SQLite with a second connection holding
 * BEGIN IMMEDIATE as another Aideon process would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdWriteLock } from '../../helpers/db-lock';
import { spawnEmptyPrometheus, type PrometheusProcess } from '../../helpers/prometheus-process';
import { serveCommandChild, type ServedChild as Served } from '../../helpers/serve-command-child';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void | Promise<void>)[] = [];
let prom: PrometheusProcess;

beforeAll(async () => {
  prom = await spawnEmptyPrometheus('aideon-breach-restart-prom-');
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await prom?.stop();
});

const serve = (dataDir: string): Promise<Served> => serveCommandChild(dataDir, cleanups);

type Inbox = { events: { kind: string; env?: string; status?: string; summary?: string }[] };
const breaches = (inbox: Inbox) => inbox.events.filter((event) => event.kind === 'guard_breached');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a guard breach met by a held database, then the console stopped', () => {
  it.each([
    ['stopped (SIGTERM)', 'SIGTERM', 0],
    ['killed (SIGKILL)', 'SIGKILL', null],
  ] as const)(
    '%s: reaches the inbox at the next start, exactly once',
    async (_, signal, code) => {
      const { dir } = tempDir('aideon-breach-restart-');
      const first = await serve(dir);
      await first.call('watch:save-settings', {
        settings: {
          environments: { dev: { prometheusUrl: prom.url } },
          tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
        },
      });
      const release = holdWriteLock(dir, (done) => cleanups.push(done));
      // A check by hand: every guard has no data (a breach); the inbox entry meets the lock.
      const report = await first.call<{ status: string }>('watch:check-now', { env: 'dev' });
      expect(report.status).toBe('no_data');
      for (let i = 0; i < 100 && !/guard breach/.test(first.output()); i += 1) await pause(50);
      expect(first.output()).toMatch(/database is busy; the dev guard breach goes into the inbox/);
      // Stopped while the lock is still held (an admin closing the console, a deploy's SIGTERM,
      // a crash).
      expect(await first.stop(signal)).toBe(code);
      release();

      const second = await serve(dir);
      let inbox = breaches(await second.call<Inbox>('monitor:list-inbox', {}));
      for (let i = 0; i < 100 && inbox.length === 0; i += 1) {
        await pause(100);
        inbox = breaches(await second.call<Inbox>('monitor:list-inbox', {}));
      }
      expect(inbox).toHaveLength(1);
      expect(inbox[0]).toMatchObject({ env: 'dev', status: 'no_data' });
      expect(inbox[0]?.summary).toMatch(/No requests reported for tier premium/);
      expect(second.output()).toMatch(/kept while the database was busy before the last stop/);
      expect(await second.stop()).toBe(0);

      // Started again: nothing is written twice.
      const third = await serve(dir);
      await pause(500);
      expect(breaches(await third.call<Inbox>('monitor:list-inbox', {}))).toHaveLength(1);
      expect(third.alive()).toBe(true);
      expect(await third.stop()).toBe(0);
    },
    120_000,
  );
});
