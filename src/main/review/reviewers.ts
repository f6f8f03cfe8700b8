/**
 * Reviewers of a team review server (`aideon serve`): one token per person.
 *
 * A token is 32 random bytes (base64url). Only its SHA-256 is stored (table `reviewers`,
 * migration 0100): with 256 random bits a slow password hash adds nothing, and a copy of the
 * database does not give anyone a working token. Revoking keeps the row (names stay unique and
 * past votes keep their author); `add` for a revoked name issues a fresh token.
 * The server looks the token up on every request, so a revoke from the CLI takes effect at
 * once on a running server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError, ValidationError } from '../../shared/errors';
import type { ReadableDb, WritableDb } from '../store/db';

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._@'-]{0,63}$/u;

export interface ReviewerRecord {
  name: string;
  createdAt: number;
  revokedAt: number | null;
  votes: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function checkReviewerName(name: string): string {
  const trimmed = name.trim();
  if (!NAME.test(trimmed)) {
    throw new ValidationError('reviewer name', [
      {
        path: 'name',
        message: `"${name}" is not a usable name: 1–64 letters, digits, spaces or . _ @ ' -, starting with a letter or digit`,
      },
    ]);
  }
  return trimmed;
}

/** Adds a reviewer (or re-admits a revoked one) and returns their new token, shown once. */
export function addReviewer(
  db: WritableDb,
  name: string,
  now: number,
): { name: string; token: string } {
  const clean = checkReviewerName(name);
  const existing = db.prepare('SELECT revoked_at FROM reviewers WHERE name = ?').get(clean) as
    { revoked_at: number | null } | undefined;
  if (existing && existing.revoked_at === null) {
    throw new AppError(
      'conflict',
      `There is already a reviewer "${clean}". Revoke them first (aideon reviewers revoke "${clean}") to issue a new invite.`,
    );
  }
  const token = randomBytes(32).toString('base64url');
  db.prepare(
    `INSERT INTO reviewers (name, token_hash, created_at, revoked_at) VALUES (?, ?, ?, NULL)
     ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash,
       created_at = excluded.created_at, revoked_at = NULL`,
  ).run(clean, hashToken(token), now);
  return { name: clean, token };
}

export function revokeReviewer(db: WritableDb, name: string, now: number): void {
  const changed = db
    .prepare('UPDATE reviewers SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
    .run(now, name.trim()).changes;
  if (changed === 0) {
    const known = listReviewers(db)
      .filter((reviewer) => reviewer.revokedAt === null)
      .map((reviewer) => reviewer.name);
    throw new AppError(
      'not_found',
      `No active reviewer "${name}". ${known.length ? `Active reviewers: ${known.join(', ')}.` : 'There are no active reviewers.'}`,
    );
  }
}

export function listReviewers(db: ReadableDb): ReviewerRecord[] {
  return (
    db
      .prepare(
        `SELECT r.name, r.created_at, r.revoked_at,
           (SELECT COUNT(*) FROM votes v WHERE v.voter = r.name AND v.voter_via = 'reviewer') AS votes
         FROM reviewers r ORDER BY r.name`,
      )
      .all() as { name: string; created_at: number; revoked_at: number | null; votes: number }[]
  ).map((row) => ({
    name: row.name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    votes: row.votes,
  }));
}

/** The active reviewer a token belongs to, or null. */
export function reviewerForToken(db: ReadableDb, token: string): string | null {
  if (token.length < 32 || token.length > 128) return null;
  const row = db
    .prepare('SELECT name FROM reviewers WHERE token_hash = ? AND revoked_at IS NULL')
    .get(hashToken(token)) as { name: string } | undefined;
  return row?.name ?? null;
}

/** Where reviewers reach the server: remembered by `aideon serve` for invite URLs. */
export function recordServerUrl(db: WritableDb, baseUrl: string, now: number): void {
  db.prepare(
    `INSERT INTO review_server (id, base_url, started_at) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET base_url = excluded.base_url, started_at = excluded.started_at`,
  ).run(baseUrl, now);
}

export function serverUrl(db: ReadableDb): string | null {
  const row = db.prepare('SELECT base_url FROM review_server WHERE id = 1').get() as
    { base_url: string } | undefined;
  return row?.base_url ?? null;
}

/** The invite URL: the server's base URL with the token in the fragment (never sent in logs). */
export function inviteUrl(baseUrl: string, token: string): string {
  const base = baseUrl.replace(/\/+$/, '').replace(/#.*$/, '');
  return `${base}/#token=${token}`;
}
