/**
 * `aideon serve`: browser mode. Everything is wired by the shared openConsole (the desktop app
 * calls it too); this file only puts the HTTP transport in front and waits for Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { openConsole, type ConsoleServiceOptions } from '../app/console-wiring';
import { recordServerUrl, reviewerForToken } from '../review/reviewers';
import { importRunBundle } from '../bench/run-bundle';
import { startBrowserServer } from './browser-server';

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

export async function serveCommand(deps: ServeCommandDeps): Promise<void> {
  if (!existsSync(join(deps.rendererDir, 'index.html'))) {
    throw new AppError(
      'not_found',
      'The console UI is not built yet. Run `npm run build` once, then `npx aideon serve` again.',
    );
  }
  const wired = openConsole(
    { ...deps.options, mode: 'browser' },
    {
      // The page shows the same events from the event stream (inbox, toasts, and the browser's
      // notifications when allowed); the terminal gets one line per notice.
      present: (notice) => deps.stderr(`${notice.title}: ${notice.body.replace(/\n/g, ' · ')}\n`),
      log: deps.log,
    },
  );
  let server: Awaited<ReturnType<typeof startBrowserServer>>;
  try {
    server = await startBrowserServer({
      dispatcher: wired.dispatcher,
      bus: wired.services.bus,
      events: wired.subscribeEvents,
      media: wired.services.media,
      rendererDir: deps.rendererDir,
      port: deps.port,
      ...(deps.host === undefined ? {} : { host: deps.host }),
      ...(deps.tls ? { tls: deps.tls } : {}),
      ...(deps.publicNames === undefined ? {} : { publicNames: deps.publicNames }),
      uploads: {
        tempDir: join(wired.services.media.root, 'tmp'),
        importRunBundle: (file) => importRunBundle(wired.services.db, wired.services.media, file),
      },
      reviewers: {
        resolve: (token) => reviewerForToken(wired.services.db, token),
        mayReadMedia: (reviewer, mediaId) =>
          wired.services.review.reviewerMayReadMedia(reviewer, mediaId),
      },
      log: (line) => deps.stderr(`${line}\n`),
    });
  } catch (error) {
    await wired.close();
    throw error;
  }
  recordServerUrl(wired.services.db, server.baseUrl, Date.now());
  deps.stdout(`AIDEON_URL=${server.url}\n`);
  await deps.untilStopped();
  await server.close();
  await wired.close();
}
