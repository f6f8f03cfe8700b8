/**
 * Commander wiring for `aideon keys ...` and `aideon config ...`, so that src/main/cli/main.ts
 * only has to call registerConfigCommands(program, deps). Every command delegates to
 * config-cli.ts. The passphrase is read from AIDEON_KEY_PASSPHRASE and is never printed.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { WritableDb } from '../../store/db';
import { dataFolderStoreUri, savedStoreUri } from './console-store';
import type * as ConfigCli from './config-cli';
import type { CommandResult, ConfigCliContext } from './config-cli';
import type { ConfigProblem } from './publisher';

export interface ConfigCommandDeps {
  stdout: (text: string) => void;
  setExitCode: (code: number) => void;
  dataDir: () => string;
  env: NodeJS.ProcessEnv;
  /** Opens the database for the history (the CLI's services). */
  openDb: () =>
    | { db: WritableDb; close: () => Promise<void> | void }
    | Promise<{ db: WritableDb; close: () => Promise<void> | void }>;
  /** The routing config checks; until they exist, () => []. */
  validateConfig: (config: Record<string, unknown>) => ConfigProblem[];
  /** The routing checks' warnings: printed with a plan and after signing, never blocking. */
  configWarnings?: (config: Record<string, unknown>) => ConfigProblem[];
  /**
   * Called after a publish, promotion, rollback or co-signature changed what `storeUri` serves
   * (the CLI updates the release monitor's models in use from it).
   */
  afterChange?: (storeUri: string) => Promise<void>;
  now?: () => number;
}

/** The commands themselves, loaded when one runs (not for `aideon --help`). */
const commands = (): Promise<typeof ConfigCli> => import('./config-cli');

/** The options with `--key` handed on as `keys`, the commands' name for the signing keys. */
const withKeys = <O extends { key?: string[] }>(options: O): O & { keys?: string[] } => ({
  ...options,
  ...(options.key ? { keys: options.key } : {}),
});

const list = (value: string): string[] =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

function parseVersion(value: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1)
    throw new InvalidArgumentError('must be a version number from 1.');
  return version;
}

function actorName(env: NodeJS.ProcessEnv): string {
  if (env.AIDEON_ACTOR) return env.AIDEON_ACTOR;
  try {
    return userInfo().username || 'admin';
  } catch {
    return 'admin';
  }
}

const STORE_HELP =
  "dir:/path or etcd://host:port/prefix (default: this data folder's store, see config store show)";

export function registerConfigCommands(program: Command, deps: ConfigCommandDeps): void {
  const emit = (result: CommandResult) => {
    deps.stdout(result.stdout);
    deps.setExitCode(result.exitCode);
  };
  /**
   * Runs a command with a context whose history goes to SQLite. The body resolves its store
   * with `store` (--store, else the folder's); an `acting` command (--yes) that succeeded has
   * deps.afterChange called with the store it used.
   */
  const withContext = async (
    body: (
      context: ConfigCliContext,
      cli: typeof ConfigCli,
      /** `--store`, else the store this data folder's console publishes to. */
      store: (given: string | undefined) => string,
    ) => Promise<CommandResult>,
    /** An acting command changed the store it used (see deps.afterChange). */
    acting = false,
  ) => {
    const cli = await commands();
    const handle = await deps.openDb();
    let used: string | undefined;
    const store = (given: string | undefined): string =>
      (used = given ?? savedStoreUri(handle.db, deps.dataDir()));
    try {
      const result = await body(
        {
          keyDir: join(deps.dataDir(), 'keys'),
          now: deps.now ?? Date.now,
          actor: actorName(deps.env),
          passphrase: () => deps.env.AIDEON_KEY_PASSPHRASE,
          validateConfig: deps.validateConfig,
          ...(deps.configWarnings ? { configWarnings: deps.configWarnings } : {}),
          db: handle.db,
        },
        cli,
        store,
      );
      emit(result);
      if (acting && used !== undefined && result.exitCode === 0) await deps.afterChange?.(used);
    } finally {
      await handle.close();
    }
  };

  const keys = program.command('keys').description('signing keys for config publishing');
  keys
    .command('generate')
    .description('generate an Ed25519 signing key, encrypted with AIDEON_KEY_PASSPHRASE')
    .requiredOption('--name <name>', 'who holds the key, e.g. "alice laptop"')
    .option('--role <role>', "admin (default) or operator (the controller's online key)")
    .option('--json', 'print JSON')
    .action((options: { name: string; role?: string; json?: boolean }) =>
      withContext((context, cli) => cli.keysGenerateCommand(context, options)),
    );
  keys
    .command('list')
    .description('the signing keys in this data folder (public parts only)')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withContext((context, cli) => cli.keysListCommand(context, options)),
    );

  const config = program
    .command('config')
    .description('publish signed routing configs: dev → staging → production');
  const trust = config.command('trust').description('the trust file: keys and thresholds');
  for (const action of ['init', 'rotate'] as const)
    trust
      .command(action)
      .description(
        action === 'init'
          ? 'create trust version 1 in every environment'
          : 'replace keys/thresholds, signed under the current keys',
      )
      .option('--store <uri>', STORE_HELP)
      .requiredOption('--keys <kids>', 'comma-separated key ids to trust', list)
      .option('--thresholds <list>', 'e.g. dev=1,staging=1,production=2,trust=2')
      .option('--sign <kids>', 'keys to sign with (default: every local key)', list)
      .option('--json', 'print JSON')
      .action(
        (options: {
          store?: string;
          keys: string[];
          thresholds?: string;
          sign?: string[];
          json?: boolean;
        }) =>
          withContext((context, cli, store) =>
            cli.configTrustCommand(context, { ...options, action, store: store(options.store) }),
          ),
      );

  trust
    .command('set-operator')
    .description(
      'add or replace the operator role (the controller key that may only roll back, kill and renew)',
    )
    .option('--store <uri>', STORE_HELP)
    .option('--keys <kids>', 'comma-separated operator key ids', list)
    .option('--threshold <n>', 'operator signatures a bundle needs (default 1)', parseVersion)
    .option('--remove', 'remove the operator role')
    .option('--sign <kids>', 'admin keys to sign the trust change with', list)
    .option('--json', 'print JSON')
    .action(
      (options: {
        store?: string;
        keys?: string[];
        threshold?: number;
        remove?: boolean;
        sign?: string[];
        json?: boolean;
      }) =>
        withContext((context, cli, store) =>
          cli.configTrustSetOperatorCommand(context, { ...options, store: store(options.store) }),
        ),
    );

  config
    .command('publish')
    .description('show what will change; with --yes sign and publish a routing config')
    .option('--store <uri>', STORE_HELP)
    .requiredOption('--env <env>', 'dev, staging or production')
    .requiredOption('--file <file>', 'the routing config (JSON, or YAML)')
    .option('--key <kids>', 'keys to sign with (default: every local key)', list)
    .option('--yes', 'sign and publish (without it: dry run)')
    .option('--json', 'print JSON')
    .action(
      (options: {
        store?: string;
        env: string;
        file: string;
        key?: string[];
        yes?: boolean;
        json?: boolean;
      }) =>
        withContext(
          (context, cli, store) =>
            cli.configPublishCommand(context, {
              ...withKeys(options),
              store: store(options.store),
            }),
          options.yes === true,
        ),
    );

  config
    .command('promote')
    .description('publish exactly what is live in the previous environment')
    .option('--store <uri>', STORE_HELP)
    .requiredOption('--to <env>', 'staging or production')
    .option('--key <kids>', 'keys to sign with', list)
    .option('--yes', 'sign and promote (without it: dry run)')
    .option('--json', 'print JSON')
    .action(
      (options: { store?: string; to: string; key?: string[]; yes?: boolean; json?: boolean }) =>
        withContext(
          (context, cli, store) =>
            cli.configPromoteCommand(context, {
              ...withKeys(options),
              store: store(options.store),
            }),
          options.yes === true,
        ),
    );

  config
    .command('rollback')
    .description('republish earlier content under a new, higher version')
    .option('--store <uri>', STORE_HELP)
    .requiredOption('--env <env>', 'dev, staging or production')
    .option('--to-version <n>', 'the version whose content to restore', parseVersion)
    .option('--key <kids>', 'keys to sign with', list)
    .option('--yes', 'sign and roll back (without it: dry run)')
    .option('--json', 'print JSON')
    .action(
      (options: {
        store?: string;
        env: string;
        toVersion?: number;
        key?: string[];
        yes?: boolean;
        json?: boolean;
      }) =>
        withContext(
          (context, cli, store) =>
            cli.configRollbackCommand(context, {
              ...withKeys(options),
              store: store(options.store),
            }),
          options.yes === true,
        ),
    );

  config
    .command('cosign')
    .description('list bundles waiting for signatures, or add yours to one (--digest)')
    .option('--store <uri>', STORE_HELP)
    .requiredOption('--env <env>', 'dev, staging or production')
    .option('--digest <digest>', 'the pending bundle to sign')
    .option('--key <kids>', 'keys to sign with', list)
    .option('--json', 'print JSON')
    .action(
      (options: { store?: string; env: string; digest?: string; key?: string[]; json?: boolean }) =>
        withContext(
          (context, cli, store) =>
            cli.configCosignCommand(context, { ...withKeys(options), store: store(options.store) }),
          options.digest !== undefined,
        ),
    );

  config
    .command('verify')
    .description('verify the current bundle as a production consumer would')
    .option('--store <uri>', STORE_HELP)
    .requiredOption('--env <env>', 'dev, staging or production')
    .requiredOption('--trust <file>', 'the pinned trust file')
    .option('--state <file>', 'versions already seen (default: <data-dir>/verify-state.json)')
    .option('--flags-out <file>', 'after acceptance, write the verified flagd flags file here')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        store?: string;
        env: string;
        trust: string;
        state?: string;
        flagsOut?: string;
        json?: boolean;
      }) =>
        emit(
          await (
            await commands()
          ).configVerifyCommand({
            ...options,
            // Without --store: the data folder's store, read without creating a database (a
            // consumer's machine may have none).
            store: options.store ?? (await dataFolderStoreUri(deps.dataDir())),
            state: options.state ?? join(deps.dataDir(), 'verify-state.json'),
          }),
        ),
    );

  config
    .command('history')
    .description(
      'the shared, signed, hash-chained history in the store (every admin and the controller), with its check',
    )
    .option('--store <uri>', STORE_HELP)
    .option('--env <env>', 'only entries of dev, staging or production')
    .option('--verify', 'only check the log (exit 1 when truncated or rewritten)')
    .option('--json', 'print JSON')
    .action(async (options: { store?: string; env?: string; verify?: boolean; json?: boolean }) => {
      const { configHistoryCommand } = await commands();
      const handle = await deps.openDb();
      try {
        const store = options.store ?? savedStoreUri(handle.db, deps.dataDir());
        emit(
          await configHistoryCommand(
            {
              keyDir: join(deps.dataDir(), 'keys'),
              now: deps.now ?? Date.now,
              actor: actorName(deps.env),
              passphrase: () => undefined,
              validateConfig: deps.validateConfig,
              db: handle.db,
            },
            { ...options, store },
          ),
        );
      } finally {
        await handle.close();
      }
    });
}
