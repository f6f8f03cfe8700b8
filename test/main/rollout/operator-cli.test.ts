import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configPromoteCommand,
  configPublishCommand,
  configTrustCommand,
  configTrustSetOperatorCommand,
  configVerifyCommand,
  keysGenerateCommand,
  keysListCommand,
  type ConfigCliContext,
} from '../../../src/main/rollout/publish/config-cli';
import {
  createPassphraseProtector,
  loadSignerFromFile,
} from '../../../src/main/rollout/publish/keys';
import { Publisher } from '../../../src/main/rollout/publish/publisher';
import { SharedHistory } from '../../../src/main/rollout/publish/shared-history';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import { tempDir } from '../../helpers/temp-dir';
import { CLI_PASSPHRASE, cliContext, sampleConfig, T0 } from './fixtures';

const PASSPHRASE = CLI_PASSPHRASE;

describe('operator keys from the CLI', () => {
  let dir: string;
  let cleanup: () => void;
  let context: ConfigCliContext;
  let storeUri: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('aideon-operator-cli-'));
    storeUri = `dir:${join(dir, 'store')}`;
    context = cliContext(dir);
  });
  afterEach(() => cleanup());

  it('keys generate --role operator, trust set-operator, a controller rollback from the key file, config verify', async () => {
    const generate = async (name: string, role?: string) => {
      const result = await keysGenerateCommand(context, {
        name,
        json: true,
        ...(role ? { role } : {}),
      });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).not.toContain(PASSPHRASE);
      return JSON.parse(result.stdout) as { kid: string; role: string };
    };
    const alice = await generate('alice');
    const operator = await generate('controller', 'operator');
    expect(operator.role).toBe('operator');
    expect((await keysGenerateCommand(context, { name: 'x', role: 'root' })).exitCode).toBe(2);
    expect((await keysListCommand(context, {})).stdout).toMatch(/controller {2}\(operator, /);
    expect(
      await configTrustCommand(context, {
        store: storeUri,
        action: 'init',
        keys: [alice.kid],
        thresholds: 'production=1,trust=1',
        sign: [alice.kid],
      }),
    ).toMatchObject({ exitCode: 0 });
    const set = await configTrustSetOperatorCommand(context, {
      store: storeUri,
      keys: [operator.kid],
      threshold: 1,
    });
    expect(set.exitCode).toBe(0);
    expect(set.stdout).toMatch(/Trust file version 2 .*operator role/);

    const file = join(dir, 'routing.json');
    for (const tier of ['a:1', 'b:2']) {
      writeFileSync(file, JSON.stringify(sampleConfig(tier)));
      const publish = { store: storeUri, file, keys: [alice.kid], yes: true };
      expect((await configPublishCommand(context, { ...publish, env: 'dev' })).exitCode).toBe(0);
      for (const to of ['staging', 'production'])
        expect(
          (
            await configPromoteCommand(context, {
              store: storeUri,
              to,
              keys: [alice.kid],
              yes: true,
            })
          ).exitCode,
        ).toBe(0);
    }
    // The controller: the key file plus the passphrase from its environment.
    const signer = await loadSignerFromFile(
      join(context.keyDir, `${operator.kid}.key.json`),
      createPassphraseProtector(PASSPHRASE),
    );
    expect(signer.role).toBe('operator');
    expect(JSON.stringify(signer)).not.toMatch(/private|"d":/);
    await expect(
      loadSignerFromFile(
        join(context.keyDir, `${operator.kid}.key.json`),
        createPassphraseProtector('a wrong passphrase'),
      ),
    ).rejects.toThrow(/passphrase does not open/);
    const store = new DirectoryStore({ root: join(dir, 'store') });
    const controller = new Publisher({
      store,
      signers: [signer],
      validateConfig: () => [],
      now: () => T0 + 1000,
      actor: 'controller',
    });
    expect(await controller.rollbackAsOperator('production')).toMatchObject({
      status: 'published',
      version: 3,
      signedAs: 'operator',
    });
    const trustFile = join(dir, 'trust.json');
    writeFileSync(trustFile, readFileSync(join(dir, 'store', 'production', 'trust.json')));
    const verified = await configVerifyCommand({
      store: storeUri,
      env: 'production',
      trust: trustFile,
      state: join(dir, 'state.json'),
      now: T0 + 2000,
      flagsOut: join(dir, 'flagd.json'),
    });
    expect(verified.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'flagd.json'), 'utf8'))).toEqual({
      flags: sampleConfig('a:1').flags,
    });
    expect(verified.stdout).toMatch(
      /version 3 .*signed by the operator role .* on top of fully signed version 1/,
    );

    // An admin whose key folder also holds the operator key (as `keys generate --role operator`
    // makes it) publishes with both keys, the operator key first: her history entry is hers,
    // signed by her admin key, not by the operator role.
    writeFileSync(file, JSON.stringify(sampleConfig('c:3')));
    const both = { store: storeUri, env: 'dev', file, keys: [operator.kid, alice.kid] };
    expect((await configPublishCommand(context, { ...both, yes: true })).exitCode).toBe(0);
    const trust = (await controller.readTrust('dev')).trust;
    const { entries, check } = await new SharedHistory({ store }).read(trust);
    expect(check.ok).toBe(true);
    expect(entries.at(-1)).toMatchObject({
      action: 'publish',
      actor: 'alice',
      signature: 'admin',
      signedBy: [alice.kid],
    });
  });
});
