/**
 * Values in the config store that the controller cannot use: a rollout state edited by hand
 * (its bake time gone, its steps no longer in order) and a current pointer cut short (truncated
 * JSON). The rollout state is not signed, so anyone with write access to the store can break
 * it; the controller used to read it with a bare cast, so a state without `bakeMs` had every
 * step due at once (lastStepAt + undefined is NaN, and `now < NaN` is false) and was advanced
 * 10 → 50 → 100 within a few ticks, unbaked. A truncated pointer gave a bare "Unexpected end
 * of JSON input" naming nothing, posted to the webhook at every tick.
 *
 * The real `aideon controller` process on a directory store, a dev rollout with a long bake
 * and a webhook receiver on loopback: each bad value is refused with a message naming the key
 * and what is wrong, posted once however many ticks it lasts, no step is applied, and the
 * controller stays alive and leading; once the values are mended it goes on.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../../src/consumer/bundle-format';
import { readControllers } from '../../../../src/main/rollout/controller/controller-registry';
import {
  startControllerProcess,
  type ControllerProcess,
} from '../../../helpers/controller-process';
import { controllerTestStore, ROLLOUT_FLAG, startDevRollout } from '../fixtures';

const FLAG = ROLLOUT_FLAG;
const PASSPHRASE = 'operator passphrase for the unreadable-store test';

const cleanups: (() => void | Promise<void>)[] = [];
const processes: ControllerProcess[] = [];
afterAll(async () => {
  for (const child of processes) await child.kill();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('controller on store values it cannot use', () => {
  it('a hand-edited rollout state and a truncated pointer: refused by name, told once, nothing advanced, still leading', async () => {
    const posted: { type: string; environment: string | null; message: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        posted.push((JSON.parse(body) as { event: (typeof posted)[number] }).event);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const { data, storeUri, store, admin, operator } = await controllerTestStore(
      'aideon-ctl-unreadable-',
      PASSPHRASE,
      cleanups,
    );
    // An hour's bake: nothing may advance during this test.
    await startDevRollout(admin, { bakeMinutes: 60 });
    const rolloutKey = storeKeys.rollout('dev', FLAG);
    const rolloutText = (await store.get(rolloutKey))?.value ?? '';
    const pointerText = (await store.get(storeKeys.current('dev')))?.value ?? '';

    const controller = startControllerProcess(['--data-dir', join(data.dir, 'ctl')], {
      AIDEON_STORE: storeUri,
      AIDEON_CONTROLLER_ID: 'ctl-unreadable',
      AIDEON_CONTROLLER_TICK_MS: '200',
      AIDEON_CONTROLLER_LEASE_MS: '3000',
      AIDEON_CONTROLLER_WEBHOOK: webhook,
      AIDEON_OPERATOR_KEY: `${data.dir}/${operator.kid}.key.json`,
      AIDEON_OPERATOR_PASSPHRASE: PASSPHRASE,
    });
    processes.push(controller);
    await controller.waitFor('leads', (event) => event.type === 'leader_acquired');
    const ticksAfter = async (): Promise<void> => {
      // At least ten ticks (200 ms each) on the current values.
      const before = (await readControllers(store)).find((r) => r.id === 'ctl-unreadable');
      await pause(2500);
      const after = (await readControllers(store)).find((r) => r.id === 'ctl-unreadable');
      expect(after?.lastTickAt).toBeGreaterThan((before?.lastTickAt ?? 0) + 1500);
    };

    // 1. Someone edits the rollout state by hand and drops its bake time.
    const edited = JSON.parse(rolloutText) as Record<string, unknown>;
    delete edited.bakeMs;
    await store.commit([{ key: rolloutKey, value: JSON.stringify(edited) }]);
    await controller.waitFor('the refusal', (event) => event.type === 'error', 10_000);
    await ticksAfter();
    expect(controller.events.filter((event) => event.type === 'step_applied')).toEqual([]);
    const first = posted.filter((event) => event.type === 'error');
    expect(first).toHaveLength(1);
    expect(first[0]?.environment).toBe('dev');
    expect(first[0]?.message).toContain(rolloutKey);
    expect(first[0]?.message).toMatch(/bakeMs/);

    // 2. The pointer is cut short (half written by hand).
    await store.commit([{ key: rolloutKey, value: rolloutText }]);
    await store.commit([
      { key: storeKeys.current('dev'), value: pointerText.slice(0, pointerText.length / 2) },
    ]);
    await controller.waitFor(
      'the pointer refusal',
      (event) => event.type === 'error' && event.message.includes(storeKeys.current('dev')),
      10_000,
    );
    await ticksAfter();
    const second = posted.filter((event) => event.type === 'error');
    expect(second).toHaveLength(2);
    expect(second[1]?.message).toMatch(/dev\/current.*not valid JSON/);

    // The admin's view: the controller leads, alive, and says what is wrong.
    const record = (await readControllers(store)).find((entry) => entry.id === 'ctl-unreadable');
    expect(record).toMatchObject({ role: 'leader' });
    expect(record?.aliveUntil).toBeGreaterThan(Date.now());
    expect(record?.activity).toContain('dev/current');
    expect(controller.child.exitCode).toBeNull();

    // 3. Mended: the controller goes on watching; nothing was applied, the rollout unchanged.
    await store.commit([{ key: storeKeys.current('dev'), value: pointerText }]);
    for (let i = 0; i < 50; i += 1) {
      const now = (await readControllers(store)).find((entry) => entry.id === 'ctl-unreadable');
      if (now?.activity.includes('baking') || now?.activity.includes('waiting')) break;
      await pause(100);
    }
    const mended = (await readControllers(store)).find((entry) => entry.id === 'ctl-unreadable');
    expect(mended?.activity).toMatch(/new-video-model 10%: waiting, next step at/);
    expect(controller.events.filter((event) => event.type === 'step_applied')).toEqual([]);
    expect((await admin.listRollouts('dev'))[0]).toMatchObject({ status: 'running', stepIndex: 0 });
    expect(await controller.stop()).toBe(0);
  }, 90_000);
});
