/**
 * `aideon rollout pause|resume|next|kill` and `aideon watch settings show|set`, as cron and CI
 * run them: against the config store the data folder publishes to (its default folder here).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import { createPassphraseProtector, generateKey } from '../../../src/main/rollout/publish/keys';
import { SharedHistory } from '../../../src/main/rollout/publish/shared-history';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import { tempDir } from '../../helpers/temp-dir';
import { makePublisher, memorySigner, sampleConfig } from '../rollout/fixtures';

const PASS = 'operator passphrase for the cli test';
let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let store: DirectoryStore;

const cli = (...args: string[]) => cliIn(join(dir, 'data'), args, env);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('aideon-rollout-cli-'));
  store = new DirectoryStore({ root: join(dir, 'data', 'config-store') });
  const alice = await memorySigner('alice');
  const operator = await generateKey('controller', {
    dir: join(dir, 'operator'),
    protector: createPassphraseProtector(PASS),
    now: Date.now,
  });
  const admin = makePublisher(store, [alice], { now: Date.now });
  await admin.initTrust(
    [alice.info],
    { dev: 1, staging: 1, production: 1, trust: 1 },
    { keys: [operator], threshold: 1 },
  );
  await admin.publish('dev', sampleConfig());
  await admin.startRollout({
    environment: 'dev',
    flagKey: 'new-video-model',
    onVariant: 'on',
    offVariant: 'off',
    steps: [10, 50, 100],
    bakeMinutes: 60,
  });
  env = {
    AIDEON_OPERATOR_KEY: join(dir, 'operator', `${operator.kid}.key.json`),
    AIDEON_OPERATOR_PASSPHRASE: PASS,
    AIDEON_ACTOR: 'ci',
  };
});
afterAll(() => cleanup());

describe('rollout and watch settings from the CLI', () => {
  it('pauses, refuses an early next step, resumes, and kills the flag with the operator key', async () => {
    const reader = makePublisher(store, []);
    // What runs where, before anything is done: the first step out, the next due after its bake.
    const status = await cli('rollout', 'status');
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Store: dir:${join(dir, 'data', 'config-store')}\n`);
    expect(status.stdout).toMatch(
      /\ndev \(live version 2\):\n {2}new-video-model {2}running {2}10% on "on", the rest "off" \(step 1 of 3\)\n/,
    );
    expect(status.stdout).toMatch(
      / {4}steps 10% → 50% → 100%, bake 1 h each · next step \d+ \w+ \d{4}, \d\d:\d\d · started by /,
    );
    expect(status.stdout).toContain('\nstaging (nothing live): no rollouts');
    const onlyDev = JSON.parse((await cli('rollout', 'list', '--env', 'dev', '--json')).stdout) as {
      environments: { environment: string; rollouts: { flagKey: string; status: string }[] }[];
    };
    expect(onlyDev.environments.map((environment) => environment.environment)).toEqual(['dev']);
    expect(onlyDev.environments[0]?.rollouts).toMatchObject([
      { flagKey: 'new-video-model', status: 'running' },
    ]);
    expect((await cli('rollout', 'status', '--env', 'qa')).code).toBe(2);

    const paused = await cli('rollout', 'pause', '--env', 'dev', '--flag', 'new-video-model');
    expect(paused).toMatchObject({ code: 0 });
    expect(paused.stdout).toMatch(/is paused/);
    expect((await reader.listRollouts('dev'))[0]?.status).toBe('paused');
    expect((await cli('rollout', 'status')).stdout).toMatch(
      /new-video-model {2}paused {2}10% on "on"[^]*paused \(its step still serves\): resume with aideon rollout resume --env dev --flag new-video-model/,
    );
    const early = await cli('rollout', 'next', '--env', 'dev', '--flag', 'new-video-model');
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/is paused; resume it first/);
    expect((await cli('rollout', 'resume', '--env', 'dev', '--flag', 'new-video-model')).code).toBe(
      0,
    );
    const notYet = await cli('rollout', 'next', '--env', 'dev', '--flag', 'new-video-model');
    expect(notYet.code).toBe(1);
    expect(notYet.stderr).toMatch(/bakes until/);

    const killed = await cli('rollout', 'kill', '--flag', 'new-video-model', '--reason', 'page');
    expect(killed.code).toBe(0);
    expect(killed.stdout).toMatch(/dev: off \(version 3, operator-signed\)/);
    const live = await reader.live('dev');
    expect(live?.version).toBe(3);
    expect(
      (live?.config.flags as Record<string, { defaultVariant: string }>)['new-video-model']
        ?.defaultVariant,
    ).toBe('off');
    expect((await reader.listRollouts('dev'))[0]?.status).toBe('stopped');
    expect((await cli('rollout', 'status')).stdout).toMatch(
      /new-video-model {2}stopped {2}stopped at 10% \(step 1 of 3\)[^]*· stopped: /,
    );
    // The kill is in the shared history in the store (every console sees it), signed by the
    // operator role and named after the CLI's actor, and in this console's verified copy.
    const trust = (await reader.readTrust('dev')).trust;
    const { entries, check } = await new SharedHistory({ store }).read(trust);
    expect(check.ok).toBe(true);
    expect(entries.at(-1)).toMatchObject({
      action: 'kill_switch',
      actor: 'ci',
      environment: 'dev',
      version: 3,
      signature: 'operator',
    });
    const shown = await cli('config', 'history', '--json');
    expect(
      (JSON.parse(shown.stdout) as { entries: { action: string; actor: string }[] }).entries.at(-1),
    ).toMatchObject({ action: 'kill_switch', actor: 'ci' });
  });

  it('watch settings: a bad file is refused naming the field, a good one is saved and shown', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ checkIntervalMinutes: 'often', tiers: [] }));
    const refused = await cli('watch', 'settings', 'set', bad);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/checkIntervalMinutes/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{ nope');
    expect((await cli('watch', 'settings', 'set', notJson)).stderr).toMatch(/is not JSON/);

    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        environments: {
          production: { prometheusUrl: 'http://127.0.0.1:9090', autoRollback: true },
        },
        tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
      }),
    );
    const saved = await cli('watch', 'settings', 'set', good);
    expect(saved).toMatchObject({ code: 0 });
    expect(saved.stdout).toMatch(/1 tier\(s\) guarded, Prometheus for production/);
    const shown = await cli('watch', 'settings', 'show');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      environments: { production: { autoRollback: true } },
      tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
    });
  });

  it('config store show|set|reset: the store this data folder publishes to, checked first', async () => {
    const dataStore = `dir:${join(dir, 'data', 'config-store')}`;
    expect(JSON.parse((await cli('config', 'store', 'show', '--json')).stdout)).toEqual({
      storeUri: dataStore,
      default: true,
      // No change of unknown outcome is kept (test/main/rollout/unconfirmed-forgotten.test.ts).
      unconfirmed: [],
    });
    const bad = await cli('config', 'store', 'set', 'etcd://127.0.0.1/aideon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/needs a port, e\.g\. etcd:\/\/127\.0\.0\.1:2379\/aideon/);
    expect((await cli('config', 'store', 'set', 'relative/folder')).stderr).toMatch(
      /is not supported: use dir:\/absolute\/folder or etcd:\/\/host:port\/prefix/,
    );
    // Nothing was saved by the refused ones.
    expect((await cli('config', 'store', 'show')).stdout).toBe(`${dataStore} (default)\n`);
    const other = `dir:${join(dir, 'other-store')}`;
    const set = await cli('config', 'store', 'set', other);
    expect(set).toMatchObject({ code: 0, stdout: `This data folder now publishes to ${other}.\n` });
    expect((await cli('config', 'store', 'show')).stdout).toBe(`${other}\n`);
    // The rollout commands act on it now: nothing runs in the other store.
    const pause = await cli('rollout', 'pause', '--env', 'dev', '--flag', 'new-video-model');
    expect(pause.code).toBe(1);
    expect((await cli('config', 'store', 'reset')).stdout).toBe(
      `This data folder now publishes to ${dataStore}.\n`,
    );
    expect(JSON.parse((await cli('config', 'store', 'show', '--json')).stdout)).toMatchObject({
      default: true,
    });
  });
});
