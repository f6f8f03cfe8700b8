/**
 * The `aideon` command: the same services as the app, headless.
 * Exit codes: 0 = done (a run that finished, even with failed generations); 1 = could not be
 * done (the reason is printed); 2 = bad usage.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { constants, hostname } from 'node:os';
import { join } from 'node:path';
// Only light modules are imported here: `aideon --help` and `--version` load nothing else. Each
// action imports what it needs (services, SQLite, review, rollout, serve) when it runs.
import { AppError, NoSuchModelError, serializeError } from '../../shared/errors';
import type { RunDetail } from '../../shared/domain';
import type { ModelRef } from '../../shared/providers/video-provider-spec';
import { formatDateTime, formatMoney, plural } from '../../shared/format';
import { parseDollars } from '../../shared/money-input';
import type { Scorecard } from '../bench/scorecard';
import { projectRoot, resolveDataDir, resourcesDir } from '../paths';
import type { ServiceOptions, Services } from '../services';
import { explainBusyDatabase } from '../store/busy-retry';
import {
  describePresence,
  otherPresences,
  redactedCommandLine,
  removeOurPresences,
} from '../store/presence';
import { registerConfigCommands } from '../rollout/publish/register-config-cli';
import { registerControllerCommands } from '../rollout/controller/register-controller-cli';
import {
  registerConfigStoreCommands,
  registerRolloutCommands,
  registerWatchSettingsCommands,
} from '../rollout/controller/rollout-cli';
import { lazyOption, parseLazyOptions } from './lazy-option';
import { endOnStopSignals, onStopSignal, untilStopSignal } from './stop-signals';
import { registerModelsCommands } from './models-cli';

function parseConcurrency(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256)
    throw new InvalidArgumentError('must be a whole number from 1 to 256.');
  return count;
}

/** `name=N,name=N`; the name may contain ':' and '/' (model ids). */
function parseLimits(value: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const part of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const index = part.lastIndexOf('=');
    if (index <= 0) throw new InvalidArgumentError(`"${part}" should look like name=4.`);
    try {
      limits[part.slice(0, index)] = parseConcurrency(part.slice(index + 1));
    } catch {
      // Name the entry: in a list of five, "must be a whole number" alone says not which.
      throw new InvalidArgumentError(
        `"${part}": the limit after "=" must be a whole number from 1 to 256.`,
      );
    }
  }
  return limits;
}

function parseFormat(value: string): 'csv' | 'json' {
  if (value !== 'csv' && value !== 'json') throw new InvalidArgumentError('must be csv or json.');
  return value;
}

/** Writes through a temporary file, so a failed write never leaves half a file. */
function writeFileAtomic(path: string, content: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

function parseResamples(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 200 || count > 100000)
    throw new InvalidArgumentError('must be a whole number from 200 to 100000.');
  return count;
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0)
    throw new InvalidArgumentError('must be a whole number.');
  return seed;
}

/** `--assume-success`: a percentage from 0 to 100 ("95" or "95%"). */
function parseAssumedPercent(value: string): number {
  const percent = Number(value.trim().replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 100)
    throw new InvalidArgumentError('must be a percentage from 0 to 100 (e.g. 95 or 95%).');
  return percent;
}

/** `--assume-p50` / `--assume-p95`: seconds ("60" or "60s"), more than 0, at most a day. */
function parseAssumedSeconds(value: string): number {
  const seconds = Number(value.trim().replace(/s$/, ''));
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400)
    throw new InvalidArgumentError('must be seconds, more than 0 and at most 86400 (e.g. 60).');
  return seconds;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Standard error is a terminal (progress lines go there); absent = not. */
  stderrIsTTY?: boolean;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
};

function packageVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '0.0.0';
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a whole number from 0 to 65535.');
  return port;
}

/** `provider:model,...` (the provider list is loaded with the parser, only when given). */
async function parseModels(value: string): Promise<ModelRef[]> {
  const { parseModelRef } = await import('../../shared/providers/video-provider-spec');
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('name at least one model, e.g. sandbox:sandbox-fast');
  return parts.map(parseModelRef);
}

async function parseTimeout(value: string): Promise<number> {
  const { parseTimeoutDuration } = await import('../../shared/bench/generation-timeout');
  return parseTimeoutDuration(value);
}

function parseBudget(value: string): number {
  const budget = parseDollars(value);
  if (!Number.isFinite(budget) || budget < 0)
    throw new InvalidArgumentError('must be a number of dollars, e.g. 5 or 12.50');
  return budget;
}

export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode = 0;
  const version = packageVersion();
  const program = new Command()
    .name('aideon')
    .description('Aideon Video Console: discover, benchmark, review and roll out AI video models.')
    .version(version)
    .option(
      '--data-dir <dir>',
      'where the database and videos live (default: $AIDEON_DATA_DIR, else the app-data folder)',
    )
    .showHelpAfterError('(run aideon --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .hook('preAction', (_program, command) => parseLazyOptions(command));
  // How this command is named to other Aideon processes on the data folder while it has the
  // database open (store/presence.ts): as typed, secrets replaced.
  const presence = { command: redactedCommandLine(argv, io.env), typed: true };
  const dataDirOf = (): string =>
    resolveDataDir(program.opts<{ dataDir?: string }>().dataDir, io.env);
  /** The other Aideon processes announced on this data folder, for a busy answer. */
  const holders = (): string[] =>
    otherPresences(join(dataDirOf(), 'aideon.sqlite'), {}).map((entry) =>
      describePresence(entry, Date.now()),
    );

  /**
   * Runs a long-running command's body with SIGINT and SIGTERM ending the process after its
   * presence files are removed, unless the body listens for a clean stop (cli/stop-signals.ts).
   */
  const endingOnStopSignals = async (body: () => Promise<void>): Promise<void> => {
    const stopEnding = endOnStopSignals(removeOurPresences);
    try {
      await body();
    } finally {
      stopEnding();
    }
  };

  /** What every command's services are built from: this data folder, environment and log. */
  const serviceOptions = (
    mode: 'browser' | 'cli',
    extra: Partial<ServiceOptions> = {},
  ): ServiceOptions => ({
    ...extra,
    presence,
    dataDir: dataDirOf(),
    resourcesDir: resourcesDir(),
    env: io.env,
    mode,
    version,
    log: (line) => {
      if (io.env.AIDEON_LOG === '1') io.stderr(`${line}\n`);
    },
  });

  const openServices = async (
    mode: 'browser' | 'cli',
    extra: Partial<ServiceOptions> = {},
  ): Promise<Services> => (await import('../services')).createServices(serviceOptions(mode, extra));

  /**
   * Runs a command's body with the services open and closes them after it, whatever happens
   * (a thrown error still reaches the exit code below, with the database closed first).
   */
  const withServices = async (
    body: (services: Services) => Promise<void> | void,
  ): Promise<void> => {
    const services = await openServices('cli');
    try {
      await body(services);
    } finally {
      await services.close();
    }
  };

  /**
   * The services of a long-running command (`monitor watch`): its start waits for another
   * process's write lock (said once, up to the busy patience) instead of failing after 5 s, and
   * then each write meets such a lock for at most CONSOLE_BUSY_TIMEOUT_MS, so its timers and
   * Ctrl-C go on (its writes are tried again or at the next check: see store/busy-retry.ts).
   */
  const openServicesPatiently = async (mode: 'cli'): Promise<Services> => {
    const [{ createServices, sleep }, busy] = await Promise.all([
      import('../services'),
      import('../store/busy-retry'),
    ]);
    const options = serviceOptions(mode, {
      busyTimeoutMs: busy.CONSOLE_BUSY_TIMEOUT_MS,
      startUpBusyTimeoutMs: busy.CONSOLE_BUSY_TIMEOUT_MS,
    });
    return busy.startWhenFree(() => createServices(options), {
      now: Date.now,
      sleep: (ms) => sleep(ms),
      patienceMs: busy.busyPatienceMs(options),
      say: (line) => io.stderr(`aideon: ${line}\n`),
      holders,
    });
  };

  program
    .command('serve')
    .description(
      'open the console in a browser: listens on 127.0.0.1 only and prints the URL with its token',
    )
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 0)
    .option(
      '--host <address>',
      'address to listen on (default 127.0.0.1); anything but loopback needs --tls-cert and --tls-key',
    )
    .option('--tls-cert <file>', 'TLS certificate (PEM): serve HTTPS')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option(
      '--public-name <name>',
      'the host name reviewers use to reach this server (for the Host check and invite URLs)',
    )
    .action(
      async (options: {
        port: number;
        host?: string;
        tlsCert?: string;
        tlsKey?: string;
        publicName?: string;
      }) => {
        const rendererDir = join(projectRoot(), 'out', 'renderer');
        if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
          throw new AppError('validation', 'Give both --tls-cert and --tls-key, or neither.');
        }
        const readPem = (file: string, what: string): Buffer => {
          try {
            return readFileSync(file);
          } catch (error) {
            throw new AppError('not_found', `Cannot read the TLS ${what} ${file}.`, {
              cause: error,
            });
          }
        };
        const tls =
          options.tlsCert !== undefined && options.tlsKey !== undefined
            ? {
                cert: readPem(options.tlsCert, 'certificate'),
                key: readPem(options.tlsKey, 'key'),
              }
            : undefined;
        const { isLoopbackHost } = await import('../serve/browser-server');
        if (options.host !== undefined && !isLoopbackHost(options.host) && !tls) {
          throw new AppError(
            'validation',
            `Refusing to listen on ${options.host} without TLS: other computers would reach the console unencrypted. Add --tls-cert FILE --tls-key FILE (PEM), or leave out --host to stay on 127.0.0.1.`,
          );
        }
        const { serveCommand } = await import('../serve/serve-command');
        await endingOnStopSignals(() =>
          serveCommand({
            options: {
              dataDir: dataDirOf(),
              resourcesDir: resourcesDir(),
              env: io.env,
              version,
              presence,
            },
            rendererDir,
            port: options.port,
            ...(options.host === undefined ? {} : { host: options.host }),
            ...(tls ? { tls } : {}),
            ...(options.publicName === undefined ? {} : { publicNames: [options.publicName] }),
            stdout: io.stdout,
            stderr: io.stderr,
            log: (line) => {
              if (io.env.AIDEON_LOG === '1') io.stderr(`${line}\n`);
            },
            untilStopped: () => untilStopSignal().then(() => undefined),
          }),
        );
      },
    );

  const reviewers = program
    .command('reviewers')
    .description('per-person review tokens for `aideon serve` (a reviewer can only vote)');

  reviewers
    .command('add')
    .description('add a reviewer and print their invite URL (the token is shown only once)')
    .argument('<name>', 'the reviewer, as their votes will be attributed')
    .option('--url <base>', 'the server address reviewers open (default: the last `aideon serve`)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { url?: string; json?: boolean }) => {
      const { addReviewer, inviteUrl, serverUrl } = await import('../review/reviewers');
      await withServices(async (services) => {
        const added = addReviewer(services.db, name, Date.now());
        const base = options.url ?? serverUrl(services.db);
        const invite = base === null ? null : inviteUrl(base, added.token);
        if (options.json)
          io.stdout(`${JSON.stringify({ name: added.name, token: added.token, invite })}\n`);
        else if (invite)
          io.stdout(`Invite for ${added.name} (keep it private; shown once):\n${invite}\n`);
        else
          io.stdout(
            `Token for ${added.name} (shown once): ${added.token}\nNo server address is known yet: run aideon serve, or pass --url https://HOST:PORT; the invite is that address followed by /#token=TOKEN.\n`,
          );
      });
    });

  reviewers
    .command('list')
    .description('reviewers, whether their token is active, and their votes')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { listReviewers } = await import('../review/reviewers');
      await withServices(async (services) => {
        const list = listReviewers(services.db);
        if (options.json) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0)
          io.stdout('No reviewers yet. Add one: aideon reviewers add NAME\n');
        else {
          // A table like the CLI's others, dates as the screens write them.
          const { alignColumns } = await import('./columns');
          const rows = list.map((reviewer) => [
            reviewer.name,
            reviewer.revokedAt === null
              ? 'active'
              : `revoked ${formatDateTime(reviewer.revokedAt)}`,
            plural(reviewer.votes, 'vote'),
            formatDateTime(reviewer.createdAt),
          ]);
          io.stdout(`${alignColumns(['reviewer', 'token', 'votes', 'added'], rows).join('\n')}\n`);
        }
      });
    });

  reviewers
    .command('revoke')
    .description("end a reviewer's access at once (their votes stay)")
    .argument('<name>', 'the reviewer')
    .action(async (name: string) => {
      const { revokeReviewer } = await import('../review/reviewers');
      await withServices(async (services) => {
        revokeReviewer(services.db, name, Date.now());
        io.stdout(`Revoked ${name}: their invite no longer works.\n`);
      });
    });

  const bench = program.command('bench').description('plan and run benchmarks');

  const suiteOption = '--suite <name|file>';
  const suiteHelp = 'a built-in suite id (e.g. smoke) or a suite file (.json, .yaml)';

  const resolveSuite = async (services: Services, suite: string): Promise<string> => {
    if (/\.(json|ya?ml)$/i.test(suite) || suite.includes('/')) {
      const [{ readSuiteFile }, { saveSuiteVersion }] = await Promise.all([
        import('../bench/suite-files'),
        import('../bench/bench-repository'),
      ]);
      const parsed = readSuiteFile(suite);
      saveSuiteVersion(
        services.db,
        { id: parsed.id, builtIn: false, definition: parsed.definition },
        Date.now(),
      );
      return parsed.id;
    }
    return suite;
  };

  bench
    .command('plan')
    .description('show how many generations a run makes and what it is estimated to cost')
    .requiredOption(suiteOption, suiteHelp)
    .addOption(
      lazyOption('--models <list>', 'comma-separated provider:model list', parseModels, {
        required: true,
      }),
    )
    .option('--budget <usd>', 'spending cap in dollars', parseBudget)
    .option('--json', 'print JSON')
    .action(
      async (options: { suite: string; models: ModelRef[]; budget?: number; json?: boolean }) => {
        await withServices(async (services) => {
          const plan = services.bench.plan({
            suiteId: await resolveSuite(services, options.suite),
            models: options.models,
            budgetUsd: options.budget,
          });
          if (options.json) io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
          else {
            const { planLineCostText, planLinePriceOrigin, planPriceNote, planTotalCostText } =
              await import('../../shared/bench/plan-cost');
            io.stdout(
              `${plan.suiteName} (v${plan.suiteVersion}): ${plan.generations} generations, estimated ${planTotalCostText(plan)}\n`,
            );
            // The model ids padded to one width, so the counts and prices line up.
            const idWidth = Math.max(
              0,
              ...plan.models.map((line) => `${line.provider}:${line.modelId}`.length),
            );
            for (const line of plan.models) {
              // A model without a known price: its figure is an upper bound ("≤"), or unknown.
              // Dollars as the New benchmark dialog writes them ("≈ $0.60", "≤ $3.20").
              const each = line.priceUnknown
                ? line.estimatedCostUsd > 0
                  ? `≤ ${formatMoney(line.estimatedCostUsd / line.generations)}`
                  : 'price unknown'
                : `≈ ${formatMoney(line.estimatedCostUsd / line.generations)}`;
              const total =
                line.priceUnknown && line.estimatedCostUsd <= 0
                  ? ''
                  : ` = ${planLineCostText(line)}`;
              io.stdout(
                `  ${`${line.provider}:${line.modelId}`.padEnd(idWidth)}  ${line.generations} × ${each}${total}${line.priceUnknown && line.estimatedCostUsd > 0 ? '  (price unknown)' : ''}${line.priceEntered ? `  (${planLinePriceOrigin(line)})` : ''}${line.simulated ? '  (simulated)' : ''}\n`,
              );
              for (const warning of line.warnings) {
                // The note below says it once, in plain words, for every model without a price.
                if (line.priceUnknown && warning.startsWith('price:')) continue;
                io.stdout(`    warning: ${warning}\n`);
              }
              for (const skip of line.skipped ?? [])
                io.stdout(`    not sent: ${skip.promptId}: ${skip.reason}\n`);
            }
            const note = planPriceNote(plan);
            if (note) io.stdout(`note: ${note}\n`);
          }
        });
      },
    );

  bench
    .command('run')
    .description('run a suite on models and wait for the results')
    .requiredOption(suiteOption, suiteHelp)
    .addOption(
      lazyOption(
        '--models <list>',
        'comma-separated provider:model list, e.g. sandbox:sandbox-fast,sandbox:sandbox-pro',
        parseModels,
        { required: true },
      ),
    )
    .option(
      '--budget <usd>',
      'spending cap in dollars (default: the estimate, for sandbox-only runs; required otherwise)',
      parseBudget,
    )
    .option('--name <name>', 'a name for the run')
    .option('--cache', 'answer identical earlier requests from the cache (costs nothing)')
    .option(
      '--no-analysis',
      'do not check the downloaded videos with ffmpeg (no metadata, compliance or measures)',
    )
    .addOption(
      lazyOption(
        '--timeout <duration>',
        'cancel a generation that takes longer: seconds, or 90s, 10m, 1h (1 s to 6 h; default per model: max(2 min, 4 × its typical time), else 15 min)',
        parseTimeout,
      ),
    )
    .option('--concurrency <n>', 'generations in flight at once (default 4)', parseConcurrency)
    .option('--provider-concurrency <list>', 'per provider, e.g. together=4,runway=2', parseLimits)
    .option(
      '--model-concurrency <list>',
      'per model, e.g. together:minimax/video-01-director=1',
      parseLimits,
    )
    .option('--json', 'print JSON instead of a table')
    .action(
      async (options: {
        suite: string;
        models: ModelRef[];
        budget?: number;
        name?: string;
        cache?: boolean;
        analysis: boolean;
        timeout?: number;
        json?: boolean;
        concurrency?: number;
        providerConcurrency?: Record<string, number>;
        modelConcurrency?: Record<string, number>;
      }) =>
        // Ctrl-C ends the run's process as before (the run is resumed by `aideon bench resume`),
        // its presence file removed first.
        endingOnStopSignals(async () => {
          // Limits not given are left undefined: the runner's defaults (services.ts).
          const services = await openServices('cli', {
            benchConcurrency: options.concurrency,
            providerConcurrency: options.providerConcurrency,
            modelConcurrency: options.modelConcurrency,
          });
          try {
            const suiteId = await resolveSuite(services, options.suite);
            const plan = services.bench.plan({ suiteId, models: options.models });
            const { planPriceNote, planTotalCostText } =
              await import('../../shared/bench/plan-cost');
            const onlySimulated = plan.models.every((line) => line.simulated);
            if (options.budget === undefined && !onlySimulated) {
              throw new AppError(
                'budget_exceeded',
                `This run is estimated at ${planTotalCostText(plan)}. Set a spending cap with --budget (for example --budget ${Math.ceil(plan.estimatedCostUsd * 1.2)}).`,
              );
            }
            const budgetUsd = options.budget ?? plan.estimatedCostUsd;
            const { formatModelRef } = await import('../../shared/providers/video-provider-spec');
            if (!options.json) {
              io.stderr(
                `Estimated cost ${planTotalCostText(plan)} (budget ${formatMoney(budgetUsd)}) for ${plan.generations} generations on ${options.models.map(formatModelRef).join(', ')}.\n`,
              );
              const note = planPriceNote(plan);
              if (note) io.stderr(`note: ${note}\n`);
            }
            const { runId } = services.bench.startRun({
              suiteId,
              models: options.models,
              budgetUsd,
              name: options.name,
              allowCache: options.cache,
              analysis: options.analysis,
              timeoutSeconds: options.timeout,
            });
            const { renderRunTable, runWithProgress } = await import('./bench-output');
            const detail = await runWithProgress(services, runId, {
              isTTY: io.isTTY && !options.json,
              stderr: io.stderr,
            });
            if (services.bench.wasTakenOver(runId)) {
              // This process stalled past its lease and another one resumed the run.
              throw new AppError(
                'conflict',
                `Run ${runId} was taken over by another console process while this one was not responding; it goes on there. See \`aideon bench show ${runId}\`.`,
              );
            }
            if (options.json) io.stdout(`${JSON.stringify(detail, null, 2)}\n`);
            else io.stdout(renderRunTable(detail));
          } finally {
            await services.close();
          }
        }),
    );

  bench
    .command('show')
    .description(
      "a run's results and scorecard (success by outcome, latency p50/p95, cost per second, compliance, measures)",
    )
    .argument('<run>', 'run id (see bench list)')
    .option('--json', 'print JSON')
    .action(async (runId: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        const [{ exportRun }, { renderRunTable, renderScorecard }] = await Promise.all([
          import('../ipc/register-bench-ipc'),
          import('./bench-output'),
        ]);
        const exported = exportRun(services, runId, 'json');
        if (options.json) io.stdout(`${exported.content}\n`);
        else {
          const detail = JSON.parse(exported.content) as RunDetail & { scorecard: Scorecard };
          io.stdout(renderRunTable(detail));
          io.stdout(renderScorecard(detail.scorecard));
        }
      });
    });

  bench
    .command('list')
    .description('the runs in this data folder, newest first')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      // Only the database: listing runs needs no providers, suites or background services.
      const [{ openDatabase }, { listRunSummaries }, { processAlive }, { runSpendText }] =
        await Promise.all([
          import('../store/db'),
          import('../bench/bench-repository'),
          import('../bench/run-lease'),
          import('../../shared/bench/run-spend'),
        ]);
      const dataDir = dataDirOf();
      mkdirSync(dataDir, { recursive: true });
      const db = openDatabase({ file: join(dataDir, 'aideon.sqlite') });
      try {
        // As any other process sees them: a run this command does not drive, with a live
        // lease, shows who drives it. The money reads as on the run summary: what was billed
        // and what counts against the budget (JSON: spentUsd, countedUsd, unknownOutcomes).
        const runs = listRunSummaries(db, {
          ownerId: null,
          host: hostname(),
          now: Date.now(),
          isProcessAlive: processAlive,
        });
        if (options.json) io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
        else if (runs.length === 0)
          io.stdout(
            'No runs yet. Try: aideon bench run --suite smoke --models sandbox:sandbox-fast,sandbox:sandbox-pro\n',
          );
        else
          for (const run of runs)
            io.stdout(
              `${run.id}  ${run.state.padEnd(11)} ${run.done}/${run.total}  ${runSpendText(run)}  ${run.name}${run.drivenElsewhere ? `  (driven by process ${run.drivenElsewhere.pid} on ${run.drivenElsewhere.host})` : ''}\n`,
            );
      } finally {
        db.close();
      }
    });

  bench
    .command('suites')
    .description('the prompt suites in this data folder (built-in and saved), for --suite')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(async (services) => {
        const [{ listSuites }, { alignColumns }] = await Promise.all([
          import('../bench/bench-repository'),
          import('./columns'),
        ]);
        const suites = listSuites(services.db);
        if (options.json) {
          io.stdout(`${JSON.stringify(suites, null, 2)}\n`);
          return;
        }
        const rows = suites.map((suite) => [
          suite.id,
          suite.name,
          String(suite.promptCount),
          `v${suite.version}`,
          suite.builtIn ? 'built-in' : 'saved',
        ]);
        io.stdout(
          `${alignColumns(['suite', 'name', 'prompts', 'version', 'kind'], rows).join('\n')}\n` +
            'Run one: aideon bench plan --suite ID --models provider:model (or --suite FILE.yaml)\n',
        );
      });
    });

  bench
    .command('export')
    .description(
      "write a run's scorecard as CSV, the whole run as JSON, or (--bundle) the run with its videos for another console",
    )
    .argument('<run>', 'run id')
    .option('--format <format>', 'csv or json', parseFormat, 'csv')
    .option('--out <file>', 'write to this file instead of standard output')
    .option(
      '--bundle <file>',
      'a run bundle (tar): the run, its generations, scorecard and videos, each video once',
    )
    .option(
      '--progress',
      'with --bundle: print "Writing videos k of N" on standard error, one line per video (the default when standard error is a terminal)',
    )
    .action(
      async (
        runId: string,
        options: { format: 'csv' | 'json'; out?: string; bundle?: string; progress?: boolean },
      ) => {
        await withServices(async (services) => {
          if (options.bundle) {
            const { exportRunBundle } = await import('../bench/run-bundle');
            // As the import's "Checking videos k of N": quiet in scripts unless asked.
            const onProgress =
              options.progress === true || io.stderrIsTTY === true
                ? (written: number, total: number): void => {
                    if (written > 0) io.stderr(`Writing videos ${written} of ${total}\n`);
                  }
                : undefined;
            // Ctrl-C (or a TERM from a supervisor) stops the copy between two chunks, so the
            // temporary file is removed rather than left beside the bundle; the command then
            // ends with the code a shell gives a process ended by that signal (130, 143), as
            // `bench import` does, so a script can tell an interrupted export from a failed one.
            const stop = new AbortController();
            let stoppedBy: 'SIGINT' | 'SIGTERM' | undefined;
            const stopEnding = endOnStopSignals(removeOurPresences);
            const stopListening = onStopSignal((signal) => {
              stoppedBy = signal;
              stop.abort(new Error(`interrupted by ${signal}`));
            });
            let result;
            try {
              result = await exportRunBundle(
                services.db,
                services.media,
                runId,
                options.bundle,
                Date.now(),
                { signal: stop.signal, ...(onProgress ? { onProgress } : {}) },
              );
            } catch (error) {
              if (!stoppedBy || !(error instanceof AppError) || error.code !== 'cancelled')
                throw error;
              io.stderr(`aideon: ${error.message}\n`);
              exitCode = 128 + constants.signals[stoppedBy];
              return;
            } finally {
              stopListening();
              stopEnding();
            }
            io.stderr(
              `Wrote ${options.bundle}: ${result.generations} generations, ${result.mediaFiles} videos, ${result.bytes} bytes.\n`,
            );
            return;
          }
          const { exportRun } = await import('../ipc/register-bench-ipc');
          const exported = exportRun(services, runId, options.format);
          if (options.out) {
            writeFileAtomic(options.out, exported.content);
            io.stderr(`Wrote ${options.out}\n`);
          } else
            io.stdout(exported.content.endsWith('\n') ? exported.content : `${exported.content}\n`);
        });
      },
    );

  bench
    .command('import')
    .description(
      'bring in a run bundle from another console: every video hash is checked, all or nothing; importing twice changes nothing',
    )
    .argument('<file>', 'the bundle (from aideon bench export RUN --bundle FILE)')
    .option('--json', 'print JSON')
    .option(
      '--progress',
      'print "Checking videos k of N" on standard error, one line per video (the default when standard error is a terminal)',
    )
    .action(async (file: string, options: { json?: boolean; progress?: boolean }) => {
      const services = await openServices('cli');
      // Ctrl-C (or a TERM from a supervisor) stops the import between two steps: the videos
      // copied so far are removed and nothing goes in, then the command ends with the code a
      // shell gives a process ended by that signal (130, 143). In one synchronous call, as
      // before, the signal would not be heard until the whole bundle was read.
      const stop = new AbortController();
      let stoppedBy: 'SIGINT' | 'SIGTERM' | undefined;
      const stopEnding = endOnStopSignals(removeOurPresences);
      const stopListening = onStopSignal((signal) => {
        stoppedBy = signal;
        stop.abort(new Error(`interrupted by ${signal}`));
      });
      try {
        const { formatBundleImport, importRunBundleInSteps } = await import('../bench/run-bundle');
        // The console's wording (bench:import-progress); quiet in scripts unless asked.
        const progress =
          options.progress === true || io.stderrIsTTY === true
            ? (checked: number, total: number): void => {
                if (checked > 0) io.stderr(`Checking videos ${checked} of ${total}\n`);
              }
            : undefined;
        let result;
        try {
          result = await importRunBundleInSteps(
            services.db,
            services.media,
            file,
            progress,
            stop.signal,
          );
        } catch (error) {
          if (!stoppedBy || !(error instanceof AppError) || error.code !== 'cancelled') throw error;
          io.stderr(`aideon: ${error.message}\n`);
          exitCode = 128 + constants.signals[stoppedBy];
          return;
        }
        if (options.json) io.stdout(`${JSON.stringify(result)}\n`);
        else io.stdout(formatBundleImport(result));
      } finally {
        stopListening();
        stopEnding();
        await services.close();
      }
    });

  bench
    .command('compare')
    .description("each model's figures between two runs, with what got worse marked")
    .argument('<before>', 'the earlier run id')
    .argument('<after>', 'the later run id')
    .option(
      '--all',
      "also every figure of each model in both runs, before and after, as on the run's Scorecard tab",
    )
    .option('--json', 'print JSON')
    .action(async (before: string, after: string, options: { json?: boolean; all?: boolean }) => {
      await withServices(async (services) => {
        const { compareRuns } = await import('../bench/scorecard-service');
        const comparison = compareRuns(services.db, before, after);
        const { changes, counts } = comparison;
        if (options.json) io.stdout(`${JSON.stringify(comparison, null, 2)}\n`);
        else {
          for (const difference of comparison.differences)
            io.stdout(`note    ${difference.message}\n`);
          if (!comparison.comparable) io.stdout('Nothing compared.\n');
          else if (changes.length === 0) io.stdout('No change beyond the thresholds.\n');
          for (const change of changes)
            io.stdout(
              `${change.worse ? 'WORSE ' : 'better'}  ${change.provider}:${change.modelId}${change.category ? ` [${change.category}]` : ''}  ${change.message}\n`,
            );
          if (comparison.comparable)
            io.stdout(
              `${counts.worse} worse, ${counts.better} better, ${counts.unchanged} within the thresholds.\n`,
            );
          if (options.all) {
            const [{ runScorecard }, { scorecardSections }, { alignColumns }] = await Promise.all([
              import('../bench/scorecard-service'),
              import('../../shared/bench/scorecard-table'),
              import('./columns'),
            ]);
            const then = runScorecard(services.db, before).models;
            // Each model in both runs: its whole-run figures side by side, grouped as on the
            // Scorecard tab.
            for (const now of runScorecard(services.db, after).models) {
              const earlier = then.find(
                (model) => model.provider === now.provider && model.modelId === now.modelId,
              );
              if (!earlier) continue;
              const rows = scorecardSections([earlier.overall, now.overall]).flatMap((section) => [
                [section.title],
                ...section.rows.map((row) => [`  ${row.label}`, ...row.values]),
              ]);
              io.stdout(
                `\n${now.provider}:${now.modelId}\n${alignColumns(['measure', 'before', 'after'], rows).join('\n')}\n`,
              );
            }
          }
        }
      });
    });

  bench
    .command('resume')
    .description(
      'finish runs that were interrupted (polls jobs already submitted; never submits twice)',
    )
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      endingOnStopSignals(async () => {
        await withServices(async (services) => {
          const { resumed: runIds, drivenElsewhere } = services.bench.resume();
          // Runs another live process drives are never touched here: say who drives them.
          for (const busy of drivenElsewhere) io.stderr(`aideon: ${busy.message}\n`);
          if (drivenElsewhere.length > 0) exitCode = 1;
          if (runIds.length === 0 && drivenElsewhere.length === 0 && !options.json)
            io.stdout('Nothing to resume: no run was interrupted.\n');
          const { renderRunTable, runWithProgress } = await import('./bench-output');
          const details = [];
          for (const runId of runIds)
            details.push(
              await runWithProgress(services, runId, {
                isTTY: io.isTTY && !options.json,
                stderr: io.stderr,
              }),
            );
          if (options.json) io.stdout(`${JSON.stringify(details, null, 2)}\n`);
          else for (const detail of details) io.stdout(renderRunTable(detail));
        });
      }),
    );

  bench
    .command('cancel')
    .description(
      'cancel a run: queued generations are dropped, running ones are cancelled at the provider',
    )
    .argument('<run>', 'run id')
    .option('--json', 'print JSON')
    .action(async (runId: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        const cancelled = await services.bench.cancelRun(runId);
        io.stdout(
          options.json
            ? `${JSON.stringify({ runId, cancelled })}\n`
            : `Cancelled ${cancelled} generation(s) of ${runId}.\n`,
        );
      });
    });

  const review = program
    .command('review')
    .description('votes and ratings from blind side-by-side review');

  review
    .command('import-votes')
    .description(
      'import votes from a CSV file (generation_a,generation_b,verdict,voter,voted_at,comment); all or nothing',
    )
    .argument('<file>', 'the CSV file')
    .action(async (file: string) => {
      await withServices(async (services) => {
        const { formatImportResult, importVotesFile } = await import('../review/review-cli');
        io.stdout(formatImportResult(importVotesFile(services.db, file)));
      });
    });

  review
    .command('import-arena')
    .description(
      'import model-level votes in the arena CSV format (model_a,model_b,winner[,category]); all or nothing, a file only once',
    )
    .argument('<file>', 'the CSV file')
    .action(async (file: string) => {
      await withServices(async (services) => {
        const { importArenaFile } = await import('../review/review-cli');
        io.stdout(importArenaFile(services.db, file));
      });
    });

  review
    .command('ratings')
    .description('Bradley-Terry ratings with 95% bootstrap intervals, overall or for one category')
    .option('--category <category>', 'one prompt category, e.g. people')
    .option(
      '--pool <pool>',
      'one category pool: text-to-video, text-to-video-audio, image-to-video, image-to-video-audio or unspecified',
    )
    .option('--resamples <n>', 'bootstrap resamples (at least 200)', parseResamples, 200)
    .option('--seed <n>', 'seed for the bootstrap', parseSeed)
    .option(
      '--by-reviewer',
      "each reviewer's own ratings, and how their votes agree (flags a reviewer who disagrees with everyone else)",
    )
    .option(
      '--votes <file>',
      'fit an arena CSV (model_a,model_b,winner[,category]) alone, without storing it',
    )
    .option(
      '--both-bad <rule>',
      'how "both bad" enters the fit: tie (default, half a win each way) or exclude',
      (value: string) => {
        if (value !== 'tie' && value !== 'exclude')
          throw new InvalidArgumentError('must be tie or exclude.');
        return value;
      },
      'tie',
    )
    .option('--json', 'print JSON')
    .action(
      async (options: {
        category?: string;
        resamples: number;
        seed?: number;
        json?: boolean;
        byReviewer?: boolean;
        votes?: string;
        bothBad: 'tie' | 'exclude';
        pool?: string;
      }) => {
        const { fileRatings, reviewRatings } = await import('../review/review-cli');
        if (options.votes !== undefined) {
          io.stdout(
            fileRatings(options.votes, {
              ...(options.category === undefined ? {} : { category: options.category }),
              ...(options.pool === undefined ? {} : { pool: options.pool }),
              resamples: options.resamples,
              ...(options.seed === undefined ? {} : { seed: options.seed }),
              bothBad: options.bothBad,
              json: options.json ?? false,
            }),
          );
          return;
        }
        await withServices(async (services) => {
          io.stdout(
            reviewRatings(services.db, {
              ...(options.category === undefined ? {} : { category: options.category }),
              ...(options.pool === undefined ? {} : { pool: options.pool }),
              byReviewer: options.byReviewer ?? false,
              bothBad: options.bothBad,
              resamples: options.resamples,
              ...(options.seed === undefined ? {} : { seed: options.seed }),
              json: options.json ?? false,
            }).text,
          );
        });
      },
    );

  let configServicesOpen: Services | undefined;
  const configServices = async (): Promise<Services> =>
    (configServicesOpen ??= await openServices('cli'));
  /** The services openDb opened (validateConfig runs inside a command that opened them). */
  const openedConfigServices = (): Services => {
    if (!configServicesOpen)
      throw new Error('The config commands used the database before opening it.');
    return configServicesOpen;
  };
  registerConfigCommands(program, {
    stdout: io.stdout,
    setExitCode: (code) => {
      exitCode = code;
    },
    dataDir: () => dataDirOf(),
    env: io.env,
    openDb: async () => {
      const services = await configServices();
      return {
        db: services.db,
        close: async () => {
          configServicesOpen = undefined;
          await services.close();
        },
      };
    },
    // Nothing is signed that the routing checks refuse (errors); warnings are shown in the plan.
    validateConfig: (config) => openedConfigServices().routing.problemsOf(config, 'error'),
    configWarnings: (config) => openedConfigServices().routing.problemsOf(config, 'warning'),
    // The release monitor's models in use follow what the store now serves.
    afterChange: async (storeUri) => {
      const services = await configServices();
      const { syncModelsInUse } = await import('../monitor/models-in-use');
      await syncModelsInUse({
        publishedConfigs: () => services.publishing.publishedConfigs(storeUri),
        monitor: services.monitor,
        log: (line) => io.stderr(`${line}\n`),
      });
    },
  });

  const configCommand =
    program.commands.find((command) => command.name() === 'config') ?? program.command('config');
  configCommand
    .command('validate')
    .description(
      'check a routing config (JSON or YAML) and list every problem; exits 1 when it has errors',
    )
    .argument('<file>', 'the routing config')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        const { configValidateCommand } = await import('../rollout/routing/routing-cli');
        const out = configValidateCommand(services.routing, file, options);
        io.stdout(out.stdout);
        exitCode = out.exitCode;
      });
    });

  const monitor = program
    .command('monitor')
    .description("watch the providers' catalogues for new, changed and removed video models");

  monitor
    .command('check')
    .description('check the catalogues now and print what changed since the last good check')
    .option('--provider <provider>', 'one provider, e.g. together')
    .option('--json', 'print JSON')
    .action(async (options: { provider?: string; json?: boolean }) => {
      await withServices(async (services) => {
        const { formatCheckLine, monitorCheck } = await import('../monitor/index');
        const result = await monitorCheck(services.monitor, { provider: options.provider });
        if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else {
          for (const check of result.checks) io.stdout(`${formatCheckLine(check)}\n`);
          for (const event of result.events) io.stdout(`  ${event.summary}\n`);
        }
      });
    });

  configCommand
    .command('simulate')
    .description(
      'simulate requests per tier (failures, retries, fallbacks) with the benchmark evidence, or with assumed figures (--assume)',
    )
    .argument('<file>', 'the routing config')
    .addOption(
      lazyOption(
        '--requests <n>',
        'requests per tier',
        async (value) => (await import('../rollout/routing/routing-cli')).parseRequestCount(value),
        { defaultValue: 100000 },
      ),
    )
    .option('--seed <n>', 'random seed', parseSeed, 1)
    .option(
      '--assume',
      'use assumed figures for every model instead of the benchmark evidence (95% success, p50 60 s, p95 150 s, listed prices)',
    )
    .option(
      '--assume-success <percent>',
      'assumed success rate (implies --assume)',
      parseAssumedPercent,
    )
    .option(
      '--assume-p50 <seconds>',
      'assumed median latency (implies --assume)',
      parseAssumedSeconds,
    )
    .option(
      '--assume-p95 <seconds>',
      'assumed 95th percentile latency (implies --assume)',
      parseAssumedSeconds,
    )
    .option('--json', 'print JSON')
    .action(
      async (
        file: string,
        options: {
          requests: number;
          seed: number;
          json?: boolean;
          assume?: boolean;
          assumeSuccess?: number;
          assumeP50?: number;
          assumeP95?: number;
        },
      ) => {
        const { configSimulateCommand, assumedFigures } =
          await import('../rollout/routing/routing-cli');
        // Checked before the services open: a bad pair of figures is a usage error.
        const assume = assumedFigures(options);
        await withServices(async (services) => {
          io.stdout(
            configSimulateCommand(services.routing, file, {
              requests: options.requests,
              seed: options.seed,
              ...(options.json ? { json: true } : {}),
              ...(assume ? { assume } : {}),
            }).stdout,
          );
        });
      },
    );

  monitor
    .command('watch')
    .description('run the check schedule until Ctrl-C; optionally post each event to a webhook')
    .option(
      '--interval <minutes>',
      'minutes between checks (default: the admin setting, 15)',
      (value) => {
        const minutes = Number(value);
        if (!Number.isFinite(minutes) || minutes < 1 || minutes > 1440)
          throw new InvalidArgumentError('must be a number of minutes from 1 to 1440.');
        return minutes;
      },
    )
    .option('--webhook <url>', 'POST each event as JSON to this URL')
    .option('--json', 'print one JSON line per check and per event')
    .action((options: { interval?: number; webhook?: string; json?: boolean }) =>
      // Until the services are open a signal ends the process (its presence file removed
      // first); from then on it stops the schedule and the services are closed as before.
      endingOnStopSignals(async () => {
        const services = await openServicesPatiently('cli');
        const controller = new AbortController();
        const stopListening = onStopSignal(() => controller.abort());
        try {
          const [{ formatCheckLine, monitorWatch }, { createDefaultDispatcher }, { sleep }] =
            await Promise.all([
              import('../monitor/index'),
              import('../providers/http/dispatcher'),
              import('../services'),
            ]);
          const summary = await monitorWatch(services.monitor, {
            intervalMs: options.interval === undefined ? undefined : options.interval * 60_000,
            webhookUrl: options.webhook,
            signal: controller.signal,
            dispatcher: services.options.dispatcher ?? createDefaultDispatcher(),
            sleep,
            now: Date.now,
            secrets: () => services.secrets.all(),
            log: (line) => io.stderr(`${line}\n`),
            onCheck: (check) =>
              io.stdout(
                options.json ? `${JSON.stringify({ check })}\n` : `${formatCheckLine(check)}\n`,
              ),
            onEvent: (event) =>
              io.stdout(options.json ? `${JSON.stringify({ event })}\n` : `  ${event.summary}\n`),
          });
          if (!options.json)
            io.stdout(`Stopped after ${summary.checks} check(s) and ${summary.events} event(s).\n`);
        } finally {
          stopListening();
          await services.close();
        }
      }),
    );

  registerModelsCommands(
    program,
    { stdout: io.stdout, openServices: () => openServices('cli') },
    async (value) => {
      const { parseModelRef } = await import('../../shared/providers/video-provider-spec');
      try {
        return parseModelRef(value.trim());
      } catch (error) {
        throw new AppError('validation', (error as Error).message);
      }
    },
  );

  registerControllerCommands(program, {
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    dataDir: () => dataDirOf(),
    dispatcher: async () =>
      (await import('../providers/http/dispatcher')).createDefaultDispatcher(),
    sleep: async (ms, signal) => (await import('../services')).sleep(ms, signal),
    presence,
    holders,
  });

  registerRolloutCommands(program, {
    stdout: io.stdout,
    env: io.env,
    openServices: () => openServices('cli'),
  });
  registerConfigStoreCommands(configCommand, {
    stdout: io.stdout,
    env: io.env,
    openServices: () => openServices('cli'),
  });

  const watchCommand = program
    .command('watch')
    .description('production metrics guards (Prometheus)');
  registerWatchSettingsCommands(watchCommand, {
    stdout: io.stdout,
    env: io.env,
    openServices: () => openServices('cli'),
  });
  watchCommand
    .command('check')
    .description(
      'evaluate every guard once; exit 0 pass, 3 breach or missing data, 1 metrics unreadable',
    )
    .requiredOption('--env <env>', 'dev, staging or production')
    .option('--json', 'print JSON')
    .action(async (options: { env: string; json?: boolean }) => {
      await withServices(async (services) => {
        const { watchCheck } = await import('../watch/watch-cli');
        const { exitCode: code, report } = await watchCheck(services.watch, options);
        (code === 2 ? io.stderr : io.stdout)(report);
        exitCode = code;
      });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      exitCode =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
          ? 0
          : 2;
    } else {
      // This command's own connection is closed by now: who else is there comes from the
      // presence files beside the database.
      const serialized = serializeError(explainBusyDatabase(error, holders));
      if (serialized.code === 'internal')
        io.stderr(
          `aideon: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
      else io.stderr(`aideon: ${serialized.message}\n`);
      // Where the right names are listed.
      if (error instanceof NoSuchModelError)
        io.stderr('(aideon models list shows the models of every provider)\n');
      exitCode = serialized.code === 'validation' ? 2 : 1;
    }
  }
  return exitCode;
}
