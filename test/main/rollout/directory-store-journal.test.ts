/**
 * The directory store's commit journal: a commit of several keys is seen by readers (the
 * store's own get/list and consumers' openStoreReader) all at once or not at all, also while it
 * is being applied, and a publisher killed at any point of it (a real child process, SIGKILL)
 * leaves a store that the next writer finishes, or that never saw the commit. Real folders.
 */
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStoreReader } from '../../../src/consumer/store-reader';
import type { StoreWrite } from '../../../src/main/rollout/stores/config-store';
import {
  DirectoryStore,
  etagOf,
  JOURNAL_FILE,
  LOCK_FILE,
  type CommitPoint,
} from '../../../src/main/rollout/stores/directory-store';
import { commitKilledAt } from '../../helpers/directory-crash';
import { tempDir } from '../../helpers/temp-dir';

/** A promise with its resolve, to hold a commit at one of its points. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const OLD: Record<string, string> = {
  'dev/versions/1': 'v1',
  'dev/flags.json': 'flags-1',
  'dev/rollout/state': 'state-1',
  'dev/current': 'current-1',
  'dev/pending/old': 'pending',
};

/** A step-like commit: a new version, flags, state and current; one deletion. */
function step(store: Record<string, string>): StoreWrite[] {
  return [
    { key: 'dev/versions/2', value: 'v2', expect: null },
    { key: 'dev/flags.json', value: 'flags-2', expect: etagOf(store['dev/flags.json'] ?? '') },
    { key: 'dev/rollout/state', value: 'state-2' },
    { key: 'dev/pending/old', value: null },
    { key: 'dev/current', value: 'current-2', expect: etagOf(store['dev/current'] ?? '') },
  ];
}

const NEW: Record<string, string | undefined> = {
  'dev/versions/1': 'v1',
  'dev/versions/2': 'v2',
  'dev/flags.json': 'flags-2',
  'dev/rollout/state': 'state-2',
  'dev/current': 'current-2',
  'dev/pending/old': undefined,
};

describe('directory store commit journal', () => {
  let dir: string;
  let root: string;
  let cleanup: () => void;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('aideon-journal-'));
    root = join(dir, 'store');
    await new DirectoryStore({ root }).commit(
      Object.entries(OLD).map(([key, value]) => ({ key, value, expect: null })),
    );
  });
  afterEach(() => cleanup());

  /** Every key as the store, a second store instance and a consumer reader see it. */
  async function seen(): Promise<{
    store: Record<string, string | undefined>;
    consumer: Record<string, string | undefined>;
    list: string[];
  }> {
    const store = new DirectoryStore({ root });
    const reader = openStoreReader(`dir:${root}`);
    const out = {
      store: {} as Record<string, string | undefined>,
      consumer: {} as Record<string, string | undefined>,
      list: await store.list('dev/'),
    };
    for (const key of Object.keys(NEW)) {
      out.store[key] = (await store.get(key))?.value;
      out.consumer[key] = await reader.read(key);
    }
    return out;
  }

  const oldView = {
    store: { ...OLD, 'dev/versions/2': undefined },
    consumer: { ...OLD, 'dev/versions/2': undefined },
    list: Object.keys(OLD).sort(),
  };
  const newView = {
    store: NEW,
    consumer: NEW,
    list: Object.keys(NEW)
      .filter((key) => NEW[key] !== undefined)
      .sort(),
  };

  it.each<[CommitPoint, 'old' | 'new']>([
    ['journal-written', 'old'],
    ['journal-committed', 'new'],
    ['applied:dev/versions/2', 'new'],
    ['applied:dev/flags.json', 'new'],
    ['applied:dev/pending/old', 'new'],
    ['all-applied', 'new'],
  ])(
    'readers that read while a commit is held at %s see the %s store, whole',
    async (point, view) => {
      const held = gate();
      const reached = gate();
      const writer = new DirectoryStore({
        root,
        onCommitPoint: async (at) => {
          if (at !== point) return;
          reached.open();
          await held.wait;
        },
      });
      const commit = writer.commit(step(OLD));
      await reached.wait;
      expect(await seen()).toEqual(view === 'old' ? oldView : newView);
      held.open();
      await commit;
      expect(await seen()).toEqual(newView);
      expect(existsSync(join(root, JOURNAL_FILE))).toBe(false);
    },
  );

  it.each<[CommitPoint, 'old' | 'new']>([
    ['journal-written', 'old'],
    ['journal-committed', 'new'],
    ['applied:dev/flags.json', 'new'],
    ['applied:dev/pending/old', 'new'],
    ['all-applied', 'new'],
  ])(
    'a publisher killed at %s: readers see the %s store, and the next commit finishes or ignores it',
    async (point, view) => {
      await commitKilledAt(root, step(OLD), point);
      expect(existsSync(join(root, LOCK_FILE))).toBe(true);
      expect(await seen()).toEqual(view === 'old' ? oldView : newView);

      // The next publisher breaks the dead one's stale lock and commits on top of what readers saw.
      const next = new DirectoryStore({ root });
      const current = await next.get('dev/current');
      await next.commit([{ key: 'dev/current', value: 'current-3', expect: current?.etag }]);
      const after = view === 'old' ? { ...OLD } : { ...NEW };
      after['dev/current'] = 'current-3';
      const files: Record<string, string | undefined> = {};
      for (const key of Object.keys(NEW))
        files[key] = existsSync(join(root, key))
          ? readFileSync(join(root, key), 'utf8')
          : undefined;
      expect(files).toEqual({ ...after, 'dev/versions/2': after['dev/versions/2'] });
      // No journal, journal temp file, key temp file or lock is left.
      expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
      for (const folder of ['dev', 'dev/versions', 'dev/rollout', 'dev/pending'])
        if (existsSync(join(root, folder)))
          expect(readdirSync(join(root, folder)).filter((name) => name.startsWith('.'))).toEqual(
            [],
          );
    },
  );

  it('a journal temp file cut short by a crash is never read, and the next commit deletes it', async () => {
    const full = JSON.stringify({ schema: 'aideon.dir-commit/1', id: 'x', writes: step(OLD) });
    const temp = join(root, '.commit-journal.4242.7.tmp');
    writeFileSync(temp, full.slice(0, full.length / 2));
    expect(await seen()).toEqual(oldView);
    const store = new DirectoryStore({ root });
    await store.commit([{ key: 'dev/current', value: 'current-3', expect: etagOf('current-1') }]);
    expect(existsSync(temp)).toBe(false);
    expect(await seen()).toEqual({
      ...oldView,
      store: { ...oldView.store, 'dev/current': 'current-3' },
      consumer: { ...oldView.consumer, 'dev/current': 'current-3' },
    });
  });

  it('a publisher killed mid-commit: the next commit checks its etags against the finished commit', async () => {
    await commitKilledAt(root, step(OLD), 'applied:dev/versions/2');
    const next = new DirectoryStore({ root });
    // Written against the store before the dead commit: refused, nothing written.
    await expect(
      next.commit([{ key: 'dev/current', value: 'x', expect: etagOf('current-1') }]),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(readFileSync(join(root, 'dev/current'), 'utf8')).toBe('current-2');
    expect(existsSync(join(root, JOURNAL_FILE))).toBe(false);
  });

  it('two publishers racing after a crash: one breaks the stale lock and finishes the dead commit, one wins the swap', async () => {
    await commitKilledAt(root, step(OLD), 'applied:dev/flags.json');
    const racers = [new DirectoryStore({ root }), new DirectoryStore({ root })];
    const read = await Promise.all(racers.map((store) => store.get('dev/current')));
    expect(read.map((entry) => entry?.value)).toEqual(['current-2', 'current-2']);
    const results = await Promise.allSettled(
      racers.map((store, index) =>
        store.commit([
          { key: 'dev/current', value: `current-3-${index}`, expect: read[index]?.etag },
          { key: 'dev/flags.json', value: `flags-3-${index}` },
        ]),
      ),
    );
    const won = results.findIndex((result) => result.status === 'fulfilled');
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results[1 - won]).toMatchObject({ reason: { code: 'conflict' } });
    expect(await seen()).toEqual({
      store: { ...NEW, 'dev/current': `current-3-${won}`, 'dev/flags.json': `flags-3-${won}` },
      consumer: { ...NEW, 'dev/current': `current-3-${won}`, 'dev/flags.json': `flags-3-${won}` },
      list: newView.list,
    });
    expect(readFileSync(join(root, 'dev/rollout/state'), 'utf8')).toBe('state-2');
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('a damaged journal: readers and writers refuse with an error naming it, nothing is written', async () => {
    await commitKilledAt(root, step(OLD), 'journal-committed');
    const journal = join(root, JOURNAL_FILE);
    writeFileSync(journal, readFileSync(journal, 'utf8').replace('flags-2', 'flags-X'));
    const store = new DirectoryStore({ root });
    await expect(store.get('dev/current')).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringContaining(`${journal} is damaged (checksum mismatch)`),
    });
    await expect(openStoreReader(`dir:${root}`).read('dev/flags.json')).rejects.toThrow(
      `${journal} is damaged`,
    );
    await expect(store.commit([{ key: 'dev/current', value: 'y' }])).rejects.toMatchObject({
      code: 'storage_failed',
    });
    writeFileSync(journal, '{"schema":"aideon.dir-commit/1","id":"x","wri');
    await expect(store.list('dev/')).rejects.toThrow(/is damaged \(not JSON\)/);
    expect(readFileSync(join(root, 'dev/current'), 'utf8')).toBe('current-1');
  });

  it('a key changed after the crash by a writer that ignores the journal: the commit is not finished over it', async () => {
    await commitKilledAt(root, step(OLD), 'applied:dev/versions/2');
    // An older console that knows nothing of the journal writes current directly.
    writeFileSync(join(root, 'dev/current'), 'written-by-old-software');
    const store = new DirectoryStore({ root });
    await expect(store.commit([{ key: 'other', value: '1' }])).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringMatching(/unfinished commit .* but dev\/current changed since/),
    });
    expect(readFileSync(join(root, 'dev/current'), 'utf8')).toBe('written-by-old-software');
    expect(readFileSync(join(root, 'dev/flags.json'), 'utf8')).toBe('flags-1');
    expect(existsSync(join(root, 'other'))).toBe(false);
  });

  it('a publisher paused past the stale-lock time: the breaker finishes its commit, and it does not write over what came after', async () => {
    const held = gate();
    const reached = gate();
    const slow = new DirectoryStore({
      root,
      onCommitPoint: async (at) => {
        if (at !== 'applied:dev/versions/2') return;
        reached.open();
        await held.wait;
      },
    });
    const slowCommit = slow.commit(step(OLD));
    await reached.wait;
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(join(root, LOCK_FILE), old, old);
    const other = new DirectoryStore({ root });
    await other.commit([
      { key: 'dev/current', value: 'current-3', expect: etagOf('current-2') },
      { key: 'dev/flags.json', value: 'flags-3', expect: etagOf('flags-2') },
    ]);
    held.open();
    // Its commit did happen (finished by the other publisher): it reports success.
    await slowCommit;
    expect(readFileSync(join(root, 'dev/current'), 'utf8')).toBe('current-3');
    expect(readFileSync(join(root, 'dev/flags.json'), 'utf8')).toBe('flags-3');
    expect(readFileSync(join(root, 'dev/rollout/state'), 'utf8')).toBe('state-2');
  });

  it('racing publishers: every reader sees each commit whole (a key read later is never behind one read earlier)', async () => {
    await new DirectoryStore({ root }).commit([
      { key: 'n/a', value: '0' },
      { key: 'n/b', value: '0' },
    ]);
    const publishers = Array.from({ length: 3 }, () => new DirectoryStore({ root }));
    let done = false;
    const violations: string[] = [];
    let reads = 0;
    const reader = (async () => {
      const consumer = openStoreReader(`dir:${root}`);
      while (!done) {
        // The commit writes a then b: read in that order, b must never be behind a.
        const a = Number(await consumer.read('n/a'));
        const b = Number(await consumer.read('n/b'));
        reads += 1;
        if (b < a) violations.push(`a=${a} b=${b}`);
      }
    })();
    const perPublisher = 15;
    await Promise.all(
      publishers.map(async (store) => {
        for (let done = 0; done < perPublisher;) {
          const a = await store.get('n/a');
          const next = String(Number(a?.value) + 1);
          try {
            await store.commit([
              { key: 'n/a', value: next, expect: a?.etag },
              { key: 'n/b', value: next },
            ]);
            done += 1;
          } catch (error) {
            if ((error as { code?: string }).code !== 'conflict') throw error;
          }
        }
      }),
    );
    done = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    const store = new DirectoryStore({ root });
    expect((await store.get('n/a'))?.value).toBe(String(3 * perPublisher));
    expect((await store.get('n/b'))?.value).toBe(String(3 * perPublisher));
  });
});
