/** Shared by the publishing end-to-end specs. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A routing config the checks accept once the sandbox models have benchmark evidence. */
export const SANDBOX_CONFIG = {
  schemaVersion: 1,
  description: 'Sandbox-only routing for the publishing end-to-end test.',
  tiers: {
    free: {
      requestKinds: ['text-to-video'],
      strategy: 'fallback',
      targets: [{ provider: 'sandbox', model: 'sandbox-fast', timeoutSeconds: 60, retries: 0 }],
      breaker: { failureRate: 0.5, minimumRequests: 20, cooldownSeconds: 60 },
      limits: { maxSeconds: 5, maxResolution: '720p', dailyQuota: 3 },
      defaults: { durationSeconds: 5, resolution: '720p', aspectRatio: '16:9' },
    },
    premium: {
      requestKinds: ['text-to-video'],
      strategy: 'fallback',
      targets: [
        {
          provider: 'sandbox',
          model: 'sandbox-pro',
          timeoutSeconds: 60,
          retries: 0,
          flag: { key: 'premium-pro-video', variants: ['on'] },
        },
        { provider: 'sandbox', model: 'sandbox-fast', timeoutSeconds: 60, retries: 1 },
      ],
      breaker: { failureRate: 0.3, minimumRequests: 50, cooldownSeconds: 30 },
      limits: { maxSeconds: 10, maxResolution: '1080p', dailyQuota: 50 },
      defaults: { durationSeconds: 5, resolution: '720p', aspectRatio: '16:9' },
    },
  },
  flags: {
    'premium-pro-video': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
    },
  },
};

/**
 * `aideon config verify` as a production consumer runs it, against `<dataDir>/config-store`
 * (or `storeDir`), pinning that store's trust file, with its state file in `dataDir`.
 */
export function verify(
  dataDir: string,
  env: string,
  storeDir = join(dataDir, 'config-store'),
): Record<string, unknown> {
  const store = storeDir;
  try {
    return JSON.parse(
      execFileSync(
        process.execPath,
        [
          'bin/aideon.mjs',
          'config',
          'verify',
          '--store',
          `dir:${store}`,
          '--env',
          env,
          '--trust',
          join(store, env, 'trust.json'),
          '--state',
          join(dataDir, `verify-state-${env}.json`),
          '--json',
        ],
        { encoding: 'utf8', timeout: 30_000 },
      ),
    ) as Record<string, unknown>;
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? '';
    return { failed: true, ...(JSON.parse(out || '{}') as Record<string, unknown>) };
  }
}
