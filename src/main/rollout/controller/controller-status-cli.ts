/**
 * `aideon controller status`: the rollout controllers registered in a config store (their
 * heartbeat records, `controller/status/<id>`), which one leads, and what needs attention, for a
 * terminal, cron or a monitoring check. It only reads the records; nothing is written.
 *
 * The store URI is never shown as given: a password or token in it is hidden (redactStoreUri),
 * in the output and in every message.
 */
import { statSync } from 'node:fs';
import { hideStoreUriSecrets, parseStoreUri, redactStoreUri } from '../../../consumer/store-reader';
import { AppError } from '../../../shared/errors';
import { ageText, type ControllerOverview } from '../../../shared/rollout/controller-status';
import type { ConfigStore } from '../stores/config-store';
import { overviewOfRecords, readControllerRecords } from './controller-registry';

/** Where the store URI came from: --store, $AIDEON_STORE, or the data folder's console store. */
export type StatusStoreSource = 'flag' | 'environment' | 'console';

export interface ControllerStatusReport extends ControllerOverview {
  /** The store URI with any secret hidden (also in `storeUri`). */
  storeUri: string;
  storeFrom: StatusStoreSource;
  /** When the records were read, ms since the epoch (ages count from it). */
  checkedAt: number;
  /** The id of the live leader, if one is registered. */
  leader: string | null;
  /** What needs attention, one line each (unreadable records among them); empty when none. */
  problems: string[];
  /** What to do next, when something is missing (no controller, none leading); else null. */
  hint: string | null;
}

/** --store wins over $AIDEON_STORE, which wins over the store the data folder's console uses. */
export function statusStoreUri(
  flags: { store?: string },
  env: NodeJS.ProcessEnv,
  consoleStore: () => Promise<string>,
): Promise<{ uri: string; from: StatusStoreSource }> {
  if (flags.store) return Promise.resolve({ uri: flags.store, from: 'flag' });
  if (env.AIDEON_STORE) return Promise.resolve({ uri: env.AIDEON_STORE, from: 'environment' });
  return consoleStore().then((uri) => ({ uri, from: 'console' }));
}

/**
 * A directory store whose folder is missing or is a file: say so, as a listing would just be
 * empty and a mistyped --store would read as "no controller". The console's own store folder
 * is made on its first publish, so there a missing folder is an empty store.
 */
function folderProblem(uri: string, from: StatusStoreSource): string | null {
  const location = parseStoreUri(uri);
  if (location.kind !== 'dir') return null;
  try {
    if (!statSync(location.root).isDirectory()) return `${location.root} is not a folder`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return from === 'console'
        ? null
        : `the folder ${location.root} does not exist (check the path: nothing was ever published or registered there)`;
    return error instanceof Error ? error.message : String(error);
  }
  return null;
}

function readProblem(error: unknown): string {
  if (AppError.isInstance(error)) return error.message;
  // A file-system error says which file and why ("ENOTDIR: not a directory, scandir '…'").
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string')
    return error.message;
  return `the store could not be read (${error instanceof Error ? error.name : typeof error})`;
}

/** Reads the controller records of `store` (opened from `uri`) and says what they mean. */
export async function readControllerStatus(
  store: ConfigStore,
  options: { uri: string; from: StatusStoreSource; now: number },
): Promise<ControllerStatusReport> {
  const shown = redactStoreUri(options.uri);
  const base = { storeUri: shown, storeFrom: options.from, checkedAt: options.now };
  let overview: ControllerOverview;
  try {
    const missing = folderProblem(options.uri, options.from);
    overview = missing
      ? { storeUri: shown, active: false, controllers: [], problem: missing }
      : overviewOfRecords(shown, await readControllerRecords(store), options.now);
  } catch (error) {
    overview = { storeUri: shown, active: false, controllers: [], problem: readProblem(error) };
  }
  if (overview.problem !== null) {
    const problem = hideStoreUriSecrets(overview.problem, options.uri);
    return {
      ...overview,
      ...base,
      problem,
      leader: null,
      problems: [`The config store ${shown} cannot be read: ${problem}`],
      hint: null,
    };
  }
  const start = `aideon controller --store ${shown}`;
  const leaders = overview.controllers.filter((status) => status.alive && status.role === 'leader');
  const problems = [...(overview.unreadable ?? [])];
  let hint: string | null = null;
  if (leaders.length > 1)
    problems.push(
      `${leaders.length} live records claim to lead (${leaders.map((status) => status.id).join(', ')}): only the lease holder acts; the other record is left from before a takeover and goes stale within a few ticks`,
    );
  if (overview.controllers.length === 0) {
    hint = `Start one: ${start} (README: "Running the controller in production"). Until then ramp steps, bakes and automatic rollback run only while a console is open.`;
  } else if (leaders.length === 0) {
    const standby = overview.controllers.find((status) => status.alive);
    const latest = overview.controllers[0];
    problems.push(
      standby
        ? `no controller leads: ${standby.id} on ${standby.host} is a standby waiting for the lease`
        : `no controller is running: the newest record, ${latest?.id ?? '?'} on ${latest?.host ?? '?'}, last beat ${ageText(options.now - (latest?.lastTickAt ?? options.now))}`,
    );
    hint = `Start the controller again (systemctl start aideon-controller, its container, or ${start}) and check its log for why it stopped. Until then ramp steps, bakes and automatic rollback run only while a console is open.`;
  }
  return { ...overview, ...base, leader: leaders[0]?.id ?? null, problems, hint };
}

const FROM_TEXT: Record<StatusStoreSource, string> = {
  flag: 'from --store',
  environment: 'from AIDEON_STORE',
  console: "the console's store for this data folder",
};

/** The report for a terminal. */
export function formatControllerStatus(report: ControllerStatusReport): string {
  const lines = [`Config store: ${report.storeUri} (${FROM_TEXT[report.storeFrom]})`];
  if (report.problem !== null) return `${[...lines, ...report.problems].join('\n')}\n`;
  const age = (at: number): string => ageText(report.checkedAt - at);
  const leader = report.controllers.find((status) => status.id === report.leader && status.alive);
  if (report.controllers.length === 0)
    lines.push('No rollout controller is registered in this store.');
  else
    lines.push(
      leader
        ? `Leader: ${leader.id} on ${leader.host} (last heartbeat ${age(leader.lastTickAt)})`
        : 'Leader: none',
      `Controllers (${report.controllers.length}):`,
    );
  for (const status of report.controllers) {
    lines.push(
      `  ${status.id}  ${status.role.padEnd(7)}  ${status.alive ? 'alive' : 'stale'}  host ${status.host}  pid ${status.pid}  last heartbeat ${age(status.lastTickAt)}  ${status.leaseKind === 'etcd-lease' ? 'etcd lease' : 'lock-file lease'}  signs as ${status.actor}`,
    );
    if (status.activity) lines.push(`    working on: ${status.activity}`);
    if (status.lastEvent)
      lines.push(
        `    last event ${age(status.lastEvent.at)}: ${status.lastEvent.type}: ${status.lastEvent.message.split('\n')[0] ?? ''}`,
      );
  }
  if (report.problems.length > 0)
    lines.push(
      `Problems (${report.problems.length}):`,
      ...report.problems.map((problem) => `  ${problem}`),
    );
  if (report.hint) lines.push(report.hint);
  return `${lines.join('\n')}\n`;
}
