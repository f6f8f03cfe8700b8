/**
 * What `aideon keys ...` and `aideon config ...` do, as functions that return the exit code and
 * the text to print, so commander wiring stays a few lines and tests call them directly.
 * Exit codes as the rest of the CLI: 0 done, 1 could not be done (reason printed), 2 bad usage.
 * Acting commands (publish, promote, rollback) show what will change and act only with --yes.
 */
import { rename, writeFile } from 'node:fs/promises';
import { AppError, type ValidationIssue } from '../../../shared/errors';
import {
  environmentSchema,
  ENVIRONMENTS,
  type Environment,
} from '../../../shared/rollout/environments';
import type { JsonDiffEntry } from '../../../shared/rollout/json-diff';
import { verifyFromStore } from '../../../consumer/verify-bundle';
import { flagsFileText, type TrustPayload } from '../../../consumer/bundle-format';
import { openConfigStore } from '../stores/open-store';
import type { ConfigStore } from '../stores/config-store';
import type { WritableDb } from '../../store/db';
import type { HistoryInput } from './history';
import {
  historySigner,
  listSharedHistory,
  SharedHistory,
  syncSharedHistory,
} from './shared-history';
import {
  createPassphraseProtector,
  generateKey,
  listImportedKeys,
  listKeys,
  loadSigner,
  type KeyProtector,
  type Signer,
} from './keys';
import { Publisher, type ChangePlan, type ConfigProblem, type PublishOutcome } from './publisher';
import { sqliteUnconfirmedCommits } from './unconfirmed-commits';

export interface CommandResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
}

export interface ConfigCliContext {
  /** Folder of key files, e.g. `<data-dir>/keys`. */
  keyDir: string;
  now: () => number;
  actor: string;
  /** The CLI reads it from AIDEON_KEY_PASSPHRASE; never printed. */
  passphrase: () => string | undefined;
  /** Overrides the passphrase protector (the desktop app's safeStorage adapter). */
  protector?: KeyProtector;
  validateConfig: (config: Record<string, unknown>) => ConfigProblem[];
  /** The routing checks' warnings: printed with a plan and after signing, never blocking. */
  configWarnings?: (config: Record<string, unknown>) => ConfigProblem[];
  record?: (entry: HistoryInput) => void;
  openStore?: (uri: string) => ConfigStore;
  /** This console's database: the verified copy of the shared history is kept there. */
  db?: WritableDb;
}

const ok = (stdout: string): CommandResult => ({ exitCode: 0, stdout });
const usage = (message: string): CommandResult => ({ exitCode: 2, stdout: `${message}\n` });

function protectorOf(context: ConfigCliContext): KeyProtector {
  if (context.protector) return context.protector;
  const passphrase = context.passphrase();
  if (!passphrase)
    throw new AppError(
      'unauthorized',
      'Signing keys are protected by a passphrase: set AIDEON_KEY_PASSPHRASE (at least 8 characters) in the environment.',
    );
  return createPassphraseProtector(passphrase);
}

/** Runs a command body; AppErrors become exit 1 (validation: 2) with their message. */
async function run(
  json: boolean | undefined,
  body: () => Promise<CommandResult>,
): Promise<CommandResult> {
  try {
    return await body();
  } catch (error) {
    if (!AppError.isInstance(error)) throw error;
    const exitCode = error.code === 'validation' ? 2 : 1;
    return {
      exitCode,
      stdout: json
        ? `${JSON.stringify({ ok: false, error: error.toJSON() }, null, 2)}\n`
        : `${error.message}\n`,
    };
  }
}

function parseEnvironment(value: string): Environment {
  const parsed = environmentSchema.safeParse(value);
  if (!parsed.success)
    throw new AppError('validation', `--env "${value}" must be one of dev, staging, production.`);
  return parsed.data;
}

async function loadSigners(
  context: ConfigCliContext,
  kids: readonly string[] | undefined,
): Promise<Signer[]> {
  const available = await listKeys(context.keyDir);
  const wanted = kids && kids.length > 0 ? kids : available.map((key) => key.kid);
  if (wanted.length === 0)
    throw new AppError(
      'not_found',
      `No signing keys in ${context.keyDir}. Run: aideon keys generate --name NAME`,
    );
  const protector = protectorOf(context);
  const signers: Signer[] = [];
  for (const kid of wanted) signers.push(await loadSigner(context.keyDir, kid, protector));
  return signers;
}

async function withPublisher<T>(
  context: ConfigCliContext,
  storeUri: string,
  kids: readonly string[] | undefined,
  body: (publisher: Publisher) => Promise<T>,
  needSigners = true,
): Promise<T> {
  const store = (context.openStore ?? ((uri) => openConfigStore(uri)))(storeUri);
  try {
    const signers = needSigners ? await loadSigners(context, kids) : [];
    const shared = new SharedHistory({ store, signer: () => historySigner(signers) });
    const publisher = new Publisher({
      store,
      signers,
      validateConfig: context.validateConfig,
      ...(context.configWarnings ? { configWarnings: context.configWarnings } : {}),
      now: context.now,
      actor: context.actor,
      // A commit whose answer was lost and could not be read back is kept in the data folder:
      // this command ends before any later read, so the next process that reads the
      // environment (console, controller, another command) settles it.
      ...(context.db
        ? { unconfirmed: sqliteUnconfirmedCommits(context.db, context.now, () => undefined) }
        : {}),
      // Every action goes into the shared history in the store (and this console's copy).
      record: async (entry) => {
        context.record?.(entry);
        try {
          await shared.append(entry);
          if (context.db) {
            const trust = await publisher
              .readTrust('dev')
              .then((verified) => verified.trust)
              .catch(() => undefined);
            await syncSharedHistory(context.db, shared, trust, 'incremental');
          }
        } catch (error) {
          throw new AppError(
            'provider_unavailable',
            `The ${entry.action} was done, but it could not be written to the shared history in ${storeUri}: ${(error as Error).message}`,
          );
        }
      },
    });
    return await body(publisher);
  } finally {
    await store.close();
  }
}

export function renderDiff(diff: readonly JsonDiffEntry[]): string {
  if (diff.length === 0) return '  (no change)\n';
  const show = (value: unknown) => {
    const text = JSON.stringify(value);
    return text.length > 100 ? `${text.slice(0, 97)}...` : text;
  };
  return diff
    .map((entry) =>
      entry.kind === 'added'
        ? `  + ${entry.path}: ${show(entry.after)}`
        : entry.kind === 'removed'
          ? `  - ${entry.path}: ${show(entry.before)}`
          : `  ~ ${entry.path}: ${show(entry.before)} -> ${show(entry.after)}`,
    )
    .join('\n')
    .concat('\n');
}

function renderOutcome(outcome: PublishOutcome): string {
  if (outcome.status === 'unchanged')
    return `${outcome.environment} already runs this content (version ${outcome.version}); nothing published.\n`;
  if (outcome.status === 'pending')
    return `${outcome.environment} version ${outcome.version} waits for ${outcome.needed} more signature(s): pending ${outcome.digest}, signed by ${outcome.keyIds.join(', ')}.\nAnother admin adds a signature with: aideon config cosign --env ${outcome.environment} --digest ${outcome.digest}\n`;
  return `${outcome.environment} is now at version ${outcome.version} (${outcome.digest}), signed by ${outcome.keyIds.join(', ')}.\n`;
}

function outcomeJson(outcome: PublishOutcome): string {
  return `${JSON.stringify({ ok: true, ...outcome }, null, 2)}\n`;
}

/**
 * Publish, promote and rollback alike: without --yes, the plan (as JSON, or `planText`) and
 * nothing signed; with --yes, signs and reports the outcome.
 */
async function planOrSign<Plan extends ChangePlan>(
  options: { yes?: boolean; json?: boolean },
  steps: {
    plan: () => Promise<Plan>;
    /** What the plan does, in one line ("Publishing to dev would make version 2 (now 1)"). */
    planHead: (plan: Plan) => string;
    /** The last line: how to go ahead. */
    planTail: string;
    sign: () => Promise<PublishOutcome>;
  },
  storeUri: string,
): Promise<CommandResult> {
  if (!options.yes) {
    const plan = await steps.plan();
    if (options.json)
      return ok(
        `${JSON.stringify({ ok: true, dryRun: true, store: storeUri, ...plan }, null, 2)}\n`,
      );
    return ok(
      `${steps.planHead(plan)}: ${plan.summary}\n  store: ${storeUri}\n${renderDiff(plan.diff)}${renderChecks(plan)}${plan.problems.length > 0 ? 'Fix the errors above first: nothing is signed while they remain.' : steps.planTail}\n`,
    );
  }
  // The warnings are said after signing too: --yes skips the dry run where they were shown.
  // Read from the plan before signing; a plan that cannot be made leaves them out (the signing
  // then fails with its own message).
  const warnings = (await steps.plan().catch(() => undefined))?.warnings ?? [];
  const outcome = await steps.sign();
  if (options.json) return ok(`${JSON.stringify({ ok: true, ...outcome, warnings }, null, 2)}\n`);
  return ok(`${renderOutcome(outcome)}${renderChecks({ problems: [], warnings }, 'signed')}`);
}

/**
 * The routing checks' findings under a plan: errors (the config cannot be signed) and warnings
 * (it can, but read them: a simulated sandbox model, thin evidence).
 */
function renderChecks(
  plan: Pick<ChangePlan, 'problems' | 'warnings'>,
  when: 'plan' | 'signed' = 'plan',
): string {
  const line = (mark: string, problem: ValidationIssue): string =>
    `  ${mark} ${problem.path || '(root)'}: ${problem.message}\n`;
  const errors =
    plan.problems.length === 0
      ? ''
      : `The routing checks refuse this config (it cannot be signed):\n${plan.problems.map((p) => line('!', p)).join('')}`;
  const warnings =
    plan.warnings.length === 0
      ? ''
      : `${when === 'plan' ? 'The routing checks warn (signing is allowed):' : 'Signed, but note what the routing checks warn about:'}\n${plan.warnings.map((p) => line('~', p)).join('')}`;
  return errors + warnings;
}

// ---- keys ------------------------------------------------------------------------------------

export async function keysGenerateCommand(
  context: ConfigCliContext,
  options: { name: string; role?: string; json?: boolean },
): Promise<CommandResult> {
  return run(options.json, async () => {
    if (options.role !== undefined && options.role !== 'admin' && options.role !== 'operator')
      return usage(`--role "${options.role}" must be admin or operator.`);
    const role = options.role === 'operator' ? 'operator' : 'admin';
    const key = await generateKey(options.name, {
      dir: context.keyDir,
      protector: protectorOf(context),
      now: context.now,
      role,
    });
    if (options.json) return ok(`${JSON.stringify({ ok: true, ...key }, null, 2)}\n`);
    const next =
      role === 'operator'
        ? `add it as the operator role: aideon config trust set-operator --store URI --keys ${key.kid} --threshold 1, and give the controller this key file (${context.keyDir}/${key.kid}.key.json) with its passphrase in an environment variable.`
        : `add the kid to the trust file to sign with it: aideon config trust init --keys ${key.kid} for a store without one, or aideon config trust rotate --keys <every kid to trust, this one included> for a store that has one.`;
    return ok(
      `Generated ${role === 'operator' ? 'operator' : 'signing'} key "${key.name}"\n  kid: ${key.kid}\n  public key (JWK): ${JSON.stringify(key.publicJwk)}\nThe private key is stored encrypted in ${context.keyDir}; ${next}\n`,
    );
  });
}

export async function keysListCommand(
  context: ConfigCliContext,
  options: { json?: boolean },
): Promise<CommandResult> {
  return run(options.json, async () => {
    const keys = await listKeys(context.keyDir);
    if (options.json) return ok(`${JSON.stringify(keys, null, 2)}\n`);
    if (keys.length === 0)
      return ok('No signing keys yet. Run: aideon keys generate --name NAME\n');
    return ok(
      keys
        .map(
          (key) =>
            `${key.kid}  ${key.name}  (${key.role === 'operator' ? 'operator, ' : ''}created ${key.createdAt})`,
        )
        .join('\n')
        .concat('\n'),
    );
  });
}

// ---- trust -----------------------------------------------------------------------------------

/** `dev=1,staging=1,production=2,trust=2` → thresholds (defaults 1/1/2/2 capped by key count). */
export function parseThresholds(
  text: string | undefined,
  keyCount: number,
): TrustPayload['thresholds'] {
  const capped = (value: number) => Math.min(value, keyCount);
  const out: TrustPayload['thresholds'] = {
    dev: 1,
    staging: 1,
    production: capped(2),
    trust: capped(2),
  };
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    const count = Number(value);
    if (
      !name ||
      !(['dev', 'staging', 'production', 'trust'] as string[]).includes(name) ||
      !Number.isInteger(count) ||
      count < 1
    )
      throw new AppError(
        'validation',
        `--thresholds "${part}" must look like production=2 (dev, staging, production or trust; a whole number from 1).`,
      );
    out[name as keyof TrustPayload['thresholds']] = count;
  }
  return out;
}

async function publicKeysFor(context: ConfigCliContext, kids: readonly string[]) {
  // This console's keys, and other admins' public keys imported in the console.
  const all = [...(await listKeys(context.keyDir)), ...(await listImportedKeys(context.keyDir))];
  return kids.map((kid) => {
    const key = all.find((candidate) => candidate.kid === kid);
    if (!key)
      throw new AppError(
        'not_found',
        `Key ${kid} is not in ${context.keyDir}; import or generate it first.`,
      );
    return key;
  });
}

export async function configTrustCommand(
  context: ConfigCliContext,
  options: {
    store: string;
    action: 'init' | 'rotate';
    keys: string[];
    thresholds?: string;
    sign?: string[];
    json?: boolean;
  },
): Promise<CommandResult> {
  return run(options.json, async () => {
    if (options.keys.length === 0) return usage('--keys needs at least one key id.');
    const keys = await publicKeysFor(context, options.keys);
    const thresholds = parseThresholds(options.thresholds, keys.length);
    const result = await withPublisher(context, options.store, options.sign, (publisher) =>
      options.action === 'init'
        ? publisher.initTrust(keys, thresholds)
        : publisher.rotateTrust(keys, thresholds),
    );
    if (options.json)
      return ok(`${JSON.stringify({ ok: true, ...result, thresholds }, null, 2)}\n`);
    return ok(
      `Trust file version ${result.version} (${result.digest}) written to every environment of ${options.store}.\nThresholds: ${ENVIRONMENTS.map((env) => `${env} ${thresholds[env]}`).join(', ')}, trust changes ${thresholds.trust}.\nGive consumers a copy of ${'<env>'}/trust.json from the store as their --trust file.\n`,
    );
  });
}

/**
 * `config trust set-operator`: adds or replaces the operator role (keys + threshold), or with
 * `--remove` drops it; a trust rotation signed under the current trust threshold.
 */
export async function configTrustSetOperatorCommand(
  context: ConfigCliContext,
  options: {
    store: string;
    keys?: string[];
    threshold?: number;
    remove?: boolean;
    sign?: string[];
    json?: boolean;
  },
): Promise<CommandResult> {
  return run(options.json, async () => {
    if (!options.remove && (!options.keys || options.keys.length === 0))
      return usage('--keys needs at least one operator key id (or use --remove).');
    const threshold = options.threshold ?? 1;
    if (!Number.isInteger(threshold) || threshold < 1)
      return usage('--threshold must be a whole number from 1.');
    const operatorKeys = options.remove ? [] : await publicKeysFor(context, options.keys ?? []);
    const signWith =
      options.sign ??
      (await listKeys(context.keyDir))
        .filter((key) => key.role !== 'operator')
        .map((key) => key.kid);
    const result = await withPublisher(context, options.store, signWith, (publisher) =>
      publisher.setOperator(options.remove ? null : { keys: operatorKeys, threshold }),
    );
    if (options.json) return ok(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
    return ok(
      options.remove
        ? `Trust file version ${result.version} (${result.digest}) has no operator role.\n`
        : `Trust file version ${result.version} (${result.digest}): operator role ${operatorKeys.map((key) => key.kid).join(', ')} with threshold ${threshold}. It may sign only rollbacks to fully signed content, kill switches, renewals and pre-authorised rollout steps.\n`,
    );
  });
}

// ---- publish, promote, rollback, cosign --------------------------------------------------------

export async function configPublishCommand(
  context: ConfigCliContext,
  options: {
    store: string;
    env: string;
    file: string;
    keys?: string[];
    yes?: boolean;
    json?: boolean;
  },
): Promise<CommandResult> {
  return run(options.json, async () => {
    const environment = parseEnvironment(options.env);
    // JSON or YAML, as `config validate` reads it; a file that does not parse names its lines.
    const { readConfigObjectFile } = await import('../routing/routing-files');
    const routing = readConfigObjectFile(options.file);
    return withPublisher(
      context,
      options.store,
      options.keys,
      (publisher) =>
        planOrSign(
          options,
          {
            plan: () => publisher.plan(environment, routing),
            planHead: (plan) =>
              `Publishing to ${environment} would make version ${plan.toVersion} (now ${plan.fromVersion})`,
            planTail: 'Run again with --yes to sign and publish.',
            sign: () => publisher.publish(environment, routing),
          },
          options.store,
        ),
      options.yes === true,
    );
  });
}

export async function configPromoteCommand(
  context: ConfigCliContext,
  options: { store: string; to: string; keys?: string[]; yes?: boolean; json?: boolean },
): Promise<CommandResult> {
  return run(options.json, async () => {
    const target = parseEnvironment(options.to);
    return withPublisher(
      context,
      options.store,
      options.keys,
      (publisher) =>
        planOrSign(
          options,
          {
            plan: () => publisher.planPromotion(target),
            planHead: (plan) =>
              `Promoting ${plan.source} version ${plan.sourceVersion} to ${target} would make version ${plan.toVersion}`,
            planTail: 'Run again with --yes to sign and promote.',
            sign: () => publisher.promote(target),
          },
          options.store,
        ),
      options.yes === true,
    );
  });
}

export async function configRollbackCommand(
  context: ConfigCliContext,
  options: {
    store: string;
    env: string;
    toVersion?: number;
    keys?: string[];
    yes?: boolean;
    json?: boolean;
  },
): Promise<CommandResult> {
  return run(options.json, async () => {
    const environment = parseEnvironment(options.env);
    return withPublisher(
      context,
      options.store,
      options.keys,
      (publisher) =>
        planOrSign(
          options,
          {
            plan: () => publisher.planRollback(environment, options.toVersion),
            planHead: (plan) =>
              `Rolling ${environment} back to the content of version ${plan.restoresVersion} would publish it as version ${plan.toVersion}`,
            planTail: 'Run again with --yes to sign and roll back.',
            sign: () => publisher.rollback(environment, options.toVersion),
          },
          options.store,
        ),
      options.yes === true,
    );
  });
}

export async function configCosignCommand(
  context: ConfigCliContext,
  options: { store: string; env: string; digest?: string; keys?: string[]; json?: boolean },
): Promise<CommandResult> {
  return run(options.json, async () => {
    const environment = parseEnvironment(options.env);
    return withPublisher(
      context,
      options.store,
      options.keys,
      async (publisher) => {
        if (!options.digest) {
          const pending = await publisher.listPending(environment);
          if (options.json) return ok(`${JSON.stringify({ ok: true, pending }, null, 2)}\n`);
          if (pending.length === 0) return ok(`Nothing waits for signatures in ${environment}.\n`);
          return ok(
            pending
              .map(
                (item) =>
                  `${item.digest}  version ${item.version}, needs ${item.needed} more, signed by ${item.keyIds.join(', ')}${item.applicable ? '' : ' (outdated: current moved on)'}\n  ${item.summary}\n${renderDiff(item.diff)}`,
              )
              .join(''),
          );
        }
        const outcome = await publisher.cosign(environment, options.digest);
        return ok(options.json ? outcomeJson(outcome) : renderOutcome(outcome));
      },
      options.digest !== undefined,
    );
  });
}

// ---- verify ----------------------------------------------------------------------------------

export async function configVerifyCommand(options: {
  store: string;
  env: string;
  trust: string;
  state: string;
  json?: boolean;
  now?: number;
  /**
   * After acceptance, write the verified flags file here (temp file + rename), for a flagd that
   * syncs flags from a local file: flagd then only ever reads flags that were verified.
   */
  flagsOut?: string;
}): Promise<CommandResult> {
  const result = await verifyFromStore(options.store, options.env, options.trust, options.state, {
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  if (result.ok && options.flagsOut) {
    const temp = `${options.flagsOut}.${process.pid}.tmp`;
    await writeFile(temp, flagsFileText(result.config));
    await rename(temp, options.flagsOut);
  }
  if (options.json) {
    const { config: _config, ...summary } = result.ok ? result : { ...result, config: undefined };
    return { exitCode: result.ok ? 0 : 1, stdout: `${JSON.stringify(summary, null, 2)}\n` };
  }
  if (!result.ok) return { exitCode: 1, stdout: `refused (${result.reason}): ${result.message}\n` };
  const by =
    result.signedAs === 'operator'
      ? `signed by the operator role (${result.keyIds.join(', ')}) on top of fully signed version ${result.basis?.version ?? '?'}`
      : `signed by ${result.keyIds.join(', ')}`;
  return ok(
    `ok: ${result.environment} version ${result.version} (${result.digest}), ${by}, expires ${result.expiresAt}\n`,
  );
}

// ---- history ---------------------------------------------------------------------------------

/**
 * `config history`: reads the shared history in the store, checks the whole chain and this
 * console's verified copy, copies what is new, and prints every entry (actor, action, signer)
 * with the verdict. Exit 1 when the log is truncated or rewritten (the entry is named).
 */
export async function configHistoryCommand(
  context: ConfigCliContext & { db: WritableDb },
  options: { store: string; verify?: boolean; json?: boolean; env?: string },
): Promise<CommandResult> {
  return run(options.json, async () => {
    const environment = options.env === undefined ? undefined : parseEnvironment(options.env);
    const store = (context.openStore ?? ((uri) => openConfigStore(uri)))(options.store);
    try {
      const shared = new SharedHistory({ store });
      const publisher = new Publisher({
        store,
        signers: [],
        validateConfig: context.validateConfig,
        now: context.now,
        actor: context.actor,
        unconfirmed: sqliteUnconfirmedCommits(context.db, context.now, () => undefined),
        record: async (entry) => {
          await shared.append(entry);
        },
      });
      // Commits an earlier command (or console, controller) on this folder could not confirm
      // are settled first, so the history shows a step that went in (the command that lost the
      // answer names this one to check it).
      for (const target of environment === undefined ? ENVIRONMENTS : [environment])
        await publisher.settleUnconfirmed(target).catch(() => undefined);
      let trust: TrustPayload | undefined;
      try {
        trust = (await publisher.readTrust('dev')).trust;
      } catch {
        trust = undefined;
      }
      const sync = await syncSharedHistory(context.db, shared, trust, 'full');
      const entries = listSharedHistory(
        context.db,
        store.uri,
        environment === undefined ? {} : { environment },
      );
      const exitCode = sync.check.ok ? 0 : 1;
      if (options.json)
        return {
          exitCode,
          stdout: `${JSON.stringify(
            {
              schema: 'aideon.shared-history-export/1',
              storeUri: store.uri,
              chain: sync.check,
              ...(options.verify ? {} : { entries }),
            },
            null,
            2,
          )}\n`,
        };
      const verdict = sync.check.ok
        ? `chain ok: ${sync.check.entries} entries, ${sync.added} new since this console last looked\n`
        : `BROKEN at entry ${sync.check.problem.seq} (${sync.check.problem.kind}): ${sync.check.problem.message}\n`;
      if (options.verify) return { exitCode, stdout: verdict };
      const lines = entries.map(
        (entry) =>
          `${String(entry.seq).padStart(4)}  ${new Date(entry.at).toISOString()}  ${entry.actor} (${entry.signature})  ${entry.action}${entry.environment ? ` ${entry.environment}` : ''}${entry.version === null ? '' : ` v${entry.version}`}  ${entry.summary}`,
      );
      return { exitCode, stdout: `${lines.join('\n')}${lines.length ? '\n' : ''}${verdict}` };
    } finally {
      await store.close();
    }
  });
}
