/** Shared set-up for the monitor tests: a fake clock with timers, an in-memory database. */
import { Agent } from 'undici';
import type { CheckResult, MonitorEvent } from '../../../src/shared/monitor/monitor-schemas';
import type { ProviderId } from '../../../src/shared/providers/video-provider-spec';
import {
  adapterCatalogueSource,
  type CatalogueSource,
} from '../../../src/main/monitor/catalogue-sources';
import { ProviderRegistry } from '../../../src/main/providers/registry';
import type { VideoProviderAdapter } from '../../../src/shared/providers/video-provider-spec';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import {
  MonitorService,
  type MonitorServiceDeps,
  type MonitorTimers,
  type Notifier,
} from '../../../src/main/monitor/monitor-service';

export const START = Date.UTC(2026, 9, 1, 9, 0, 0);

/** A clock the test moves by hand; timers fire only when it passes their time. */
export class FakeClock implements MonitorTimers {
  private current = START;
  private nextId = 1;
  readonly pending = new Map<number, { at: number; callback: () => void }>();

  now = (): number => this.current;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.pending.set(id, { at: this.current + Math.max(0, ms), callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, timer]) => timer.at <= target)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].callback();
    }
    this.current = target;
  }

  /** Due times of pending timers, relative to now. */
  delays(): number[] {
    return [...this.pending.values()].map((timer) => timer.at - this.current).sort((a, b) => a - b);
  }
}

export function monitorDb(): WritableDb {
  return openDatabase({ file: ':memory:', migrations: MIGRATIONS });
}

export class RecordingNotifier implements Notifier {
  readonly events: MonitorEvent[] = [];
  notify(event: MonitorEvent): void {
    this.events.push(event);
  }
}

export function testDispatcher(): Agent {
  return new Agent({ connect: { timeout: 2000 }, keepAliveTimeout: 1000 });
}

export function counter(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** A release monitor over one vendor's catalogue, with what a test reads or moves of it. */
export interface MonitorRig {
  db: WritableDb;
  clock: FakeClock;
  notifier: RecordingNotifier;
  monitor: MonitorService;
  /** Moves the clock a minute on and checks the provider now: that check's result. */
  check(): Promise<CheckResult>;
  /** Stops the monitor, then closes the database. */
  stop(): Promise<void>;
}

/**
 * The catalogue source the console makes for a vendor whose key is set: `adapter`'s own model
 * listing, through a registry that holds that adapter alone.
 */
export function keyedAdapterSource(adapter: VideoProviderAdapter): CatalogueSource {
  const registry = new ProviderRegistry();
  registry.register(adapter);
  return adapterCatalogueSource(registry, adapter.provider, { needsKey: true });
}

/**
 * A monitor over `source` on a fake clock, an in-memory database and a recording notifier, with
 * a fixed jitter (random 0.5) and counted ids: the set-up of the per-vendor monitor tests.
 */
export function monitorRig(options: {
  provider: ProviderId;
  source: (clock: FakeClock) => CatalogueSource;
  tableLifecycle?: MonitorServiceDeps['tableLifecycle'];
}): MonitorRig {
  const db = monitorDb();
  const clock = new FakeClock();
  const notifier = new RecordingNotifier();
  const monitor = new MonitorService({
    db,
    sources: [options.source(clock)],
    now: clock.now,
    random: () => 0.5,
    timers: clock,
    newId: counter(),
    notifier,
    tableLifecycle: options.tableLifecycle,
  });
  return {
    db,
    clock,
    notifier,
    monitor,
    async check() {
      clock.advance(60_000);
      const [result] = await monitor.checkNow({ provider: options.provider });
      if (!result) throw new Error('no result');
      return result;
    },
    async stop() {
      await monitor.stop();
      db.close();
    },
  };
}
