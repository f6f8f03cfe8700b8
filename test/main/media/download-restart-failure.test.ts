/**
 * A download whose resume is answered with the whole file again (200, the range ignored) starts
 * over in a new temporary file; when that file cannot be made (the disk is full), the answer that
 * was not read is let go: its connection is closed, not left open and paused for as long as the
 * server keeps it (a raw-get body that is not read holds two receive buffers and never times out).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadVideo } from '../../../src/main/media/download-video';
import { MediaStore, nodeMediaFiles, type MediaFiles } from '../../../src/main/media/media-store';
import { HttpClient } from '../../../src/main/providers/http/http-client';
import { AppError } from '../../../src/shared/errors';
import type { DownloadResult } from '../../../src/shared/providers/video-provider-spec';
import { tempDir } from '../../helpers/temp-dir';

const video = randomBytes(12 * 1024 * 1024 + 5);
const { dir, cleanup } = tempDir('aideon-restart-failure-');
const dispatcher = new Agent();
let server: Server;
let base = '';
/** Resolves with the connection that answered the resume (the second request). */
let resumeAnswered: (socket: Socket) => void = () => undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    response.writeHead(200, {
      'content-type': 'video/mp4',
      'content-length': video.length,
      'accept-ranges': 'bytes',
    });
    if (request.headers.range === undefined) {
      // The first transfer breaks off after 1 MB.
      response.write(video.subarray(0, 1024 * 1024), () => response.socket?.resetAndDestroy());
      return;
    }
    // The resume: the whole file again, from byte 0.
    resumeAnswered(request.socket);
    response.end(video);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await dispatcher.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  cleanup();
});

describe('a restart that cannot make its new file', () => {
  it('fails as storage_failed and closes the answer it did not read', async () => {
    const client = new HttpClient({
      provider: 'test',
      baseUrl: base,
      dispatcher,
      headers: () => ({}),
      secrets: () => [],
    });
    let opens = 0;
    const files: MediaFiles = {
      async open(path) {
        opens += 1;
        if (opens === 1) return nodeMediaFiles.open(path);
        throw Object.assign(new Error('ENOSPC: no space left on device, open'), {
          code: 'ENOSPC',
        });
      },
    };
    const store = new MediaStore(join(dir, 'store'), files);
    const answers: DownloadResult[] = [];
    const resumeSocket = new Promise<Socket>((resolve) => (resumeAnswered = resolve));
    const failure = await downloadVideo({
      fetch: async (signal, range) => {
        const answer = await client.download(`${base}/video.mp4`, {
          signal,
          ...(range ? { offset: range.offset } : {}),
        });
        answers.push(answer);
        return answer;
      },
      media: store,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      provider: 'test',
      retries: 1,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(AppError.isInstance(failure) && failure.code).toBe('storage_failed');
    expect(answers).toHaveLength(2);
    // The resume's answer was cancelled: nothing more can be read from it ...
    const reader = (answers[1] as DownloadResult).body.getReader();
    expect((await reader.read()).done).toBe(true);
    // ... and its connection was closed (the server sees it go).
    const socket = await resumeSocket;
    if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
    expect(socket.destroyed).toBe(true);
  });
});
