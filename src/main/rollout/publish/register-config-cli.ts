/**
 * Commander wiring for `aideon keys ...` and `aideon config ...`, so that src/main/cli/main.ts
 * only has to call registerConfigCommands(program, deps). Every command delegates to
 * config-cli.ts. The passphrase is read from AIDEON_KEY_PASSPHRASE and is never printed.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { WritableDb } from '../../store/db';
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

export function registerConfigCommands(program: Command, deps: ConfigCommandDeps): void {
  const emit = (result: CommandResult) => {
    deps.stdout(result.stdout);
    deps.setExitCode(result.exitCode);
  };
  /**
   * Runs a command with a context whose history goes to SQLite; `changed` names the store an
   * acting command (--yes) changed, for deps.afterChange once it succeeded.
   */
  const withContext = async (
    body: (context: ConfigCliContext, cli: typeof ConfigCli) => Promise<CommandResult>,
    changed?: string,
  ) => {
    const cli = await commands();
    const handle = await deps.openDb();
    try {
      const result = await body(
        {
          keyDir: join(deps.dataDir(), 'keys'),
          now: deps.now ?? Date.now,
          actor: actorName(deps.env),
          passphrase: () => deps.env.AIDEON_KEY_PASSPHRASE,
          validateConfig: deps.validateConfig,
          db: handle.db,
        },
        cli,
      );
      emit(result);
      if (changed !== undefined && result.exitCode === 0) await deps.afterChange?.(changed);
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
      .requiredOption('--store <uri>', 'dir:/path or etcd://host:port/prefix')
      .requiredOption('--keys <kids>', 'comma-separated key ids to trust', list)
      .option('--thresholds <list>', 'e.g. dev=1,staging=1,production=2,trust=2')
      .option('--sign <kids>', 'keys to sign with (default: every local key)', list)
      .option('--json', 'print JSON')
      .action(
        (options: {
          store: string;
          keys: string[];
          thresholds?: string;
          sign?: string[];
          json?: boolean;
        }) =>
          withContext((context, cli) => cli.configTrustCommand(context, { ...options, action })),
      );

  trust
    .command('set-operator')
    .description(
      'add or replace the operator role (the controller key that may only roll back, kill and renew)',
    )
    .requiredOption('--store <uri>', 'dir:/path or etcd://host:port/prefix')
    .option('--keys <kids>', 'comma-separated operator key ids', list)
    .option('--threshold <n>', 'operator signatures a bundle needs (default 1)', parseVersion)
    .option('--remove', 'remove the operator role')
    .option('--sign <kids>', 'admin keys to sign the trust change with', list)
    .option('--json', 'print JSON')
    .action(
      (options: {
        store: string;
        keys?: string[];
        threshold?: number;
        remove?: boolean;
        sign?: string[];
        json?: boolean;
      }) => withContext((context, cli) => cli.configTrustSetOperatorCommand(context, options)),
    );

  config
    .command('publish')
    .description('show what will change; with --yes sign and publish a routing config')
    .requiredOption('--store <uri>', 'dir:/path or etcd://host:port/prefix')
    .requiredOption('--env <env>', 'dev, staging or production')
    .requiredOption('--file <file>', 'the routing config (JSON)')
    .option('--key <kids>', 'keys to sign with (default: every local key)', list)
    .option('--yes', 'sign and publish (without it: dry run)')
    .option('--json', 'print JSON')
    .action(
      (options: {
        store: string;
        env: string;
        file: string;
        key?: string[];
        yes?: boolean;
        json?: boolean;
      }) =>
        withContext(
          (context, cli) => cli.configPublishCommand(context, withKeys(options)),
          options.yes ? options.store : undefined,
        ),
    );

  config
    .command('promote')
    .description('publish exactly what is live in the previous environment')
    .requiredOption('--store <uri>', 'dir:/path or etcd://host:port/prefix')
    .requiredOption('--to <env>', 'staging or production')
    .option('--key <kids>', 'keys to sign with', list)
    .option('--yes', 'sign and promote (without it: dry run)')
    .option('--json', 'print JSON')
    .action(
      (options: { store: string; to: string; key?: string[]; yes?: boolean; json?: boolean }) =>
        withContext(
          (context, cli) => cli.configPromoteCommand(context, withKeys(options)),
          options.yes ? options.store : undefined,
        ),
    );

  config
    .command('rollback')
    .description('republish earlier content under a new, higher version')
    .requiredOption('--store <uri>', 'dir:/path or etcd://host:port/prefix')
    .requiredOption('--env <env>', 'dev, staging or production')
    .option('--to-version <n>', 'the version whose content to restore', parseVersion)
    .option('--key <kids>', 'keys to sign with', list)
    .option('--yes', 'sign and roll back (without it: dry run)')
    .option('--json', 'print JSON')
    .action(
      (options: {
        store: string;
        env: string;
        toVersion?: number;
        key?: string[];
        yes?: boolean;
        json?: boolean;
      }) =>
        withContext(
          (context, cli) => cli.configRollbackCommand(context, withKeys(options)),
          options.yes ? options.store : undefined,
        ),
    );

  config
    .command('cosign')
    .description('list bundles waiting for signatures, or add yours to one (--digest)')
    .requiredOption('--store <uri>', 'dir:/path or etcd://host:port/prefix')
    .requiredOption('--env <env>', 'dev, staging or production')
    .option('--digest <digest>', 'the pending bundle to sign')
    .option('--key <kids>', 'keys to sign with', list)
    .option('--json', 'print JSON')
    .action(
      (options: { store: string; env: string; digest?: string; key?: string[]; json?: boolean }) =>
        withContext(
          (context, cli) => cli.configCosignCommand(context, withKeys(options)),
          options.digest === undefined ? undefined : options.store,
        ),
    );

  config
    .command('verify')
    .description('verify the current bundle as a production consumer would')
    .requiredOption('--store <uri>', 'dir:/path or etcd://host:port/prefix')
    .requiredOption('--env <env>', 'dev, staging or production')
    .requiredOption('--trust <file>', 'the pinned trust file')
    .option('--state <file>', 'versions already seen (default: <data-dir>/verify-state.json)')
    .option('--flags-out <file>', 'after acceptance, write the verified flagd flags file here')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        store: string;
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
            state: options.state ?? join(deps.dataDir(), 'verify-state.json'),
          }),
        ),
    );

  config
    .command('history')
    .description(
      'the shared, signed, hash-chained history in the store (every admin and the controller), with its check',
    )
    .option('--store <uri>', "dir:/path or etcd://host:port/prefix (default: the console's store)")
    .option('--env <env>', 'only entries of dev, staging or production')
    .option('--verify', 'only check the log (exit 1 when truncated or rewritten)')
    .option('--json', 'print JSON')
    .action(async (options: { store?: string; env?: string; verify?: boolean; json?: boolean }) => {
      const { configHistoryCommand } = await commands();
      const handle = await deps.openDb();
      try {
        const row = handle.db
          .prepare('SELECT store_uri FROM publish_settings WHERE id = 1')
          .get() as { store_uri: string } | undefined;
        const store =
          options.store ?? row?.store_uri ?? `dir:${join(deps.dataDir(), 'config-store')}`;
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
