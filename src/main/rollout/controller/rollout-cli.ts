/**
 * `aideon rollout start|pause|resume|next|kill|status`, `aideon config store show|set|reset` and
 * `aideon watch settings show|set`: what the Rollout screen does, for cron and CI. The rollout commands act on the config store this data
 * folder publishes to (Publishing → Store), with the keys of its key folder unlocked by
 * AIDEON_KEY_PASSPHRASE (pause and resume need no key). `kill` signs with the operator key
 * instead when AIDEON_OPERATOR_KEY is set, so an emergency never waits for co-signers.
 *
 * Exit codes: 0 done; 1 could not be done (the reason is printed); 2 bad usage / bad input.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { AppError } from '../../../shared/errors';
import type { Environment } from '../../../shared/rollout/environments';
import { lazyOption } from '../../cli/lazy-option';
import type { Services } from '../../services';
import type { Publisher } from '../publish/publisher';

export interface RolloutCommandDeps {
  stdout: (text: string) => void;
  env: NodeJS.ProcessEnv;
  openServices: () => Services | Promise<Services>;
}

/** Parsed before the action runs (lazyOption): the schema module is not loaded for --help. */
async function parseEnvironment(value: string): Promise<Environment> {
  const { ENVIRONMENTS, environmentSchema } = await import('../../../shared/rollout/environments');
  const parsed = environmentSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(`must be one of ${ENVIRONMENTS.join(', ')} (got "${value}").`);
  return parsed.data;
}

const envOption = () =>
  lazyOption('--env <env>', 'dev, staging or production', parseEnvironment, { required: true });

function parseSteps(value: string): number[] {
  const steps = value.split(',').map((part) => Number(part.trim()));
  if (steps.length === 0 || steps.some((step) => !Number.isInteger(step) || step < 1 || step > 100))
    throw new InvalidArgumentError('must be whole percentages from 1 to 100, e.g. 10,50,100.');
  return steps;
}

function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new InvalidArgumentError('must be a number of minutes, 0 or more.');
  return minutes;
}

export function registerRolloutCommands(program: Command, deps: RolloutCommandDeps): void {
  const print = (json: boolean | undefined, value: unknown, text: string): void =>
    deps.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  const withServices = async (
    body: (services: Services) => Promise<void>,
    options: { unlock?: boolean } = {},
  ): Promise<void> => {
    const services = await deps.openServices();
    try {
      if (options.unlock) {
        const passphrase = deps.env.AIDEON_KEY_PASSPHRASE;
        if (!passphrase)
          throw new AppError(
            'validation',
            'Signing keys are protected by a passphrase: set AIDEON_KEY_PASSPHRASE in the environment.',
          );
        const result = await services.publishing.unlockKeys({ passphrase });
        if (result.unlocked.length === 0)
          throw new AppError(
            'unauthorized',
            `No signing key could be unlocked: ${result.failed.map((failure) => `${failure.kid} ${failure.message}`).join('; ')}`,
          );
      }
      await body(services);
    } finally {
      await services.close();
    }
  };

  /** A publisher on the configured store that signs with the operator key only. */
  const withOperator = async (body: (publisher: Publisher) => Promise<void>): Promise<void> => {
    const [{ loadOperatorKey }, { SharedHistory }, { Publisher }] = await Promise.all([
      import('./controller-cli'),
      import('../publish/shared-history'),
      import('../publish/publisher'),
    ]);
    const signer = await loadOperatorKey(
      deps.env.AIDEON_OPERATOR_KEY ?? '',
      deps.env.AIDEON_OPERATOR_PASSPHRASE,
    );
    await withServices(async (services) => {
      const store = services.publishing.openStore();
      try {
        // What the operator key does goes into the shared history in the store (signed by the
        // operator key), as the controller's actions do, and into this console's copy.
        const shared = new SharedHistory({ store, signer: () => signer });
        const publisher: Publisher = new Publisher({
          store,
          signers: [signer],
          validateConfig: () => [],
          now: Date.now,
          actor: deps.env.AIDEON_ACTOR || `operator:${signer.kid.slice(0, 8)}`,
          record: async (entry) => {
            try {
              await shared.append(entry);
            } catch (error) {
              throw new AppError(
                'provider_unavailable',
                `The ${entry.action} was done, but it could not be written to the shared history in ${store.uri}: ${(error as Error).message}`,
              );
            }
            await services.publishing.syncHistory('incremental').catch(() => undefined);
          },
        });
        await body(publisher);
      } finally {
        await store.close();
      }
    });
  };

  const rollout = program
    .command('rollout')
    .description('gradual flag rollouts in the config store this data folder publishes to');
  rollout
    .command('start')
    .description('start a rollout and publish its first step (needs AIDEON_KEY_PASSPHRASE)')
    .addOption(envOption())
    .requiredOption('--flag <key>', 'the flag to roll out')
    .requiredOption('--on <variant>', 'the variant being rolled out')
    .requiredOption('--off <variant>', 'the variant the rest keeps')
    .option('--steps <list>', 'percentages, e.g. 10,50,100', parseSteps, [1, 5, 25, 50, 100])
    .option('--bake-minutes <n>', 'time each step runs before the next', parseMinutes, 60)
    .option('--json', 'print JSON')
    .action(
      async (options: {
        env: Environment;
        flag: string;
        on: string;
        off: string;
        steps: number[];
        bakeMinutes: number;
        json?: boolean;
      }) =>
        withServices(
          async (services) => {
            const result = await services.publishing.startRollout({
              environment: options.env,
              flagKey: options.flag,
              onVariant: options.on,
              offVariant: options.off,
              steps: options.steps,
              bakeMinutes: options.bakeMinutes,
            });
            print(options.json, result, result.message);
          },
          { unlock: true },
        ),
    );
  for (const [name, action, description] of [
    ['pause', 'pause', 'pause a running rollout'],
    ['resume', 'resume', 'resume a paused rollout (its bake time counts from now)'],
    ['next', 'advance', 'publish the next step now that the current one has baked'],
  ] as const)
    rollout
      .command(name)
      .description(description)
      .addOption(envOption())
      .requiredOption('--flag <key>', 'the flag being rolled out')
      .option('--json', 'print JSON')
      .action(async (options: { env: Environment; flag: string; json?: boolean }) => {
        // Without admin keys, a pre-authorised next step is signed by the operator key.
        if (action === 'advance' && !deps.env.AIDEON_KEY_PASSPHRASE && deps.env.AIDEON_OPERATOR_KEY)
          return withOperator(async (publisher) => {
            const { state, outcome } = await publisher.advanceRollout(options.env, options.flag);
            print(
              options.json,
              { state, outcome },
              `"${options.flag}" in ${options.env} is now at ${state.steps[state.stepIndex]}% (version ${outcome.version}, operator-signed).`,
            );
          });
        return withServices(
          async (services) => {
            const result = await services.publishing.rolloutAction({
              environment: options.env,
              flagKey: options.flag,
              action,
            });
            print(options.json, result, result.message);
          },
          // A step is signed with the admin keys unless it was pre-authorised (operator role).
          { unlock: action === 'advance' && Boolean(deps.env.AIDEON_KEY_PASSPHRASE) },
        );
      });
  rollout
    .command('status')
    .alias('list')
    .description(
      'the rollouts in each environment of the store: flag, share, step, bake, when the next step is due, why one paused or stopped',
    )
    .addOption(
      lazyOption(
        '--env <env>',
        'only this environment (dev, staging or production)',
        parseEnvironment,
      ),
    )
    .option('--json', 'print JSON')
    .action(async (options: { env?: Environment; json?: boolean }) =>
      withServices(async (services) => {
        const [overview, { formatRolloutStatus }] = await Promise.all([
          services.publishing.overview(),
          import('./rollout-status-text'),
        ]);
        if (overview.storeProblem)
          throw new AppError('provider_unavailable', overview.storeProblem);
        const environments = overview.environments.filter(
          (environment) => options.env === undefined || environment.environment === options.env,
        );
        print(
          options.json,
          {
            store: overview.storeUri,
            environments: environments.map((environment) => ({
              environment: environment.environment,
              liveVersion: environment.live?.version ?? null,
              problem: environment.problem,
              rollouts: environment.rollouts,
            })),
          },
          formatRolloutStatus(overview.storeUri, overview.trust !== null, environments, Date.now()),
        );
      }),
    );
  rollout
    .command('kill')
    .description(
      'kill switch: turn a flag off everywhere (production first); with AIDEON_OPERATOR_KEY it is signed by the operator role, else by the admin keys',
    )
    .requiredOption('--flag <key>', 'the flag to switch off')
    .option('--off-variant <variant>', 'the variant that means off (default: the false one)')
    .option('--reason <text>', 'why (goes into the history)')
    .option('--json', 'print JSON')
    .action(
      async (options: { flag: string; offVariant?: string; reason?: string; json?: boolean }) => {
        const operatorFile = deps.env.AIDEON_OPERATOR_KEY;
        if (!operatorFile)
          return withServices(
            async (services) => {
              const result = await services.publishing.killSwitch({
                flagKey: options.flag,
                ...(options.offVariant ? { offVariant: options.offVariant } : {}),
              });
              print(options.json, result, result.message);
            },
            { unlock: true },
          );
        return withOperator(async (publisher) => {
          const results = await publisher.killSwitch(options.flag, options.offVariant, {
            operator: 'require',
            ...(options.reason ? { reason: options.reason } : {}),
          });
          const failed = results.filter((result) => result.error);
          const lines = results.map(
            (result) =>
              `${result.environment}: ${result.error ?? result.skipped ?? (result.outcome?.status === 'unchanged' ? 'already off' : `off (version ${result.outcome?.version ?? '?'}, operator-signed)`)}`,
          );
          print(options.json, results, lines.join('\n'));
          if (failed.length > 0)
            throw new AppError(
              'forbidden',
              `"${options.flag}" could not be switched off in ${failed.map((result) => result.environment).join(', ')}.`,
            );
        });
      },
    );
}

/** `aideon watch settings show|set FILE`: the same validation as the Production watch screen. */
export function registerWatchSettingsCommands(watch: Command, deps: RolloutCommandDeps): void {
  const settings = watch.command('settings').description('the production watch settings');
  settings
    .command('show')
    .description('print the saved watch settings as JSON (the format `set` reads)')
    .action(async () => {
      const services = await deps.openServices();
      try {
        deps.stdout(`${JSON.stringify(services.watch.getSettings(), null, 2)}\n`);
      } finally {
        await services.close();
      }
    });
  settings
    .command('set')
    .description(
      'replace the watch settings from a JSON file (checked first; nothing is saved on an error)',
    )
    .argument('<file>', 'watch settings JSON')
    .action(async (file: string) => {
      const { readWatchSettingsFile } = await import('./controller-cli');
      const parsed = readWatchSettingsFile(file);
      const services = await deps.openServices();
      try {
        const saved = services.watch.saveSettings(parsed);
        const environments = Object.keys(saved.environments);
        deps.stdout(
          `Saved the watch settings: ${saved.tiers.length} tier(s) guarded, Prometheus for ${environments.join(', ') || 'no environment'}.\n`,
        );
      } finally {
        await services.close();
      }
    });
}

/**
 * `aideon config store show|set URI|reset`: the config store this data folder publishes to
 * (Publishing → Store in the console), which `rollout ...`, `config history` and the console
 * use. The URI is checked before anything is saved.
 */
export function registerConfigStoreCommands(config: Command, deps: RolloutCommandDeps): void {
  const store = config
    .command('store')
    .description('the config store this data folder publishes to (Publishing → Store)');
  const withServices = async (body: (services: Services) => Promise<void>): Promise<void> => {
    const services = await deps.openServices();
    try {
      await body(services);
    } finally {
      await services.close();
    }
  };
  store
    .command('show')
    .description(
      'print the store URI (the default folder unless one was set), and any changes whose outcome is unknown',
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) =>
      withServices(async (services) => {
        const uri = services.publishing.storeUri();
        const isDefault = uri === services.publishing.defaultStoreUri;
        // Changes whose outcome is unknown, kept in the data folder (unconfirmed-commits.ts).
        const unconfirmed = services.publishing.unconfirmedOverview();
        const { unconfirmedText } = await import('../../../shared/rollout/unconfirmed-text');
        deps.stdout(
          options.json
            ? `${JSON.stringify({ storeUri: uri, default: isDefault, unconfirmed })}\n`
            : `${uri}${isDefault ? ' (default)' : ''}\n${unconfirmed.map((group) => `! ${unconfirmedText(group)}\n`).join('')}`,
        );
      }),
    );
  store
    .command('set')
    .description('publish to this store from now on: dir:/absolute/path or etcd://host:port/prefix')
    .argument('<uri>', 'the store URI')
    .action(async (uri: string) =>
      withServices(async (services) => {
        await services.publishing.setStore(uri.trim());
        deps.stdout(`This data folder now publishes to ${services.publishing.storeUri()}.\n`);
      }),
    );
  store
    .command('reset')
    .description('go back to the default store folder inside the data folder')
    .action(async () =>
      withServices(async (services) => {
        await services.publishing.setStore(null);
        deps.stdout(`This data folder now publishes to ${services.publishing.storeUri()}.\n`);
      }),
    );
}
