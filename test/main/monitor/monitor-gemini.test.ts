/** The release monitor against the Gemini emulator, through the adapter's listModels. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GeminiEmulator } from '../../emulators/gemini-emulator';
import { MonitorService } from '../../../src/main/monitor/monitor-service';
import { createMonitorSources } from '../../../src/main/monitor/catalogue-sources';
import { ProviderRegistry } from '../../../src/main/providers/registry';
import { createGeminiAdapter } from '../../../src/main/providers/gemini/gemini-video-adapter';
import { registerVendorAdapters } from '../../../src/main/providers/index';
import { envSecretStore } from '../../../src/main/secrets';
import type { WritableDb } from '../../../src/main/store/db';
import {
  type FakeClock,
  type RecordingNotifier,
  keyedAdapterSource,
  monitorRig,
  testDispatcher,
  type MonitorRig,
} from './monitor-fixtures';

const KEY = 'AIzaSy-PLANTED-monitor-key-9c8b7a';
const dispatcher = testDispatcher();
let emulator: GeminiEmulator;
let db: WritableDb;
let clock: FakeClock;
let notifier: RecordingNotifier;
let monitor: MonitorService;
let rig: MonitorRig;

beforeEach(async () => {
  emulator = new GeminiEmulator({ apiKey: KEY, listPageSize: 4 });
  await emulator.start();
  rig = monitorRig({
    provider: 'gemini',
    source: (clock) =>
      keyedAdapterSource(
        createGeminiAdapter({ apiKey: KEY, baseUrl: emulator.baseUrl, dispatcher, now: clock.now }),
      ),
  });
  ({ db, clock, notifier, monitor } = rig);
});

afterEach(async () => {
  await rig.stop();
  await emulator.stop();
});

afterAll(async () => {
  await dispatcher.close();
});

const check = () => rig.check();

describe('release monitor on Gemini', () => {
  it('lists predictLongRunning models across pages and detects a new one once', async () => {
    const baseline = await check();
    expect(baseline).toMatchObject({ status: 'ok', baseline: true, modelCount: 6 });
    emulator.extraModels.push({
      name: 'models/veo-4.0-generate-preview',
      displayName: 'Veo 4',
      supportedGenerationMethods: ['predictLongRunning'],
    });
    emulator.extraModels.push({
      name: 'models/gemini-3.0-pro',
      supportedGenerationMethods: ['generateContent'],
    });
    const second = await check();
    expect(second.events.map((event) => [event.kind, event.modelId])).toEqual([
      ['added', 'veo-4.0-generate-preview'],
    ]);
    expect(second.events[0]?.detection).toEqual({
      rule: 'list_method',
      detail: 'the Gemini models call lists predictLongRunning for it',
    });
    expect(second.events[0]?.priceText).toBeNull();
    expect(second.events[0]?.summary).toContain('price unknown');
    expect((await check()).events).toEqual([]);
    expect(notifier.events.map((event) => event.modelId)).toEqual(['veo-4.0-generate-preview']);
  });

  it.each(['error', 'empty', 'malformed', 'truncated', 'partial'] as const)(
    'a %s model list is a failed check without events',
    async (fault) => {
      await check();
      emulator.hiddenModels.add('models/veo-2.0-generate-001');
      emulator.catalogueFaults.push(fault);
      const failed = await check();
      expect(failed.status).toBe('failed');
      expect(failed.events).toEqual([]);
      expect(failed.error).not.toContain(KEY);
      if (fault === 'partial') expect(failed.failureKind).toBe('partial');
      if (fault === 'empty') expect(failed.failureKind).toBe('empty');
      // Two good checks without the model are needed to report it removed.
      expect((await check()).events).toEqual([]);
      expect((await check()).events.map((event) => [event.kind, event.modelId])).toEqual([
        ['removed', 'veo-2.0-generate-001'],
      ]);
      expect(notifier.events).toEqual([]);
    },
  );

  it('a models list whose nextPageToken loops back is a failed check and does not wedge later checks', async () => {
    expect(await check()).toMatchObject({ status: 'ok', modelCount: 6 });
    emulator.catalogueLoops = true;
    const callsBefore = emulator.catalogueCalls;
    const looped = await check();
    expect(looped.status).toBe('failed');
    expect(looped.error).toContain('page');
    expect(looped.error).not.toContain(KEY);
    expect(looped.events).toEqual([]);
    // The loop is noticed when a token comes back, not after a blind page cap.
    expect(emulator.catalogueCalls - callsBefore).toBeLessThanOrEqual(5);
    emulator.catalogueLoops = false;
    // The vendor fixed: the next check is good again (not refused as partial against an
    // inflated count), and nothing was announced.
    expect(await check()).toMatchObject({ status: 'ok', modelCount: 6, events: [] });
    expect(notifier.events).toEqual([]);
  });

  it('a model listed twice counts once', async () => {
    await check();
    emulator.extraModels.push(
      { name: 'models/veo-2.0-generate-001', supportedGenerationMethods: ['predictLongRunning'] },
      { name: 'models/veo-2.0-generate-001', supportedGenerationMethods: ['predictLongRunning'] },
      { name: 'models/veo-3.0-generate-001', supportedGenerationMethods: ['predictLongRunning'] },
      { name: 'models/veo-3.0-generate-001', supportedGenerationMethods: ['predictLongRunning'] },
      {
        name: 'models/veo-3.1-generate-preview',
        supportedGenerationMethods: ['predictLongRunning'],
      },
      {
        name: 'models/veo-3.1-generate-preview',
        supportedGenerationMethods: ['predictLongRunning'],
      },
    );
    const doubled = await check();
    expect(doubled).toMatchObject({ status: 'ok', modelCount: 6, events: [] });
    emulator.extraModels.length = 0;
    emulator.hiddenModels.add('models/veo-2.0-generate-001');
    emulator.hiddenModels.add('models/veo-3.0-generate-001');
    emulator.hiddenModels.add('models/veo-3.1-generate-preview');
    // Three of six gone is a real change, not a partial answer against a doubled count.
    expect(await check()).toMatchObject({ status: 'ok', modelCount: 3 });
  });

  it('flapping models are silent', async () => {
    await check();
    for (let round = 0; round < 3; round += 1) {
      emulator.hiddenModels.add('models/veo-3.0-generate-001');
      expect((await check()).events).toEqual([]);
      emulator.hiddenModels.clear();
      expect((await check()).events).toEqual([]);
    }
    expect(monitor.countUnread()).toBe(0);
  });

  it('a provider without a key is reported, not checked, and not stored', async () => {
    const registry = new ProviderRegistry();
    registerVendorAdapters(registry, {
      env: {},
      secrets: envSecretStore({}),
      dispatcher,
      now: clock.now,
    });
    const sources = createMonitorSources({
      registry,
      secrets: envSecretStore({}),
      env: {},
      dispatcher,
      now: clock.now,
    });
    expect(sources.map((source) => [source.provider, source.available()])).toEqual([
      ['together', false],
      ['gemini', false],
      ['replicate', false],
      ['runway', true],
      ['fal', true],
      ['luma', true],
    ]);
    const keyless = new MonitorService({ db, sources, now: clock.now, timers: clock });
    const results = await keyless.checkNow({});
    const byProvider = new Map(results.map((result) => [result.provider, result]));
    expect(byProvider.get('gemini')).toMatchObject({ status: 'failed', failureKind: 'no_key' });
    // Says where the key goes, in the desktop app and for the CLI (its environment variable).
    expect(byProvider.get('gemini')?.error).toBe(
      'Google Veo (Gemini API) has no API key, so its catalogue cannot be read: add it in Settings, or set GEMINI_API_KEY for the CLI and browser mode.',
    );
    expect(byProvider.get('runway')).toMatchObject({ status: 'ok', baseline: true });
    expect(byProvider.get('runway')?.modelCount).toBeGreaterThan(0);
    expect(keyless.providerStatus('gemini').lastCheckAt).toBeNull();
  });
});
