/**
 * `aideon controller` while another process holds its database's write lock (a console, `aideon
 * serve`, a bench run or an import on the same data folder). Real processes: the controller as
 * a child process (its lock-file lease and heartbeat in a real directory store), a standby
 * beside it, and the lock held by a real SQLite connection here.
 *
 * The controller's SQLite writes (its copy of each guard check) used to wait SQLite's 5 s busy
 * timeout with the whole process stopped: no lease renewal, no heartbeat, so a standby took
 * the lease over. Now a write waits at most the short busy wait, the check's record is kept and
 * written at the next tick the database takes it, and the lease and heartbeat go on. A
 * controller started while the lock is held (the database needs a migration) used to fail
 * after 5 s; now it says that it waits, and starts once the lock is free. The records it keeps
 * meanwhile are also kept in a file beside the database: a controller killed (SIGKILL) before
 * the lock is released writes them at its next start, instead of losing them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../../../src/main/rollout/stores/directory-store';
import { MIGRATIONS } from '../../../../src/main/store/migrations/index';
import type { WatchSettingsInput } from '../../../../src/shared/watch/watch-settings';
import { readDb } from '../../../helpers/cli-child';
import {
  startControllerProcess,
  type ControllerProcess,
} from '../../../helpers/controller-process';
import { holdWriteLock, folderOneMigrationBehind } from '../../../helpers/db-lock';
import { freePort } from '../../../helpers/free-port';
import { lockHolder } from '../../../helpers/lock-holder';
import { tempDir } from '../../../helpers/temp-dir';
import { makePublisher, memorySigner, sampleConfig, startDevRollout } from '../fixtures';

const TICK_MS = '300';
const LEASE_MS = '3000';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A directory store whose dev environment runs the first step (10 %) of a rollout with a long
 * bake, watched every 3 s with auto-rollback on. Its Prometheus does not answer (nothing
 * listens on the port), so every check fails as "metrics could not be read": the first one
 * pauses the rollout, and the paused step stays watched (auto-rollback), with a check and its
 * SQLite record every 3 s and no step or rollback to take.
 */
async function setUp() {
  const { dir, cleanup } = tempDir('aideon-ctl-busy-');
  cleanups.push(cleanup);
  const storeUri = `dir:${join(dir, 'store')}`;
  const store = new DirectoryStore({ root: join(dir, 'store') });
  cleanups.push(() => store.close());
  const alice = await memorySigner('alice');
  const admin = makePublisher(store, [alice], { now: Date.now });
  await admin.initTrust([alice.info], { dev: 1, staging: 1, production: 1, trust: 1 });
  await admin.publish('dev', sampleConfig());
  await startDevRollout(admin, { bakeMinutes: 60 });
  const settings: WatchSettingsInput = {
    environments: {
      dev: { prometheusUrl: `http://127.0.0.1:${await freePort()}`, autoRollback: true },
    },
    checkIntervalMinutes: 0.05,
    bakeMinutes: 60,
    tiers: [{ tier: 'free', minSuccessRate: 0.9 }],
  };
  const settingsFile = join(dir, 'watch.json');
  writeFileSync(settingsFile, JSON.stringify(settings));
  const controllers: ControllerProcess[] = [];
  cleanups.push(async () => {
    for (const controller of controllers) await controller.kill();
  });
  const start = (id: string, dataDir: string): ControllerProcess => {
    const controller = startControllerProcess(['--data-dir', dataDir], {
      AIDEON_STORE: storeUri,
      AIDEON_CONTROLLER_ID: id,
      AIDEON_WATCH_SETTINGS: settingsFile,
      AIDEON_CONTROLLER_TICK_MS: TICK_MS,
      AIDEON_CONTROLLER_LEASE_MS: LEASE_MS,
    });
    controllers.push(controller);
    return controller;
  };
  /** The heartbeat record's lastTickAt and role (undefined before the first one). */
  const heartbeat = async (id: string) => {
    const entry = await store.get(`controller/status/${id}`);
    return entry ? (JSON.parse(entry.value) as { lastTickAt: number; role: string }) : undefined;
  };
  return { dir, start, heartbeat };
}

const checksBetween = (dataDir: string, from: number, to: number): number =>
  readDb(
    dataDir,
    (db) =>
      (
        db
          .prepare(
            "SELECT COUNT(*) AS n FROM watch_checks WHERE env = 'dev' AND checked_at BETWEEN ? AND ?",
          )
          .get(from, to) as { n: number }
      ).n,
  ) ?? 0;

describe('the rollout controller while another process holds its database', () => {
  it('keeps its lease and heartbeat through a long lock, stays leader, and writes the checks it kept once the lock is free', async () => {
    const { dir, start, heartbeat } = await setUp();
    const leaderData = join(dir, 'leader');
    const leader = start('ctl-leader', leaderData);
    await leader.waitFor('the leader leads', (event) => event.type === 'leader_acquired');
    // A standby beside it (its own data folder): it takes the lease over if the leader stops
    // renewing it for a whole lease time.
    const standby = start('ctl-standby', join(dir, 'standby'));
    for (let i = 0; i < 300 && (await heartbeat('ctl-standby'))?.role !== 'standby'; i += 1)
      await pause(100);
    expect((await heartbeat('ctl-standby'))?.role).toBe('standby');
    // The first check (metrics unreadable) paused the rollout: checks and their records run.
    await leader.waitFor('the first check', (event) => event.type === 'paused', 30_000);

    const release = holdWriteLock(leaderData, (done) => cleanups.push(done));
    const lockedAt = Date.now();
    // Held for four checks' time, longer than the lease. The heartbeat's time is read every
    // 100 ms: the longest the leader went without one is measured from here.
    let last = (await heartbeat('ctl-leader'))?.lastTickAt ?? 0;
    let lastSeenAt = Date.now();
    let longestGap = 0;
    const roles = new Set<string>();
    while (Date.now() - lockedAt < 12_000) {
      await pause(100);
      const beat = await heartbeat('ctl-leader');
      if (beat) roles.add(beat.role);
      if (beat && beat.lastTickAt !== last) {
        longestGap = Math.max(longestGap, Date.now() - lastSeenAt);
        last = beat.lastTickAt;
        lastSeenAt = Date.now();
      }
    }
    longestGap = Math.max(longestGap, Date.now() - lastSeenAt);
    const releasedAt = Date.now();
    release();

    // Before: each check's record stopped the leader for the 5 s busy timeout, past its 3 s
    // lease; the standby took the lease over. The bound is the lease, not a figure.
    expect(longestGap).toBeLessThan(Number(LEASE_MS));
    expect([...roles]).toEqual(['leader']);
    expect(leader.events.filter((event) => event.type === 'leader_lost')).toEqual([]);
    expect(standby.events.filter((event) => event.type === 'leader_acquired')).toEqual([]);
    expect(leader.child.exitCode).toBeNull();

    // The checks made while the lock was held (one every 3 s) are written once it is free.
    for (let i = 0; i < 100 && checksBetween(leaderData, lockedAt, releasedAt) < 3; i += 1)
      await pause(100);
    expect(checksBetween(leaderData, lockedAt, releasedAt)).toBeGreaterThanOrEqual(3);
    // Said once for the busy spell, and its end (the child writes that line right after the
    // commit the loop above saw: it may still be on its way through the pipe).
    const freed = /check records: the database is free again/;
    for (let i = 0; i < 100 && !freed.test(leader.stderr()); i += 1) await pause(100);
    expect(leader.stderr().match(/check record\(s\) not written yet/g) ?? []).toHaveLength(1);
    expect(leader.stderr()).toMatch(freed);
    expect(await leader.stop()).toBe(0);
  }, 90_000);

  it('started while the lock is held (its database needs a migration): says it waits, and starts once the lock is free', async () => {
    const { dir, start } = await setUp();
    const dataDir = join(dir, 'upgraded');
    // A data folder from the version before: the start has a migration to write.
    folderOneMigrationBehind(dataDir);
    const release = holdWriteLock(dataDir, (done) => cleanups.push(done));
    const controller = start('ctl-late', dataDir);
    for (let i = 0; i < 300 && !/database is busy/.test(controller.stderr()); i += 1)
      await pause(100);
    expect(controller.stderr()).toMatch(
      /the database is busy \(another Aideon process on this data folder is writing\); waiting/,
    );
    // Held past the 5 s busy timeout the start used to fail on.
    await pause(6000);
    expect(controller.child.exitCode).toBeNull();
    release();
    await controller.waitFor('the controller leads', (event) => event.type === 'leader_acquired');
    expect(readDb(dataDir, (db) => db.pragma('user_version', { simple: true }) as number)).toBe(
      MIGRATIONS.at(-1)?.version,
    );
    expect(controller.stderr().match(/database is busy/g) ?? []).toHaveLength(1);
    expect(await controller.stop()).toBe(0);
  }, 90_000);

  it('killed while it keeps check records for a busy database: the next start writes them, once', async () => {
    const { dir, start } = await setUp();
    const dataDir = join(dir, 'killed');
    const journal = `${join(dataDir, 'aideon.sqlite')}.controller-ctl-killed.pending-checks.json`;
    const first = start('ctl-killed', dataDir);
    await first.waitFor('the first check', (event) => event.type === 'paused', 30_000);
    const release = holdWriteLock(dataDir, (done) => cleanups.push(done));
    const lockedAt = Date.now();
    // At least two checks (one every 3 s) made while the lock is held.
    for (let i = 0; i < 150 && !existsSync(journal); i += 1) await pause(100);
    expect(existsSync(journal)).toBe(true);
    const keptCount = (): number =>
      existsSync(journal) ? (JSON.parse(readFileSync(journal, 'utf8')) as unknown[]).length : 0;
    for (let i = 0; i < 150 && keptCount() < 2; i += 1) await pause(100);
    const kept = keptCount();
    expect(kept).toBeGreaterThanOrEqual(2);
    await first.kill();
    const killedAt = Date.now();
    release();
    // Lost with the process before: nothing of the held spell is in the database.
    expect(checksBetween(dataDir, lockedAt, killedAt)).toBe(0);

    const second = start('ctl-killed', dataDir);
    for (let i = 0; i < 300 && checksBetween(dataDir, lockedAt, killedAt) < kept; i += 1)
      await pause(100);
    expect(checksBetween(dataDir, lockedAt, killedAt)).toBe(kept);
    expect(second.stderr()).toMatch(
      /check record\(s\) kept while the database was busy before the last stop are written now/,
    );
    for (let i = 0; i < 100 && existsSync(journal); i += 1) await pause(100);
    expect(existsSync(journal)).toBe(false);
    expect(await second.stop()).toBe(0);
    // Written once: a third start finds nothing more to write.
    expect(checksBetween(dataDir, lockedAt, killedAt)).toBe(kept);
  }, 90_000);

  it('its log names the Aideon process that holds the lock (from the presence files beside the database)', async () => {
    const { dir, start } = await setUp();
    const dataDir = join(dir, 'named');
    const controller = start('ctl-named', dataDir);
    await controller.waitFor('the first check', (event) => event.type === 'paused', 30_000);
    const holder = await lockHolder(cleanups, dataDir, ['bench', 'import', 'run.tar']);
    const kept = /check record\(s\) not written yet[^\n]*/;
    for (let i = 0; i < 150 && !kept.test(controller.stderr()); i += 1) await pause(100);
    expect(controller.stderr().match(kept)?.[0]).toContain(
      `\`aideon bench import run.tar\` (pid ${holder.pid}, started `,
    );
    expect(controller.stderr().match(kept)?.[0]).toContain(') is writing to it; tried again');
    await holder.stop();
    expect(await controller.stop()).toBe(0);
  }, 90_000);
});
