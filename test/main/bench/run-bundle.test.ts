import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { exportRunBundle, importRunBundle } from '../../../src/main/bench/run-bundle';
import { runScorecard } from '../../../src/main/bench/scorecard-service';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { ValidationError } from '../../../src/shared/errors';
import { finishedSandboxRun, testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function console_() {
  const services = testServices({ analyseVideos: false });
  cleanups.push(services.cleanup);
  return services;
}

function folder(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

function mediaFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe('run bundles', () => {
  it('move a run between two data folders with every video verified; a second import changes nothing', async () => {
    const source = console_();
    const target = console_();
    const runId = await finishedSandboxRun(source);
    const bundle = join(folder(), 'run.tar');
    const exported = await exportRunBundle(
      source.db,
      source.media,
      runId,
      bundle,
      1_700_000_000_000,
    );
    const sourceRows = listGenerationRows(source.db, runId);
    const distinct = new Set(sourceRows.map((row) => row.media_id).filter(Boolean));
    // Content-addressed: generations that share a video share one entry.
    expect(exported.mediaFiles).toBe(distinct.size);
    expect(exported.mediaFiles).toBeLessThan(sourceRows.filter((row) => row.media_id).length);
    // A standard tar: the system's tar lists it.
    const listing = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' }).trim().split('\n');
    expect(listing[0]).toBe('aideon-bundle.json');
    expect(listing.slice(1).sort()).toEqual([...distinct].map((id) => `media/${id}`).sort());

    const result = importRunBundle(target.db, target.media, bundle);
    expect(result).toMatchObject({
      runId,
      imported: true,
      generations: sourceRows.length,
      mediaVerified: distinct.size,
      mediaAdded: distinct.size,
    });
    // Every video arrived with the bytes its id names.
    for (const id of distinct) {
      const bytes = readFileSync(target.media.pathOf(id!));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(id);
    }
    const strip = (rows: ReturnType<typeof listGenerationRows>) =>
      rows.map(({ outputs: _outputs, ...rest }) => rest);
    expect(strip(listGenerationRows(target.db, runId))).toEqual(strip(sourceRows));
    expect(runScorecard(target.db, runId)).toEqual(runScorecard(source.db, runId));
    // The imported run's videos can be reviewed in the new console.
    expect(target.review.nextPair()).not.toBeNull();

    const again = importRunBundle(target.db, target.media, bundle);
    expect(again).toMatchObject({ runId, imported: false, mediaAdded: 0 });
    expect(
      (
        target.db.prepare('SELECT COUNT(*) AS n FROM generations WHERE run_id = ?').get(runId) as {
          n: number;
        }
      ).n,
    ).toBe(sourceRows.length);
  });

  it('refuses a tampered bundle and writes nothing', async () => {
    const source = console_();
    const target = console_();
    const runId = await finishedSandboxRun(source);
    const bundle = join(folder(), 'run.tar');
    await exportRunBundle(source.db, source.media, runId, bundle, 1);
    const bytes = readFileSync(bundle);
    // Flip one byte inside the first video (just after the manifest and the video's header).
    const manifestSize = parseInt(bytes.toString('ascii', 124, 135), 8);
    const firstVideo = 512 + Math.ceil(manifestSize / 512) * 512 + 512;
    bytes[firstVideo + 100] = bytes[firstVideo + 100]! ^ 0xff;
    const tampered = join(folder(), 'tampered.tar');
    writeFileSync(tampered, bytes);
    const mediaBefore = mediaFiles(target.media.root);

    let error: unknown;
    try {
      importRunBundle(target.db, target.media, tampered);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(
      (error as ValidationError).message + JSON.stringify((error as ValidationError).toJSON()),
    ).toMatch(/media\/[0-9a-f]{64}.*changed after export/);
    expect(target.db.prepare('SELECT COUNT(*) AS n FROM runs WHERE id = ?').get(runId)).toEqual({
      n: 0,
    });
    expect(target.db.prepare('SELECT COUNT(*) AS n FROM generations').get()).toEqual({ n: 0 });
    expect(mediaFiles(target.media.root)).toEqual(mediaBefore);
  });

  it('refuses what is not a bundle, naming the problem', () => {
    const target = console_();
    const file = join(folder(), 'not.tar');
    writeFileSync(file, 'hello');
    expect(() => importRunBundle(target.db, target.media, file)).toThrow(ValidationError);
    expect(() => importRunBundle(target.db, target.media, join(folder(), 'missing.tar'))).toThrow(
      /Cannot read the bundle/,
    );
  });

  it('keeps the imported run apart from a different suite of the same id and version', async () => {
    const source = console_();
    const target = console_();
    const runId = await finishedSandboxRun(source);
    const bundle = join(folder(), 'run.tar');
    await exportRunBundle(source.db, source.media, runId, bundle, 1);
    target.db
      .prepare("UPDATE suites SET definition = '{\"changed\":true}' WHERE id = 'smoke'")
      .run();
    const result = importRunBundle(target.db, target.media, bundle);
    expect(result.suiteRenamedTo).toMatch(/^smoke-imported-[0-9a-f]{8}$/);
    expect(target.db.prepare('SELECT suite_id FROM runs WHERE id = ?').get(runId)).toEqual({
      suite_id: result.suiteRenamedTo,
    });
  });

  it('imports through the IPC channel the Benchmarks button uses', async () => {
    const source = console_();
    const target = console_();
    const runId = await finishedSandboxRun(source);
    const bundle = join(folder(), 'run.tar');
    await exportRunBundle(source.db, source.media, runId, bundle, 1);
    const dispatcher = createAppDispatcher(target, { checkOutputs: true });
    const answer = await dispatcher.dispatch('bench:import-bundle', {
      fileName: 'run.tar',
      contentBase64: readFileSync(bundle).toString('base64'),
    });
    expect(answer).toMatchObject({ ok: true, value: { runId, imported: true } });
    expect(existsSync(join(target.media.root, 'tmp'))).toBe(true);
    expect(readdirSync(join(target.media.root, 'tmp'))).toEqual([]);
  });

  it('refuses to bundle a run that has not ended', async () => {
    const source = console_();
    const { runId } = source.bench.startRun({
      suiteId: 'smoke',
      models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
      budgetUsd: 5,
    });
    await expect(
      exportRunBundle(source.db, source.media, runId, join(folder(), 'x.tar'), 1),
    ).rejects.toThrow(/has not ended/);
  });

  it('an export that fails half way leaves no bundle and no temporary file, and says why', async () => {
    const source = console_();
    const runId = await finishedSandboxRun(source);
    const ids = (
      source.db
        .prepare(
          'SELECT DISTINCT media_id FROM generations WHERE run_id = ? AND media_id IS NOT NULL',
        )
        .all(runId) as { media_id: string }[]
    ).map((row) => row.media_id);
    const dir = folder();
    const bundle = join(dir, 'run.tar');
    // Once the manifest is written (with each video's size), the videos shrink on disk: the
    // copy of the first one runs out of bytes part way.
    const failed = exportRunBundle(source.db, source.media, runId, bundle, 1, {
      onProgress: (written) => {
        if (written === 0) for (const id of ids) truncateSync(source.media.pathOf(id), 10);
      },
    });
    await expect(failed).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringMatching(
        new RegExp(
          `^The bundle was not written \\(the video [0-9a-f]{64} shrank while it was being read\\); nothing was left at ${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.$`,
        ),
      ),
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
