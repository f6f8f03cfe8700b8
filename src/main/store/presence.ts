/**
 * Who has the database open for writing. SQLite's write lock does not say whose it is, and a run
 * lease (run-lease.ts) only names a process that drives a benchmark; a console, the rollout
 * controller, `aideon monitor watch` or a one-off `aideon bench import` holds no lease. So every
 * Aideon process that opens the database for writing puts a small file in a folder beside it
 * (`aideon.sqlite.presence/`): its pid, host, the command as the admin typed it (secrets
 * replaced) and when it started. Writing that file needs no lock, so a process can announce
 * itself while another one holds the database, and the busy answers can name who is there.
 *
 * A file is removed when its process closes the database or exits (the `aideon` command also
 * removes it on SIGINT and SIGTERM: cli/stop-signals.ts); a process killed with SIGKILL or a
 * crash leaves it behind, so entries of dead processes on this host are ignored and removed by
 * whoever lists them. A pid alone does not say the process is dead: after a crash the kernel may
 * give the same pid to an unrelated process. Where the kernel says when a process started
 * (Linux: /proc), the entry records that start and the boot it happened in, and an entry whose
 * pid now belongs to a process with another start (or that is from an earlier boot) is dead
 * too. Elsewhere (macOS, Windows) a live pid is taken at its word, as before. Entries from
 * another host (a data folder on a shared disk) cannot be checked and are shown with their host.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { KEY_ENV_VARS } from '../secrets';

export interface PresenceEntry {
  pid: number;
  host: string;
  /**
   * How the admin knows the process: an `aideon …` command line (secrets replaced by
   * `[redacted]`), or a description such as "the desktop console".
   */
  command: string;
  /** The command line is one the admin typed (shown in backticks) rather than a description. */
  typed: boolean;
  startedAt: number;
  /**
   * When the kernel started the process (ProcessStart), so a later process given the same pid
   * is not taken for it; absent where the kernel does not say (no /proc) and in entries written
   * before it was recorded.
   */
  kernelStart?: ProcessStart;
}

/**
 * The kernel's own record of when a process started: Linux's `starttime` (field 22 of
 * /proc/<pid>/stat, clock ticks since boot) and the boot it counts from
 * (/proc/sys/kernel/random/boot_id). Two processes with the same pid on one machine differ in
 * one of the two.
 */
export interface ProcessStart {
  bootId: string;
  startTicks: number;
}

let bootIdRead: { value: string | undefined } | undefined;

/** This machine's boot id (read once: it does not change while a process runs). */
function currentBootId(): string | undefined {
  if (!bootIdRead) {
    let value: string | undefined;
    try {
      value = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      value = undefined;
    }
    bootIdRead = { value };
  }
  return bootIdRead.value;
}

/**
 * When the process `pid` started, as the kernel says; undefined where it does not (no /proc:
 * macOS, Windows) or when the process is not there.
 */
export function processStart(pid: number): ProcessStart | undefined {
  const bootId = currentBootId();
  if (bootId === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 is the command name in parentheses and may itself hold spaces or ')': the fields
  // after it are counted from the last ')'. They start at field 3, so field 22 is the 20th.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  const startTicks = Number(fields[19]);
  if (!Number.isSafeInteger(startTicks) || startTicks < 0) return undefined;
  return { bootId, startTicks };
}

/**
 * Whether the process an entry on this host names still runs: its pid is alive and, when both
 * the entry and the kernel give a start (ProcessStart), it is the same start in the same boot.
 */
function entryProcessAlive(
  entry: PresenceEntry,
  isProcessAlive: (pid: number) => boolean,
  startOf: (pid: number) => ProcessStart | undefined,
): boolean {
  if (!isProcessAlive(entry.pid)) return false;
  const recorded = entry.kernelStart;
  if (!recorded) return true;
  // Another boot: whatever has this pid now is not the process that wrote the entry.
  const bootId = currentBootId();
  if (bootId !== undefined && recorded.bootId !== bootId) return false;
  const now = startOf(entry.pid);
  // The kernel does not say (the process ended a moment ago, /proc hidden): the live pid stands.
  if (!now) return true;
  return now.bootId === recorded.bootId && now.startTicks === recorded.startTicks;
}

/** Answers whether a process id is running on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The folder of presence files beside a database file. */
export function presenceDir(dbFile: string): string {
  return `${dbFile}.presence`;
}

/** Files this process wrote and has not removed yet (removed at exit), each with its database. */
const ours = new Map<string, string>();
let exitHookInstalled = false;

/**
 * Removes every presence file this process wrote and has not removed yet: at its exit, and
 * before it ends on a signal (cli/stop-signals.ts). Synchronous, as both need.
 */
export function removeOurPresences(): void {
  for (const file of ours.keys()) rmSync(file, { force: true });
  ours.clear();
}

/**
 * Announces this process on the database `dbFile` until the returned remove() (idempotent) or
 * the process's exit. Never throws: who holds the database is a hint for a message, and a data
 * folder this process cannot write to will fail where it matters (opening the database).
 */
export function announcePresence(
  dbFile: string,
  entry: Pick<PresenceEntry, 'command' | 'typed'> & { now: number },
): { remove: () => void } {
  const dir = presenceDir(dbFile);
  const host = hostname();
  const name = `${safeName(host)}.${process.pid}.${randomBytes(4).toString('hex')}.json`;
  const file = join(dir, name);
  const kernelStart = processStart(process.pid);
  const record: PresenceEntry = {
    pid: process.pid,
    host,
    command: entry.command,
    typed: entry.typed,
    startedAt: entry.now,
    ...(kernelStart ? { kernelStart } : {}),
  };
  try {
    mkdirSync(dir, { recursive: true });
    // Through a temporary name, so a reader never sees half a record.
    const temp = join(dir, `.${name}.tmp`);
    writeFileSync(temp, `${JSON.stringify(record)}\n`);
    renameSync(temp, file);
  } catch {
    return { remove: () => undefined };
  }
  ours.set(file, dbFile);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeOurPresences);
  }
  return {
    remove: () => {
      if (!ours.delete(file)) return;
      rmSync(file, { force: true });
    },
  };
}

/**
 * The other processes announced on `dbFile`, oldest first. Entries of this process, unreadable
 * ones and ones of processes gone from this host (the pid is free, or taken by a process with
 * another start: entryProcessAlive) are left out; the last are also removed.
 */
export function otherPresences(
  dbFile: string,
  options: {
    self?: { pid: number; host: string };
    isProcessAlive?: (pid: number) => boolean;
    /** When a process started, as the kernel says (default processStart). */
    processStart?: (pid: number) => ProcessStart | undefined;
  },
): PresenceEntry[] {
  const isProcessAlive = options.isProcessAlive ?? processAlive;
  const startOf = options.processStart ?? processStart;
  const self = options.self ?? { pid: process.pid, host: hostname() };
  const dir = presenceDir(dbFile);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
  } catch {
    return [];
  }
  const found: PresenceEntry[] = [];
  for (const name of names) {
    const entry = readEntry(join(dir, name));
    if (!entry) continue;
    // Checked before the entry is taken for this process's own: one left by a crashed process
    // whose pid this one was given is a dead one like any other.
    if (entry.host === self.host && !entryProcessAlive(entry, isProcessAlive, startOf)) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    if (entry.pid === self.pid && entry.host === self.host) continue;
    found.push(entry);
  }
  // One line per process, even if it opened the database twice (two services in one process).
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.startedAt - b.startedAt)
    .filter((entry) => {
      const key = `${entry.host}\0${entry.pid}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function readEntry(file: string): PresenceEntry | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = raw as Record<string, unknown>;
  if (
    !Number.isSafeInteger(value.pid) ||
    typeof value.host !== 'string' ||
    typeof value.command !== 'string' ||
    typeof value.startedAt !== 'number'
  )
    return undefined;
  const kernelStart = readProcessStart(value.kernelStart);
  return {
    pid: value.pid as number,
    host: value.host,
    command: value.command,
    typed: value.typed === true,
    startedAt: value.startedAt,
    ...(kernelStart ? { kernelStart } : {}),
  };
}

/** A recorded ProcessStart, or undefined when absent or not one (checked by pid alone then). */
function readProcessStart(raw: unknown): ProcessStart | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = raw as Record<string, unknown>;
  if (typeof value.bootId !== 'string' || !Number.isSafeInteger(value.startTicks)) return undefined;
  return { bootId: value.bootId, startTicks: value.startTicks as number };
}

/**
 * The other processes announced on the databases this process announced itself on, described
 * (describePresence): for messages written where the database file is not at hand (a timer's
 * busy log line). Empty when this process announced nothing.
 */
export function othersOnOurDatabases(now: number = Date.now()): string[] {
  const files = new Set(ours.values());
  const lines: string[] = [];
  for (const dbFile of files)
    for (const entry of otherPresences(dbFile, {})) {
      const line = describePresence(entry, now);
      if (!lines.includes(line)) lines.push(line);
    }
  return lines;
}

const LONGEST_COMMAND = 120;

/**
 * "`aideon bench import run.tar` (pid 4242, started 06:12 UTC)"; the host when it is another
 * one; the day when it is not `now`'s.
 */
export function describePresence(
  entry: PresenceEntry,
  now: number,
  host: string = hostname(),
): string {
  const command =
    entry.command.length > LONGEST_COMMAND
      ? `${entry.command.slice(0, LONGEST_COMMAND - 1)}…`
      : entry.command;
  const started = new Date(entry.startedAt).toISOString();
  const sameDay = started.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  const at = `${sameDay ? '' : `${started.slice(0, 10)} `}${started.slice(11, 16)} UTC`;
  const where = entry.host === host ? '' : ` on ${entry.host}`;
  return `${entry.typed ? `\`${command}\`` : command} (pid ${entry.pid}${where}, started ${at})`;
}

// ---------------------------------------------------------------------------------------------
// the command line, without secrets

/** Flags whose value is a secret whatever it looks like. */
const SECRET_FLAG = /(token|secret|passphrase|password|passwd|api[-_]?key|credential|auth)/i;
/** Vendor key shapes and long random-looking strings. */
const KEY_PREFIX = /^(sk-|r8_|key_|AIza|luma-|fal_|tgp_)/;

/** A word that looks like an API key or a token rather than a name, a path or a number. */
function looksLikeKey(word: string): boolean {
  if (KEY_PREFIX.test(word) && word.length >= 16) return true;
  if (word.length < 20 || !/^[A-Za-z0-9_\-:+=~]+$/.test(word)) return false;
  // A run or generation id (a UUID, or a prefix and one) names something; it unlocks nothing.
  if (/^([a-z]+_)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(word))
    return false;
  const letters = /[A-Za-z]/.test(word);
  const digits = /[0-9]/.test(word);
  // Words of a name (sandbox-fast, kling-2-1-master) are letters with a few digits between
  // dashes; a key is one long run of mixed characters.
  const longestRun = Math.max(...word.split(/[-_:]/).map((part) => part.length));
  return letters && digits && longestRun >= 16;
}

/** An URL with its user, password, query values and key-like path parts replaced. */
function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (!url.host) return text;
  // A placeholder URL encoding leaves alone, turned into `[redacted]` once the URL is a string.
  const hidden = 'aideonredactedpart';
  if (url.username) url.username = hidden;
  if (url.password) url.password = hidden;
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, hidden);
  // A webhook's path often ends in its token: one long opaque part, or a key-like one.
  url.pathname = url.pathname
    .split('/')
    .map((part) => (looksLikeKey(part) || /^[A-Za-z0-9]{24,}$/.test(part) ? hidden : part))
    .join('/');
  return url.toString().replaceAll(hidden, '[redacted]');
}

function redactWord(word: string, secrets: readonly string[]): string {
  let out = word;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(out)) return redactUrl(out);
  return looksLikeKey(out) ? '[redacted]' : out;
}

/**
 * `aideon <args>` as typed, with every secret replaced by `[redacted]`: the value of a flag
 * whose name says it is one (--token, --passphrase …), any word that looks like a key, URL
 * credentials, and the value of any key variable in `env` wherever it appears (keys belong in
 * the environment, but one pasted into the command line must not reach a file others read).
 */
export function redactedCommandLine(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  program = 'aideon',
): string {
  const secrets = [
    ...Object.values(KEY_ENV_VARS),
    'AIDEON_KEY_PASSPHRASE',
    'AIDEON_PROMETHEUS_TOKEN',
  ]
    .map((name) => env[name]?.trim() ?? '')
    .filter((value) => value.length >= 4);
  const out: string[] = [];
  let hideNext = false;
  for (const arg of args) {
    if (hideNext) {
      out.push('[redacted]');
      hideNext = false;
      continue;
    }
    const flag = /^(--?[A-Za-z][\w-]*)(=(.*))?$/s.exec(arg);
    if (flag && SECRET_FLAG.test(flag[1]!)) {
      if (flag[2] === undefined) {
        out.push(flag[1]!);
        hideNext = true;
      } else out.push(`${flag[1]!}=[redacted]`);
      continue;
    }
    if (flag && flag[2] !== undefined) {
      out.push(`${flag[1]!}=${redactWord(flag[3]!, secrets)}`);
      continue;
    }
    out.push(redactWord(arg, secrets));
  }
  return [program, ...out.map(shellWord)].join(' ');
}

/** A word as a shell would need it typed (quoted when it has spaces or quotes). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./?[\]-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** A guess at how this process was started, for processes that do not say (tests, scripts). */
export function thisProcessCommand(env: NodeJS.ProcessEnv): { command: string; typed: boolean } {
  const script = process.argv[1] ? basename(process.argv[1]) : 'node';
  const program = /^aideon(\.m?js)?$/.test(script) ? 'aideon' : script;
  return { command: redactedCommandLine(process.argv.slice(2), env, program), typed: true };
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 64);
}
