/**
 * A Prometheus (or whatever answers at its URL) that sends a huge body for a guard query. The
 * controller read up to the HTTP client's general limit, 64 MiB per query (4 queries a tier,
 * all buffered in memory, inside its tick), then reported the check as "Prometheus ... could
 * not be reached", which sent the admin after the network instead of the query.
 *
 * The real `aideon controller` process on a directory store, a dev rollout with auto-rollback,
 * and a server that answers 200 and streams JSON (with backpressure, no length) for as long as
 * it is read. Each query must be cut off at 8 MiB and reported as what it is ("answered 8 MiB+
 * for query …, over the limit"), and, being a check error, pause the rollout and never roll it
 * back.
 */
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { listenLoopback } from '../../../helpers/loopback-server';
import { controllerTestStore, startDevRollout } from '../fixtures';

const PASSPHRASE = 'operator passphrase for the huge-answer test';
const MiB = 1024 * 1024;
/** The server stops by itself after this much per request (the old limit was 64 MiB). */
const SERVER_CAP = 80 * MiB;

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Streams one endless vector, 256 KiB a write, waiting for the reader; counts bytes sent. */
async function hugePrometheus(): Promise<{ url: string; sent: number[] }> {
  const sent: number[] = [];
  const series = JSON.stringify({
    metric: { provider: 'sandbox', model: 'sandbox-fast', padding: 'x'.repeat(200) },
    value: [1, '1'],
  });
  const chunk = Buffer.from(`${series},`.repeat(Math.floor((256 * 1024) / (series.length + 1))));
  const server = createServer((_request, response) => {
    const index = sent.push(0) - 1;
    let closed = false;
    response.on('close', () => {
      closed = true;
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"status":"success","data":{"resultType":"vector","result":[');
    const pump = (): void => {
      while (!closed && (sent[index] ?? 0) < SERVER_CAP) {
        sent[index] = (sent[index] ?? 0) + chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      if (!closed) response.end(`${series}]}}`);
    };
    pump();
  });
  const { url, close } = await listenLoopback(server);
  cleanups.push(close);
  return { url, sent };
}

describe('controller against a Prometheus answering a huge body', () => {
  it('each query is cut off at 8 MiB and reported as over the limit: paused, never rolled back', async () => {
    const prometheus = await hugePrometheus();
    const { admin, startController } = await controllerTestStore(
      'aideon-ctl-huge-',
      PASSPHRASE,
      cleanups,
    );
    await startDevRollout(admin, { bakeMinutes: 60 });
    const controller = startController('ctl-huge', {
      leaseMs: 10_000,
      watch: {
        environments: { dev: { prometheusUrl: prometheus.url, autoRollback: true } },
        checkIntervalMinutes: 0.05,
        bakeMinutes: 60,
        timeoutMs: 30_000,
        tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
      },
    });
    const paused = await controller.waitFor(
      'the pause',
      (event) => event.type === 'paused' && event.environment === 'dev',
      60_000,
    );
    expect(paused.message).toMatch(/metrics could not be read/);
    expect(paused.message).toMatch(
      /Prometheus at http:\/\/127\.0\.0\.1:\d+ answered 8 MiB\+ for query .*aideon_video_requests_total\{tier="premium".*, over the limit of 8 MiB/,
    );
    expect(paused.message).not.toMatch(/could not be reached/);
    expect((await admin.listRollouts('dev'))[0]).toMatchObject({ status: 'paused', stepIndex: 0 });
    expect(
      controller.events.filter((event) => ['rolled_back', 'step_applied'].includes(event.type)),
    ).toEqual([]);
    // Every query was dropped a little after 8 MiB (what the sockets buffer on top), far from
    // the old 64 MiB.
    expect(prometheus.sent.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...prometheus.sent)).toBeLessThan(24 * MiB);
    expect(await controller.stop()).toBe(0);
  }, 120_000);
});
