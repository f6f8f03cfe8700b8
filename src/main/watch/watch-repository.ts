/**
 * SQLite repository for the watch: settings, check history and stability snapshots. Every
 * function takes the database handle first; writes take a WritableDb.
 */
import { ValidationError } from '../../shared/errors';
import { zodIssues } from '../../shared/validation';
import {
  defaultWatchSettings,
  watchSettingsSchema,
  type WatchEnv,
  type WatchSettings,
} from '../../shared/watch/watch-settings';
import {
  watchReportSchema,
  type StabilityReport,
  type WatchReport,
} from '../../shared/watch/watch-types';
import type { ReadableDb, WritableDb } from '../store/db';

export function loadWatchSettings(db: ReadableDb): WatchSettings {
  const row = db.prepare('SELECT settings FROM watch_settings ORDER BY id DESC LIMIT 1').get() as
    { settings: string } | undefined;
  if (!row) return defaultWatchSettings();
  const parsed = watchSettingsSchema.safeParse(JSON.parse(row.settings));
  // A row written by this console always parses; if not, say which field is wrong.
  if (!parsed.success) throw new ValidationError('stored watch settings', zodIssues(parsed.error));
  return parsed.data;
}

export function saveWatchSettings(db: WritableDb, input: unknown, now: number): WatchSettings {
  const parsed = watchSettingsSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('watch settings', zodIssues(parsed.error));
  db.prepare('INSERT INTO watch_settings (settings, saved_at) VALUES (?, ?)').run(
    JSON.stringify(parsed.data),
    now,
  );
  return parsed.data;
}

export function recordCheck(db: WritableDb, report: WatchReport): void {
  db.prepare(
    'INSERT INTO watch_checks (env, checked_at, status, step_version, report) VALUES (?, ?, ?, ?, ?)',
  ).run(
    report.env,
    report.checkedAt,
    report.status,
    report.step?.version ?? null,
    JSON.stringify(report),
  );
}

/**
 * recordCheck for a record that may be in already (one kept through a kill and written again
 * at the next start): the same environment, time and report are not added twice.
 */
export function recordCheckOnce(db: WritableDb, report: WatchReport): void {
  const text = JSON.stringify(report);
  db.prepare(
    'INSERT INTO watch_checks (env, checked_at, status, step_version, report) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM watch_checks WHERE env = ? AND checked_at = ? AND report = ?)',
  ).run(
    report.env,
    report.checkedAt,
    report.status,
    report.step?.version ?? null,
    text,
    report.env,
    report.checkedAt,
    text,
  );
}

export function listChecks(db: ReadableDb, env: WatchEnv, limit = 50): WatchReport[] {
  const rows = db
    .prepare(
      'SELECT report FROM watch_checks WHERE env = ? ORDER BY checked_at DESC, id DESC LIMIT ?',
    )
    .all(env, limit) as { report: string }[];
  return rows.map((row) => watchReportSchema.parse(JSON.parse(row.report)));
}

export function recordStability(db: WritableDb, report: StabilityReport): void {
  db.prepare(
    'INSERT INTO watch_stability (tier, computed_at, day_count, stable, reset_day, reset_reason) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    report.tier,
    report.computedAt,
    report.count,
    report.stable ? 1 : 0,
    report.resetBy?.day ?? null,
    report.resetBy ? report.resetBy.failures.map((failure) => failure.message).join(' ') : null,
  );
}

export function stabilityHistory(
  db: ReadableDb,
  tier: string,
  limit = 100,
): {
  computedAt: number;
  count: number;
  stable: boolean;
  resetDay: string | null;
  resetReason: string | null;
}[] {
  const rows = db
    .prepare(
      'SELECT computed_at, day_count, stable, reset_day, reset_reason FROM watch_stability WHERE tier = ? ORDER BY computed_at DESC, id DESC LIMIT ?',
    )
    .all(tier, limit) as {
    computed_at: number;
    day_count: number;
    stable: number;
    reset_day: string | null;
    reset_reason: string | null;
  }[];
  return rows.map((row) => ({
    computedAt: row.computed_at,
    count: row.day_count,
    stable: row.stable === 1,
    resetDay: row.reset_day,
    resetReason: row.reset_reason,
  }));
}
