/**
 * The one function both interactive ways in call: the desktop app (src/main/electron/main.ts)
 * and browser mode (`aideon serve`, src/main/serve/serve-command.ts). It builds the services
 * with the host's notifier, checks every handler's output against the contract, starts what
 * runs in the background (release monitor, rollout scheduler, resumed benchmark runs), keeps
 * the monitor's list of models in use equal to what the published configs route to, and hands
 * the transport one dispatcher and one event subscription. The transports only carry them.
 */
import { EVENT_CHANNEL_NAMES } from '../../shared/ipc/channel-names';
import type { EventChannel } from '../../shared/ipc/contract';
import type { ModelRef } from '../../shared/providers/video-provider-spec';
import type { Dispatcher } from '../ipc/dispatcher';
import { createAppDispatcher } from '../ipc/index';
import { modelsInUseSyncer } from '../monitor/models-in-use';
import { createServices, sleep, type ServiceOptions, type Services } from '../services';
import { databaseHolders } from '../bench/run-lease';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  busyPatienceMs,
  CONSOLE_BUSY_TIMEOUT_MS,
  interactiveBusyPatienceMs,
  isDatabaseBusy,
  startWhenFree,
} from '../store/busy-retry';
import { monitorNotice, resumedRunsNotice, watchNotice, type Notice } from './notices';

/** What the way in provides: how to show a notice, and where log lines go. */
export interface ConsoleHost {
  /**
   * Shows a notice to the person at the console (desktop: a notification; browser mode: a line
   * on stderr, the page shows the same events from the event stream). `open`, when given, is
   * called when the person clicks the notice.
   */
  present(notice: Notice, open?: () => void): void;
  log(line: string): void;
  /** Desktop only: the system's open-file dialog for a run bundle (the chosen path, or null). */
  pickBundleFile?: () => Promise<string | null>;
}

/** The service options a way in chooses; notifiers and the log come from the host. */
export type ConsoleServiceOptions = Omit<ServiceOptions, 'notifier' | 'watchNotifier' | 'log'>;

/** What was wired, so a test can hold both ways in to the same list. */
export interface ConsoleManifest {
  /** Background work started. */
  started: readonly ('monitor' | 'publishing' | 'bench-resume' | 'models-in-use')[];
  /** Services given the host's notifier. */
  notifiers: readonly ('monitor' | 'watch')[];
  /** Contract events the transport receives through subscribeEvents. */
  events: readonly EventChannel[];
  /** Invoke channels the dispatcher answers. */
  channels: readonly string[];
  /** Handler answers are parsed with the contract's output schemas. */
  checksOutputs: boolean;
}

export interface WiredConsole {
  services: Services;
  dispatcher: Dispatcher;
  /** Every contract event, for the transport to forward (IPC to windows, or server-sent events). */
  subscribeEvents(listener: (event: EventChannel, payload: unknown) => void): () => void;
  /** Runs resumed at start-up. */
  resumedRuns: readonly string[];
  /** Resolves when the start-up work (models in use read from the store) is done. */
  ready: Promise<void>;
  /** Resolves when no models-in-use update is running. */
  idle(): Promise<void>;
  manifest: ConsoleManifest;
  /** Stops listening, waits for running updates, then closes every service. */
  close(): Promise<void>;
}

/** How a patient start tells the person it waits, and how it is stopped. */
export interface ConsoleStartWait {
  /** Told once when another process's write lock makes the start wait (START_UP_WAITING). */
  say(line: string): void;
  /** Ends the wait (Ctrl-C, quitting the app): the start rejects with the signal's reason. */
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * openConsole for an interactive way in (the desktop app, `aideon serve`): its connection uses
 * the console's short busy wait, and a start that meets another process's write lock (a
 * migration, a new built-in suite) is said once and tried again in short waits, up to the busy
 * patience (AIDEON_BUSY_PATIENCE_MS), instead of failing after one busy timeout. A failed try
 * leaves nothing open (createServices closes its database).
 */
export function openConsoleWhenFree(
  options: ConsoleServiceOptions,
  host: ConsoleHost,
  wait: ConsoleStartWait,
): Promise<WiredConsole> {
  const { signal } = wait;
  const sleep =
    wait.sleep ??
    ((ms: number, during?: AbortSignal) =>
      delay(ms, undefined, during ? { signal: during } : undefined));
  return startWhenFree(
    () => openConsole({ startUpBusyTimeoutMs: CONSOLE_BUSY_TIMEOUT_MS, ...options }, host),
    {
      now: wait.now ?? Date.now,
      sleep: (ms) => sleep(ms, signal),
      patienceMs: busyPatienceMs(options),
      say: wait.say,
      // Another process's migration or import: named when it announced itself.
      holders: () =>
        databaseHolders(join(options.dataDir, 'aideon.sqlite'), undefined, Date.now(), {
          pid: process.pid,
          host: hostname(),
        }),
      ...(signal ? { signal } : {}),
    },
  );
}

export function openConsole(options: ConsoleServiceOptions, host: ConsoleHost): WiredConsole {
  // Clicking a model's notice asks the windows to open it (the services exist by then).
  const openModel = (ref: ModelRef) => (): void =>
    current.bus.emit('monitor:model-open-requested', ref);
  const current: Services = createServices({
    ...options,
    log: host.log,
    notifier: {
      notify: (event) =>
        host.present(
          monitorNotice(event),
          openModel({ provider: event.provider, modelId: event.modelId }),
        ),
    },
    watchNotifier: { notify: (notification) => host.present(watchNotice(notification)) },
  });
  // An admin's write that meets another process's write lock and changed nothing is made
  // again for up to the interactive patience (ipc/busy-retry-channels.ts), so nobody has to
  // press again; then the answer names who holds the database when it can.
  const now = options.now ?? Date.now;
  const dispatcher = createAppDispatcher(current, {
    checkOutputs: true,
    busyRetry: {
      patienceMs: interactiveBusyPatienceMs(options),
      now,
      sleep: (ms) => (options.sleep ?? sleep)(ms),
      holders: () =>
        databaseHolders(join(options.dataDir, 'aideon.sqlite'), current.db, now(), {
          pid: process.pid,
          host: hostname(),
        }),
    },
    ...(host.pickBundleFile ? { host: { pickBundleFile: host.pickBundleFile } } : {}),
  });

  const syncer = modelsInUseSyncer({
    publishedConfigs: () => current.publishing.publishedConfigs(),
    monitor: current.monitor,
    log: host.log,
  });
  // Publish, promote, rollback, rollout steps and co-signatures all announce themselves here.
  const offPublish = current.bus.on(
    'publish:state-changed',
    () =>
      void syncer
        .request()
        .catch((error: unknown) =>
          host.log(
            `monitor: models in use not updated: ${error instanceof Error ? error.message : String(error)}`,
          ),
        ),
  );

  // Looked for now, in the background (two process launches), so the console's first
  // app:get-info does not wait for it.
  void current.ffmpegAvailable();
  current.monitor.start();
  // Due rollout steps go out on their bake time; running steps are watched again.
  current.publishing.start();
  // Another process holding the database's write lock (past the short busy wait this console
  // uses) does not stop the start: the runs are picked up by followOtherProcesses' next tick.
  let resumedRuns: string[] = [];
  try {
    resumedRuns = current.bench.resumeAll();
  } catch (error) {
    if (!isDatabaseBusy(error)) throw error;
    host.log('bench: the database is busy; interrupted runs are resumed once it is free');
  }
  // Runs another process drives stay live here, and are taken over if that process dies.
  current.bench.followOtherProcesses();
  // Prices set from the CLI (or another console) reach the open windows within seconds.
  const stopFollowingPrices = current.prices.followOtherProcesses();
  if (resumedRuns.length > 0) host.present(resumedRunsNotice(resumedRuns.length));
  const ready = syncer.request().then(() => undefined);

  let closing: Promise<void> | undefined;
  return {
    services: current,
    dispatcher,
    subscribeEvents: (listener) => current.bus.onAny(listener, EVENT_CHANNEL_NAMES),
    resumedRuns,
    ready,
    idle: () => syncer.idle(),
    manifest: {
      started: ['monitor', 'publishing', 'bench-resume', 'models-in-use'],
      notifiers: ['monitor', 'watch'],
      events: EVENT_CHANNEL_NAMES,
      channels: dispatcher.channels(),
      checksOutputs: true,
    },
    close() {
      closing ??= (async () => {
        offPublish();
        stopFollowingPrices();
        syncer.stop();
        await syncer.idle();
        await current.close();
      })();
      return closing;
    },
  };
}
