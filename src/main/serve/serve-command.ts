/**
 * `aideon serve`: browser mode. Everything is wired by the shared openConsole (the desktop app
 * calls it too); this file only puts the HTTP transport in front and waits for Ctrl-C.
 *
 * The server listens and prints its URL first, then builds the services: the URL appears as
 * fast as a bare HTTP server's, and the page loads its static files while the services start.
 * API calls, events and media wait until the services are ready (BrowserServerOptions.ready).
 * If the services cannot start (a refused database, say), the server closes again and the
 * error is reported as before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../../shared/errors';
import type { ConsoleServiceOptions, WiredConsole } from '../app/console-wiring';
import { recordServerUrl, reviewerForToken } from '../review/reviewers';
import { retryWhileBusy } from '../store/busy-retry';
import { startBrowserServer, type BrowserServerOptions } from './browser-server';

export interface ServeCommandDeps {
  options: Omit<ConsoleServiceOptions, 'mode'>;
  rendererDir: string;
  port: number;
  /** Listen address (default 127.0.0.1); the CLI refuses anything but loopback without TLS. */
  host?: string;
  tls?: { cert: Buffer; key: Buffer };
  /** Host names reviewers use to reach this server (Host check, invite URLs). */
  publicNames?: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Service log lines (printed only with AIDEON_LOG=1). */
  log: (line: string) => void;
  /** Resolves when the console should stop (SIGINT, SIGTERM). */
  untilStopped: () => Promise<void>;
}

type Backend = Pick<
  BrowserServerOptions,
  'dispatcher' | 'bus' | 'events' | 'media' | 'posters' | 'reviewers' | 'uploads'
>;

export async function serveCommand(deps: ServeCommandDeps): Promise<void> {
  if (!existsSync(join(deps.rendererDir, 'index.html'))) {
    throw new AppError(
      'not_found',
      'The console UI is not built yet. Run `npm run build` once, then `npx aideon serve` again.',
    );
  }
  /** What the server answers with, once the services exist (set after the URL is printed). */
  const backend: { current?: Backend } = {};
  const attached = (): Backend => {
    if (!backend.current) throw new Error('The console services are not ready yet.');
    return backend.current;
  };
  let markReady!: () => void;
  let markFailed!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  ready.catch(() => undefined); // the failure is reported below; requests only see a 500

  // The server reads these only after `ready` (API calls, events, media, reviewer tokens).
  // Why the start is held up, once it is (another process holding the database): API calls
  // are told it instead of waiting with no word (BrowserServerOptions.startingNote).
  let startingNote: string | undefined;
  const server = await startBrowserServer({
    ready,
    startingNote: () => startingNote,
    get dispatcher() {
      return attached().dispatcher;
    },
    get bus() {
      return attached().bus;
    },
    get events() {
      return attached().events;
    },
    get media() {
      return attached().media;
    },
    get posters() {
      return attached().posters;
    },
    get reviewers() {
      return attached().reviewers;
    },
    get uploads() {
      return attached().uploads;
    },
    rendererDir: deps.rendererDir,
    port: deps.port,
    ...(deps.host === undefined ? {} : { host: deps.host }),
    ...(deps.tls ? { tls: deps.tls } : {}),
    ...(deps.publicNames === undefined ? {} : { publicNames: deps.publicNames }),
    log: (line) => deps.stderr(`${line}\n`),
  });
  deps.stdout(`AIDEON_URL=${server.url}\n`);
  // Listening for Ctrl-C from now on, so a stop during start-up is not lost.
  const stopped = deps.untilStopped();
  const stopRequested = new AbortController();
  void stopped.then(() => stopRequested.abort(new AppError('cancelled', 'Stopped.')));

  let wired: WiredConsole;
  try {
    const { openConsoleWhenFree } = await import('../app/console-wiring');
    // Another process holding the write lock while the start must write (a migration, a new
    // built-in suite) is said once and waited for, in short waits, up to the busy patience.
    wired = await openConsoleWhenFree(
      { ...deps.options, mode: 'browser' },
      {
        // The page shows the same events from the event stream (inbox, toasts, and the
        // browser's notifications when allowed); the terminal gets one line per notice.
        present: (notice) => deps.stderr(`${notice.title}: ${notice.body.replace(/\n/g, ' · ')}\n`),
        log: deps.log,
      },
      {
        say: (line) => {
          deps.stderr(`aideon: ${line}\n`);
          startingNote = line.replace(/; waiting…$/, '');
        },
        signal: stopRequested.signal,
      },
    );
  } catch (error) {
    markFailed(error);
    await server.close();
    // Stopped (Ctrl-C) while waiting for another process's lock: a clean stop.
    if (stopRequested.signal.aborted) return;
    throw error;
  }
  const db = wired.services.db;
  const review = wired.services.review;
  backend.current = {
    dispatcher: wired.dispatcher,
    bus: wired.services.bus,
    events: wired.subscribeEvents,
    media: wired.services.media,
    posters: wired.services.posters,
    reviewers: {
      resolve: (token) => reviewerForToken(db, token),
      mayReadMedia: (reviewer, mediaId) => review.reviewerMayReadMedia(reviewer, mediaId),
    },
    uploads: {
      tempDir: join(wired.services.media.root, 'tmp'),
      importRunBundle: async (file, importId) => {
        const { importRunBundleForWindow } = await import('../bench/run-bundle');
        return importRunBundleForWindow(wired.services, file, importId);
      },
    },
  };
  // The URL an invite made with `aideon reviewers add` points at. Recorded in the background:
  // another process holding the database for long (an import, a second console's migration)
  // delays the record, never the console or its start (it ended `aideon serve` after 60 s).
  const recordUrl = new AbortController();
  const urlRecorded = retryWhileBusy(db, () => recordServerUrl(db, server.baseUrl, Date.now()), {
    now: Date.now,
    sleep: (ms) => delay(ms, undefined, { signal: recordUrl.signal }),
    patienceMs: 365 * 24 * 3_600_000,
  }).catch((error: unknown) => {
    if (recordUrl.signal.aborted) return;
    deps.stderr(
      `aideon: this server's URL could not be recorded for invites (${error instanceof Error ? error.message : String(error)}); \`aideon reviewers add\` may print an older one\n`,
    );
  });
  markReady();
  await stopped;
  recordUrl.abort();
  await urlRecorded;
  await server.close();
  await wired.close();
}
