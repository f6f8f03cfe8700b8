/**
 * The publishing flow as an admin runs it from the CLI: a key, a trust file, a routing config
 * refused by the routing checks, a good one signed into dev, verified as a consumer would,
 * promoted to staging, and the hash-chained history intact.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import { listModelsInUse } from '../../../src/main/monitor/monitor-repository';
import { resourcesDir } from '../../../src/main/paths';
import { createServices } from '../../../src/main/services';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
const env = {
  AIDEON_KEY_PASSPHRASE: 'correct horse battery staple',
  AIDEON_SANDBOX_TIME_SCALE: '0.02',
};

const cli = (...args: string[]) => cliIn(join(dir, 'data'), args, env);

beforeAll(() => {
  ({ dir, cleanup } = tempDir('aideon-publish-'));
});
afterAll(() => cleanup());

describe('config publishing from the CLI', () => {
  it('refuses an unchecked config, signs a checked one, and consumers verify it', async () => {
    const key = await cli('keys', 'generate', '--name', 'alice', '--json');
    expect(key.code).toBe(0);
    const kid = (JSON.parse(key.stdout) as { kid: string }).kid;
    expect(key.stdout).not.toMatch(/"d"\s*:/); // no private JWK component in the output
    const store = `dir:${join(dir, 'store')}`;
    expect(
      (
        await cli(
          'config',
          'trust',
          'init',
          '--store',
          store,
          '--keys',
          kid,
          '--thresholds',
          'dev=1,staging=1,production=1,trust=1',
        )
      ).code,
    ).toBe(0);

    // The example names Together and Runway models: no keys and no benchmark evidence here.
    const refused = await cli(
      'config',
      'publish',
      '--store',
      store,
      '--env',
      'dev',
      '--file',
      'resources/routing/example-config.json',
      '--yes',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/no successful benchmark generation/);

    // Evidence for the sandbox models, then a sandbox-only config is accepted.
    expect(
      (
        await cli(
          'bench',
          'run',
          '--suite',
          'smoke',
          '--models',
          'sandbox:sandbox-fast,sandbox:sandbox-pro',
          '--json',
        )
      ).code,
    ).toBe(0);
    const config = JSON.parse(readFileSync('resources/routing/example-config.json', 'utf8')) as {
      tiers: Record<
        string,
        { strategy?: string; targets: { provider: string; weight?: number }[] }
      >;
      flags?: unknown;
    };
    for (const tier of Object.values(config.tiers)) {
      tier.targets = tier.targets.filter((target) => target.provider === 'sandbox');
      if (tier.strategy === 'weighted') for (const target of tier.targets) target.weight = 1;
    }
    config.flags = {};
    const file = join(dir, 'sandbox-config.json');
    writeFileSync(file, JSON.stringify(config));
    const published = await cli(
      'config',
      'publish',
      '--store',
      store,
      '--env',
      'dev',
      '--file',
      file,
      '--yes',
    );
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/dev is now at version 1/);
    // The release monitor now knows which models the published config routes to.
    const data = createServices({
      dataDir: join(dir, 'data'),
      resourcesDir: resourcesDir(),
      env: {},
      mode: 'cli',
      version: 'test',
    });
    try {
      expect(
        listModelsInUse(data.db)
          .map((row) => `${row.provider}:${row.modelId}`)
          .sort(),
      ).toEqual(['sandbox:sandbox-fast', 'sandbox:sandbox-pro']);
    } finally {
      await data.close();
    }

    const verified = await cli(
      'config',
      'verify',
      '--store',
      store,
      '--env',
      'dev',
      '--trust',
      join(dir, 'store', 'dev', 'trust.json'),
      '--json',
    );
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });

    // Production only takes what staging runs.
    const early = await cli('config', 'promote', '--store', store, '--to', 'production', '--yes');
    expect(early.code).not.toBe(0);
    expect(
      (await cli('config', 'promote', '--store', store, '--to', 'staging', '--yes')).code,
    ).toBe(0);

    // The shared, signed history in the store holds every step above, its chain intact.
    const history = await cli('config', 'history', '--store', store, '--verify', '--json');
    expect(history.code).toBe(0);
    const chain = (JSON.parse(history.stdout) as { chain: { ok: boolean; entries: number } }).chain;
    expect(chain.ok).toBe(true);
    // trust set-up, the publish to dev and the promotion to staging (the refused one adds none)
    expect(chain.entries).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
