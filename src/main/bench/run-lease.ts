/**
 * Run leases (table run_leases): exactly one process drives a run. The driver renews its lease
 * while it works; another process that finds a live lease is told who holds it and until when.
 * A lease lapses at `expires_at`, or at once when its holder was on this host and its process
 * is gone (kill -9, crash), so `resume` can take the run over.
 */
import type { ReadableDb, WritableDb } from '../store/db';
import { describePresence, otherPresences, processAlive } from '../store/presence';
import { preparedOnce } from '../store/statements';

/** Who drives runs in this process. */
export interface LeaseOwner {
  /** Random per runner instance, so two consoles in one process are still two owners. */
  ownerId: string;
  pid: number;
  host: string;
}

export interface RunLease extends LeaseOwner {
  runId: string;
  acquiredAt: number;
  heartbeatAt: number;
  expiresAt: number;
}

interface LeaseRow {
  run_id: string;
  owner_id: string;
  pid: number;
  host: string;
  acquired_at: number;
  heartbeat_at: number;
  expires_at: number;
}

function toLease(row: LeaseRow): RunLease {
  return {
    runId: row.run_id,
    ownerId: row.owner_id,
    pid: row.pid,
    host: row.host,
    acquiredAt: row.acquired_at,
    heartbeatAt: row.heartbeat_at,
    expiresAt: row.expires_at,
  };
}

export function getRunLease(db: ReadableDb, runId: string): RunLease | undefined {
  const row = db.prepare('SELECT * FROM run_leases WHERE run_id = ?').get(runId) as
    LeaseRow | undefined;
  return row ? toLease(row) : undefined;
}

/** A lease whose holder can no longer be driving the run. */
export function leaseLapsed(
  lease: RunLease,
  now: number,
  host: string,
  isProcessAlive: (pid: number) => boolean,
): boolean {
  return lease.expiresAt <= now || (lease.host === host && !isProcessAlive(lease.pid));
}

/**
 * Takes the run's lease when it is free, lapsed or already ours (one write transaction, so two
 * processes racing for it cannot both win). Otherwise answers who holds it.
 */
export function acquireRunLease(
  db: WritableDb,
  runId: string,
  owner: LeaseOwner,
  options: { now: number; ttlMs: number; isProcessAlive: (pid: number) => boolean },
): { acquired: true; previous: RunLease | undefined } | { acquired: false; holder: RunLease } {
  return db
    .transaction(() => {
      const current = getRunLease(db, runId);
      if (
        current &&
        current.ownerId !== owner.ownerId &&
        !leaseLapsed(current, options.now, owner.host, options.isProcessAlive)
      ) {
        return { acquired: false as const, holder: current };
      }
      db.prepare(
        `INSERT INTO run_leases (run_id, owner_id, pid, host, acquired_at, heartbeat_at, expires_at)
         VALUES (@runId, @ownerId, @pid, @host, @now, @now, @expiresAt)
         ON CONFLICT (run_id) DO UPDATE SET owner_id = excluded.owner_id, pid = excluded.pid,
           host = excluded.host, acquired_at = excluded.acquired_at,
           heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
      ).run({
        runId,
        ownerId: owner.ownerId,
        pid: owner.pid,
        host: owner.host,
        now: options.now,
        expiresAt: options.now + options.ttlMs,
      });
      return { acquired: true as const, previous: current };
    })
    .immediate();
}

/** Renews this owner's lease on a run; false when it is no longer ours (taken over). */
export function renewRunLease(
  db: WritableDb,
  runId: string,
  ownerId: string,
  options: { now: number; ttlMs: number },
): boolean {
  const result = preparedOnce(
    db,
    'UPDATE run_leases SET heartbeat_at = ?, expires_at = ? WHERE run_id = ? AND owner_id = ?',
  ).run(options.now, options.now + options.ttlMs, runId, ownerId);
  return result.changes === 1;
}

export function releaseRunLease(db: WritableDb, runId: string, ownerId: string): void {
  db.prepare('DELETE FROM run_leases WHERE run_id = ? AND owner_id = ?').run(runId, ownerId);
}

/** "pid 4242 on build-box, renewed 3 s ago; its lease runs until 10:42:07 UTC". */
export function describeLease(lease: RunLease, now: number): string {
  const ago = Math.max(0, Math.round((now - lease.heartbeatAt) / 1000));
  const until = new Date(lease.expiresAt)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return `process ${lease.pid} on ${lease.host} (last heartbeat ${ago} s ago); its lease expires at ${until} unless it renews it`;
}

// Moved beside the presence files, which check their pids the same way.
export { processAlive } from '../store/presence';

/**
 * Claims a queued generation for submission, in one write transaction with a renewal of this
 * owner's lease: a process that lost the run (it stalled past its lease and another one took
 * over) can never send a generation the new owner may also send. False when the lease is gone
 * or the generation is no longer queued.
 */
export function claimForSubmission(
  db: WritableDb,
  runId: string,
  generationId: string,
  ownerId: string,
  options: { now: number; ttlMs: number },
): boolean {
  return db
    .transaction(() => {
      if (!renewRunLease(db, runId, ownerId, options)) return false;
      const claimed = preparedOnce(
        db,
        "UPDATE generations SET state = 'submitting', submitted_at = ? WHERE id = ? AND state = 'queued' AND outcome IS NULL",
      ).run(options.now, generationId);
      return claimed.changes === 1;
    })
    .immediate();
}

/**
 * The other processes that hold a live run lease on this database ("process 4242 on build-7,
 * driving 2 benchmark runs"): the ones the console can name when the database stays busy
 * (a held write lock itself does not say whose it is). `self` is this process.
 */
export function otherLeaseHolders(
  db: ReadableDb,
  now: number,
  self: { pid: number; host: string },
  isProcessAlive: (pid: number) => boolean = processAlive,
): string[] {
  return liveLeaseRows(db, now, self, isProcessAlive).map(
    (row) =>
      `process ${row.pid} on ${row.host}, driving ${row.runs === 1 ? 'a benchmark run' : `${row.runs} benchmark runs`}`,
  );
}

/**
 * Who else is on the database `dbFile`, for a busy answer: every process announced there
 * (store/presence.ts: "`aideon bench import run.tar` (pid 4242, started 06:12 UTC)"), with the
 * benchmark runs it drives when it holds run leases, and lease holders that announced nothing
 * (a console from before presence files) as otherLeaseHolders words them. `db` may be absent
 * (the CLI's error path, once its connection is closed): then the leases are not read.
 */
export function databaseHolders(
  dbFile: string,
  db: ReadableDb | undefined,
  now: number,
  self: { pid: number; host: string },
  isProcessAlive: (pid: number) => boolean = processAlive,
): string[] {
  const present = otherPresences(dbFile, { self, isProcessAlive });
  let leases: { pid: number; host: string; runs: number }[] = [];
  try {
    if (db) leases = liveLeaseRows(db, now, self, isProcessAlive);
  } catch {
    // The leases only add detail; the presence files are the answer.
  }
  const driving = (runs: number): string =>
    runs === 1 ? 'a benchmark run' : `${runs} benchmark runs`;
  const lines = present.map((entry) => {
    const lease = leases.find((row) => row.pid === entry.pid && row.host === entry.host);
    const described = describePresence(entry, now, self.host);
    return lease ? `${described}, driving ${driving(lease.runs)}` : described;
  });
  for (const row of leases)
    if (!present.some((entry) => entry.pid === row.pid && entry.host === row.host))
      lines.push(`process ${row.pid} on ${row.host}, driving ${driving(row.runs)}`);
  return lines;
}

function liveLeaseRows(
  db: ReadableDb,
  now: number,
  self: { pid: number; host: string },
  isProcessAlive: (pid: number) => boolean,
): { pid: number; host: string; runs: number }[] {
  const rows = db
    .prepare(
      'SELECT pid, host, COUNT(*) AS runs FROM run_leases WHERE expires_at > ? GROUP BY pid, host',
    )
    .all(now) as { pid: number; host: string; runs: number }[];
  return rows
    .filter((row) => !(row.pid === self.pid && row.host === self.host))
    .filter((row) => row.host !== self.host || isProcessAlive(row.pid));
}
