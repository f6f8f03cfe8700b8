/**
 * The release monitor's "models in use" follow what the published configs route to: read at
 * start-up and again after every publish and rollback, so a model the configs use that the
 * vendor stops listing raises "retired model in use" (a notice and an inbox entry). Real
 * SQLite, a real signed directory store, a real benchmark against the Together emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole, type WiredConsole } from '../../../src/main/app/console-wiring';
import type { Notice } from '../../../src/main/app/notices';
import { listModelsInUse } from '../../../src/main/monitor/monitor-repository';
import { modelsRoutedBy } from '../../../src/main/monitor/models-in-use';
import { resourcesDir } from '../../../src/main/paths';
import { createServices } from '../../../src/main/services';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { tempDir } from '../../helpers/temp-dir';

const KEY = 'tgp_v1_PLANTED-IN-USE-SECRET-13579bdf';
const MODEL = 'minimax/video-01-director';
const PASSPHRASE = 'in-use passphrase';

let emulator: TogetherEmulator;
let dir: string;
let cleanup: () => void;

function tier(provider: string, model: string) {
  return {
    requestKinds: ['text-to-video'],
    strategy: 'fallback',
    targets: [{ provider, model, timeoutSeconds: 300, retries: 0 }],
    breaker: { failureRate: 0.5, minimumRequests: 20, cooldownSeconds: 60 },
    limits: { maxSeconds: 5, maxResolution: '720p', dailyQuota: 3 },
    defaults: { durationSeconds: 5, resolution: '720p', aspectRatio: '16:9' },
  };
}
const TOGETHER_CONFIG = { schemaVersion: 1, tiers: { free: tier('together', MODEL) }, flags: {} };
const SANDBOX_CONFIG = {
  schemaVersion: 1,
  tiers: { free: tier('sandbox', 'sandbox-fast') },
  flags: {},
};

const options = () => ({
  dataDir: dir,
  resourcesDir: resourcesDir(),
  env: { TOGETHER_API_KEY: KEY, AIDEON_TOGETHER_BASE_URL: emulator.baseUrl },
  mode: 'browser' as const,
  version: 'test',
  sandboxTimeScale: 0.002,
  analyseVideos: false,
  publishTickMs: 3_600_000,
});

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('aideon-in-use-'));
  emulator = new TogetherEmulator({ apiKey: KEY });
  await emulator.start();
});

afterAll(async () => {
  await emulator.stop();
  cleanup();
});

describe('models in use', () => {
  it('lists every target of every tier once', () => {
    expect(
      modelsRoutedBy([
        TOGETHER_CONFIG,
        { tiers: { a: tier('together', MODEL.toUpperCase()), b: tier('sandbox', 'sandbox-fast') } },
        { tiers: { c: { targets: [{ provider: 'nobody', model: 'x' }, { model: 'y' }] } } },
        null,
      ]),
    ).toEqual([
      { provider: 'together', modelId: MODEL.toUpperCase() },
      { provider: 'sandbox', modelId: 'sandbox-fast' },
    ]);
  });

  it('follow the published configs from start-up on, and a removed one raises "retired model in use"', async () => {
    // Evidence and a first signed publish, with plain services (nothing feeds the monitor here).
    const plain = createServices({ ...options(), mode: 'cli' });
    const { runId } = plain.bench.startRun({
      suiteId: 'smoke',
      models: [
        { provider: 'together', modelId: MODEL },
        { provider: 'sandbox', modelId: 'sandbox-fast' },
      ],
      budgetUsd: 5,
    });
    await plain.bench.waitForRun(runId);
    const generated = await plain.publishing.generateKey('in use', PASSPHRASE);
    await plain.publishing.initTrust(generated.unlocked, {
      dev: 1,
      staging: 1,
      production: 1,
      trust: 1,
    });
    const saved = plain.routing.saveDraft(TOGETHER_CONFIG, 0);
    expect(saved.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    await plain.publishing.publishDraft({ draftRevision: saved.revision, expectFromVersion: 0 });
    expect(listModelsInUse(plain.db)).toEqual([]);
    await plain.close();

    const notices: Notice[] = [];
    let wired: WiredConsole | undefined;
    try {
      wired = openConsole(options(), {
        present: (notice) => notices.push(notice),
        log: () => undefined,
      });
      const { services } = wired;
      const inUse = () =>
        listModelsInUse(services.db).map((row) => `${row.provider}:${row.modelId}`);
      // Start-up: read from the store.
      await wired.ready;
      expect(inUse()).toEqual([`together:${MODEL}`]);
      await services.monitor.idle();

      // A publish replaces it; a rollback brings it back.
      await services.publishing.unlockKeys({ passphrase: PASSPHRASE });
      const second = services.routing.saveDraft(SANDBOX_CONFIG, saved.revision);
      await services.publishing.publishDraft({
        draftRevision: second.revision,
        expectFromVersion: 1,
      });
      await wired.idle();
      expect(inUse()).toEqual(['sandbox:sandbox-fast']);
      await services.publishing.rollback({
        environment: 'dev',
        toVersion: 1,
        expectFromVersion: 2,
      });
      await wired.idle();
      expect(inUse()).toEqual([`together:${MODEL}`]);

      // Together stops listing it: after two checks without it, the warning fires.
      emulator.hiddenModels.add(MODEL);
      await services.monitor.checkNow({ provider: 'together' });
      const [second_check] = await services.monitor.checkNow({ provider: 'together' });
      const retired = second_check?.events.find((event) => event.kind === 'in_use_retired');
      expect(retired?.modelId).toBe(MODEL);
      expect(retired?.summary).toMatch(/used by a routing config and is removed/);
      expect(
        services.monitor.listInbox().events.some((event) => event.kind === 'in_use_retired'),
      ).toBe(true);
      expect(notices.map((notice) => notice.title)).toContain(
        'A model your config uses is being retired (Together AI)',
      );
    } finally {
      emulator.hiddenModels.delete(MODEL);
      await wired?.close();
    }
  }, 120_000);
});
