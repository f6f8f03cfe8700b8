/**
 * A real publish history for the watch views' markers, made before the console starts: the
 * console's own services on the e2e data folder (sandbox evidence from `benchmarkWithCli`), a
 * passphrase key, and signed publishes / promotions / a rollout step / a rollback whose clock is
 * set inside the Prometheus fixture's week (the history ends 2025-06-09), so the console's
 * markers and the metrics' `config_version` markers meet on one time axis.
 *
 * Production is brought to version 41 before the week, so its promotion of version 42 lands
 * next to the metrics' 41 → 42 change (`CONFIG_CHANGE_AT`): the two are one marker.
 */
import { resourcesDir } from '../../src/main/paths';
import { createServices } from '../../src/main/services';
import { flaggedPremiumConfig } from '../helpers/flagged-routing-config';
import { CONFIG_CHANGE_AT } from '../helpers/prometheus-server';

const FLAG = 'premium-fast-video';
/** The passphrase of the signing key the history is signed with (a spec unlocks it with this). */
export const SEEDED_KEY_PASSPHRASE = 'e2e passphrase';
const MINUTE = 60_000;

function config(dailyQuota: number): Record<string, unknown> {
  return flaggedPremiumConfig({
    flag: FLAG,
    flagged: { provider: 'sandbox', model: 'sandbox-fast', timeoutSeconds: 60, retries: 0 },
    fallback: { provider: 'sandbox', model: 'sandbox-pro', timeoutSeconds: 60, retries: 0 },
    tier: {
      breaker: { failureRate: 0.3, minimumRequests: 50, cooldownSeconds: 30 },
      limits: { maxSeconds: 10, maxResolution: '1080p', dailyQuota },
      // Tier-wide budget and quota: the production watch reads them from here.
      budget: { dailyUsd: 2000, dailyRequests: 1000 },
    },
  });
}

/** When each marker-worthy production action happened (ms). */
export const SEEDED = {
  stagingPromotion: CONFIG_CHANGE_AT * 1000 - 3 * 60 * MINUTE,
  productionPromotion: CONFIG_CHANGE_AT * 1000 - 5 * MINUTE,
  rolloutStep: Date.UTC(2025, 5, 7, 6),
  rollback: Date.UTC(2025, 5, 8, 3),
};

export async function seedPublishHistory(dataDir: string): Promise<void> {
  let now = Date.UTC(2025, 4, 20);
  const services = createServices({
    dataDir,
    resourcesDir: resourcesDir(),
    env: { AIDEON_ACTOR: 'e2e admin' },
    mode: 'cli',
    version: 'e2e',
    now: () => now,
  });
  try {
    const { publishing, routing } = services;
    const kid = (await publishing.generateKey('e2e key', SEEDED_KEY_PASSPHRASE)).unlocked;
    await publishing.initTrust(kid, { dev: 1, staging: 1, production: 1, trust: 1 });
    const ship = async (version: number, stagingAt: number, productionAt: number) => {
      const saved = routing.saveDraft(config(40 + version), routing.getDraft().revision);
      now = stagingAt;
      await publishing.publishDraft({
        draftRevision: saved.revision,
        expectFromVersion: version - 1,
      });
      await publishing.promote({ target: 'staging', expectFromVersion: version - 1 });
      now = productionAt;
      await publishing.promote({ target: 'production', expectFromVersion: version - 1 });
    };
    for (let version = 1; version <= 41; version += 1)
      await ship(
        version,
        Date.UTC(2025, 4, 20) + version * MINUTE,
        Date.UTC(2025, 4, 20) + version * MINUTE,
      );
    await ship(42, SEEDED.stagingPromotion, SEEDED.productionPromotion);
    now = SEEDED.rolloutStep;
    await publishing.startRollout({
      environment: 'production',
      flagKey: FLAG,
      onVariant: 'on',
      offVariant: 'off',
      steps: [10, 100],
      bakeMinutes: 60,
    });
    now = SEEDED.rollback;
    await publishing.rollback({ environment: 'production', expectFromVersion: 43 });
  } finally {
    await services.close();
  }
}
