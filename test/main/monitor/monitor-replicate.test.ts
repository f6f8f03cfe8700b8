/** The release monitor against the Replicate emulator's text-to-video collection. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { createReplicateAdapter } from '../../../src/main/providers/replicate/replicate-video-adapter';
import {
  type RecordingNotifier,
  keyedAdapterSource,
  monitorRig,
  testDispatcher,
  type MonitorRig,
} from './monitor-fixtures';

const KEY = 'r8_PLANTED-monitor-replicate-key-5e4d';
const dispatcher = testDispatcher();
let emulator: ReplicateEmulator;
let notifier: RecordingNotifier;
let rig: MonitorRig;

beforeEach(async () => {
  emulator = new ReplicateEmulator({ apiKey: KEY });
  await emulator.start();
  rig = monitorRig({
    provider: 'replicate',
    source: (clock) =>
      keyedAdapterSource(
        createReplicateAdapter({
          apiKey: KEY,
          baseUrl: emulator.baseUrl,
          dispatcher,
          now: clock.now,
        }),
      ),
  });
  ({ notifier } = rig);
});

afterEach(async () => {
  await rig.stop();
  await emulator.stop();
});

afterAll(async () => {
  await dispatcher.close();
});

const check = () => rig.check();

describe('release monitor on Replicate', () => {
  it('detects a model added to the collection once, and a removal only after two misses', async () => {
    const baseline = await check();
    expect(baseline).toMatchObject({ status: 'ok', baseline: true });
    emulator.extraCollectionModels.push('lightricks/ltx-3-video');
    const second = await check();
    expect(second.events.map((event) => [event.kind, event.modelId])).toEqual([
      ['added', 'lightricks/ltx-3-video'],
    ]);
    expect(second.events[0]?.detection?.rule).toBe('collection');
    expect((await check()).events).toEqual([]);

    emulator.hiddenCollectionModels.add('lightricks/ltx-3-video');
    expect((await check()).events).toEqual([]);
    expect((await check()).events.map((event) => [event.kind, event.modelId])).toEqual([
      ['removed', 'lightricks/ltx-3-video'],
    ]);
    // Back again: already announced once, so no second notification.
    emulator.hiddenCollectionModels.clear();
    await check();
    expect(notifier.events.map((event) => event.modelId)).toEqual(['lightricks/ltx-3-video']);
  });

  it('a failing collection call is a failed check without events, and the key never shows', async () => {
    await check();
    emulator.hiddenCollectionModels.add('newco/brand-new-video');
    // Enough 5xx answers to outlast the HTTP layer's retries.
    emulator.collectionFailures.push(503, 503, 503, 503, 503, 503);
    const failed = await check();
    expect(failed.status).toBe('failed');
    expect(failed.events).toEqual([]);
    expect(failed.error).not.toContain(KEY);
    emulator.collectionFailures.length = 0;
    expect((await check()).events).toEqual([]);
    expect((await check()).events.map((event) => [event.kind, event.modelId])).toEqual([
      ['removed', 'newco/brand-new-video'],
    ]);
    expect(notifier.events).toEqual([]);
  });
});
