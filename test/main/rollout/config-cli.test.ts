import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configCosignCommand,
  configPromoteCommand,
  configPublishCommand,
  configRollbackCommand,
  configTrustCommand,
  configVerifyCommand,
  keysGenerateCommand,
  keysListCommand,
  type ConfigCliContext,
} from '../../../src/main/rollout/publish/config-cli';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import { storeKeys } from '../../../src/consumer/bundle-format';
import { tempDir } from '../../helpers/temp-dir';
import { CLI_PASSPHRASE, cliContext, sampleConfig, T0 } from './fixtures';

const PASSPHRASE = CLI_PASSPHRASE;

describe('aideon keys / aideon config commands', () => {
  let dir: string;
  let cleanup: () => void;
  let context: ConfigCliContext;
  let storeUri: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('aideon-config-cli-'));
    storeUri = `dir:${join(dir, 'store')}`;
    context = cliContext(dir);
  });
  afterEach(() => cleanup());

  async function kid(name: string): Promise<string> {
    const result = await keysGenerateCommand(context, { name, json: true });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain(PASSPHRASE);
    return (JSON.parse(result.stdout) as { kid: string }).kid;
  }

  it('runs keys generate → trust init → publish (dry run, then --yes) → promote → rollback → verify', async () => {
    const alice = await kid('alice');
    const bob = await kid('bob');
    expect((await keysListCommand(context, {})).stdout).toContain(alice);
    const trust = await configTrustCommand(context, {
      store: storeUri,
      action: 'init',
      keys: [alice, bob],
      thresholds: 'production=2',
    });
    expect(trust).toMatchObject({ exitCode: 0 });

    const file = join(dir, 'routing.json');
    writeFileSync(file, JSON.stringify(sampleConfig('a:1')));
    const dry = await configPublishCommand(
      { ...context, passphrase: () => undefined },
      { store: storeUri, env: 'dev', file },
    );
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/would make version 1 .*\n(.|\n)*\+ tiers: (.|\n)*--yes/);
    const published = await configPublishCommand(context, {
      store: storeUri,
      env: 'dev',
      file,
      keys: [alice],
      yes: true,
      json: true,
    });
    expect(JSON.parse(published.stdout)).toMatchObject({
      ok: true,
      status: 'published',
      version: 1,
    });

    writeFileSync(file, JSON.stringify(sampleConfig('b:2')));
    await configPublishCommand(context, {
      store: storeUri,
      env: 'dev',
      file,
      keys: [alice],
      yes: true,
    });
    const rollbackPlan = await configRollbackCommand(context, { store: storeUri, env: 'dev' });
    expect(rollbackPlan.stdout).toContain(
      '~ tiers.free.chain: ["b:2","sandbox:sandbox-fast"] -> ["a:1","sandbox:sandbox-fast"]',
    );
    const rolledBack = await configRollbackCommand(context, {
      store: storeUri,
      env: 'dev',
      keys: [alice],
      yes: true,
    });
    expect(rolledBack.stdout).toMatch(/dev is now at version 3/);

    expect(
      (
        await configPromoteCommand(context, {
          store: storeUri,
          to: 'staging',
          keys: [alice],
          yes: true,
        })
      ).exitCode,
    ).toBe(0);
    const production = await configPromoteCommand(context, {
      store: storeUri,
      to: 'production',
      keys: [alice],
      yes: true,
    });
    expect(production.stdout).toMatch(/waits for 1 more signature/);
    const listed = await configCosignCommand(context, { store: storeUri, env: 'production' });
    const digest = /^(sha256:[0-9a-f]{64})/m.exec(listed.stdout)?.[1];
    expect(digest).toBeDefined();
    const cosigned = await configCosignCommand(
      { ...context, actor: 'bob' },
      { store: storeUri, env: 'production', digest: digest!, keys: [bob] },
    );
    expect(cosigned.stdout).toMatch(/production is now at version 1/);

    const store = new DirectoryStore({ root: join(dir, 'store') });
    const trustFile = join(dir, 'trust.json');
    writeFileSync(trustFile, (await store.get(storeKeys.trust('production')))!.value);
    const state = join(dir, 'state.json');
    const verified = await configVerifyCommand({
      store: storeUri,
      env: 'production',
      trust: trustFile,
      state,
      now: T0,
    });
    expect(verified).toMatchObject({ exitCode: 0 });
    expect(verified.stdout).toMatch(/^ok: production version 1/);
    const wrong = await configVerifyCommand({
      store: storeUri,
      env: 'production',
      trust: trustFile,
      state,
      json: true,
      now: T0 + 400 * 86_400_000,
    });
    expect(wrong.exitCode).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('exits 2 on bad usage and 1 when signing keys cannot be opened', async () => {
    expect(
      (await configPublishCommand(context, { store: storeUri, env: 'qa', file: '/nope' })).exitCode,
    ).toBe(2);
    const alice = await kid('alice');
    await configTrustCommand(context, {
      store: storeUri,
      action: 'init',
      keys: [alice],
      thresholds: 'production=1,trust=1',
    });
    const file = join(dir, 'routing.json');
    writeFileSync(file, JSON.stringify(sampleConfig()));
    const locked = await configPublishCommand(
      { ...context, passphrase: () => undefined },
      { store: storeUri, env: 'dev', file, yes: true },
    );
    expect(locked).toMatchObject({
      exitCode: 1,
      stdout: expect.stringMatching(/AIDEON_KEY_PASSPHRASE/),
    });
    const wrong = await configPublishCommand(
      { ...context, passphrase: () => 'not the passphrase' },
      { store: storeUri, env: 'dev', file, yes: true },
    );
    expect(wrong).toMatchObject({ exitCode: 1, stdout: expect.stringMatching(/does not open/) });
  });
});
