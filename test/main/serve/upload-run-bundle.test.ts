import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRunBundle, importRunBundle } from '../../../src/main/bench/run-bundle';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { addReviewer, reviewerForToken } from '../../../src/main/review/reviewers';
import { startBrowserServer, type BrowserServer } from '../../../src/main/serve/browser-server';
import { finishedSandboxRun, testServices } from '../../helpers/services';

let source: ReturnType<typeof testServices>;
let target: ReturnType<typeof testServices>;
let server: BrowserServer;
let bundle: Buffer;
let runId: string;
let reviewerToken: string;
let uploadDir: string;
const logLines: string[] = [];
let onLog: (() => void) | undefined;
/** Resolves once the server logs a line matching `pattern`. */
function logged(pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const check = (): void => {
      const line = logLines.find((entry) => pattern.test(entry));
      if (line) resolve(line);
      else onLog = check;
    };
    check();
  });
}

beforeAll(async () => {
  source = testServices({ env: { AIDEON_ACTOR: 'ann' }, analyseVideos: false });
  target = testServices({ analyseVideos: false });
  runId = await finishedSandboxRun(source);
  const pair = source.review.nextPair()!;
  source.review.castVote(pair.token, 'a', undefined);
  const file = join(source.dataDir, 'run.tar');
  await exportRunBundle(source.db, source.media, runId, file, 1);
  bundle = readFileSync(file);

  const rendererDir = join(target.dataDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  uploadDir = join(target.media.root, 'tmp');
  reviewerToken = addReviewer(target.db, 'rita', 1).token;
  server = await startBrowserServer({
    dispatcher: createAppDispatcher(target, { checkOutputs: true }),
    bus: target.bus,
    media: target.media,
    rendererDir,
    reviewers: {
      resolve: (token) => reviewerForToken(target.db, token),
      mayReadMedia: () => false,
    },
    log: (line) => {
      logLines.push(line);
      onLog?.();
    },
    uploads: {
      tempDir: uploadDir,
      importRunBundle: (path) => importRunBundle(target.db, target.media, path),
      // Small enough to test the limit, large enough for the smoke run's bundle.
      maxBytes: bundle.length + 1024,
    },
  });
});

afterAll(async () => {
  await server.close();
  await source.cleanup();
  await target.cleanup();
});

const url = (): string => `http://127.0.0.1:${server.port}/upload/run-bundle`;
const runsHere = (): number =>
  (target.db.prepare('SELECT COUNT(*) AS n FROM runs WHERE id = ?').get(runId) as { n: number }).n;
const leftovers = (): string[] =>
  readdirSync(uploadDir).filter((name) => name.startsWith('upload-'));

async function upload(body: Buffer, token: string, extra: Record<string, string> = {}) {
  const response = await request(url(), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-tar',
      'content-length': String(body.length),
      ...extra,
    },
    body,
  });
  return {
    status: response.statusCode,
    body: (await response.body.json()) as {
      ok: boolean;
      value?: Record<string, unknown>;
      error?: { code: string; message: string };
    },
  };
}

/** Sends the headers and only `sent` of `declared` bytes, then closes the connection. */
function truncatedUpload(declared: number, sent: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => {
      socket.write(
        `POST /upload/run-bundle HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/x-tar\r\nContent-Length: ${declared}\r\n\r\n`,
      );
      socket.write(sent, () => socket.end());
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('run bundle upload (browser mode)', () => {
  it('refuses a reviewer token and imports nothing', async () => {
    const answer = await upload(bundle, reviewerToken);
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('forbidden');
    expect(runsHere()).toBe(0);
    expect((await upload(bundle, 'not-a-token')).status).toBe(401);
    expect(runsHere()).toBe(0);
  });

  it('refuses an importId that is not letters, digits and dashes, before reading the body', async () => {
    const response = await request(`${url()}?importId=${encodeURIComponent('no spaces!')}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.token}`,
        'content-type': 'application/x-tar',
        'content-length': String(bundle.length),
      },
      body: bundle,
    });
    expect(response.statusCode).toBe(400);
    const body = (await response.body.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('validation');
    expect(body.error.message).toMatch(/importId must be 1 to 64 letters, digits or dashes/);
    expect(runsHere()).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('imports nothing from an upload cut short, and leaves no temporary file', async () => {
    const half = Math.floor(bundle.length / 2);
    await truncatedUpload(bundle.length, bundle.subarray(0, half));
    // The server says when it has dropped the request (its temporary file is gone by then).
    expect(await logged(/cut short/)).toMatch(new RegExp(`after \\d+ of ${bundle.length} bytes`));
    expect(runsHere()).toBe(0);
    expect(leftovers()).toEqual([]);
    // A complete body that is not a whole bundle (cut inside a video) is refused by the import.
    const cut = bundle.subarray(0, bundle.length - 2048);
    const answer = await upload(cut, server.token);
    expect(answer.body.ok).toBe(false);
    expect(answer.body.error?.code).toBe('validation');
    expect(runsHere()).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('a file that is not a bundle is refused with a message that names no server path, and nothing is kept', async () => {
    const answer = await upload(
      Buffer.from('this is not a run bundle at all\n'.repeat(40)),
      server.token,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(false);
    expect(answer.body.error?.message).toBeTruthy();
    expect(answer.body.error?.message).not.toContain(uploadDir);
    expect(answer.body.error?.message).not.toMatch(/upload-[0-9a-f]{16}/);
    expect(runsHere()).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a body over the size limit or without a length, before reading it', async () => {
    const big = Buffer.concat([bundle, Buffer.alloc(4096)]);
    const answer = await upload(big, server.token);
    expect(answer.status).toBe(413);
    expect(answer.body.error?.message).toMatch(/limited to/);
    const chunked = await request(url(), {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: Readable.from([bundle.subarray(0, 100)]),
    });
    expect(chunked.statusCode).toBe(411);
    await chunked.body.dump();
    expect(runsHere()).toBe(0);
  });

  it('streams a whole bundle in with the admin token, videos verified and votes merged; again changes nothing', async () => {
    const answer = await upload(bundle, server.token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      ok: true,
      value: { runId, imported: true, votes: 1, votesAdded: 1 },
    });
    expect(answer.body.value!.mediaVerified).toBeGreaterThan(0);
    expect(runsHere()).toBe(1);
    expect(leftovers()).toEqual([]);
    const again = await upload(bundle, server.token);
    expect(again.body).toMatchObject({ ok: true, value: { imported: false, votesAdded: 0 } });
  });
});
