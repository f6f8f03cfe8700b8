/**
 * What the release monitor knows reaches the routing checks, end to end through the `aideon`
 * command run as a child process (as a cron job or an admin runs it): the monitor checks the
 * Together emulator, the model disappears from the catalogue, two more checks report it
 * removed, and then `config validate` and `config publish` refuse a config routing to it,
 * naming the model and when the monitor last saw it.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { tempDir } from '../../helpers/temp-dir';

const KEY = 'tgp_v1_PLANTED-WIRING-SECRET-9f8e7d6c5b4a';
const MODEL = 'minimax/video-01-director';

let emulator: TogetherEmulator;
let dir: string;
let cleanup: () => void;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/aideon.mjs', '--data-dir', join(dir, 'data'), ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          TOGETHER_API_KEY: KEY,
          AIDEON_TOGETHER_BASE_URL: emulator.baseUrl,
          AIDEON_KEY_PASSPHRASE: 'wiring passphrase',
          AIDEON_SANDBOX_TIME_SCALE: '0.02',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** One free tier on the model the monitor will report removed. */
const CONFIG = {
  schemaVersion: 1,
  tiers: {
    free: {
      requestKinds: ['text-to-video'],
      strategy: 'fallback',
      targets: [{ provider: 'together', model: MODEL, timeoutSeconds: 300, retries: 0 }],
      breaker: { failureRate: 0.5, minimumRequests: 20, cooldownSeconds: 60 },
      limits: { maxSeconds: 5, maxResolution: '720p', dailyQuota: 3 },
      defaults: { durationSeconds: 5, resolution: '720p', aspectRatio: '16:9' },
    },
  },
  flags: {},
};

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('aideon-retired-'));
  emulator = new TogetherEmulator({ apiKey: KEY });
  await emulator.start();
});

afterAll(async () => {
  await emulator.stop();
  cleanup();
});

describe('a model the monitor reports removed', () => {
  it('is refused by config validate and config publish, naming it and when it was last seen', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(CONFIG));

    const baseline = await cli('monitor', 'check', '--provider', 'together', '--json');
    expect(baseline.code).toBe(0);
    const checked = JSON.parse(baseline.stdout) as { checks: { status: string; at: number }[] };
    expect(checked.checks[0]?.status).toBe('ok');
    const lastSeenAt = checked.checks[0]?.at ?? 0;

    // Listed: no monitor problem yet (only the missing benchmark evidence).
    const before = await cli('config', 'validate', file, '--json');
    const beforeCodes = (
      JSON.parse(before.stdout) as { problems: { code: string }[] }
    ).problems.map((problem) => problem.code);
    expect(beforeCodes).not.toContain('retired-model');

    emulator.hiddenModels.add(MODEL);
    const firstMiss = await cli('monitor', 'check', '--provider', 'together', '--json');
    expect(firstMiss.code).toBe(0);
    // Missing once is not removed yet: still no monitor problem.
    const once = await cli('config', 'validate', file, '--json');
    expect(once.stdout).not.toMatch(/retired-model/);
    const secondMiss = await cli('monitor', 'check', '--provider', 'together');
    expect(secondMiss.code).toBe(0);
    expect(secondMiss.stdout).toMatch(/no longer lists .*minimax\/video-01-director/);

    const seen = new Date(lastSeenAt).toISOString().slice(0, 16).replace('T', ' ');
    const refused = await cli('config', 'validate', file);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/\[retired-model\]/);
    expect(refused.stdout).toContain(`together:${MODEL}`);
    expect(refused.stdout).toMatch(/removed/);
    expect(refused.stdout).toContain(seen);
    expect(refused.stdout).toMatch(/error\s+tiers\.free\.targets\.0\.model\s+\[retired-model\]/);

    // Publishing signs nothing the checks refuse, and says why.
    const key = await cli('keys', 'generate', '--name', 'wiring', '--json');
    expect(key.code).toBe(0);
    const kid = (JSON.parse(key.stdout) as { kid: string }).kid;
    const store = `dir:${join(dir, 'store')}`;
    const trust = await cli(
      'config',
      'trust',
      'init',
      '--store',
      store,
      '--keys',
      kid,
      '--thresholds',
      'dev=1,staging=1,production=1,trust=1',
    );
    expect(trust.code).toBe(0);
    const publish = await cli(
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
    expect(publish.code).not.toBe(0);
    const said = publish.stdout + publish.stderr;
    expect(said).toContain(`together:${MODEL}`);
    expect(said).toMatch(/removed/);
    expect(said).toContain(seen);
    expect(said).not.toContain(KEY);
  }, 180_000);
});
