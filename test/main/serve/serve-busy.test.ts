/**
 * `aideon serve` while another Aideon process (the CLI, a second console, the rollout
 * controller) holds the database's write lock, end to end over HTTP: a write is made again by
 * the server while the lock is held (up to the busy patience), the server goes on answering
 * everything else meanwhile (its one thread is never stopped for SQLite's 5 s busy timeout),
 * and the write goes through once the lock is released, with nobody sending it again; past
 * the patience it is answered with a retryable error saying what holds the database. A console started while the lock is held
 * starts once it is free instead of failing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../src/main/paths';
import { serveCommand } from '../../../src/main/serve/serve-command';
import { createServices, sleep } from '../../../src/main/services';
import { tempDir } from '../../helpers/temp-dir';
import {
  gapMeter,
  holdWriteLock as lockHeldBy,
  folderOneMigrationBehind,
} from '../../helpers/db-lock';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function folders(): { dataDir: string; rendererDir: string } {
  const { dir, cleanup } = tempDir('aideon-serve-busy-');
  cleanups.push(cleanup);
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
  return { dataDir: join(dir, 'data'), rendererDir };
}

interface Served {
  call: (channel: string, input: unknown) => Promise<{ status: number; body: unknown }>;
  page: () => Promise<number>;
  done: Promise<void>;
}

/** Starts `aideon serve` in this process; resolves once its URL is printed. */
async function serve(
  dataDir: string,
  rendererDir: string,
  stderr: (text: string) => void = () => undefined,
  env: NodeJS.ProcessEnv = {},
): Promise<Served> {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let url: URL | undefined;
  const done = serveCommand({
    options: {
      dataDir,
      resourcesDir: resourcesDir(),
      env,
      version: 'test',
      analyseVideos: false,
      publishTickMs: 3_600_000,
    },
    rendererDir,
    port: 0,
    stdout: (text) => {
      const match = /^AIDEON_URL=(\S+)$/m.exec(text);
      if (match?.[1]) url = new URL(match[1]);
    },
    stderr,
    log: () => undefined,
    untilStopped: () => stopped,
  });
  cleanups.push(async () => {
    stop();
    await done.catch(() => undefined);
  });
  while (!url) await sleep(5);
  const origin = url.origin;
  const token = url.hash.replace(/^#token=/, '');
  return {
    done,
    call: async (channel, input) => {
      const answer = await request(`${origin}/api/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return { status: answer.statusCode, body: await answer.body.json() };
    },
    page: async () => {
      const answer = await request(`${origin}/`);
      await answer.body.text();
      return answer.statusCode;
    },
  };
}

const holdWriteLock = (dataDir: string): (() => void) =>
  lockHeldBy(dataDir, (release) => cleanups.push(release));

const SUITE = {
  definition: {
    name: 'Held over HTTP',
    settings: {},
    prompts: [{ id: 'p1', text: 'a lantern on a river' }],
  },
};

describe('aideon serve while another process holds the database', () => {
  it('makes a write again while the lock is held, stays up meanwhile, and the write goes through once the lock is free', async () => {
    const { dataDir, rendererDir } = folders();
    const served = await serve(dataDir, rendererDir);
    // Waits for the services (API calls are held until they are ready).
    expect((await served.call('app:get-info', {})).body).toMatchObject({ ok: true });
    const release = holdWriteLock(dataDir);
    const meter = gapMeter();
    let answered = false;
    const saving = served.call('suites:save', SUITE).finally(() => (answered = true));
    try {
      // The server goes on answering meanwhile: the API, reads, and its static files.
      expect((await served.call('app:get-info', {})).body).toMatchObject({ ok: true });
      expect((await served.call('suites:list', {})).body).toMatchObject({ ok: true });
      expect(await served.page()).toBe(200);
      await sleep(1000);
    } finally {
      meter.stop();
    }
    // Before: answered at once with "busy, try again", and the admin had to press again.
    expect(answered).toBe(false);
    // Before that: each write held the server's thread for SQLite's 5 s busy timeout.
    expect(meter.worst()).toBeLessThan(1000);
    release();
    const saved = await saving;
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ ok: true, value: { version: 1 } });
    const suites = (await served.call('suites:list', {})).body as { value: { name: string }[] };
    expect(suites.value.filter((suite) => suite.name === SUITE.definition.name)).toHaveLength(1);
  }, 30_000);

  it('a write the lock outlasts (AIDEON_BUSY_PATIENCE_MS): a retryable error saying another process holds the database and what to do', async () => {
    const { dataDir, rendererDir } = folders();
    const served = await serve(dataDir, rendererDir, () => undefined, {
      AIDEON_BUSY_PATIENCE_MS: '500',
    });
    expect((await served.call('app:get-info', {})).body).toMatchObject({ ok: true });
    const release = holdWriteLock(dataDir);
    const refused = await served.call('suites:save', SUITE);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        retryable: true,
        message: expect.stringMatching(
          /stayed busy for 500 ms.*another Aideon process on this data folder.*Nothing was changed\. Let that process finish or close it, then try again/,
        ),
      },
    });
    release();
    expect((await served.call('suites:save', SUITE)).body).toMatchObject({
      ok: true,
      value: { version: 1 },
    });
  }, 30_000);

  it('started while the lock is held: it comes up once the lock is free instead of failing', async () => {
    const { dataDir, rendererDir } = folders();
    // A data folder another process has used (schema and built-in suites in place).
    await createServices({
      dataDir,
      resourcesDir: resourcesDir(),
      env: {},
      mode: 'cli',
      version: 'test',
    }).close();
    const release = holdWriteLock(dataDir);
    const served = await serve(dataDir, rendererDir);
    const info = served.call('app:get-info', {});
    // Held past the 5 s busy timeout the start used to fail on.
    await sleep(5500);
    release();
    expect((await info).body).toMatchObject({ ok: true, value: { mode: 'browser' } });
    expect((await served.call('suites:save', SUITE)).body).toMatchObject({ ok: true });
  }, 30_000);

  it('started while the lock is held on a database that needs a migration: says it waits, answers calls with why, and comes up once the lock is free', async () => {
    const { dataDir, rendererDir } = folders();
    // A data folder from the version before: the start has a migration to write.
    folderOneMigrationBehind(dataDir);
    const release = holdWriteLock(dataDir);
    let stderr = '';
    const served = await serve(dataDir, rendererDir, (text) => (stderr += text));
    // Held past the 5 s busy timeout the start used to fail on.
    await sleep(5500);
    expect(stderr).toMatch(
      /the database is busy \(another Aideon process on this data folder is writing\); waiting/,
    );
    // A call meanwhile is told why at once (the page shows it and asks again), not held.
    const early = await served.call('app:get-info', {});
    expect(early.status).toBe(503);
    expect(early.body).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        retryable: true,
        message:
          'The console is starting: the database is busy (another Aideon process on this data folder is writing)',
      },
    });
    release();
    // Once the start is done (its retries are up to 5 s apart), calls are answered as usual.
    let answer = await served.call('app:get-info', {});
    for (let tries = 0; answer.status === 503 && tries < 60; tries += 1) {
      await sleep(250);
      answer = await served.call('app:get-info', {});
    }
    expect(answer.body).toMatchObject({ ok: true, value: { mode: 'browser' } });
    expect((await served.call('suites:save', SUITE)).body).toMatchObject({ ok: true });
    expect(stderr.match(/database is busy/g) ?? []).toHaveLength(1);
  }, 30_000);
});
