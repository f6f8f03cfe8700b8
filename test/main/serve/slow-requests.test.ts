/**
 * Time limits of the browser-mode server: a bundle upload may take as long as it needs while bytes
 * keep arriving (Node's own 5-minute whole-request limit would cut a multi-gigabyte upload on a
 * slow link), an upload that goes silent is ended without importing anything, and an API body
 * still has a deadline. The limits are shortened here (1 s for API bodies, 0.8 s of silence).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRunBundle, importRunBundle } from '../../../src/main/bench/run-bundle';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { startBrowserServer, type BrowserServer } from '../../../src/main/serve/browser-server';
import { finishedSandboxRun, testServices } from '../../helpers/services';

const REQUEST_TIMEOUT_MS = 1000;
const IDLE_MS = 800;

let source: ReturnType<typeof testServices>;
let target: ReturnType<typeof testServices>;
let server: BrowserServer;
let bundle: Buffer;
let runId: string;
let uploadDir: string;
const logLines: string[] = [];

beforeAll(async () => {
  source = testServices({ analyseVideos: false });
  target = testServices({ analyseVideos: false });
  runId = await finishedSandboxRun(source);
  const file = join(source.dataDir, 'run.tar');
  await exportRunBundle(source.db, source.media, runId, file, 1);
  bundle = readFileSync(file);
  const rendererDir = join(target.dataDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  uploadDir = join(target.media.root, 'tmp');
  server = await startBrowserServer({
    dispatcher: createAppDispatcher(target, { checkOutputs: true }),
    bus: target.bus,
    media: target.media,
    rendererDir,
    log: (line) => logLines.push(line),
    uploads: {
      tempDir: uploadDir,
      importRunBundle: (path) => importRunBundle(target.db, target.media, path),
    },
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    uploadIdleTimeoutMs: IDLE_MS,
  });
});

afterAll(async () => {
  await server.close();
  await source.cleanup();
  await target.cleanup();
});

const runsHere = (): number =>
  (target.db.prepare('SELECT COUNT(*) AS n FROM runs WHERE id = ?').get(runId) as { n: number }).n;
const leftovers = (): string[] =>
  readdirSync(uploadDir).filter((name) => name.startsWith('upload-'));

/**
 * Sends `head` then each part of `parts` after waiting `gapMs` before it, and resolves with all
 * the server answered once the connection closes (or once `closeAfterMs` of waiting at the end).
 */
function dribble(head: string, parts: Buffer[], gapMs: number, closeAfterMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(server.port, '127.0.0.1', () => {
      void (async () => {
        socket.write(head);
        for (const part of parts) {
          await sleep(gapMs);
          if (socket.destroyed) return;
          socket.write(part);
        }
        if (closeAfterMs > 0) {
          await sleep(closeAfterMs);
          socket.end();
        }
      })();
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      // One answer per connection here: done once its body is complete.
      const [headers, body = ''] = answer.split('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(headers ?? '')?.[1];
      if (length !== undefined && Buffer.byteLength(body, 'latin1') >= Number(length)) {
        socket.end();
      }
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server that ends a stalled upload may reset the connection: the answer so far counts.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(answer);
      else reject(error);
    });
  });
}

function uploadHead(length: number): string {
  return `POST /upload/run-bundle HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/x-tar\r\nContent-Length: ${length}\r\n\r\n`;
}

function split(buffer: Buffer, count: number): Buffer[] {
  const size = Math.ceil(buffer.length / count);
  return Array.from({ length: count }, (_, k) => buffer.subarray(k * size, (k + 1) * size));
}

describe('browser-mode time limits', () => {
  it('Node’s whole-request limit is off: a steady upload longer than any request limit imports', async () => {
    expect(server.server.requestTimeout).toBe(0);
    // Ten parts, 0.3 s apart: about 3 s in all, three times the API body deadline, and never
    // silent for as long as the idle limit.
    const answer = await dribble(uploadHead(bundle.length), split(bundle, 10), 300);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('"ok":true');
    expect(answer).toContain('"imported":true');
    expect(runsHere()).toBe(1);
    expect(leftovers()).toEqual([]);
  });

  it('an upload that goes silent is ended with a 408 that says so, nothing imported or left behind', async () => {
    target.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    const half = bundle.subarray(0, Math.floor(bundle.length / 2));
    // Half the bundle, then nothing for 4× the idle limit.
    const answer = await dribble(uploadHead(bundle.length), [half], 0, IDLE_MS * 4);
    expect(logLines.some((line) => /upload stalled: no data for 800 ms/.test(line))).toBe(true);
    // The client may or may not read the answer before the server closes; when it does, it says why.
    if (answer !== '') {
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(answer).toMatch(/The upload stalled \(no data for 1 s after \d+ of \d+ bytes\)/);
    }
    expect(runsHere()).toBe(0);
    // The client may see the connection close before the server has removed its temporary file.
    for (let wait = 0; leftovers().length > 0 && wait < 50; wait += 1) await sleep(100);
    expect(leftovers()).toEqual([]);
    // The server is still there for the next request.
    const health = await request(`http://127.0.0.1:${server.port}/api/app:bootstrap`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  });

  it('an API body still has a deadline: one that dribbles past it gets 408', async () => {
    const body = Buffer.from('{"a":1}');
    const head = `POST /api/app:bootstrap HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    // In time: answered.
    expect(await dribble(head, [body], 0)).toMatch(/^HTTP\/1\.1 200/);
    // The first byte at once, the rest after 1.5× the deadline.
    const late = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(head);
        socket.write(body.subarray(0, 1));
        setTimeout(() => {
          if (!socket.destroyed) socket.write(body.subarray(1));
        }, REQUEST_TIMEOUT_MS * 1.5);
      });
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(text) : reject(error),
      );
    });
    expect(late).toMatch(/^HTTP\/1\.1 408/);
    expect(late).toContain('did not arrive within 1 s');
  });
});
