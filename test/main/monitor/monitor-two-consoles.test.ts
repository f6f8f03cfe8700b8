/**
 * Two console processes on one data folder (the desktop app and `aideon monitor watch`), each
 * with its own database connection and monitor, checking the same vendor at the same moment:
 * a new model reaches the inbox, the onboarding board and the desktop once, not once per process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TogetherEmulator } from '../../emulators/together-emulator';
import type { CatalogueSource } from '../../../src/main/monitor/catalogue-sources';
import { MonitorService } from '../../../src/main/monitor/monitor-service';
import { fetchTogetherCatalogue } from '../../../src/main/monitor/together-catalogue';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { FakeClock, RecordingNotifier, counter, testDispatcher } from './monitor-fixtures';

const KEY = 'tgp_v1_PLANTED-TWO-CONSOLES-77cc';
const dispatcher = testDispatcher();
let emulator: TogetherEmulator;
let dir: string;
const open: WritableDb[] = [];

beforeEach(async () => {
  emulator = new TogetherEmulator({ apiKey: KEY });
  await emulator.start();
  dir = mkdtempSync(join(tmpdir(), 'aideon-two-consoles-'));
});

afterEach(async () => {
  for (const db of open.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
  await emulator.stop();
});

afterAll(async () => {
  await dispatcher.close();
});

/** Together's catalogue from the emulator, as each console reads it. */
const togetherSource = (): CatalogueSource => ({
  provider: 'together',
  available: () => true,
  fetch: (signal) =>
    fetchTogetherCatalogue({ apiKey: KEY, baseUrl: emulator.baseUrl, dispatcher }, signal),
});

function consoleProcess(
  name: string,
  clock: FakeClock,
): {
  monitor: MonitorService;
  notifier: RecordingNotifier;
} {
  const db = openDatabase({ file: join(dir, 'console.db') });
  open.push(db);
  const notifier = new RecordingNotifier();
  const monitor = new MonitorService({
    db,
    sources: [togetherSource()],
    now: clock.now,
    random: () => 0.5,
    timers: clock,
    newId: counter(name),
    notifier,
  });
  return { monitor, notifier };
}

describe('two consoles on one data folder', () => {
  it('announce a new model once between them when they check at the same moment', async () => {
    const clock = new FakeClock();
    const desktop = consoleProcess('desktop', clock);
    const watcher = consoleProcess('watch', clock);
    await Promise.all([
      desktop.monitor.checkNow({ provider: 'together' }),
      watcher.monitor.checkNow({ provider: 'together' }),
    ]);
    emulator.extraModels.push({
      id: 'HappyHorse/HappyHorse-1.0-T2V',
      object: 'model',
      created: 1790000000,
      type: 'video',
      display_name: 'HappyHorse 1.0',
      pricing: { base: 0.3 },
    });
    clock.advance(60_000);
    const [[a], [b]] = await Promise.all([
      desktop.monitor.checkNow({ provider: 'together' }),
      watcher.monitor.checkNow({ provider: 'together' }),
    ]);
    expect([a?.status, b?.status]).toEqual(['ok', 'ok']);
    expect(emulator.catalogueCalls).toBe(4);
    const added = [...(a?.events ?? []), ...(b?.events ?? [])].filter(
      (event) => event.kind === 'added',
    );
    expect(added.map((event) => event.modelId)).toEqual(['HappyHorse/HappyHorse-1.0-T2V']);
    expect(desktop.notifier.events.length + watcher.notifier.events.length).toBe(1);
    for (const side of [desktop, watcher]) {
      expect(side.monitor.listInbox().unread).toBe(1);
      expect(side.monitor.board.list()).toHaveLength(1);
    }
  });
});

describe('another console writing right after a check committed', () => {
  it('the new model is on the onboarding board and the check reads as saved', async () => {
    const clock = new FakeClock();
    const file = join(dir, 'console.db');
    const db = openDatabase({ file });
    open.push(db);
    db.pragma('busy_timeout = 20');
    const other = openDatabase({ file });
    open.push(other);
    const monitor = new MonitorService({
      db,
      sources: [togetherSource()],
      now: clock.now,
      random: () => 0.5,
      timers: clock,
      newId: counter('m'),
      // The other console takes the write lock the moment this one announces.
      notifier: { notify: () => other.exec('BEGIN IMMEDIATE') },
    });
    await monitor.checkNow({ provider: 'together' });
    emulator.extraModels.push({ id: 'acme/veo-9', object: 'model', type: 'video' });
    clock.advance(60_000);
    const [result] = await monitor.checkNow({ provider: 'together' });
    other.exec('COMMIT');
    expect(result).toMatchObject({ status: 'ok', error: null });
    expect(result?.events.map((event) => event.modelId)).toEqual(['acme/veo-9']);
    expect(monitor.board.list().map((card) => card.modelId)).toEqual(['acme/veo-9']);
  });
});
