/**
 * `aideon serve` prints its URL as soon as the server listens, before the services exist: the
 * page's static files are served at once, API calls made meanwhile wait and then get the
 * services' answer, and a console whose services cannot start (a refused database) closes
 * its server again and reports why.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../src/main/paths';
import { serveCommand } from '../../../src/main/serve/serve-command';
import { DbError } from '../../../src/shared/errors';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function folders(): { dataDir: string; rendererDir: string } {
  const { dir, cleanup } = tempDir('aideon-serve-command-');
  cleanups.push(cleanup);
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
  return { dataDir: join(dir, 'data'), rendererDir };
}

/** Runs serveCommand; `onUrl` is called synchronously with the printed URL. */
function serve(
  dataDir: string,
  rendererDir: string,
  onUrl: (url: URL) => void,
): { done: Promise<void>; stop: () => void; stderr: () => string } {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let stderr = '';
  const done = serveCommand({
    options: { dataDir, resourcesDir: resourcesDir(), env: {}, version: 'test' },
    rendererDir,
    port: 0,
    stdout: (text) => {
      const match = /^AIDEON_URL=(\S+)$/m.exec(text);
      if (match?.[1]) onUrl(new URL(match[1]));
    },
    stderr: (text) => (stderr += text),
    log: () => undefined,
    untilStopped: () => stopped,
  });
  return { done, stop, stderr: () => stderr };
}

describe('aideon serve start-up', () => {
  it('answers an API call sent the moment the URL is printed, and serves the page meanwhile', async () => {
    const { dataDir, rendererDir } = folders();
    let answers: Promise<[number, unknown, number, string]> | undefined;
    let databaseAtUrl: boolean | undefined;
    const served = serve(dataDir, rendererDir, (url) => {
      // The URL comes before the services: the database is not even created yet.
      databaseAtUrl = existsSync(join(dataDir, 'aideon.sqlite'));
      const token = url.hash.replace(/^#token=/, '');
      // Sent before the services exist: the static page and the API call both go out now.
      answers = (async () => {
        const page = await request(`${url.origin}/`);
        const pageText = await page.body.text();
        const api = await request(`${url.origin}/api/app:get-info`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        return [api.statusCode, await api.body.json(), page.statusCode, pageText];
      })();
    });
    // serveCommand only returns after a stop; wait for the answers first.
    while (answers === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    const [apiStatus, apiBody, pageStatus, pageText] = await answers;
    expect(databaseAtUrl).toBe(false);
    expect(pageStatus).toBe(200);
    expect(pageText).toContain('<title>console</title>');
    expect(apiStatus).toBe(200);
    expect(apiBody).toMatchObject({
      ok: true,
      value: { version: 'test', mode: 'browser', ffmpegAvailable: expect.any(Boolean) },
    });
    served.stop();
    await served.done;
  });

  it('a refused database: the URL was printed, then the server closes and the error is thrown', async () => {
    const { dataDir, rendererDir } = folders();
    mkdirSync(dataDir);
    const db = new Database(join(dataDir, 'aideon.sqlite'));
    db.exec('CREATE TABLE future (id INTEGER PRIMARY KEY)');
    db.pragma('user_version = 100000');
    db.close();
    let origin: string | undefined;
    const served = serve(dataDir, rendererDir, (url) => (origin = url.origin));
    const error = await served.done.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(DbError.isInstance(error)).toBe(true);
    expect((error as DbError).kind).toBe('newer_version');
    expect(origin).toBeDefined();
    // The listener is gone: nobody is left holding a URL that answers without services.
    await expect(request(`${origin}/`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
