/**
 * store/pending-journal.ts: each process (owner) keeps its own file of writes waiting for a busy
 * database, and the next start takes over the files the others left. Real files beside a real
 * SQLite database.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/store/db';
import {
  pendingJournal,
  pendingJournalFile,
  takeOverJournals,
  type JournalKind,
} from '../../../src/main/store/pending-journal';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const KIND: JournalKind = { before: 'waiting.', after: '', legacy: 'waiting' };
const item = z.object({ id: z.string() });
type Item = z.infer<typeof item>;

function folder() {
  const { dir, cleanup } = tempDir('aideon-pending-journal-');
  const db = openDatabase({ file: join(dir, 'aideon.sqlite') });
  cleanups.push(cleanup, () => db.close());
  const file = (owner: string) => pendingJournalFile(db, KIND, owner) as string;
  const journal = (owner: string) =>
    pendingJournal<Item>(file(owner), item, () => undefined, 'test', 'items');
  const takeOver = (owner: string) =>
    takeOverJournals<Item>(file(owner), KIND, item, () => undefined, 'test', 'items');
  return { dir, file, journal, takeOver };
}

const ids = (items: Item[]) => items.map((entry) => entry.id).sort();

describe('journals of several owners beside one database', () => {
  it("takes over the others' files and the legacy one, not its own nor unrelated files", () => {
    const { dir, file, journal, takeOver } = folder();
    journal('a').save([{ id: 'a1' }]);
    journal('b').save([{ id: 'b1' }, { id: 'b2' }]);
    journal('me').save([{ id: 'mine' }]);
    writeFileSync(join(dir, 'aideon.sqlite.waiting.json'), JSON.stringify([{ id: 'old' }]));
    const unrelated = [
      'other.sqlite.waiting.x.json',
      'aideon.sqlite.waiting.c.json.unreadable',
      'aideon.sqlite.waiting.d.json.77.tmp',
    ];
    for (const name of unrelated) writeFileSync(join(dir, name), '[]');

    const taken = takeOver('me');
    expect(ids(taken.items)).toEqual(['a1', 'b1', 'b2', 'old']);
    expect(taken.files).toBe(3);
    taken.release();
    expect(existsSync(file('a'))).toBe(false);
    expect(existsSync(file('b'))).toBe(false);
    expect(existsSync(join(dir, 'aideon.sqlite.waiting.json'))).toBe(false);
    expect(ids(journal('me').load())).toEqual(['mine']);
    for (const name of unrelated) expect(existsSync(join(dir, name))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes('-took-'))).toEqual([]);
  });

  it('a live owner that writes its file again after the take-over keeps the new file for the next start', () => {
    const { file, journal, takeOver } = folder();
    journal('a').save([{ id: 'a1' }]);
    const taken = takeOver('me');
    expect(ids(taken.items)).toEqual(['a1']);
    // Owner a is alive: its list changes and it writes its file again before the files taken
    // over are removed.
    journal('a').save([{ id: 'a1' }, { id: 'a2' }]);
    taken.release();
    expect(existsSync(file('a'))).toBe(true);
    expect(ids(takeOver('next').items)).toEqual(['a1', 'a2']);
  });

  it('killed after the take-over and before the release: the next start still finds the items', () => {
    const { takeOver, journal } = folder();
    journal('a').save([{ id: 'a1' }]);
    expect(ids(takeOver('me').items)).toEqual(['a1']);
    // No release (the process was killed): the file, renamed to this owner's name, stays.
    expect(ids(takeOver('next').items)).toEqual(['a1']);
  });
});
