/**
 * A webhook that stops answering (a hung receiver, a black-holed address) must not stall the
 * controller's loop: each event waited for its delivery (up to 10 s per attempt, three
 * attempts), so one tick could outlast the leader lease and hand leadership to a standby while
 * this controller was still acting. Events are delivered in order in the background instead.
 * A real HTTP receiver on loopback that holds every request until the test ends, the real
 * controller wiring (buildController), a real directory store and SQLite.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildController } from '../../../../src/main/rollout/controller/controller-cli';
import { openDatabase, type WritableDb } from '../../../../src/main/store/db';
import { tempDir } from '../../../helpers/temp-dir';
import { T0 } from '../fixtures';

describe('controller events and a webhook that does not answer', () => {
  let dir: string;
  let cleanup: () => void;
  let db: WritableDb;
  let dispatcher: Agent;
  const held: ServerResponse[] = [];
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      bodies.push(body);
      held.push(response);
    });
  });

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('aideon-ctl-webhook-'));
    db = openDatabase({ file: join(dir, 'aideon.sqlite') });
    mkdirSync(join(dir, 'store'));
    dispatcher = new Agent();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const response of held.splice(0)) response.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.close();
    db.close();
    cleanup();
  });

  it('a tick finishes while the webhook still holds its event; the event is delivered later', async () => {
    const port = (server.address() as { port: number }).port;
    const logged: string[] = [];
    const built = await buildController({
      settings: {
        storeUri: `dir:${join(dir, 'store')}`,
        id: 'ctl-hook',
        host: 'test-host',
        tickMs: 1000,
        leaseMs: 30_000,
        webhookUrl: `http://127.0.0.1:${port}/hook`,
        renewBeforeMs: 14 * 86_400_000,
      },
      env: {},
      db,
      dispatcher,
      now: () => T0,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: (line) => logged.push(line),
    });
    try {
      await built.controller.tick();
      expect(built.controller.isLeader).toBe(true);
      // The tick did not wait for the delivery: it has neither succeeded nor failed yet.
      expect(logged.filter((line) => /webhook post/.test(line))).toEqual([]);
      // The receiver got the leader_acquired event and has not answered it.
      for (let i = 0; i < 200 && bodies.length === 0; i += 1)
        await new Promise((r) => setTimeout(r, 10));
      expect(held).toHaveLength(1);
      expect(JSON.parse(bodies[0] ?? '{}')).toMatchObject({ event: { type: 'leader_acquired' } });
    } finally {
      await built.close();
    }
  });
});
