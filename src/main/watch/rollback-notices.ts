/**
 * Which failed automatic rollbacks the admin was already told about. The console's watch and
 * the controller retry a failed rollback at every check interval (also after a restart) for as
 * long as the breaching step stays live; each retry that fails again must not notify again.
 * One notice per (environment, rollout step, failure reason): a retry that fails the same way
 * is recorded as repeated; another reason, or a new step, is told again.
 *
 * The console keeps them in SQLite (`rollback_notices`, migration 0257) so a restart does not
 * tell again; the controller in its own database, under its own scope. A database that cannot
 * take the row at once (locked by another process) falls back to memory: the admin may be
 * told once more, never less.
 */
import type { RolloutStep } from '../../shared/watch/watch-types';
import { withoutBusyWait } from '../store/busy-retry';
import type { WritableDb } from '../store/db';

export interface RollbackNotices {
  /**
   * Records that the rollback of `step` in `env` failed with `reason`: true the first time
   * (notify the admin), false when the admin was told about this step and reason before.
   * Never throws.
   */
  first(env: string, step: RolloutStep, reason: string): boolean;
}

/**
 * The step's identity: a pause keeps it (the paused step is the same step, watched for its
 * rollback); the next step, or a resume (its bake starts again), makes a new one.
 */
export function rollbackStepKey(step: RolloutStep): string {
  return `v${step.version}\u0000${step.flag ?? ''}\u0000${step.percent ?? ''}\u0000${step.startedAt}`;
}

/** The failure reason as compared: the error's message, without a final full stop. */
export function rollbackReasonKey(message: string): string {
  return message.trim().replace(/\s+/g, ' ').replace(/\.$/, '');
}

/** In memory only (tests, a controller without a database, the fallback of the one below). */
export function memoryRollbackNotices(): RollbackNotices {
  const byEnv = new Map<string, { step: string; reasons: Set<string> }>();
  return {
    first(env, step, reason) {
      const stepKey = rollbackStepKey(step);
      let told = byEnv.get(env);
      if (told?.step !== stepKey) {
        told = { step: stepKey, reasons: new Set() };
        byEnv.set(env, told);
      }
      const key = rollbackReasonKey(reason);
      if (told.reasons.has(key)) return false;
      told.reasons.add(key);
      return true;
    },
  };
}

/** In SQLite under `scope` ('console', `controller:<id>`), so a restart remembers. */
export function sqliteRollbackNotices(
  db: WritableDb,
  scope: string,
  now: () => number,
  log?: (line: string) => void,
): RollbackNotices {
  const fallback = memoryRollbackNotices();
  return {
    first(env, step, reason) {
      const stepKey = rollbackStepKey(step);
      const key = rollbackReasonKey(reason);
      try {
        return withoutBusyWait(db, () =>
          db.transaction(() => {
            // Only the current step's notices are kept: an earlier step is over.
            db.prepare(
              'DELETE FROM rollback_notices WHERE scope = ? AND env = ? AND step_key <> ?',
            ).run(scope, env, stepKey);
            const inserted = db
              .prepare(
                'INSERT OR IGNORE INTO rollback_notices (scope, env, step_key, reason, notified_at) VALUES (?, ?, ?, ?, ?)',
              )
              .run(scope, env, stepKey, key, now());
            return inserted.changes === 1;
          })(),
        );
      } catch (error) {
        log?.(
          `watch: the rollback notice could not be recorded (${error instanceof Error ? error.message : String(error)}); kept in memory`,
        );
        return fallback.first(env, step, reason);
      }
    },
  };
}
