/**
 * The release monitor against the Together emulator: detection rules, once-only notification,
 * flapping, failed answers, removal after two misses, changes, models in use.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { MonitorService } from '../../../src/main/monitor/monitor-service';
import { fetchTogetherCatalogue } from '../../../src/main/monitor/together-catalogue';
import type { CatalogueSource } from '../../../src/main/monitor/catalogue-sources';
import { findTogetherModel } from '../../../src/main/providers/together/together-models';
import { listSnapshots } from '../../../src/main/monitor/monitor-repository';
import type { WritableDb } from '../../../src/main/store/db';
import {
  type FakeClock,
  type RecordingNotifier,
  counter,
  monitorDb,
  monitorRig,
  testDispatcher,
  type MonitorRig,
} from './monitor-fixtures';

const KEY = 'tgp_v1_PLANTED-MONITOR-SECRET-0a1b2c3d4e5f';
const dispatcher = testDispatcher();
let emulator: TogetherEmulator;
let db: WritableDb;
let clock: FakeClock;
let notifier: RecordingNotifier;
let monitor: MonitorService;
let rig: MonitorRig;

function togetherSource(sourceClock: FakeClock = clock): CatalogueSource {
  return {
    provider: 'together',
    available: () => true,
    fetch: (signal) =>
      fetchTogetherCatalogue(
        { apiKey: KEY, baseUrl: emulator.baseUrl, dispatcher, now: sourceClock.now },
        signal,
      ),
  };
}

beforeEach(async () => {
  emulator = new TogetherEmulator({ apiKey: KEY });
  await emulator.start();
  rig = monitorRig({
    provider: 'together',
    source: togetherSource,
    tableLifecycle: (ref) =>
      ref.provider === 'together' ? findTogetherModel(ref.modelId)?.lifecycle : undefined,
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

describe('together catalogue: detection', () => {
  it('keeps video models only and records which rule matched', async () => {
    emulator.extraModels.push(
      { id: 'acme/Kling-3.0-Turbo', object: 'model', created: 1790000000 },
      {
        id: 'acme/wm-2',
        object: 'model',
        type: 'world-model',
        display_name: 'Seedance 2 Preview',
      },
      { id: 'acme/kling-chat', object: 'model', type: 'chat' },
    );
    const answer = await fetchTogetherCatalogue({
      apiKey: KEY,
      baseUrl: emulator.baseUrl,
      dispatcher,
    });
    const byId = new Map(answer.entries.map((entry) => [entry.modelId, entry]));
    expect([...byId.keys()]).toEqual([
      'minimax/video-01-director',
      'google/veo-3.0',
      'kwaivgI/kling-2.1-master',
      'acme/Kling-3.0-Turbo',
      'acme/wm-2',
    ]);
    expect(byId.get('google/veo-3.0')?.detection.rule).toBe('type');
    expect(byId.get('acme/Kling-3.0-Turbo')?.detection).toEqual({
      rule: 'family',
      detail: 'no type; id matches the kling family',
    });
    expect(byId.get('acme/wm-2')?.detection.detail).toBe(
      'unknown type "world-model"; display name matches the seedance family',
    );
    // Known table model: the table's price when the catalogue lists none.
    expect(byId.get('minimax/video-01-director')?.price?.usdPerClip).toBe(0.28);
    expect(byId.get('acme/Kling-3.0-Turbo')?.capabilities).toBeNull();
    expect(answer.rawCount).toBe(11);
  });
});

describe('release monitor on Together', () => {
  it('records the baseline silently, then detects a new model once and notifies once', async () => {
    const first = await check();
    expect(first).toMatchObject({ status: 'ok', baseline: true, modelCount: 3, events: [] });
    emulator.extraModels.push({
      id: 'HappyHorse/HappyHorse-1.0-T2V',
      object: 'model',
      created: 1790000000,
      type: 'video',
      display_name: 'HappyHorse 1.0',
      pricing: { base: 0.3 },
    });
    const second = await check();
    expect(second.baseline).toBe(false);
    expect(second.events.map((event) => [event.kind, event.modelId])).toEqual([
      ['added', 'HappyHorse/HappyHorse-1.0-T2V'],
    ]);
    expect(second.events[0]?.priceText).toBe('$0.30 per clip');
    expect(second.events[0]?.detection?.rule).toBe('type');
    expect(second.events[0]?.summary).toContain('HappyHorse 1.0');
    expect(notifier.events).toHaveLength(1);
    expect((await check()).events).toEqual([]);
    expect((await check()).events).toEqual([]);
    expect(notifier.events).toHaveLength(1);
    const inbox = monitor.listInbox();
    expect(inbox.unread).toBe(1);
    expect(inbox.events[0]).toMatchObject({
      kind: 'added',
      modelId: 'HappyHorse/HappyHorse-1.0-T2V',
    });
    expect(monitor.markRead([inbox.events[0]?.id ?? ''])).toEqual({ marked: 1, unread: 0 });
    expect(monitor.listInbox().events[0]?.read).toBe(true);
    const cards = monitor.board.list();
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ stage: 'detected', modelId: 'HappyHorse/HappyHorse-1.0-T2V' });
    expect(JSON.stringify(listSnapshots(db, 'together'))).not.toContain(KEY);
  });

  it('stays silent when a model disappears once and comes back', async () => {
    await check();
    emulator.hiddenModels.add('google/veo-3.0');
    const missing = await check();
    expect(missing.events).toEqual([]);
    expect(missing.pendingRemoval).toEqual(['google/veo-3.0']);
    emulator.hiddenModels.delete('google/veo-3.0');
    const back = await check();
    expect(back.events).toEqual([]);
    expect(back.pendingRemoval).toEqual([]);
    // Missing once more: the earlier miss does not count (misses must be consecutive).
    emulator.hiddenModels.add('google/veo-3.0');
    expect((await check()).events).toEqual([]);
    expect(monitor.countUnread()).toBe(0);
    expect(notifier.events).toEqual([]);
  });

  it('reports a removal only after two consecutive good checks without it, and only once', async () => {
    await check();
    emulator.hiddenModels.add('kwaivgI/kling-2.1-master');
    expect((await check()).events).toEqual([]);
    // A failed check in between neither counts as a miss nor resets the count.
    emulator.catalogueFaults.push('error');
    expect((await check()).status).toBe('failed');
    const second = await check();
    expect(second.events.map((event) => [event.kind, event.modelId])).toEqual([
      ['removed', 'kwaivgI/kling-2.1-master'],
    ]);
    expect((await check()).events).toEqual([]);
    // It comes back: not announced as new; it goes again: no second removal.
    emulator.hiddenModels.delete('kwaivgI/kling-2.1-master');
    expect((await check()).events).toEqual([]);
    emulator.hiddenModels.add('kwaivgI/kling-2.1-master');
    await check();
    expect((await check()).events).toEqual([]);
    const kinds = monitor.listInbox().events.map((event) => event.kind);
    expect(kinds).toEqual(['removed']);
    expect(notifier.events).toEqual([]);
  });

  it.each([
    ['error', 'error'],
    ['empty', 'empty'],
    ['malformed', 'malformed'],
    ['bad-entries', 'malformed'],
    ['truncated', 'malformed'],
    ['partial', 'partial'],
  ] as const)(
    'a %s answer is a failed check: stored, no events, nothing counted as missing',
    async (fault, kind) => {
      await check();
      emulator.extraModels.push({ id: 'acme/veo-9', object: 'model', type: 'video' });
      emulator.catalogueFaults.push(fault);
      const failed = await check();
      expect(failed).toMatchObject({
        status: 'failed',
        failureKind: kind,
        events: [],
        modelCount: 0,
      });
      expect(failed.error).toBeTruthy();
      expect(failed.error).not.toContain(KEY);
      const status = monitor.providerStatus('together');
      expect(status).toMatchObject({ lastStatus: 'failed', consecutiveFailures: 1, modelCount: 3 });
      // A partial answer keeps what it listed, so a list that stays smaller can be recognised.
      expect(listSnapshots(db, 'together')[0]).toMatchObject({
        status: 'failed',
        failureKind: kind,
        entries: kind === 'partial' ? expect.any(Array) : null,
      });
      // The next good check diffs against the last good snapshot, not the failed one.
      const good = await check();
      expect(good.events.map((event) => [event.kind, event.modelId])).toEqual([
        ['added', 'acme/veo-9'],
      ]);
      expect(monitor.providerStatus('together').consecutiveFailures).toBe(0);
      expect(notifier.events).toHaveLength(1);
    },
  );

  it('a catalogue that really shrinks by more than half is accepted once the smaller list has stayed the same for an hour', async () => {
    await check();
    const ids = (listSnapshots(db, 'together')[0]?.entries ?? []).map((entry) => entry.modelId);
    expect(ids).toHaveLength(3);
    const [kept, ...dropped] = ids;
    for (const id of dropped) emulator.hiddenModels.add(id);
    const first = await check();
    expect(first).toMatchObject({ status: 'failed', failureKind: 'partial', events: [] });
    expect(first.error).toMatch(/stayed the same for an hour/);
    // A hiccup of another shape in between changes nothing.
    clock.advance(20 * 60_000);
    emulator.catalogueFaults.push('error');
    expect((await check()).status).toBe('failed');
    clock.advance(20 * 60_000);
    expect(await check()).toMatchObject({ status: 'failed', failureKind: 'partial' });
    clock.advance(20 * 60_000);
    // An hour of the same smaller list: it is the catalogue now (it used to fail for ever).
    const accepted = await check();
    expect(accepted).toMatchObject({ status: 'ok', modelCount: 1, events: [] });
    expect([...accepted.pendingRemoval].sort()).toEqual([...dropped].sort());
    const removed = await check();
    expect(removed.events.map((event) => [event.kind, event.modelId]).sort()).toEqual(
      dropped.map((id) => ['removed', id]).sort(),
    );
    expect(monitor.providerStatus('together')).toMatchObject({
      consecutiveFailures: 0,
      modelCount: 1,
    });
    expect(kept).toBeTruthy();
  });

  it('a smaller list that changes between checks is not accepted', async () => {
    await check();
    const ids = (listSnapshots(db, 'together')[0]?.entries ?? []).map((entry) => entry.modelId);
    const [a, b, c] = ids;
    for (let round = 0; round < 6; round += 1) {
      emulator.hiddenModels.clear();
      // Alternately only a, then only b: fewer than half each time, never the same list.
      for (const id of round % 2 === 0 ? [b, c] : [a, c]) emulator.hiddenModels.add(id ?? '');
      clock.advance(20 * 60_000);
      expect(await check()).toMatchObject({ status: 'failed', failureKind: 'partial' });
    }
    expect(monitor.listInbox().events).toEqual([]);
  });

  it('an HTML page answered with 200 is a failed check whose error says it was HTML, not JSON', async () => {
    await check();
    emulator.catalogueFaults.push('html');
    const html = await check();
    expect(html).toMatchObject({ status: 'failed', failureKind: 'malformed', events: [] });
    expect(html.error).toMatch(/an HTML page \(text\/html\) instead of JSON/);
    expect(html.error).toMatch(/proxy|portal/);
    expect(html.error).not.toMatch(/cut off/);
  });

  it('an enormous answer is refused unread with a clear error, and the next check is good', async () => {
    await check();
    // 20 MiB: past the model lists' own limit (16 MiB), under the client's general one (64 MiB).
    emulator.hugeBytes = 20 * 1024 * 1024;
    emulator.catalogueFaults.push('huge');
    const huge = await check();
    expect(huge).toMatchObject({ status: 'failed', failureKind: 'error', events: [] });
    expect(huge.error).toMatch(/GET \/v1\/models with HTTP 200 and a body larger than 16 MiB/);
    expect(huge.error).not.toContain(KEY);
    expect(await check()).toMatchObject({ status: 'ok', modelCount: 3 });
  });

  it('stopping the monitor waits for a smoke run being started for a new model, and its run id reaches the board', async () => {
    const smokeDb = monitorDb();
    const logs: string[] = [];
    let release: (started: { runId: string }) => void = () => undefined;
    const starting = new Promise<{ runId: string }>((resolve) => (release = resolve));
    const smoking = new MonitorService({
      db: smokeDb,
      sources: [togetherSource()],
      now: clock.now,
      timers: clock,
      random: () => 0.5,
      newId: counter('smoke'),
      log: (line) => logs.push(line),
      onDetected: () => starting,
    });
    try {
      smoking.updateSettings({ autoSmoke: true, smokeBudgetUsd: 1 });
      await smoking.checkNow({ provider: 'together' });
      emulator.extraModels.push({ id: 'acme/veo-9', object: 'model', type: 'video' });
      clock.advance(60_000);
      const [found] = await smoking.checkNow({ provider: 'together' });
      expect(found?.events.map((event) => event.kind)).toEqual(['added']);
      const stopped = smoking.stop();
      setImmediate(() => release({ runId: 'run-smoke-1' }));
      await stopped;
      // Before the database closes (as the app does right after stop), the run is on the card.
      expect(smoking.board.list()[0]?.history.at(-1)?.evidence).toMatchObject({
        smokeRunId: 'run-smoke-1',
      });
    } finally {
      smokeDb.close();
    }
  });

  it('a failed first check is no baseline; the first good one is', async () => {
    emulator.catalogueFaults.push('empty');
    expect((await check()).status).toBe('failed');
    expect((await check()).baseline).toBe(true);
  });

  it('records a price change, a display-name change and an id re-spelling as changed', async () => {
    await check();
    emulator.modelPatches.set('google/veo-3.0', { pricing: { base: 1.9 } });
    const priced = await check();
    expect(priced.events).toHaveLength(1);
    expect(priced.events[0]).toMatchObject({ kind: 'changed', modelId: 'google/veo-3.0' });
    expect(priced.events[0]?.changes).toEqual([
      { field: 'price', before: { usdPerClip: 1.6 }, after: { usdPerClip: 1.9 } },
    ]);
    expect((await check()).events).toEqual([]);
    emulator.modelPatches.set('google/veo-3.0', { pricing: { base: 1.9 }, display_name: 'Veo 3' });
    const renamed = await check();
    expect(renamed.events[0]?.changes.map((change) => change.field)).toEqual(['displayName']);
    // A change of case in the id is the same model: one change, no added/removed pair.
    emulator.hiddenModels.add('kwaivgI/kling-2.1-master');
    emulator.extraModels.push({ id: 'kwaivgi/kling-2.1-master', object: 'model', type: 'video' });
    const respelled = await check();
    expect(respelled.events.map((event) => event.kind)).toEqual(['changed']);
    expect(respelled.events[0]?.changes.map((change) => change.field)).toContain('modelId');
    expect(notifier.events).toEqual([]);
  });

  it('notifies once when a model a config uses is retired or removed', async () => {
    await check();
    const events = monitor.markModelsInUse([
      { provider: 'together', modelId: 'openai/sora-2' },
      { provider: 'together', modelId: 'google/veo-3.0' },
    ]);
    expect(events.map((event) => [event.kind, event.modelId])).toEqual([
      ['in_use_retired', 'openai/sora-2'],
    ]);
    expect(
      monitor.markModelsInUse([
        { provider: 'together', modelId: 'openai/sora-2' },
        { provider: 'together', modelId: 'google/veo-3.0' },
      ]),
    ).toEqual([]);
    emulator.hiddenModels.add('google/veo-3.0');
    await check();
    const removal = await check();
    expect(removal.events.map((event) => [event.kind, event.modelId])).toEqual([
      ['removed', 'google/veo-3.0'],
      ['in_use_retired', 'google/veo-3.0'],
    ]);
    expect(removal.events[1]?.summary).toContain('removed');
    expect(notifier.events.map((event) => event.modelId)).toEqual([
      'openai/sora-2',
      'google/veo-3.0',
    ]);
    expect((await check()).events).toEqual([]);
  });

  it('a Sora id the catalogue lists under a new name is retired', async () => {
    emulator.extraModels.push({ id: 'openai/sora-3', object: 'model' });
    const answer = await fetchTogetherCatalogue({
      apiKey: KEY,
      baseUrl: emulator.baseUrl,
      dispatcher,
    });
    const sora = answer.entries.find((entry) => entry.modelId === 'openai/sora-3');
    expect(sora).toMatchObject({ lifecycle: 'retired', detection: { rule: 'family' } });
  });

  it('keeps the last check of each provider queryable, across a restart', async () => {
    await check();
    emulator.catalogueFaults.push('error');
    await check();
    const again = new MonitorService({ db, sources: [togetherSource()], now: clock.now });
    const status = again.getStatus();
    expect(status.running).toBe(false);
    expect(status.settings.intervalMinutes).toBe(15);
    expect(status.providers).toEqual([
      expect.objectContaining({
        provider: 'together',
        available: true,
        lastStatus: 'failed',
        lastCheckAt: clock.now(),
        lastGoodAt: clock.now() - 60_000,
        consecutiveFailures: 1,
        modelCount: 3,
        nextCheckAt: null,
        checking: false,
      }),
    ]);
    expect(status.providers[0]?.lastError).toMatch(/503/);
  });
});
