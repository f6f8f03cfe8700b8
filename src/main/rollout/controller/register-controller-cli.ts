/**
 * Commander wiring for `aideon controller`, so src/main/cli/main.ts only calls
 * registerControllerCommands(program, deps). Prints one line per event (JSON with --json),
 * and stops cleanly on SIGINT/SIGTERM: the lease is given up and the heartbeat removed, so a
 * standby takes over at once.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Dispatcher } from 'undici';
import type { StartControllerDeps } from './controller-cli';

export interface ControllerCommandDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  dataDir: () => string;
  dispatcher: () => Dispatcher | Promise<Dispatcher>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The shared history and renewal, once the publisher offers them. */
  extend?: Pick<StartControllerDeps, 'history' | 'renewer'>;
}

export function registerControllerCommands(program: Command, deps: ControllerCommandDeps): void {
  program
    .command('controller')
    .description(
      'run the headless rollout controller: advances due steps, bakes them against the Prometheus guards, pauses or rolls back, renews freshness (one leader per store)',
    )
    .option('--store <uri>', 'config store: etcd://host:2379/prefix or dir:/path ($AIDEON_STORE)')
    .option('--id <id>', 'this controller’s id (default host-pid; $AIDEON_CONTROLLER_ID)')
    .option('--operator-key <file>', 'the operator key file <kid>.key.json ($AIDEON_OPERATOR_KEY)')
    .option('--trust <file>', 'the pinned trust file ($AIDEON_TRUST_FILE)')
    .option('--webhook <url>', 'POST every event as JSON here ($AIDEON_CONTROLLER_WEBHOOK)')
    .option(
      '--watch-settings <file>',
      'watch settings JSON (Prometheus, guards); default the data folder’s ($AIDEON_WATCH_SETTINGS)',
    )
    .option('--tick-ms <ms>', 'time between passes (default 15000; $AIDEON_CONTROLLER_TICK_MS)')
    .option(
      '--lease-ms <ms>',
      'leader lease time-to-live (default 30000 or 3 ticks; $AIDEON_CONTROLLER_LEASE_MS)',
    )
    .option(
      '--renew-before-days <days>',
      'renew a bundle when it expires within this many days (default 14; $AIDEON_CONTROLLER_RENEW_DAYS)',
    )
    .option('--once', 'one pass, then exit (cron)')
    .option('--json', 'print one JSON line per event')
    .action(
      async (flags: {
        store?: string;
        id?: string;
        operatorKey?: string;
        trust?: string;
        webhook?: string;
        watchSettings?: string;
        tickMs?: string;
        leaseMs?: string;
        renewBeforeDays?: string;
        once?: boolean;
        json?: boolean;
      }) => {
        // Loaded here, not at start-up: `aideon --help` stays light.
        const [{ buildController, controllerSettings }, { openDatabase }] = await Promise.all([
          import('./controller-cli'),
          import('../../store/db'),
        ]);
        const settings = controllerSettings(flags, deps.env);
        const dataDir = deps.dataDir();
        mkdirSync(dataDir, { recursive: true });
        const db = openDatabase({ file: join(dataDir, 'aideon.sqlite') });
        const log = (line: string): void => deps.stderr(`${line}\n`);
        try {
          const built = await buildController({
            settings,
            env: deps.env,
            db,
            dispatcher: await deps.dispatcher(),
            now: Date.now,
            sleep: deps.sleep,
            log,
            ...deps.extend,
            onEvent: (event) =>
              deps.stdout(
                flags.json
                  ? `${JSON.stringify(event)}\n`
                  : `${new Date(event.at).toISOString()} ${event.type}${event.environment ? ` ${event.environment}` : ''}: ${event.message.split('\n')[0] ?? ''}\n`,
              ),
          });
          try {
            deps.stdout(
              flags.json
                ? `${JSON.stringify({ started: settings.id, store: settings.storeUri })}\n`
                : `controller ${settings.id} started on ${settings.storeUri} (tick ${settings.tickMs} ms, lease ${settings.leaseMs} ms)\n`,
            );
            if (flags.once) {
              await built.controller.once();
              return;
            }
            const stop = new AbortController();
            const onSignal = (): void => stop.abort();
            process.once('SIGINT', onSignal);
            process.once('SIGTERM', onSignal);
            try {
              await built.controller.run(stop.signal);
            } finally {
              process.off('SIGINT', onSignal);
              process.off('SIGTERM', onSignal);
            }
            deps.stdout(`controller ${settings.id} stopped\n`);
          } finally {
            await built.close();
          }
        } finally {
          db.close();
        }
      },
    );
}
