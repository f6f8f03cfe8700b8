/**
 * `aideon controller status`: the controllers registered in a real directory store (heartbeat
 * records written by the registry's own code), the leader, unreadable records, an empty store,
 * a store that cannot be read (exit 1, the store named), the console's store as the default,
 * and no password of the store URI in anything printed. `aideon controller` itself keeps its
 * options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import { writeControllerStatus } from '../../../src/main/rollout/controller/controller-registry';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import { controllerStatusKey } from '../../../src/shared/rollout/controller-status';
import { tempDir } from '../../helpers/temp-dir';
import { controllerHeartbeat } from '../rollout/fixtures';

let dir: string;
let cleanup: () => void;
let storeUri: string;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => cliIn(join(dir, 'data'), args, env);

interface StatusJson {
  storeUri: string;
  storeFrom: string;
  checkedAt: number;
  leader: string | null;
  active: boolean;
  problem: string | null;
  problems: string[];
  unreadable?: string[];
  hint: string | null;
  controllers: {
    id: string;
    role: string;
    alive: boolean;
    host: string;
    lastTickAt: number;
    activity: string;
  }[];
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('aideon-controller-status-'));
  const root = join(dir, 'store');
  storeUri = `dir:${root}`;
  const store = new DirectoryStore({ root });
  const now = Date.now();
  // A live leader, a standby whose heartbeat went stale ten minutes ago, and a damaged record.
  await writeControllerStatus(store, controllerHeartbeat(now - 3000, { id: 'ctl-a' }));
  await writeControllerStatus(
    store,
    controllerHeartbeat(now - 600_000, {
      id: 'ctl-b',
      host: 'standby-box',
      role: 'standby',
      aliveUntil: now - 540_000,
      activity: 'waiting for the lease',
      lastEvent: null,
    }),
  );
  await store.commit([{ key: controllerStatusKey('ctl-broken'), value: '{"schema": "aideon.' }]);
  await store.close();
});
afterAll(() => cleanup());

describe('aideon controller status', () => {
  it('lists the controllers with role, alive or stale, host, heartbeat age and work, the leader and the unreadable record', async () => {
    const result = await cli(['controller', 'status', '--store', storeUri]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const out = result.stdout;
    expect(out).toContain(`Config store: ${storeUri} (from --store)`);
    expect(out).toMatch(/^Leader: ctl-a on ops-box \(last heartbeat \d+ s ago\)$/m);
    expect(out).toMatch(
      /^ {2}ctl-a {2}leader {3}alive {2}host ops-box {2}pid 4242 {2}last heartbeat \d+ s ago/m,
    );
    expect(out).toContain('    working on: dev new-video-model 10%: baking (check 2)');
    expect(out).toMatch(/last event \d+ s ago: check_passed: all 3 guards passed/);
    expect(out).toMatch(
      /^ {2}ctl-b {2}standby {2}stale {2}host standby-box .*last heartbeat 10 min ago/m,
    );
    expect(out).toContain('Problems (1):');
    expect(out).toMatch(
      /^ {2}controller record unreadable: controller\/status\/ctl-broken: not valid JSON/m,
    );
  });

  it('prints the same as JSON (--json after status or before it), and takes $AIDEON_STORE', async () => {
    for (const args of [
      ['controller', 'status', '--json', '--store', storeUri],
      ['controller', '--store', storeUri, '--json', 'status'],
    ]) {
      const result = await cli(args);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as StatusJson;
      expect(report).toMatchObject({
        storeUri,
        storeFrom: 'flag',
        leader: 'ctl-a',
        active: true,
        problem: null,
        hint: null,
      });
      expect(report.controllers.map((c) => [c.id, c.role, c.alive, c.host])).toEqual([
        ['ctl-a', 'leader', true, 'ops-box'],
        ['ctl-b', 'standby', false, 'standby-box'],
      ]);
      expect(report.unreadable).toHaveLength(1);
      expect(report.problems).toEqual(report.unreadable);
      expect(report.problems[0]).toMatch(
        /^controller record unreadable: controller\/status\/ctl-broken: /,
      );
    }
    const fromEnv = await cli(['controller', 'status', '--json'], { AIDEON_STORE: storeUri });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ storeFrom: 'environment', leader: 'ctl-a' });
  });

  it('says when no controller leads: only a stale leader record', async () => {
    const root = join(dir, 'stale-store');
    const store = new DirectoryStore({ root });
    const now = Date.now();
    await writeControllerStatus(
      store,
      controllerHeartbeat(now - 7_200_000, { id: 'old', aliveUntil: now - 7_000_000 }),
    );
    const result = await cli(['controller', 'status', '--store', `dir:${root}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Leader: none$/m);
    expect(result.stdout).toMatch(/^ {2}old {2}leader {3}stale /m);
    expect(result.stdout).toContain(
      'no controller is running: the newest record, old on ops-box, last beat 2 h ago',
    );
    expect(result.stdout).toContain(`aideon controller --store dir:${root}`);
    // A live standby, still waiting for the lease: named as such.
    await writeControllerStatus(
      store,
      controllerHeartbeat(now, { id: 'spare', host: 'spare-box', role: 'standby' }),
    );
    const waiting = await cli(['controller', 'status', '--json', '--store', `dir:${root}`]);
    expect(JSON.parse(waiting.stdout)).toMatchObject({
      leader: null,
      active: false,
      problems: ['no controller leads: spare on spare-box is a standby waiting for the lease'],
    });
  });

  it('with no controller registered says so and what to run; by default it reads the console store', async () => {
    const root = join(dir, 'console-store');
    mkdirSync(root);
    // Nothing set: the data folder's default store folder, which need not exist yet.
    const fresh = await cli(['controller', 'status', '--json']);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({
      storeUri: `dir:${join(dir, 'data', 'config-store')}`,
      storeFrom: 'console',
      controllers: [],
      leader: null,
    });
    expect((await cli(['config', 'store', 'set', `dir:${root}`])).code).toBe(0);
    const result = await cli(['controller', 'status']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `Config store: dir:${root} (the console's store for this data folder)`,
    );
    expect(result.stdout).toContain('No rollout controller is registered in this store.');
    expect(result.stdout).toContain(`Start one: aideon controller --store dir:${root}`);
    expect(result.stdout).not.toMatch(/Leader:|Problems/);
  });

  it('exits 1 naming the store when it cannot be read', async () => {
    // A file where the store's folder should be.
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const notFolder = await cli(['controller', 'status', '--store', `dir:${file}`]);
    expect(notFolder).toMatchObject({ code: 1, stdout: '' });
    expect(notFolder.stderr).toBe(
      `aideon: The config store dir:${file} cannot be read: ${file} is not a folder\n`,
    );
    // A folder that does not exist (a mistyped path): not read as "no controller".
    const missing = await cli(['controller', 'status', '--store', `dir:${join(dir, 'typo')}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`The config store dir:${join(dir, 'typo')} cannot be read`);
    // The store's folder is there, but a file stands where the controller records' folder is.
    const broken = join(dir, 'broken-store');
    mkdirSync(join(broken, 'controller'), { recursive: true });
    writeFileSync(join(broken, 'controller', 'status'), 'not a folder');
    const unreadable = await cli(['controller', 'status', '--json', '--store', `dir:${broken}`]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(
      new RegExp(`^aideon: The config store dir:${broken} cannot be read: ENOTDIR`),
    );
    expect(JSON.parse(unreadable.stdout)).toMatchObject({
      storeUri: `dir:${broken}`,
      controllers: [],
      leader: null,
      problem: expect.stringMatching(/ENOTDIR/) as unknown,
    });
  });

  it('refuses an etcd store URI with a password, and never prints the password', async () => {
    const password = 'hunter2-etcd-secret';
    // The console does not log in to etcd, so credentials in the URI are refused (exit 2).
    const uri = `etcd://admin:${password}@127.0.0.1:1/aideon`;
    for (const args of [
      ['controller', 'status', '--store', uri],
      ['controller', 'status', '--json', '--store', uri],
    ]) {
      const result = await cli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('etcd://admin:***@127.0.0.1:1/aideon');
      expect(result.stderr).toContain('carries a user name or password');
      expect(result.stdout + result.stderr).not.toContain(password);
    }
    // A URI that does not parse is refused (exit 2) without echoing the password either.
    const bad = await cli(['controller', 'status', '--store', `etcd://admin:${password}@host/x`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('etcd://admin:***@host/x');
    expect(bad.stderr).not.toContain(password);
  });

  it("refuses the controller's run options with status, and `aideon controller` keeps its own", async () => {
    const once = await cli(['controller', 'status', '--store', storeUri, '--once']);
    expect(once.code).toBe(2);
    expect(once.stderr).toContain("option '--once' is for running the controller");
    // Without a store the controller still refuses to start, as before.
    const noStore = await cli(['controller', '--once']);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toMatch(/store: is required: --store/);
    const help = await cli(['controller', '--help']);
    expect(help.code).toBe(0);
    for (const option of ['--store', '--id', '--operator-key', '--once', '--json', '--lease-ms'])
      expect(help.stdout).toContain(option);
    expect(help.stdout).toMatch(/^ {2}status \[options\]/m);
    // And it still runs: one pass on an empty store, then exit.
    const root = join(dir, 'run-store');
    mkdirSync(root);
    const ran = await cli([
      'controller',
      '--store',
      `dir:${root}`,
      '--id',
      'once-1',
      '--once',
      '--json',
    ]);
    expect(ran.code).toBe(0);
    const lines = ran.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { started?: string; type?: string });
    expect(lines[0]).toEqual({ started: 'once-1', store: `dir:${root}` });
    expect(lines.map((line) => line.type)).toContain('leader_acquired');
  });
});
