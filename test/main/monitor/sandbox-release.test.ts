/**
 * Keyless monitoring (issue 16, item 8): rows from a built-in table say so, and the sandbox's
 * simulated release is announced like a vendor's new model, once, and survives a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('sandbox release', () => {
  it('says where each list comes from, and announces a simulated release once', async () => {
    const { dir, cleanup } = tempDir('aideon-release-');
    cleanups.push(cleanup);
    const services = testServices({ dataDir: dir, analyseVideos: false });
    cleanups.push(services.cleanup);
    const kinds = Object.fromEntries(
      services.monitor.getStatus().providers.map((p) => [p.provider, p.catalogue]),
    );
    expect(kinds).toEqual({
      together: 'vendor',
      gemini: 'vendor',
      replicate: 'vendor',
      runway: 'built-in',
      fal: 'built-in',
      luma: 'built-in',
      sandbox: 'simulated',
    });
    expect(services.registry.modelsOf('sandbox').map((m) => m.modelId)).not.toContain(
      'sandbox-next',
    );

    // Never checked: the release first takes a baseline, then announces the new model.
    const release = await services.monitor.simulateRelease();
    expect(release).toMatchObject({ modelId: 'sandbox-next', displayName: 'Sandbox Next' });
    expect(release.checks).toHaveLength(1);
    expect(release.checks[0]!.baseline).toBe(false);
    expect(release.checks[0]!.events.map((e) => [e.kind, e.modelId])).toEqual([
      ['added', 'sandbox-next'],
    ]);
    expect(services.monitor.countUnread()).toBe(1);
    expect(services.monitor.board.list().map((card) => card.modelId)).toEqual(['sandbox-next']);
    // The released model can be benchmarked.
    expect(services.registry.modelsOf('sandbox').map((m) => m.modelId)).toContain('sandbox-next');

    await expect(services.monitor.simulateRelease()).rejects.toThrow(
      'already released Sandbox Next',
    );
    const again = await services.monitor.checkNow({ provider: 'sandbox' });
    expect(again[0]!.events).toEqual([]);
    await services.close();

    // A restart keeps the release: the model is still listed, nothing is announced again.
    const reopened = testServices({ dataDir: dir, analyseVideos: false });
    cleanups.push(reopened.cleanup);
    expect(reopened.registry.modelsOf('sandbox').map((m) => m.modelId)).toContain('sandbox-next');
    const after = await reopened.monitor.checkNow({ provider: 'sandbox' });
    expect(after[0]!.events).toEqual([]);
    expect(after[0]!.modelCount).toBe(4);
  });
});
