/**
 * SIGTERM to the controller while it publishes a rollout step. The step (its signed version,
 * flags, pointer) and the rollout state are one etcd transaction; the controller finishes its
 * tick before it exits, so it must exit cleanly (code 0), leave the store with either the old
 * step or the new one (never a version without its rollout state or the other way round), and a
 * controller started again afterwards must carry on from there: no step twice, none skipped.
 *
 * The controller talks to a real etcd through a loopback proxy that holds the step's
 * transaction (the one that writes `dev/versions/3`, the 50 % step) until the test has sent
 * SIGTERM, and then:
 * - `forward`: passes it on (the step commits while the process is stopping);
 * - `drop`: never passes it on and cuts the connection (the step does not commit);
 * - `lose-answer`: passes it on and cuts the connection before the answer (the step commits,
 *   and the controller never hears so). It used to report "the next step ... was not applied"
 *   and write no history entry for the step that went out; it now reads the pointer back.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../../src/consumer/bundle-format';
import { SharedHistory } from '../../../../src/main/rollout/publish/shared-history';
import type { ControllerProcess } from '../../../helpers/controller-process';
import { startEtcd, type EtcdServer } from '../../../helpers/etcd-server';
import { listenLoopback } from '../../../helpers/loopback-server';
import { controllerTestStore, startDevRollout } from '../fixtures';

const PASSPHRASE = 'operator passphrase for the sigterm test';
type Mode = 'forward' | 'drop' | 'lose-answer';

let etcd: EtcdServer | undefined;
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await etcd?.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

/** A proxy to etcd that holds the first transaction writing `heldKey` until told what to do. */
async function holdingProxy(target: string, heldKey: string) {
  const marker = Buffer.from(heldKey).toString('base64');
  let held: ((mode: Mode) => void) | undefined;
  let holding: () => void = () => undefined;
  const caught = new Promise<void>((resolve) => (holding = resolve));
  let armed = true;
  const forward = async (request: IncomingMessage, body: Buffer) =>
    fetch(`${target}${request.url ?? '/'}`, {
      method: request.method ?? 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body.length > 0 ? { body: body.toString() } : {}),
    });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const body = await readBody(request);
      if (armed && request.url === '/v3/kv/txn' && body.toString().includes(marker)) {
        armed = false;
        const mode = await new Promise<Mode>((resolve) => {
          held = resolve;
          holding();
        });
        if (mode === 'drop') {
          response.socket?.destroy();
          return;
        }
        const answer = await forward(request, body);
        const bytes = Buffer.from(await answer.arrayBuffer());
        if (mode === 'lose-answer') {
          response.socket?.destroy();
          return;
        }
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(bytes);
        return;
      }
      const answer = await forward(request, body);
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => response.socket?.destroy());
  });
  const { port, close } = await listenLoopback(server);
  cleanups.push(close);
  return {
    port,
    caught,
    release: (mode: Mode) => held?.(mode),
  };
}

describe('SIGTERM to the controller while it publishes a step', () => {
  it.each<[Mode, 'old' | 'new']>([
    ['forward', 'new'],
    ['drop', 'old'],
    ['lose-answer', 'new'],
  ])(
    'the step transaction is %s: the process exits 0, the store holds the %s step whole, a restart carries on',
    async (mode, expected) => {
      etcd ??= await startEtcd();
      const prefix = `sigterm-${mode}`;
      const { store, admin, startController } = await controllerTestStore(
        `aideon-ctl-${prefix}-`,
        PASSPHRASE,
        cleanups,
        { storeUri: etcd.uri(prefix) },
      );
      const proxy = await holdingProxy(etcd.endpoint, `${prefix}/${storeKeys.version('dev', 3)}`);
      // The same controller (id, data folder) each time, talking to etcd through the proxy.
      const controller = (): ControllerProcess =>
        startController('ctl-term', {
          leaseMs: 5000,
          storeUri: `etcd://127.0.0.1:${proxy.port}/${prefix}`,
        });
      const first = controller();
      await first.waitFor('leads', (event) => event.type === 'leader_acquired');
      await startDevRollout(admin, { bakeMinutes: 0.05 });
      // The 50 % step's transaction is held; SIGTERM lands in the middle of the publish.
      await proxy.caught;
      const stopped = first.stop();
      await pause(500);
      proxy.release(mode);
      expect(await stopped).toBe(0);

      // Whole: the pointer, the version and the rollout state agree.
      const versions = await store.list(storeKeys.versionsPrefix('dev'));
      const state = (await admin.listRollouts('dev'))[0];
      const live = await admin.live('dev');
      if (expected === 'new') {
        expect(versions).toHaveLength(3);
        expect(state).toMatchObject({ stepIndex: 1, lastStepVersion: 3, status: 'running' });
        expect(live?.version).toBe(3);
      } else {
        expect(versions).toHaveLength(2);
        expect(state).toMatchObject({ stepIndex: 0, lastStepVersion: 2, status: 'running' });
        expect(live?.version).toBe(2);
      }

      // Started again: it carries on to 100 %, each step once.
      const second = controller();
      await second.waitFor(
        '100 %',
        (event) => event.type === 'step_applied' && event.percent === 100,
        30_000,
      );
      await pause(1000);
      expect(await store.list(storeKeys.versionsPrefix('dev'))).toEqual(
        [1, 2, 3, 4].map((version) => storeKeys.version('dev', version)),
      );
      expect((await admin.listRollouts('dev'))[0]).toMatchObject({
        status: 'completed',
        stepIndex: 2,
        lastStepVersion: 4,
      });
      const applied = [...first.events, ...second.events]
        .filter((event) => event.type === 'step_applied')
        .map((event) => event.percent);
      // Each step once: by the stopping process when its transaction went in (with the answer
      // lost, it reads the pointer back to know), else by the restarted one.
      expect(applied).toEqual([50, 100]);
      if (mode !== 'drop')
        expect(first.events.find((event) => event.type === 'step_applied')?.percent).toBe(50);
      // The shared history tells both steps, signed by the operator key.
      const { entries, check } = await new SharedHistory({ store }).read(
        (await admin.readTrust('dev')).trust,
      );
      expect(check.ok).toBe(true);
      expect(
        entries
          .filter((entry) => entry.action === 'rollout_step' && entry.signature === 'operator')
          .map((entry) => entry.detail.percent),
      ).toEqual([50, 100]);
      expect(await second.stop()).toBe(0);
    },
    90_000,
  );
});
