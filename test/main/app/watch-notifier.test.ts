/**
 * The production watch's notifier reaches the person at the console: a rollout step in dev is
 * baked against a REAL Prometheus that has no series for it (missing data is a breach), the
 * watch rolls back on its own (signed with the session's key), and the notice says it rolled
 * back, not that it paused. Both ways in get it through the shared openConsole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole, type WiredConsole } from '../../../src/main/app/console-wiring';
import type { Notice } from '../../../src/main/app/notices';
import { resourcesDir } from '../../../src/main/paths';
import { flaggedPremiumConfig } from '../../helpers/flagged-routing-config';
import { finishedSandboxRun } from '../../helpers/services';
import { startPrometheus, type PrometheusFixture } from '../../helpers/prometheus-server';
import { tempDir } from '../../helpers/temp-dir';

const FLAG = 'premium-pro';

const CONFIG = flaggedPremiumConfig({
  flag: FLAG,
  flagged: { provider: 'sandbox', model: 'sandbox-pro', timeoutSeconds: 60, retries: 0 },
  fallback: { provider: 'sandbox', model: 'sandbox-fast', timeoutSeconds: 60, retries: 0 },
  tier: {
    breaker: { failureRate: 0.3, minimumRequests: 50, cooldownSeconds: 30 },
    limits: { maxSeconds: 10, maxResolution: '1080p', dailyQuota: 50 },
  },
});

let prom: PrometheusFixture;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const temp = tempDir('aideon-notifier-prom-');
  cleanups.push(temp.cleanup);
  prom = await startPrometheus({ dir: temp.dir });
}, 240_000);

afterAll(async () => {
  await prom?.stop();
  cleanups.forEach((cleanup) => cleanup());
});

describe('the watch notifier', () => {
  it('tells the person the watch rolled a step back (not "paused")', async () => {
    const { dir, cleanup } = tempDir('aideon-notifier-');
    cleanups.push(cleanup);
    const notices: Notice[] = [];
    let wired: WiredConsole | undefined;
    try {
      wired = openConsole(
        {
          dataDir: dir,
          resourcesDir: resourcesDir(),
          env: {},
          mode: 'browser',
          version: 'test',
          sandboxTimeScale: 0.002,
          analyseVideos: false,
          publishTickMs: 3_600_000,
        },
        { present: (notice) => notices.push(notice), log: () => undefined },
      );
      const { services } = wired;
      await finishedSandboxRun(services);
      const generated = await services.publishing.generateKey('notifier', 'notifier passphrase');
      await services.publishing.initTrust(generated.unlocked, {
        dev: 1,
        staging: 1,
        production: 1,
        trust: 1,
      });
      const saved = services.routing.saveDraft(CONFIG, 0);
      expect(saved.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
      await services.publishing.publishDraft({
        draftRevision: saved.revision,
        expectFromVersion: 0,
      });
      services.watch.saveSettings({
        environments: { dev: { prometheusUrl: prom.url, autoRollback: true } },
        guardWindow: '3h',
        tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
      });
      const breached = new Promise((resolve) =>
        services.bus.on('watch:guard-breached', (event) => resolve(event)),
      );
      await services.publishing.startRollout({
        environment: 'dev',
        flagKey: FLAG,
        onVariant: 'on',
        offVariant: 'off',
        steps: [10, 100],
        bakeMinutes: 30,
      });
      // Production (here: dev) never reported version 2: missing data, rolled back at once.
      expect(await breached).toMatchObject({
        env: 'dev',
        status: 'no_data',
        action: 'rolled_back',
      });
      const notice = notices.find((entry) => /dev/.test(entry.title));
      expect(notice?.title).toMatch(/^Rolled back config version 2 .*in dev: metrics are missing/);
      expect(notice?.title).not.toMatch(/paused/);
      expect(notice?.body).toMatch(/No requests reported|had 0 requests/);
    } finally {
      await wired?.close();
    }
  }, 120_000);
});
