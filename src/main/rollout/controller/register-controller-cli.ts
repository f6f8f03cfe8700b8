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
  /**
   * How this process is named to other Aideon processes on the data folder (store/presence.ts);
   * default: its own command line, secrets replaced.
   */
  presence?: { command: string; typed: boolean };
  /** The other Aideon processes announced on the data folder, named when the start waits. */
  holders?: () => readonly string[];
  /** The shared history and renewal, once the publisher offers them. */
  extend?: Pick<StartControllerDeps, 'history' | 'renewer'>;
}

export function registerControllerCommands(program: Command, deps: ControllerCommandDeps): void {
  const controller = program
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
        const [
          { buildController, controllerSettings },
          { openDatabase },
          { hideStoreUriSecrets },
          busy,
          { announcePresence, removeOurPresences, thisProcessCommand },
          { endOnStopSignals, onStopSignal },
        ] = await Promise.all([
          import('./controller-cli'),
          import('../../store/db'),
          import('../../../consumer/store-reader'),
          import('../../store/busy-retry'),
          import('../../store/presence'),
          import('../../cli/stop-signals'),
        ]);
        const settings = controllerSettings(flags, deps.env);
        const patienceMs = busy.busyPatienceMs({ env: deps.env });
        // What this command prints never shows a password or token of the store URI.
        const hide = (text: string): string => hideStoreUriSecrets(text, settings.storeUri);
        const dataDir = deps.dataDir();
        mkdirSync(dataDir, { recursive: true });
        // Said before the database is opened (a migration takes the write lock), so another
        // process that meets the lock while this controller runs can name it.
        const presence = announcePresence(join(dataDir, 'aideon.sqlite'), {
          ...(deps.presence ?? thisProcessCommand(deps.env)),
          now: Date.now(),
        });
        // While it starts (waiting for the database, building the controller) a signal ends the
        // process, its presence file removed first; once it runs, a signal stops it cleanly
        // (the lease given up, the heartbeat removed) and the file goes at the end as before.
        const stopEnding = endOnStopSignals(removeOurPresences);
        try {
          // Another process holding the write lock (a console, `aideon serve`, a bench run, an
          // import) delays the start while the database needs a write (a migration); it is said
          // once and waited for, in short waits, up to the busy patience. The short wait stays
          // for every later write: SQLite's wait blocks the whole thread, and the lease,
          // heartbeat and ticks must go on (see controller-cli.ts checkRecords).
          const db = await busy.startWhenFree(
            () =>
              openDatabase({
                file: join(dataDir, 'aideon.sqlite'),
                busyTimeoutMs: busy.CONSOLE_BUSY_TIMEOUT_MS,
              }),
            {
              now: Date.now,
              sleep: (ms) => deps.sleep(ms),
              patienceMs,
              say: (line) => deps.stderr(`aideon: ${line}\n`),
              ...(deps.holders ? { holders: deps.holders } : {}),
            },
          );
          const log = (line: string): void => deps.stderr(`${hide(line)}\n`);
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
                  hide(
                    flags.json
                      ? `${JSON.stringify(event)}\n`
                      : `${new Date(event.at).toISOString()} ${event.type}${event.environment ? ` ${event.environment}` : ''}: ${event.message.split('\n')[0] ?? ''}\n`,
                  ),
                ),
            });
            try {
              deps.stdout(
                flags.json
                  ? hide(`${JSON.stringify({ started: settings.id, store: settings.storeUri })}\n`)
                  : hide(
                      `controller ${settings.id} started on ${settings.storeUri} (tick ${settings.tickMs} ms, lease ${settings.leaseMs} ms)\n`,
                    ),
              );
              if (flags.once) {
                await built.controller.once();
                return;
              }
              const stop = new AbortController();
              const stopListening = onStopSignal(() => stop.abort());
              try {
                await built.controller.run(stop.signal);
              } finally {
                stopListening();
              }
              deps.stdout(`controller ${settings.id} stopped\n`);
            } finally {
              await built.close();
            }
          } finally {
            db.close();
          }
        } finally {
          stopEnding();
          presence.remove();
        }
      },
    );

  registerControllerStatusCommand(controller, deps);
}

/**
 * `aideon controller status`. Commander hands a subcommand's options to its parent when the
 * parent has an option of the same name (`controller` has --store and --json, and the program
 * parses them before it dispatches), so the action takes --store and --json from either; any
 * other option of `controller` given with `status` is refused rather than silently ignored.
 * (Positional options would avoid this, but only by making every program option, such as
 * --data-dir, positional for every command.)
 */
function registerControllerStatusCommand(controller: Command, deps: ControllerCommandDeps): void {
  controller
    .command('status')
    .description(
      'the rollout controllers registered in a config store: id, role, alive or stale, host, last heartbeat, what each works on, the leader and any problem (exit 1 when the store cannot be read)',
    )
    .option(
      '--store <uri>',
      "config store: etcd://host:2379/prefix or dir:/path ($AIDEON_STORE; default: the console's store for this data folder)",
    )
    .option('--json', 'print JSON')
    .action(async (_options: unknown, command: Command) => {
      const parent = command.parent;
      const misplaced = parent?.options.find(
        (option) =>
          !['store', 'json'].includes(option.attributeName()) &&
          parent.getOptionValueSource(option.attributeName()) === 'cli',
      );
      if (misplaced)
        command.error(
          `error: option '${misplaced.flags}' is for running the controller, not for controller status`,
          { exitCode: 2, code: 'commander.unknownOption' },
        );
      const flags = {
        ...parent?.opts<{ store?: string; json?: boolean }>(),
        ...command.opts<{ store?: string; json?: boolean }>(),
      };
      // Loaded here, not at start-up: `aideon --help` stays light.
      const [status, { openConfigStore }] = await Promise.all([
        import('./controller-status-cli'),
        import('../stores/open-store'),
      ]);
      const { uri, from } = await status.statusStoreUri(flags, deps.env, () =>
        import('../publish/console-store').then(({ dataFolderStoreUri }) =>
          dataFolderStoreUri(deps.dataDir()),
        ),
      );
      const store = openConfigStore(uri);
      let report;
      try {
        report = await status.readControllerStatus(store, { uri, from, now: Date.now() });
      } finally {
        await store.close();
      }
      // An unreadable store is said once, on stderr (and in the JSON, for scripts).
      if (flags.json) deps.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else if (report.problem === null) deps.stdout(status.formatControllerStatus(report));
      if (report.problem !== null) {
        const { AppError } = await import('../../../shared/errors');
        throw new AppError(
          'storage_failed',
          `The config store ${report.storeUri} cannot be read: ${report.problem}`,
        );
      }
    });
}
