/**
 * Composition root: builds every service from explicit dependencies, in order. The Electron
 * app, browser mode and the CLI all call this; nothing below reads process.env or the clock.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { suiteDefinitionSchema } from '../shared/domain';
import { BenchRunner } from './bench/bench-runner';
import { ReviewService } from './review/review-service';
import { chooseExampleConfig, RoutingService } from './rollout/routing/routing-service';
import { WatchService } from './watch/watch-service';
import type { Notifier as WatchNotifier } from './watch/bake-loop';
import { PublishingService } from './rollout/publish/publishing-service';
import type { KeyProtector } from './rollout/publish/keys';
import { mediaToolPaths } from './media/video-analysis';
import { hostname, userInfo } from 'node:os';
import { randomUUID } from 'node:crypto';
import { saveSuiteVersion } from './bench/bench-repository';
import { EventBus } from './events';
import { MediaStore, type MediaFiles } from './media/media-store';
import { PosterFrames } from './media/poster-frames';
import { ProviderRegistry } from './providers/registry';
import { listModelPrices, ModelPriceService } from './providers/model-prices';
import { SandboxAdapter } from './providers/sandbox/sandbox-adapter';
import { openDatabase, type WritableDb } from './store/db';
import { announcePresence, thisProcessCommand } from './store/presence';
import { busyPatienceMs, CONSOLE_BUSY_TIMEOUT_MS } from './store/busy-retry';
import { registerVendorAdapters } from './providers/index';
import { createDefaultDispatcher } from './providers/http/dispatcher';
import type { PollPolicy } from './providers/http/polling';
import { envSecretStore, type SecretStore } from './secrets';
import type { Dispatcher } from 'undici';
import {
  createMonitor,
  databaseEvidenceSources,
  type MonitorService,
  type Notifier,
} from './monitor/index';
import { sleep } from './sleep';

export { sleep };

export interface ServiceOptions {
  dataDir: string;
  resourcesDir: string;
  env: NodeJS.ProcessEnv;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  log?: (line: string) => void;
  /** Scales the sandbox's simulated durations (tests use small values). */
  sandboxTimeScale?: number;
  /** Who votes in the review workspace; default $AIDEON_ACTOR, else the OS user name. */
  voter?: string;
  /** API keys; default: the vendors' environment variables. */
  secrets?: SecretStore;
  /** HTTP dispatcher for vendor calls; default an undici Agent with a connect timeout. */
  dispatcher?: Dispatcher;
  /** Run ffprobe/ffmpeg checks on every downloaded video; default true. */
  analyseVideos?: boolean;
  /** Polling when vendors give no hint (benchmarks against zero-delay emulators shorten it). */
  pollPolicy?: PollPolicy;
  /** Generations in flight per model (`provider:modelId`); default only the provider's limit. */
  modelConcurrency?: Partial<Record<string, number>>;
  /** Generations in flight per provider; default 2 (sandbox 4). */
  providerConcurrency?: Partial<Record<string, number>>;
  /** Shows new-model and retired-model events (Electron: desktop notifications); default none. */
  notifier?: Notifier;
  /** Shows production-watch notifications (paused, rolled back); default none. */
  watchNotifier?: WatchNotifier;
  /** Generations in flight at once across all runs; default 4. */
  benchConcurrency?: number;
  /** Signing keys' protector (desktop: the OS keychain); default a passphrase per session. */
  keyProtector?: KeyProtector;
  /** How often due rollout steps are published, ms; default 30 s. */
  publishTickMs?: number;
  /**
   * How long the lease on a run this process drives lasts without a heartbeat, ms; default 30 s
   * (env AIDEON_RUN_LEASE_MS). Another process may take a run over once its lease lapsed.
   */
  runLeaseMs?: number;
  /**
   * How long the bench runner keeps trying a write that must not be lost (a submitted
   * generation's job id, cost, video) while another process holds SQLite's write lock, ms;
   * default DEFAULT_BUSY_PATIENCE_MS, 10 min (env AIDEON_BUSY_PATIENCE_MS, a positive integer).
   */
  busyPatienceMs?: number;
  /**
   * SQLite's busy wait, ms, once the services are built (opening, migrating and the built-in
   * suites wait db.ts's 5 s). Default: CONSOLE_BUSY_TIMEOUT_MS for the interactive console
   * (electron, browser), whose one thread serves every window, so a write meeting another
   * process's lock is answered at once instead of freezing every window; 5 s for the CLI.
   */
  busyTimeoutMs?: number;
  /**
   * SQLite's busy wait while the services start (opening, migrating, the built-in suites), ms;
   * default db.ts's 5 s. A caller that tries the start again while another process holds the
   * write lock (busy-retry.ts startWhenFree) sets it short.
   */
  startUpBusyTimeoutMs?: number;
  /** The media store's file layer; default the real disk (tests make it fail). */
  mediaFiles?: MediaFiles;
  mode: 'electron' | 'browser' | 'cli';
  version: string;
  /**
   * How this process is named to other Aideon processes on the data folder while it has the
   * database open (store/presence.ts): the `aideon …` command line as typed, secrets replaced
   * (redactedCommandLine). Default: the desktop console, else this process's own command line.
   */
  presence?: { command: string; typed: boolean };
}

export interface Services {
  options: ServiceOptions;
  db: WritableDb;
  bus: EventBus;
  media: MediaStore;
  /** Small JPEG poster frames of stored videos (ffmpeg, cached beside the media store). */
  posters: PosterFrames;
  registry: ProviderRegistry;
  /** Prices admins entered for models (Models screen, `aideon models price`). */
  prices: ModelPriceService;
  bench: BenchRunner;
  review: ReviewService;
  routing: RoutingService;
  monitor: MonitorService;
  watch: WatchService;
  publishing: PublishingService;
  secrets: SecretStore;
  /** ffmpeg and ffprobe both answer (checked once, on first call). */
  ffmpegAvailable(): Promise<boolean>;
  /** Rebuilds the vendor adapters after a key changed. */
  reloadProviders(): void;
  close(): Promise<void>;
}

/** Both ffmpeg and ffprobe answer (both started at once; nothing waits on them at start-up). */
export async function detectFfmpeg(env: NodeJS.ProcessEnv): Promise<boolean> {
  const tools = mediaToolPaths(env);
  const answers = (path: string): Promise<boolean> =>
    new Promise((resolve) => {
      execFile(path, ['-version'], { timeout: 5000 }, (error) => resolve(error === null));
    });
  const [ffmpeg, ffprobe] = await Promise.all([
    answers(tools.ffmpegPath),
    answers(tools.ffprobePath),
  ]);
  return ffmpeg && ffprobe;
}

export function createServices(options: ServiceOptions): Services {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((): void => undefined);
  // Checked before anything is opened: a bad value is refused with nothing left behind.
  const benchBusyPatienceMs = busyPatienceMs(options);
  mkdirSync(options.dataDir, { recursive: true });
  const dbFile = join(options.dataDir, 'aideon.sqlite');
  // Announced before the database is opened: opening may migrate it, which takes the write
  // lock, and a process that meets that lock should be able to say whose it is.
  const presence = announcePresence(dbFile, {
    ...(options.presence ??
      (options.mode === 'electron'
        ? { command: 'the desktop console', typed: false }
        : thisProcessCommand(options.env))),
    now: now(),
  });
  let db: WritableDb;
  try {
    db = openDatabase({
      file: dbFile,
      log,
      ...(options.startUpBusyTimeoutMs === undefined
        ? {}
        : { busyTimeoutMs: options.startUpBusyTimeoutMs }),
    });
  } catch (error) {
    presence.remove();
    throw error;
  }
  const bus = new EventBus();
  const media = new MediaStore(options.dataDir, options.mediaFiles);
  const posters = new PosterFrames({
    media,
    ffmpegPath: mediaToolPaths(options.env).ffmpegPath,
    now,
  });
  const registry = new ProviderRegistry();
  // Admin-entered prices replace the tables' in every estimate (read afresh from SQLite).
  registry.usePrices(() => listModelPrices(db));
  const prices = new ModelPriceService({
    db,
    lookup: (ref) => registry.lookup(ref),
    now,
    actor: options.env.AIDEON_ACTOR || safeUserName(),
    changed: (at) => bus.emit('models:prices-changed', { at }),
  });
  registry.register(
    new SandboxAdapter({
      clipsDir: join(options.resourcesDir, 'sandbox-clips'),
      renderDir: join(options.dataDir, 'sandbox-renders'),
      releaseFile: join(options.dataDir, 'sandbox-release.json'),
      ffmpegPath: mediaToolPaths(options.env).ffmpegPath,
      now,
      timeScale:
        options.sandboxTimeScale ?? numberFromEnv(options.env.AIDEON_SANDBOX_TIME_SCALE) ?? 1,
    }),
  );
  const secrets = options.secrets ?? envSecretStore(options.env);
  const dispatcher = options.dispatcher ?? createDefaultDispatcher();
  const reloadProviders = (): void =>
    registerVendorAdapters(registry, { env: options.env, secrets, dispatcher, now });
  reloadProviders();
  try {
    loadBuiltInSuites(db, join(options.resourcesDir, 'suites'), now());
  } catch (error) {
    // Nothing is left open by a start that failed (a held write lock is waited for and the
    // start tried again: see store/busy-retry.ts startWhenFree).
    db.close();
    presence.remove();
    throw error;
  }
  // One place for the interactive console's policy on a held lock (see store/busy-retry.ts).
  const busyTimeoutMs =
    options.busyTimeoutMs ?? (options.mode === 'cli' ? undefined : CONSOLE_BUSY_TIMEOUT_MS);
  if (busyTimeoutMs !== undefined)
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  const bench = new BenchRunner({
    db,
    registry,
    media,
    bus,
    now,
    sleep: options.sleep ?? sleep,
    log,
    ...(options.analyseVideos === false ? {} : { mediaTools: mediaToolPaths(options.env) }),
    ...(options.pollPolicy === undefined ? {} : { pollPolicy: options.pollPolicy }),
    // A limit left undefined is the runner's default.
    providerConcurrency: options.providerConcurrency,
    modelConcurrency: options.modelConcurrency,
    globalConcurrency: options.benchConcurrency,
    busyPatienceMs: benchBusyPatienceMs,
    lease: {
      owner: { ownerId: `owner_${randomUUID()}`, pid: process.pid, host: hostname() },
      ttlMs: Math.max(
        300,
        options.runLeaseMs ?? numberFromEnv(options.env.AIDEON_RUN_LEASE_MS) ?? 30_000,
      ),
    },
  });
  // Local votes: the configured admin name (AIDEON_ACTOR), else the OS user.
  const review = new ReviewService({
    db,
    now,
    voter: options.voter ?? (options.env.AIDEON_ACTOR || safeUserName()),
  });
  const routing = new RoutingService({
    db,
    now,
    models: () => registry.allModels(),
    configuredProviders: () => registry.providers(),
    ratings: async () => (await review.ratings()).overall,
    // What the release monitor reports removed, retired or deprecated (built just below).
    retiredModels: () => monitor.unavailableModels(),
    // The vendor example once its providers have keys; until then the sandbox example.
    exampleConfig: () =>
      chooseExampleConfig(
        {
          vendor: JSON.parse(
            readFileSync(join(options.resourcesDir, 'routing', 'example-config.json'), 'utf8'),
          ) as unknown,
          sandbox: JSON.parse(
            readFileSync(
              join(options.resourcesDir, 'routing', 'sandbox-example-config.json'),
              'utf8',
            ),
          ) as unknown,
        },
        registry.providers(),
      ),
  });
  const monitor = createMonitor({
    db,
    registry,
    secrets,
    env: options.env,
    dispatcher,
    now,
    log,
    ...(options.notifier ? { notifier: options.notifier } : {}),
    emit: (event, payload) => bus.emit(event, payload),
    busyPatienceMs: benchBusyPatienceMs,
    // "Stable" is granted from production's own metrics (the watch is built just below).
    evidence: databaseEvidenceSources(db, {
      cleanDays: async (tier) => {
        const report = await watch.getStability({ tier, env: 'production' });
        return { count: report.count, problems: report.problems.map((problem) => problem.message) };
      },
      // Config versions are read from the config store (the publishing service is built below).
      configVersionProblem: (input) => publishing.configVersionProblem(input),
    }),
    onDetected: (model, budgetUsd) =>
      bench.startRun({
        suiteId: 'smoke',
        name: `Smoke: ${model.displayName}`,
        models: [{ provider: model.provider, modelId: model.modelId }],
        budgetUsd,
      }),
  });
  const publishing = new PublishingService({
    db,
    dataDir: options.dataDir,
    now,
    sleep: options.sleep ?? sleep,
    actor: options.env.AIDEON_ACTOR || safeUserName(),
    ...(options.keyProtector ? { deviceProtector: options.keyProtector } : {}),
    // Nothing is signed that the routing checks refuse (errors); warnings are shown in the plan.
    validateConfig: (config) => routing.problemsOf(config, 'error'),
    configWarnings: (config) => routing.problemsOf(config, 'warning'),
    draft: () => routing.getDraft(),
    emit: (reason, environment) =>
      bus.emit('publish:state-changed', { reason, environment, at: now() }),
    log,
    ...((options.publishTickMs ?? numberFromEnv(options.env.AIDEON_PUBLISH_TICK_MS)) === undefined
      ? {}
      : {
          tickMs: Math.max(
            200,
            options.publishTickMs ?? numberFromEnv(options.env.AIDEON_PUBLISH_TICK_MS) ?? 0,
          ),
        }),
  });
  const watch = new WatchService({
    db,
    dispatcher,
    now,
    log,
    sleep: options.sleep ?? sleep,
    busyPatienceMs: benchBusyPatienceMs,
    token: () => options.env.AIDEON_PROMETHEUS_TOKEN,
    rollout: publishing.rolloutControl(),
    stabilityResets: (env) => publishing.stabilityResets(env),
    // Budget and quota per tier: the routing config the environment runs, else the draft.
    routingConfig: async (env) => {
      const published = (await publishing.publishedConfigs()).find(
        (item) => item.environment === env,
      );
      if (published?.live)
        return {
          config: published.live.config,
          from: {
            kind: 'published',
            env,
            version: published.live.version,
            revision: null,
            problem: null,
          },
        };
      const draft = routing.getDraft();
      return {
        config: draft.config,
        from: {
          kind: draft.source === 'draft' ? 'draft' : 'example',
          env,
          version: null,
          revision: draft.revision,
          problem: published?.problem ?? null,
        },
      };
    },
    ...(options.watchNotifier ? { notifier: options.watchNotifier } : {}),
    // A breach goes into the monitor's inbox (one inbox, one unread count), then to windows.
    onBreach: (event) => {
      // A failed rollback's retry that failed again the same way was told already: the windows
      // get the event (marked repeated) to refresh, the inbox gets nothing new. A busy database
      // (another process's lock) delays the entry, written in the background once it is free:
      // the pause or rollback is done and notified, and must not wait or fail on the inbox.
      if (!event.repeated)
        monitor.recordGuardBreachSoon({
          env: event.env,
          status: event.status,
          action: event.action ?? null,
          stepVersion: event.stepVersion,
          at: event.checkedAt,
          summary: event.summary,
        });
      bus.emit('watch:guard-breached', event);
    },
  });
  publishing.attachWatch({
    isWatched: (environment) => watch.getSettings().environments[environment] !== undefined,
    bake: (environment, signal, options) => watch.bake(environment, signal, options),
  });
  let ffmpegCheck: Promise<boolean> | undefined;
  const services: Services = {
    watch,
    publishing,
    review,
    routing,
    monitor,
    options,
    db,
    bus,
    media,
    posters,
    registry,
    prices,
    bench,
    secrets,
    reloadProviders,
    // Asked on first use (the settings screen), not at every start: each CLI command and
    // `aideon serve` would otherwise wait for two process launches.
    ffmpegAvailable: () => (ffmpegCheck ??= detectFfmpeg(options.env)),
    async close() {
      await publishing.stop();
      await monitor.stop();
      await bench.stop();
      await watch.stop();
      db.close();
      presence.remove();
    },
  };
  return services;
}

function loadBuiltInSuites(db: WritableDb, dir: string, now: number): void {
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { id?: unknown };
    const id = typeof raw.id === 'string' ? raw.id : file.replace(/\.json$/, '');
    const definition = suiteDefinitionSchema.parse(raw);
    saveSuiteVersion(db, { id, builtIn: true, definition }, now);
  }
}

function numberFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

function safeUserName(): string {
  try {
    return userInfo().username || 'admin';
  } catch {
    return 'admin';
  }
}
