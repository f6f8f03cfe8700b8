import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { listVotes } from '../../../src/main/review/review-repository';
import {
  addReviewer,
  listReviewers,
  reviewerForToken,
  revokeReviewer,
} from '../../../src/main/review/reviewers';
import {
  REVIEWER_CHANNELS,
  startBrowserServer,
  type BrowserServer,
  type BrowserServerOptions,
} from '../../../src/main/serve/browser-server';
import { INVOKE_CHANNEL_NAMES } from '../../../src/shared/ipc/channel-names';
import { testServices } from '../../helpers/services';
import { selfSignedCertificate } from '../../helpers/self-signed-certificate';
import { seedGenerations } from '../review/seed-review';

let services: ReturnType<typeof testServices>;
let server: BrowserServer;
let rendererDir: string;
const tokens: Record<string, string> = {};

function serverOptions(extra: Partial<BrowserServerOptions> = {}): BrowserServerOptions {
  return {
    dispatcher: createAppDispatcher(services, { checkOutputs: true }),
    bus: services.bus,
    media: services.media,
    rendererDir,
    reviewers: {
      resolve: (token) => reviewerForToken(services.db, token),
      mayReadMedia: (reviewer, mediaId) => services.review.reviewerMayReadMedia(reviewer, mediaId),
    },
    ...extra,
  };
}

beforeAll(async () => {
  services = testServices({ analyseVideos: false });
  rendererDir = join(services.dataDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  const mediaIds: string[] = [];
  for (let k = 0; k < 6; k += 1) {
    const ref = await services.media.put(Readable.from([Buffer.from(`video bytes ${k}`)]), {
      contentType: 'video/mp4',
    });
    services.db
      .prepare(
        "INSERT OR IGNORE INTO media (id, content_type, bytes, created_at) VALUES (?, 'video/mp4', ?, 0)",
      )
      .run(ref.id, ref.bytes);
    mediaIds.push(ref.id);
  }
  seedGenerations(services.db, {
    models: ['sandbox:m1', 'sandbox:m2', 'sandbox:m3'],
    prompts: 2,
    mediaIds,
  });
  for (const name of ['ann', 'bob', 'cyd']) {
    tokens[name] = addReviewer(services.db, name, 1).token;
  }
  server = await startBrowserServer(serverOptions());
});

afterAll(async () => {
  await server.close();
  await services.cleanup();
});

const base = (): string => `http://127.0.0.1:${server.port}`;
const headers = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
});

async function call(channel: string, body: unknown, token: string, at = base()) {
  const response = await request(`${at}/api/${channel}`, {
    method: 'POST',
    headers: headers(token),
    body: JSON.stringify(body),
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

describe('reviewer tokens', () => {
  it('are stored hashed, never plain', () => {
    const rows = services.db.prepare('SELECT * FROM reviewers').all() as Record<string, unknown>[];
    const stored = JSON.stringify(rows);
    for (const token of Object.values(tokens)) expect(stored).not.toContain(token);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(String(row.token_hash)))).toBe(true);
  });

  it('reach no contract channel but the review allow-list (every channel tried)', async () => {
    const refused: string[] = [];
    const allowed: string[] = [];
    for (const channel of INVOKE_CHANNEL_NAMES) {
      const answer = await call(channel, {}, tokens.ann!);
      if (answer.status === 403 && answer.body.error?.code === 'forbidden') refused.push(channel);
      else allowed.push(channel);
    }
    expect(allowed.sort()).toEqual([...REVIEWER_CHANNELS].sort());
    expect(refused.length).toBe(INVOKE_CHANNEL_NAMES.length - REVIEWER_CHANNELS.size);
    // The admin token reaches the same channels.
    expect((await call('providers:list', {}, server.token)).body.ok).toBe(true);
    // An unknown channel is refused too (not passed on).
    expect((await call('keys:export-all', {}, tokens.ann!)).status).toBe(403);
  });

  it('start up with the session only (app:bootstrap gives them nothing of the console)', async () => {
    const reviewer = await call('app:bootstrap', {}, tokens.ann!);
    expect(reviewer.status).toBe(200);
    expect(reviewer.body.value).toEqual({
      session: { role: 'reviewer', name: 'ann' },
      start: null,
    });
  });

  it('get no events; the admin does', async () => {
    const reviewer = await request(`${base()}/events?token=${tokens.ann}`);
    expect(reviewer.statusCode).toBe(403);
    await reviewer.body.dump();
    const controller = new AbortController();
    const admin = await request(`${base()}/events?token=${server.token}`, {
      signal: controller.signal,
    });
    expect(admin.statusCode).toBe(200);
    controller.abort();
    await admin.body.dump().catch(() => undefined);
  });

  it("say who they are, and fetch only their own pairs' videos", async () => {
    const session = await call('review:get-session', {}, tokens.bob!);
    expect(session.body.value).toEqual({ role: 'reviewer', name: 'bob' });
    expect((await call('review:get-session', {}, server.token)).body.value).toMatchObject({
      role: 'admin',
    });
    const pair = (await call('review:next-pair', {}, tokens.bob!)).body.value!.pair as {
      leftMedia: { id: string };
      rightMedia: { id: string };
    };
    const own = await request(`${base()}/media/${pair.leftMedia.id}?token=${tokens.bob}`);
    expect(own.statusCode).toBe(200);
    await own.body.dump();
    const others = await request(`${base()}/media/${pair.leftMedia.id}?token=${tokens.cyd}`);
    expect(others.statusCode).toBe(403);
    await others.body.dump();
    const admin = await request(`${base()}/media/${pair.rightMedia.id}?token=${server.token}`);
    expect(admin.statusCode).toBe(200);
    await admin.body.dump();
  });

  it('three reviewers voting in parallel are each attributed and counted', async () => {
    const before = listVotes(services.db).length;
    const votesEach = 4;
    await Promise.all(
      ['ann', 'bob', 'cyd'].map(async (name) => {
        for (let k = 0; k < votesEach; k += 1) {
          const next = await call('review:next-pair', {}, tokens[name]!);
          expect(next.body).toMatchObject({ ok: true });
          const pair = next.body.value!.pair as { token: string };
          const vote = await call(
            'review:cast-vote',
            { token: pair.token, verdict: k % 2 ? 'a' : 'b' },
            tokens[name]!,
          );
          expect(vote.body.ok).toBe(true);
        }
      }),
    );
    const votes = listVotes(services.db).slice(before);
    const counts: Record<string, number> = {};
    for (const vote of votes) {
      expect(vote.voterVia).toBe('reviewer');
      counts[vote.voter] = (counts[vote.voter] ?? 0) + 1;
    }
    expect(counts).toEqual({ ann: votesEach, bob: votesEach, cyd: votesEach });
    const ratings = await call('review:get-ratings', {}, server.token);
    const agreement = ratings.body.value!.agreement as {
      reviewers: { reviewer: string; votes: number }[];
    };
    expect(agreement.reviewers.map((entry) => [entry.reviewer, entry.votes])).toEqual([
      ['ann', votesEach],
      ['bob', votesEach],
      ['cyd', votesEach],
    ]);
    expect(listReviewers(services.db).map((entry) => entry.votes)).toEqual([4, 4, 4]);
  });

  it('stop working the moment they are revoked', async () => {
    const { token } = addReviewer(services.db, 'dan', 2);
    expect((await call('review:get-session', {}, token)).status).toBe(200);
    revokeReviewer(services.db, 'dan', 3);
    expect((await call('review:get-session', {}, token)).status).toBe(401);
    expect(() => revokeReviewer(services.db, 'dan', 4)).toThrow(/No active reviewer "dan"/);
    // Re-adding issues a new token; the old one stays dead.
    const again = addReviewer(services.db, 'dan', 5).token;
    expect(again).not.toBe(token);
    expect((await call('review:get-session', {}, token)).status).toBe(401);
    expect((await call('review:get-session', {}, again)).status).toBe(200);
    expect(() => addReviewer(services.db, 'dan', 6)).toThrow(/already a reviewer "dan"/);
    expect(() => addReviewer(services.db, '../etc', 6)).toThrow(/not a usable name/);
  });
});

describe('rate limits', () => {
  it('are kept per token', async () => {
    const limited = await startBrowserServer(
      serverOptions({
        rateLimits: { api: { perSecond: 0.01, burst: 3 }, media: { perSecond: 1, burst: 1 } },
      }),
    );
    try {
      const at = `http://127.0.0.1:${limited.port}`;
      const statuses: number[] = [];
      for (let k = 0; k < 4; k += 1) {
        statuses.push((await call('review:get-session', {}, tokens.ann!, at)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      // Another reviewer's bucket is their own.
      expect((await call('review:get-session', {}, tokens.bob!, at)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('beyond loopback', () => {
  it('is refused without TLS, with a message that says what to add', async () => {
    await expect(startBrowserServer(serverOptions({ host: '0.0.0.0' }))).rejects.toThrow(
      /--tls-cert FILE --tls-key FILE/,
    );
  });

  it('serves HTTPS with a certificate, and still checks the Host', async () => {
    const dir = join(services.dataDir, 'tls');
    mkdirSync(dir);
    const files = selfSignedCertificate(dir);
    const cert = readFileSync(files.cert);
    const tlsServer = await startBrowserServer(
      serverOptions({
        host: '0.0.0.0',
        publicNames: ['localhost'],
        tls: { cert, key: readFileSync(files.key) },
      }),
    );
    const dispatcher = new Agent({ connect: { ca: cert } });
    const insecure = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      expect(tlsServer.baseUrl).toBe(`https://localhost:${tlsServer.port}`);
      const answer = await request(`${tlsServer.baseUrl}/api/review:get-session`, {
        method: 'POST',
        headers: headers(tokens.cyd!),
        body: '{}',
        dispatcher,
      });
      expect(answer.statusCode).toBe(200);
      expect(await answer.body.json()).toEqual({
        ok: true,
        value: { role: 'reviewer', name: 'cyd' },
      });
      const foreign = await request(`${tlsServer.baseUrl}/api/review:get-session`, {
        method: 'POST',
        headers: { ...headers(tokens.cyd!), host: 'evil.example' },
        body: '{}',
        // A rebinding page names its own host; the certificate check is not what stops it.
        dispatcher: insecure,
      });
      expect(foreign.statusCode).toBe(403);
      await foreign.body.dump();
    } finally {
      await dispatcher.close();
      await insecure.close();
      await tlsServer.close();
    }
  });
});
