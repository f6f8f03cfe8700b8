/**
 * A guard check queried its tiers one after another: with a slow Prometheus (here every answer
 * takes 500 ms) and 12 tiers, one check took 12 × 500 ms = 6 s, twice the leader's 3 s lease,
 * so at every check the standby took the lease over in the middle of the leader's tick and the
 * leader stood down (`leader_lost`) without acting on its check; the lease went back and forth
 * and no check ever counted. Queried 4 tiers at a time, the same check takes 3 rounds (1.5 s).
 *
 * Two real `aideon controller` processes on one directory store (lock-file lease, 3 s); dev runs
 * a rollout with an hour's bake; the slow Prometheus answers healthy values for every query.
 * The leader's checks pass one after another while it keeps the lease: no `leader_lost`, and
 * the standby never leads.
 */
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { ControllerProcess } from '../../../helpers/controller-process';
import { listenLoopback } from '../../../helpers/loopback-server';
import { controllerTestStore, startDevRollout } from '../fixtures';

const PASSPHRASE = 'operator passphrase for the slow-tiers test';
const TIERS = 12;
const ANSWER_MS = 500;

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Answers every query after ANSWER_MS: 200 requests per target, a 99 % success rate. */
async function slowPrometheus(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    const query = new URL(request.url ?? '/', 'http://prometheus').searchParams.get('query') ?? '';
    const value = query.includes('outcome="success"') ? '0.99' : '200';
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'vector',
            result: [
              {
                metric: { provider: 'sandbox', model: 'sandbox-fast' },
                value: [Date.now() / 1000, value],
              },
            ],
          },
        }),
      );
    }, ANSWER_MS);
  });
  const { url, close } = await listenLoopback(server);
  cleanups.push(close);
  return { url, requests: () => requests };
}

describe('a check of many tiers against a slow Prometheus', () => {
  it(`${TIERS} tiers at ${ANSWER_MS} ms an answer: the leader keeps its lease through its checks`, async () => {
    const prometheus = await slowPrometheus();
    const { admin, startController } = await controllerTestStore(
      'aideon-ctl-slow-tiers-',
      PASSPHRASE,
      cleanups,
    );
    const controller = (id: string): ControllerProcess =>
      startController(id, {
        leaseMs: 3000,
        watch: {
          environments: { dev: { prometheusUrl: prometheus.url, autoRollback: true } },
          checkIntervalMinutes: 0.05,
          bakeMinutes: 60,
          timeoutMs: 10_000,
          tiers: Array.from({ length: TIERS }, (_, index) => ({
            tier: `tier-${index + 1}`,
            minSuccessRate: 0.9,
          })),
        },
      });
    const leader = controller('ctl-a');
    await leader.waitFor('ctl-a leads', (event) => event.type === 'leader_acquired');
    const standby = controller('ctl-b');
    await startDevRollout(admin, { bakeMinutes: 60 });

    // Two whole checks (the first 3 s after the step, the next 3 s later): each ends in a pass
    // by the leader, never in the leader standing down.
    const outcome = (event: { type: string }): boolean =>
      event.type === 'check_passed' || event.type === 'leader_lost';
    await leader.waitFor('the first check', outcome, 30_000);
    await leader.waitFor(
      'the second check',
      (event) => outcome(event) && leader.events.filter(outcome).length >= 2,
      30_000,
    );
    expect(leader.events.filter(outcome).map((event) => event.type)).toEqual([
      'check_passed',
      'check_passed',
    ]);
    expect(leader.events.find((event) => event.type === 'check_passed')?.message).toMatch(
      new RegExp(`all ${TIERS} guards passed`),
    );
    expect(standby.events.filter((event) => event.type === 'leader_acquired')).toEqual([]);
    expect(prometheus.requests()).toBeGreaterThanOrEqual(2 * TIERS * 4);
    expect(await standby.stop()).toBe(0);
    expect(await leader.stop()).toBe(0);
  }, 120_000);
});
