/**
 * Changes to a config store whose answer was lost and whose outcome could not be read back are
 * kept in the data folder (unconfirmed_commits) until a read of their environment settles them.
 * A store the data folder no longer publishes to is read by nothing here, so its rows used to
 * stay for good, unseen. Now they are shown where the admin looks at the store (the console's
 * Publishing overview, `aideon config store show`), and those of another store kept over 30
 * days are dropped when the console starts, with one log line naming each; the current
 * store's are never dropped (still owed: the console reads that store all the time).
 * Real SQLite, the real services and the real `aideon` command (in this process).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli/main';
import { resourcesDir } from '../../../src/main/paths';
import type { HistoryInput } from '../../../src/main/rollout/publish/history';
import {
  FORGOTTEN_UNCONFIRMED_MS,
  sqliteUnconfirmedCommits,
} from '../../../src/main/rollout/publish/unconfirmed-commits';
import { createServices, type Services } from '../../../src/main/services';
import { unconfirmedText } from '../../../src/shared/rollout/unconfirmed-text';
import { tempDir } from '../../helpers/temp-dir';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 5, 9, 0);
const OLD_STORE = 'etcd://ops:s3cret-pass@10.0.0.7:2379/aideon';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open(dataDir: string, log: string[] = []): Services {
  const services = createServices({
    dataDir,
    resourcesDir: resourcesDir(),
    env: {},
    mode: 'cli',
    version: 'test',
    now: () => NOW,
    log: (line) => log.push(line),
  });
  cleanups.push(() => services.close());
  return services;
}

const entry = (storeUri: string, environment: string, version: number): HistoryInput => ({
  at: NOW,
  actor: 'alice',
  action: 'rollback',
  storeUri,
  environment,
  version,
  digest: `sha256:${String(version).repeat(8)}`,
  keyIds: ['k1'],
  diffSummary: '',
  detail: {},
});

/** A data folder with kept changes: the current store's (old), and another store's (old, new). */
function folderWithKeptChanges(): { dataDir: string; currentStore: string } {
  const { dir, cleanup } = tempDir('aideon-unconfirmed-forgotten-');
  cleanups.push(cleanup);
  const dataDir = join(dir, 'data');
  const services = open(dataDir);
  const currentStore = services.publishing.storeUri();
  const keepAt = (at: number, key: string, kept: HistoryInput): void => {
    expect(
      sqliteUnconfirmedCommits(
        services.db,
        () => at,
        () => undefined,
      ).keep(key, kept),
    ).toBe(true);
  };
  keepAt(NOW - 40 * DAY, 'current-dev-7', entry(currentStore, 'dev', 7));
  keepAt(NOW - 40 * DAY, 'old-production-12', entry(OLD_STORE, 'production', 12));
  keepAt(NOW - 35 * DAY, 'old-production-13', entry(OLD_STORE, 'production', 13));
  keepAt(NOW - 10 * DAY, 'old-staging-4', entry(OLD_STORE, 'staging', 4));
  return { dataDir, currentStore };
}

describe('kept changes whose outcome is unknown', () => {
  it('are shown by store and environment, the current store told apart, a password hidden', async () => {
    const { dataDir, currentStore } = folderWithKeptChanges();
    const services = open(dataDir);
    const groups = services.publishing.unconfirmedOverview();
    expect(groups).toEqual([
      {
        storeUri: currentStore,
        environment: 'dev',
        count: 1,
        since: NOW - 40 * DAY,
        currentStore: true,
        dropAfterDays: 30,
      },
      {
        storeUri: 'etcd://ops:***@10.0.0.7:2379/aideon',
        environment: 'production',
        count: 2,
        since: NOW - 40 * DAY,
        currentStore: false,
        dropAfterDays: 30,
      },
      {
        storeUri: 'etcd://ops:***@10.0.0.7:2379/aideon',
        environment: 'staging',
        count: 1,
        since: NOW - 10 * DAY,
        currentStore: false,
        dropAfterDays: 30,
      },
    ]);
    // The console's overview carries them (with no trust in the store yet, too).
    expect((await services.publishing.overview()).unconfirmed).toEqual(groups);

    expect(unconfirmedText(groups[0]!)).toMatch(
      /^1 change to dev whose outcome is unknown \(since .+\): the store's answer was lost and it could not be read back\. It is checked at the next read of dev, and entered in the history if it went in\.$/,
    );
    expect(unconfirmedText(groups[1]!)).toMatch(
      /^2 changes to production of etcd:\/\/ops:\*\*\*@10\.0\.0\.7:2379\/aideon whose outcome is unknown \(since .+\): .+ This data folder no longer publishes to that store, so nothing here checks them: `aideon config history --store etcd:\/\/ops:\*\*\*@10\.0\.0\.7:2379\/aideon --env production` does\. Dropped 30 days after they were kept\.$/,
    );
    await services.close();

    // `aideon config store show`: the store, then one line per group.
    let stdout = '';
    const code = await runCli(['--data-dir', dataDir, 'config', 'store', 'show'], {
      stdout: (text) => (stdout += text),
      stderr: () => undefined,
      env: {},
      isTTY: false,
    });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${currentStore} (default)`);
    expect(lines.slice(1)).toEqual(groups.map((group) => `! ${unconfirmedText(group)}`));
    expect(stdout).not.toContain('s3cret');
  });

  it("those of a store no longer used, kept over 30 days, are dropped at the console's start with one log line; the rest stay", () => {
    const { dataDir } = folderWithKeptChanges();
    const log: string[] = [];
    const services = open(dataDir, log);
    services.publishing.start();
    const left = services.db.prepare('SELECT key FROM unconfirmed_commits ORDER BY key').all() as {
      key: string;
    }[];
    // The current store's are still owed, however old; the other store's young one stays.
    expect(left.map((row) => row.key)).toEqual(['current-dev-7', 'old-staging-4']);
    const dropped = log.filter((line) => line.includes('whose outcome was never known'));
    expect(dropped).toEqual([
      `config: dropped 2 commit(s) whose outcome was never known, kept over 30 days for a store this data folder no longer publishes to (their history entries, if they went in, were never recorded): the rollback of production version 12 on etcd://ops:***@10.0.0.7:2379/aideon (kept 2026-10-26 09:00 UTC); the rollback of production version 13 on etcd://ops:***@10.0.0.7:2379/aideon (kept 2026-10-31 09:00 UTC)`,
    ]);
    expect(FORGOTTEN_UNCONFIRMED_MS).toBe(30 * DAY);
  });
});
