import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  exportRunBundle,
  formatBundleImport,
  importRunBundle,
} from '../../../src/main/bench/run-bundle';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { listVotes } from '../../../src/main/review/review-repository';
import { ValidationError } from '../../../src/shared/errors';
import { finishedSandboxRun, testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function console_(actor: string) {
  const services = testServices({ env: { AIDEON_ACTOR: actor }, analyseVideos: false });
  cleanups.push(services.cleanup);
  return services;
}

function folder(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

function castVotes(
  services: ReturnType<typeof console_>,
  count: number,
  caller: { reviewer?: string } = {},
): void {
  for (let k = 0; k < count; k += 1) {
    const pair = services.review.nextPair(undefined, caller);
    expect(pair).not.toBeNull();
    services.review.castVote(pair!.token, k % 2 === 0 ? 'a' : 'tie', undefined, caller);
  }
}

const identity = (vote: ReturnType<typeof listVotes>[number]) => ({
  id: vote.id,
  voter: vote.voter,
  voterVia: vote.voterVia,
  verdict: vote.verdict,
  generationA: vote.generationA,
  generationB: vote.generationB,
  votedAt: vote.votedAt,
  pool: vote.pool,
});

describe('votes in run bundles', () => {
  it('travel with the run, keep who cast them, and merge without duplicates on every import', async () => {
    const source = console_('ann');
    const target = console_('zoe');
    const runId = await finishedSandboxRun(source);
    castVotes(source, 3); // ann, locally
    castVotes(source, 2, { reviewer: 'bob' }); // bob, with his reviewer token
    const bundle = join(folder(), 'run.tar');
    expect((await exportRunBundle(source.db, source.media, runId, bundle, 1)).votes).toBe(5);

    const first = importRunBundle(target.db, target.media, bundle);
    expect(first).toMatchObject({ runId, imported: true, votes: 5, votesAdded: 5 });
    expect(listVotes(target.db).map(identity)).toEqual(listVotes(source.db).map(identity));
    expect(listVotes(target.db).map((vote) => [vote.voter, vote.voterVia])).toEqual([
      ['ann', 'local'],
      ['ann', 'local'],
      ['ann', 'local'],
      ['bob', 'reviewer'],
      ['bob', 'reviewer'],
    ]);
    // The imported votes count in the ratings here, with agreement per reviewer.
    const ratings = await target.review.ratings();
    expect(ratings.totalVotes).toBe(5);
    expect(ratings.agreement!.reviewers.map((entry) => entry.reviewer).sort()).toEqual([
      'ann',
      'bob',
    ]);

    // Importing the same bundle again adds nothing.
    const again = importRunBundle(target.db, target.media, bundle);
    expect(again).toMatchObject({ imported: false, votes: 5, votesAdded: 0 });
    expect(listVotes(target.db)).toHaveLength(5);

    // Zoe votes here; Ann votes more there and exports again: only Ann's new votes arrive,
    // Zoe's stay, nothing is doubled.
    castVotes(target, 1);
    castVotes(source, 2);
    const later = join(folder(), 'later.tar');
    await exportRunBundle(source.db, source.media, runId, later, 2);
    const merged = importRunBundle(target.db, target.media, later);
    expect(merged).toMatchObject({ imported: false, votes: 7, votesAdded: 2 });
    expect(formatBundleImport(merged)).toMatch(/2 of its 7 votes were new here/);
    expect(listVotes(target.db)).toHaveLength(8);
    expect(listVotes(target.db).filter((vote) => vote.voter === 'zoe')).toHaveLength(1);
    const sourceIds = new Set(listVotes(source.db).map((vote) => vote.id));
    expect(listVotes(target.db).filter((vote) => sourceIds.has(vote.id))).toHaveLength(7);
    expect(importRunBundle(target.db, target.media, later).votesAdded).toBe(0);
  });

  it('refuses a bundle whose votes do not match its generations, storing nothing', async () => {
    const source = console_('ann');
    const target = console_('zoe');
    const runId = await finishedSandboxRun(source);
    castVotes(source, 2);
    const bundle = join(folder(), 'run.tar');
    await exportRunBundle(source.db, source.media, runId, bundle, 1);
    // Rewrite the manifest (same length, so the tar stays well-formed): the first vote now
    // names a model that did not make its video.
    const bytes = readFileSync(bundle);
    const text = bytes.toString('latin1');
    const vote = listVotes(source.db)[0]!;
    const wrong = vote.modelA.replace('sandbox', 'sandbax');
    const at = text.indexOf(`"model_a":"${vote.modelA}"`);
    expect(at).toBeGreaterThan(0);
    const tampered = `${text.slice(0, at)}"model_a":"${wrong}"${text.slice(at + `"model_a":"${vote.modelA}"`.length)}`;
    writeFileSync(bundle, Buffer.from(tampered, 'latin1'));
    let error: unknown;
    try {
      importRunBundle(target.db, target.media, bundle);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(String((error as Error).message)).toMatch(/votes\.\d+\.model_a/);
    expect(target.db.prepare('SELECT COUNT(*) AS n FROM runs WHERE id = ?').get(runId)).toEqual({
      n: 0,
    });
    expect(listVotes(target.db)).toHaveLength(0);
  });
});

describe('importing a bundle picked in the desktop app', () => {
  it('imports from the path main chose (no IPC body limit), reports a cancelled dialog, and is refused without a dialog', async () => {
    const source = console_('ann');
    const target = console_('zoe');
    const runId = await finishedSandboxRun(source);
    castVotes(source, 1);
    const bundle = join(folder(), 'run.tar');
    await exportRunBundle(source.db, source.media, runId, bundle, 1);
    const picks: (string | null)[] = [null, bundle];
    const desktop = createAppDispatcher(target, {
      checkOutputs: true,
      host: { pickBundleFile: async () => picks.shift() ?? null },
    });
    expect(await desktop.dispatch('bench:import-bundle-picked', {})).toEqual({
      ok: true,
      value: { cancelled: true },
    });
    expect(await desktop.dispatch('bench:import-bundle-picked', {})).toMatchObject({
      ok: true,
      value: { cancelled: false, result: { runId, imported: true, votes: 1, votesAdded: 1 } },
    });
    const browser = createAppDispatcher(target, { checkOutputs: true });
    expect(await browser.dispatch('bench:import-bundle-picked', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringMatching(/uploaded/) },
    });
  });
});
