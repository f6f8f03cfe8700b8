/**
 * A production-watch breach lands in the monitor's inbox (one inbox, one unread count), through
 * the real services: real SQLite, a REAL Prometheus with the 8-day history (the regressed model
 * breaches), the IPC dispatcher's schemas, and migration 0090 upgrading an existing inbox.
 */
import Database from 'better-sqlite3';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { resourcesDir } from '../../../src/main/paths';
import { createServices, type Services } from '../../../src/main/services';
import type { WritableDb } from '../../../src/main/store/db';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { insertGuardBreach, listEvents } from '../../../src/main/monitor/monitor-repository';
import type { InboxEvent } from '../../../src/shared/monitor/monitor-schemas';
import type { WatchSettingsInput } from '../../../src/shared/watch/watch-settings';
import {
  HISTORY_END,
  startPrometheus,
  type PrometheusFixture,
} from '../../helpers/prometheus-server';
import { tempDir } from '../../helpers/temp-dir';

const END_MS = HISTORY_END * 1000;
let prom: PrometheusFixture;
let services: Services;
let closedUrl: string;
const cleanups: (() => void)[] = [];

function settings(url: string): WatchSettingsInput {
  return {
    environments: { production: { prometheusUrl: url } },
    guardWindow: '3h',
    tiers: [{ tier: 'premium', minSuccessRate: 0.92, maxP95LatencySeconds: 200 }],
  };
}

beforeAll(async () => {
  const promDir = tempDir('aideon-watch-inbox-prom-');
  cleanups.push(promDir.cleanup);
  prom = await startPrometheus({ dir: promDir.dir });
  const data = tempDir('aideon-watch-inbox-');
  cleanups.push(data.cleanup);
  services = createServices({
    dataDir: data.dir,
    resourcesDir: resourcesDir(),
    env: {},
    mode: 'browser',
    version: 'test',
    // The fixture's history ends at a fixed instant; the regression is in its last day.
    now: () => END_MS - 30 * 60000,
  });
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  closedUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 1}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}, 120000);

afterAll(async () => {
  await services?.close();
  await prom?.stop();
  cleanups.forEach((cleanup) => cleanup());
});

describe('guard breaches in the inbox', () => {
  it('a breach on the real history goes into the inbox and the unread count goes up, once', async () => {
    const dispatcher = createAppDispatcher(services);
    const emitted: string[] = [];
    const off = services.bus.on('watch:guard-breached', (event) => emitted.push(event.status));
    services.watch.saveSettings(settings(prom.url));
    const before = await dispatcher.dispatch('monitor:list-inbox', {});
    expect(before).toEqual({ ok: true, value: { events: [], unread: 0 } });

    const report = await services.watch.checkNow('production');
    expect(report.status).toBe('breach');
    expect(emitted).toEqual(['breach']);
    const after = await dispatcher.dispatch('monitor:list-inbox', {});
    if (!after.ok) throw new Error(after.error.message);
    const { events, unread } = after.value as { events: InboxEvent[]; unread: number };
    expect(unread).toBe(1);
    expect(services.monitor.getStatus().unread).toBe(1);
    const breach = events[0];
    if (breach?.kind !== 'guard_breached') throw new Error('expected a guard breach');
    expect(breach).toMatchObject({
      env: 'production',
      status: 'breach',
      action: null,
      stepVersion: null,
      at: END_MS - 30 * 60000,
      read: false,
    });
    expect(breach.summary).toContain('kling-2.1');
    expect(breach.summary).not.toContain('veo-3');

    // The same breach again, still unread: not added a second time (the event still fires).
    await services.watch.checkNow('production');
    expect(emitted).toEqual(['breach', 'breach']);
    expect(services.monitor.listInbox().unread).toBe(1);
    expect(services.monitor.listInbox().events).toHaveLength(1);

    // Once read, the next breach is new again.
    expect(services.monitor.markRead([breach.id])).toEqual({ marked: 1, unread: 0 });
    await services.watch.checkNow('production');
    expect(services.monitor.listInbox().unread).toBe(1);

    // An unreachable Prometheus is an inbox item too: "metrics unreadable", never healthy.
    services.watch.saveSettings(settings(closedUrl));
    const unreachable = await services.watch.checkNow('production');
    expect(unreachable.status).toBe('error');
    const inbox = services.monitor.listInbox();
    expect(inbox.unread).toBe(2);
    expect(inbox.events[0]).toMatchObject({ kind: 'guard_breached', status: 'error' });
    expect(inbox.events[0]?.summary).toContain('could not be reached');
    // Mark all read clears breaches and release events alike.
    expect(services.monitor.markRead().unread).toBe(0);
    off();
  });
});

describe('migration 0090', () => {
  it('keeps the existing inbox, order and read state, and accepts breaches without a provider', () => {
    const db = new Database(':memory:');
    const upTo80 = MIGRATIONS.filter((migration) => migration.version <= 80);
    migrate(db, upTo80);
    const insert = db.prepare(
      `INSERT INTO monitor_events (id, kind, provider, model_id, check_id, created_at, read_at, payload)
       VALUES (?, 'added', 'together', ?, 'c1', ?, ?, ?)`,
    );
    for (const [id, at, read] of [
      ['a', 5, null],
      ['b', 5, 9],
      ['c', 3, null],
    ] as const)
      insert.run(
        id,
        `m-${id}`,
        at,
        read,
        JSON.stringify({ id, kind: 'added', provider: 'together', modelId: `m-${id}`, at }),
      );
    migrate(db, MIGRATIONS);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(listEvents(db).map((event) => [event.id, event.read])).toEqual([
      ['b', true],
      ['a', false],
      ['c', false],
    ]);
    insertGuardBreach(db as WritableDb, {
      id: 'g',
      kind: 'guard_breached',
      env: 'production',
      status: 'no_data',
      action: 'paused',
      stepVersion: 7,
      at: 10,
      summary: 'premium: no data',
      read: false,
    });
    expect(listEvents(db, { unreadOnly: true }).map((event) => event.id)).toEqual(['g', 'a', 'c']);
    // A release event still needs its provider and model.
    expect(() =>
      db
        .prepare(
          "INSERT INTO monitor_events (id, kind, created_at, payload) VALUES ('x', 'added', 1, '{}')",
        )
        .run(),
    ).toThrow(/CHECK constraint/);
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT COUNT(*) FROM monitor_events WHERE read_at IS NULL')
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join(' ');
    expect(plan).toContain('monitor_events_unread');
    db.close();
  });
});
