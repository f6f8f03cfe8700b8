/**
 * Run bundles: one finished run, moved between consoles.
 *
 * Format: a POSIX ustar archive (readable with `tar -tvf`), no compression (videos do not
 * compress). Entries, in this order:
 *   aideon-bundle.json   the manifest (below), always first
 *   media/<sha256>       each video once, named by the SHA-256 of its bytes; generations that
 *                        share a video share the entry (content-addressed)
 * Manifest: { format: "aideon-run-bundle", version: 1, exportedAt, suite, run, generations,
 *   media: [{ id, contentType, bytes }], scorecard, votes }. `suite`, `run`, `generations` and
 *   `votes` are the database rows (column → value); the vendor output URLs (`outputs`) are left
 *   out. The scorecard is there for readers outside the console; an import recomputes it from the
 *   rows. `votes` (absent in bundles from before votes travelled) are the blind votes on two
 *   generations of this run, with who cast them (voter, voter_via) and their pool; a vote that
 *   compares this run with another run stays behind (its other video is not in the bundle).
 *
 * Only a run that has ended (finished or cancelled, every generation in an end state) is
 * bundled, so an importing console never has anything to resume or submit (no second payment).
 *
 * Import is all or nothing: every entry is read and every video's SHA-256 and size checked
 * against its name and the manifest (into temporary files) before anything is stored; any
 * problem refuses the whole bundle, naming each, and removes the temporary files. Then the
 * videos are moved into the media store (content-addressed: a file already there is kept) and
 * the rows are inserted in one transaction. A run already present is left as it is, so
 * importing twice is a no-op. Votes are merged every time, without duplicates: a vote already
 * here (same id, or same voter, generations and time) is skipped, so a colleague's later export
 * of the same run brings only their new votes. A suite version that exists here with another definition is
 * stored under a new id (`<id>-imported-<hash>`), so the run keeps its own prompts.
 *
 * No tar package is a dependency of this project, so this module writes and reads the small
 * subset of ustar it needs (regular files, names under 100 bytes).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppError, ValidationError, type ValidationIssue } from '../../shared/errors';
import type { EventBus } from '../events';
import type { MediaStore } from '../media/media-store';
import type { ReadableDb, WritableDb } from '../store/db';
import { voteSchema } from '../../shared/review/review-schemas';
import { getGenerationsForVotes, pairPool } from '../review/review-repository';
import { getRunSummary } from './bench-repository';
import { runScorecard } from './scorecard-service';

export const BUNDLE_FORMAT = 'aideon-run-bundle';
export const BUNDLE_VERSION = 1;
const MANIFEST_NAME = 'aideon-bundle.json';
const MEDIA_ENTRY = /^media\/([a-f0-9]{64})$/;
const BLOCK = 512;
const CHUNK = 1024 * 1024;
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
const END_STATES = new Set(['succeeded', 'failed', 'cancelled']);
/** Columns never written to a bundle. */
const LEFT_OUT = new Set(['outputs']);

const cell = z.union([z.string(), z.number(), z.null()]);
const row = z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), cell);

export const bundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  exportedAt: z.number().int(),
  suite: row,
  run: row,
  generations: z.array(row).max(100_000),
  media: z
    .array(
      z.object({
        id: z.string().regex(/^[a-f0-9]{64}$/),
        contentType: z.string().min(1).max(200),
        bytes: z.number().int().positive(),
      }),
    )
    .max(100_000),
  scorecard: z.unknown(),
  votes: z.array(row).max(1_000_000).optional(),
});
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

export interface ExportBundleResult {
  runId: string;
  generations: number;
  /** Distinct videos written (shared files once). */
  mediaFiles: number;
  bytes: number;
  /** Votes on two generations of the run (with their voters). */
  votes: number;
}

export interface ImportBundleResult {
  runId: string;
  /** False when the run was already here: nothing was changed. */
  imported: boolean;
  generations: number;
  /** Videos whose hash was checked (all of them). */
  mediaVerified: number;
  /** Videos that were new to this console's media store. */
  mediaAdded: number;
  /** Set when the suite was stored under a new id (same id and version, other prompts here). */
  suiteRenamedTo?: string;
  /** Votes in the bundle. */
  votes: number;
  /** Of those, votes new here (the rest were already stored). */
  votesAdded: number;
}

// ---------------------------------------------------------------------------------------------
// ustar

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function tarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  if (Buffer.byteLength(name) > 99) throw new Error(`tar entry name too long: ${name}`);
  const header = Buffer.alloc(BLOCK, 0);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o644, 8), 100, 8, 'ascii');
  header.write(octal(0, 8), 108, 8, 'ascii');
  header.write(octal(0, 8), 116, 8, 'ascii');
  header.write(octal(size, 12), 124, 12, 'ascii');
  header.write(octal(mtimeSeconds, 12), 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii'); // checksum placeholder
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

interface TarEntry {
  name: string;
  size: number;
  /** Byte offset of the data in the file. */
  offset: number;
}

/** Reads the next header at `position`; null at the end marker. Throws on a damaged header. */
function readHeader(fd: number, position: number, fileSize: number): TarEntry | null {
  const header = Buffer.alloc(BLOCK);
  const read = readSync(fd, header, 0, BLOCK, position);
  if (read === 0) return null;
  if (read < BLOCK) throw new Error(`the archive ends inside a header at byte ${position}`);
  if (header.every((byte) => byte === 0)) return null;
  const stored = parseInt(header.toString('ascii', 148, 156).replace(/\0.*$/s, '').trim(), 8);
  let sum = 0;
  for (let k = 0; k < BLOCK; k += 1) sum += k >= 148 && k < 156 ? 32 : header[k]!;
  if (stored !== sum) throw new Error(`damaged tar header at byte ${position} (checksum)`);
  const type = header.toString('ascii', 156, 157);
  const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
  const prefix = header.toString('utf8', 345, 500).replace(/\0.*$/s, '');
  const size = parseInt(header.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isFinite(size) || size < 0) throw new Error(`bad entry size at byte ${position}`);
  if (type !== '0' && type !== '\0') throw new Error(`"${name}" is not a regular file`);
  if (position + BLOCK + size > fileSize) throw new Error(`"${name}" is cut short`);
  return { name: prefix ? `${prefix}/${name}` : name, size, offset: position + BLOCK };
}

// ---------------------------------------------------------------------------------------------
// export

function tableRows(db: ReadableDb, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  return db.prepare(sql).all(...params) as Record<string, unknown>[];
}

function withoutLeftOut(record: Record<string, unknown>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(record)) {
    if (LEFT_OUT.has(key)) continue;
    out[key] = value as string | number | null;
  }
  return out;
}

/** How far an export has copied the run's videos into the bundle (k of N, after each one). */
export type ExportProgress = (written: number, total: number) => void;

export interface ExportBundleOptions {
  /** Told after the manifest (0 of N) and after each video copied. */
  onProgress?: ExportProgress;
  /** Stops the export between two chunks (Ctrl-C): the temporary file is removed. */
  signal?: AbortSignal;
}

/**
 * Writes the run's bundle to `file`. The rows are read at once (one consistent picture of the
 * run); the videos are then copied in CHUNK steps with asynchronous file I/O, so a large run
 * never holds the event loop (a console's windows, a CLI's Ctrl-C and progress go on). The
 * bundle is written under a temporary name beside `file`, flushed to disk, and only then
 * renamed to `file`: a bundle at `file` is always complete. On any failure (a video that went
 * missing, a full disk, an interruption) the temporary file is removed and the error says that
 * nothing was written to `file`.
 */
export async function exportRunBundle(
  db: ReadableDb,
  media: MediaStore,
  runId: string,
  file: string,
  now: number,
  options: ExportBundleOptions = {},
): Promise<ExportBundleResult> {
  const { manifest, generations, votes } = bundleContents(db, media, runId, now);
  const mediaRows = manifest.media;
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const { signal, onProgress } = options;
  let bytes = 0;
  let out: FileHandle | undefined;
  try {
    await mkdir(dirname(file), { recursive: true });
    out = await open(temp, 'wx');
    const target = out;
    const write = async (buffer: Buffer): Promise<void> => {
      let offset = 0;
      while (offset < buffer.length) {
        const { bytesWritten } = await target.write(buffer, offset, buffer.length - offset);
        offset += bytesWritten;
      }
      bytes += buffer.length;
    };
    const mtime = Math.floor(now / 1000);
    await write(tarHeader(MANIFEST_NAME, manifestBytes.length, mtime));
    await write(manifestBytes);
    await write(padding(manifestBytes.length));
    onProgress?.(0, mediaRows.length);
    const chunk = Buffer.alloc(CHUNK);
    let written = 0;
    for (const entry of mediaRows) {
      await write(tarHeader(`media/${entry.id}`, entry.bytes, mtime));
      const input = await open(media.pathOf(entry.id), 'r');
      try {
        let position = 0;
        while (position < entry.bytes) {
          if (signal?.aborted) throw signal.reason ?? new Error('aborted');
          const { bytesRead } = await input.read(
            chunk,
            0,
            Math.min(CHUNK, entry.bytes - position),
            position,
          );
          if (bytesRead === 0)
            throw new Error(`the video ${entry.id} shrank while it was being read`);
          await write(chunk.subarray(0, bytesRead));
          position += bytesRead;
        }
      } finally {
        await input.close();
      }
      await write(padding(entry.bytes));
      written += 1;
      onProgress?.(written, mediaRows.length);
    }
    await write(Buffer.alloc(BLOCK * 2, 0));
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    // On disk before it gets its name: after a crash, `file` is whole or absent.
    await out.datasync();
    await out.close();
    out = undefined;
    await rename(temp, file);
  } catch (error) {
    await out?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      signal?.aborted ? 'cancelled' : 'storage_failed',
      `The bundle was not written (${reason}); nothing was left at ${file}.`,
      { cause: error },
    );
  }
  return {
    runId,
    generations: generations.length,
    mediaFiles: mediaRows.length,
    bytes,
    votes: votes.length,
  };
}

/** The run's rows and manifest, read in one go; refuses a run that has not ended. */
function bundleContents(
  db: ReadableDb,
  media: MediaStore,
  runId: string,
  now: number,
): { manifest: BundleManifest; generations: unknown[]; votes: unknown[] } {
  const summary = getRunSummary(db, runId);
  if (!summary) throw new AppError('not_found', `There is no run "${runId}".`);
  const run = tableRows(db, 'SELECT * FROM runs WHERE id = ?', runId)[0]!;
  const generations = tableRows(
    db,
    'SELECT * FROM generations WHERE run_id = ? ORDER BY rowid',
    runId,
  );
  if (
    (run.state !== 'finished' && run.state !== 'cancelled') ||
    generations.some((generation) => !END_STATES.has(String(generation.state)))
  ) {
    throw new AppError(
      'conflict',
      `Run "${runId}" has not ended (${String(run.state)}). Let it finish or cancel it, then export it: a bundle never carries work still to do.`,
    );
  }
  const suite = tableRows(
    db,
    'SELECT * FROM suites WHERE id = ? AND version = ?',
    run.suite_id,
    run.suite_version,
  )[0]!;
  const votes = tableRows(
    db,
    `SELECT v.* FROM votes v
     WHERE v.generation_a IN (SELECT id FROM generations WHERE run_id = ?)
       AND v.generation_b IN (SELECT id FROM generations WHERE run_id = ?)
     ORDER BY v.voted_at, v.rowid`,
    runId,
    runId,
  );
  const mediaIds = [
    ...new Set(generations.map((generation) => generation.media_id).filter(Boolean)),
  ] as string[];
  const mediaRows = mediaIds.map((id) => {
    const stored = tableRows(db, 'SELECT * FROM media WHERE id = ?', id)[0];
    if (!stored || !media.has(id)) {
      throw new AppError(
        'not_found',
        `The video ${id} of run "${runId}" is missing from the media store.`,
      );
    }
    return { id, contentType: String(stored.content_type), bytes: media.size(id) };
  });
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: now,
    suite: withoutLeftOut(suite),
    run: withoutLeftOut(run),
    generations: generations.map(withoutLeftOut),
    media: mediaRows,
    scorecard: runScorecard(db, runId),
    votes: votes.map(withoutLeftOut),
  };
  return { manifest, generations, votes };
}

// ---------------------------------------------------------------------------------------------
// import

function columnsOf(db: ReadableDb, table: string): Set<string> {
  return new Set(
    (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name),
  );
}

function insertRow(
  db: WritableDb,
  table: string,
  record: Record<string, string | number | null>,
  verb = 'INSERT',
): number {
  const keys = Object.keys(record);
  return db
    .prepare(
      `${verb} INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
    )
    .run(...keys.map((key) => record[key])).changes;
}

/** How far an import has checked the bundle's videos (each one's SHA-256 and size). */
export type ImportProgress = (checked: number, total: number) => void;

/** Reads, verifies and stores a bundle; all or nothing. */
export function importRunBundle(
  db: WritableDb,
  media: MediaStore,
  file: string,
  onProgress?: ImportProgress,
): ImportBundleResult {
  const steps = importSteps(db, media, file, onProgress);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * importRunBundle that lets the event loop turn after each video it checks (and each megabyte
 * of one: a long video is not read and hashed in one go), so its progress
 * reaches the console (an Electron IPC message, a server-sent event: a chunked response is only
 * written out on the next tick) and other requests are answered meanwhile. The rows are still
 * written in one synchronous transaction after the last video, so nothing interleaves with it.
 */
export async function importRunBundleInSteps(
  db: WritableDb,
  media: MediaStore,
  file: string,
  onProgress?: ImportProgress,
  signal?: AbortSignal,
): Promise<ImportBundleResult> {
  const steps = importSteps(db, media, file, onProgress);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) {
      // Stopped between two steps, so before the rows' transaction: ending the steps runs
      // their clean-up (the bundle closed, the videos copied so far removed); nothing went in.
      steps.return(undefined as never);
      throw new AppError(
        'cancelled',
        `The import of ${file} was stopped (${signal.reason instanceof Error ? signal.reason.message : 'cancelled'}); nothing was imported.`,
      );
    }
  }
}

/**
 * The import the console's windows start (desktop file dialog, browser upload): in steps, its
 * progress sent on the bus as `bench:import-progress` for `importId`, the window's name for it
 * (none: no events, e.g. from an older window).
 */
export function importRunBundleForWindow(
  services: { db: WritableDb; media: MediaStore; bus: EventBus },
  file: string,
  importId: string | undefined,
): Promise<ImportBundleResult> {
  return importRunBundleInSteps(
    services.db,
    services.media,
    file,
    importId === undefined
      ? undefined
      : (checked, total) =>
          services.bus.emit('bench:import-progress', { importId, checked, total }),
  );
}

/**
 * The import, pausing (yield) after the manifest, after each chunk (CHUNK) of a video read,
 * hashed and copied, and after each video checked.
 */
function* importSteps(
  db: WritableDb,
  media: MediaStore,
  file: string,
  onProgress: ImportProgress | undefined,
): Generator<void, ImportBundleResult> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new AppError('not_found', `Cannot read the bundle ${file}.`, { cause: error });
  }
  const temps: string[] = [];
  const verified = new Map<string, string>(); // media id → temp file
  const issues: ValidationIssue[] = [];
  let manifest: BundleManifest | undefined;
  /** Videos read and hashed so far (whatever the outcome: the rest is still checked). */
  let checked = 0;
  try {
    const fileSize = fstatSync(fd).size;
    let position = 0;
    let first = true;
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      let entry: TarEntry | null;
      try {
        entry = readHeader(fd, position, fileSize);
      } catch (error) {
        issues.push({ path: 'archive', message: (error as Error).message });
        break;
      }
      if (!entry) break;
      position = entry.offset + entry.size + padding(entry.size).length;
      if (first) {
        first = false;
        if (entry.name !== MANIFEST_NAME) {
          issues.push({
            path: entry.name,
            message: `the first entry must be ${MANIFEST_NAME}; this is not an Aideon run bundle`,
          });
          break;
        }
        if (entry.size > MAX_MANIFEST_BYTES) {
          issues.push({ path: MANIFEST_NAME, message: 'is too large' });
          break;
        }
        const text = Buffer.alloc(entry.size);
        readSync(fd, text, 0, entry.size, entry.offset);
        let raw: unknown;
        try {
          raw = JSON.parse(text.toString('utf8'));
        } catch {
          issues.push({ path: MANIFEST_NAME, message: 'is not valid JSON' });
          break;
        }
        const parsed = bundleManifestSchema.safeParse(raw);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            issues.push({
              path: `${MANIFEST_NAME}.${issue.path.join('.')}`,
              message: issue.message,
            });
          }
          break;
        }
        manifest = parsed.data;
        onProgress?.(0, manifest.media.length);
        yield;
        continue;
      }
      const match = MEDIA_ENTRY.exec(entry.name);
      const declared = match ? manifest!.media.find((item) => item.id === match[1]) : undefined;
      if (!match || !declared) {
        issues.push({ path: entry.name, message: 'is not a video named in the manifest' });
        continue;
      }
      if (verified.has(declared.id)) {
        issues.push({ path: entry.name, message: 'appears twice' });
        continue;
      }
      // Into a temporary file, hashing on the way; moved into the store only if all is well.
      const temp = join(media.root, 'tmp', `import-${randomBytes(8).toString('hex')}.part`);
      temps.push(temp);
      const out = openSync(temp, 'w');
      const digest = createHash('sha256');
      try {
        let done = 0;
        while (done < entry.size) {
          const read = readSync(
            fd,
            chunk,
            0,
            Math.min(CHUNK, entry.size - done),
            entry.offset + done,
          );
          if (read === 0) break;
          digest.update(chunk.subarray(0, read));
          writeSync(out, chunk, 0, read);
          done += read;
          // A pause after each chunk too, not only after each video: a 1 GB video read, hashed
          // and copied in one go held the thread for seconds (no IPC, no events meanwhile).
          if (done < entry.size) yield;
        }
      } finally {
        closeSync(out);
      }
      const actual = digest.digest('hex');
      if (actual !== declared.id) {
        issues.push({
          path: entry.name,
          message: `its SHA-256 is ${actual}: the video was changed after export`,
        });
      } else if (entry.size !== declared.bytes) {
        issues.push({
          path: entry.name,
          message: `has ${entry.size} bytes; the manifest says ${declared.bytes}`,
        });
      } else verified.set(declared.id, temp);
      checked += 1;
      onProgress?.(checked, manifest!.media.length);
      yield;
    }
    if (!manifest && issues.length === 0) {
      issues.push({ path: 'archive', message: 'is empty: this is not an Aideon run bundle' });
    }
    if (manifest) checkManifest(manifest, verified, issues);
    if (issues.length > 0 || !manifest) throw new ValidationError('run bundle', issues);

    const runId = String(manifest.run.id);
    const mediaIds = manifest.media.map((item) => item.id);
    // Videos first (content-addressed, so an extra file is harmless), then the rows.
    let mediaAdded = 0;
    for (const id of mediaIds) {
      const temp = verified.get(id)!;
      const final = media.pathOf(id);
      if (existsSync(final)) continue;
      mkdirSync(dirname(final), { recursive: true });
      renameSync(temp, final);
      mediaAdded += 1;
    }
    const bundleVotes = manifest.votes ?? [];
    if (getRunSummary(db, runId)) {
      const votesAdded = db.transaction(() => mergeVotes(db, bundleVotes))();
      return {
        runId,
        imported: false,
        generations: manifest.generations.length,
        mediaVerified: mediaIds.length,
        mediaAdded,
        votes: bundleVotes.length,
        votesAdded,
      };
    }
    let suiteRenamedTo: string | undefined;
    let votesAdded = 0;
    const now = Date.now();
    db.transaction(() => {
      const suiteColumns = columnsOf(db, 'suites');
      const runColumns = columnsOf(db, 'runs');
      const generationColumns = columnsOf(db, 'generations');
      const pick = (
        record: Record<string, string | number | null>,
        columns: Set<string>,
        what: string,
      ): Record<string, string | number | null> => {
        const unknown = Object.keys(record).filter((key) => !columns.has(key));
        if (unknown.length > 0) {
          throw new ValidationError('run bundle', [
            {
              path: what,
              message: `has columns this console does not know (${unknown.join(', ')}); update the console`,
            },
          ]);
        }
        return record;
      };
      const suite = { ...pick(manifest!.suite, suiteColumns, 'suite') };
      const existing = db
        .prepare('SELECT definition FROM suites WHERE id = ? AND version = ?')
        .get(suite.id, suite.version) as { definition: string } | undefined;
      if (existing && existing.definition !== suite.definition) {
        const hash = createHash('sha256')
          .update(String(suite.definition))
          .digest('hex')
          .slice(0, 8);
        suiteRenamedTo = `${String(suite.id)}-imported-${hash}`;
        suite.id = suiteRenamedTo;
        suite.built_in = 0;
      }
      insertRow(db, 'suites', suite, 'INSERT OR IGNORE');
      const run = { ...pick(manifest!.run, runColumns, 'run') };
      if (suiteRenamedTo) run.suite_id = suiteRenamedTo;
      insertRow(db, 'runs', run);
      for (const item of manifest!.media) {
        db.prepare(
          'INSERT OR IGNORE INTO media (id, content_type, bytes, created_at) VALUES (?, ?, ?, ?)',
        ).run(item.id, item.contentType, item.bytes, now);
      }
      manifest!.generations.forEach((generation, index) => {
        const clash = db
          .prepare('SELECT run_id FROM generations WHERE id = ?')
          .get(generation.id) as { run_id: string } | undefined;
        if (clash) {
          throw new ValidationError('run bundle', [
            {
              path: `generations.${index}.id`,
              message: `generation "${String(generation.id)}" already belongs to run "${clash.run_id}" here`,
            },
          ]);
        }
        insertRow(db, 'generations', pick(generation, generationColumns, `generations.${index}`));
      });
      votesAdded = mergeVotes(db, bundleVotes);
    })();
    return {
      runId,
      imported: true,
      generations: manifest.generations.length,
      mediaVerified: mediaIds.length,
      mediaAdded,
      ...(suiteRenamedTo ? { suiteRenamedTo } : {}),
      votes: bundleVotes.length,
      votesAdded,
    };
  } finally {
    closeSync(fd);
    for (const temp of temps) rmSync(temp, { force: true });
  }
}

function checkManifest(
  manifest: BundleManifest,
  verified: Map<string, string>,
  issues: ValidationIssue[],
): void {
  const runId = manifest.run.id;
  if (typeof runId !== 'string' || runId === '') {
    issues.push({ path: 'run.id', message: 'is missing' });
  }
  if (manifest.run.state !== 'finished' && manifest.run.state !== 'cancelled') {
    issues.push({
      path: 'run.state',
      message: `is "${String(manifest.run.state)}": only ended runs are imported`,
    });
  }
  if (
    manifest.suite.id !== manifest.run.suite_id ||
    manifest.suite.version !== manifest.run.suite_version
  ) {
    issues.push({ path: 'suite', message: "is not the run's suite version" });
  }
  const declared = new Set(manifest.media.map((item) => item.id));
  if (declared.size !== manifest.media.length) {
    issues.push({ path: 'media', message: 'names a video twice' });
  }
  const ids = new Set<unknown>();
  manifest.generations.forEach((generation, index) => {
    if (generation.run_id !== runId) {
      issues.push({ path: `generations.${index}.run_id`, message: 'is not the run of the bundle' });
    }
    if (ids.has(generation.id))
      issues.push({ path: `generations.${index}.id`, message: 'appears twice' });
    ids.add(generation.id);
    if (!END_STATES.has(String(generation.state))) {
      issues.push({
        path: `generations.${index}.state`,
        message: `is "${String(generation.state)}": only ended generations are imported`,
      });
    }
    const mediaId = generation.media_id;
    if (mediaId !== null && mediaId !== undefined && !declared.has(String(mediaId))) {
      issues.push({
        path: `generations.${index}.media_id`,
        message: 'names a video that is not in the bundle',
      });
    }
  });
  const models = new Map<unknown, string>(
    manifest.generations.map((generation) => [
      generation.id,
      `${String(generation.provider)}:${String(generation.model_id)}`,
    ]),
  );
  (manifest.votes ?? []).forEach((vote, index) => {
    const at = `votes.${index}`;
    const parsed = voteSchema.safeParse(voteOfRow(vote));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({ path: `${at}.${issue.path.join('.')}`, message: issue.message });
      }
    }
    for (const [generation, model] of [
      ['generation_a', 'model_a'],
      ['generation_b', 'model_b'],
    ] as const) {
      const known = models.get(vote[generation]);
      if (known === undefined) {
        issues.push({ path: `${at}.${generation}`, message: 'is not a generation of the run' });
      } else if (known !== vote[model]) {
        issues.push({
          path: `${at}.${model}`,
          message: `is "${String(vote[model])}" but ${generation} was made by ${known}`,
        });
      }
    }
  });
  for (const item of manifest.media) {
    if (!verified.has(item.id) && !issues.some((issue) => issue.path === `media/${item.id}`)) {
      issues.push({
        path: `media/${item.id}`,
        message: 'is named in the manifest but missing from the archive',
      });
    }
  }
}

/** A vote row of a bundle as the Vote the schema checks (bad types are left for it to name). */
function voteOfRow(vote: Record<string, string | number | null>): Record<string, unknown> {
  return {
    id: vote.id,
    generationA: vote.generation_a,
    generationB: vote.generation_b,
    modelA: vote.model_a,
    modelB: vote.model_b,
    promptId: vote.prompt_id,
    category: vote.category,
    verdict: vote.verdict,
    voter: vote.voter,
    votedAt: vote.voted_at,
    ...(vote.comment === null || vote.comment === undefined ? {} : { comment: vote.comment }),
    ...(vote.voter_via === undefined ? {} : { voterVia: vote.voter_via }),
    ...(vote.pool === undefined ? {} : { pool: vote.pool }),
  };
}

/**
 * Inserts the bundle's votes that are not here yet (same id, or same voter, generations and
 * time: skipped); returns how many were added. Runs inside the import's transaction. A vote
 * from a console without pools gets its pool from its generations here.
 */
function mergeVotes(
  db: WritableDb,
  votes: readonly Record<string, string | number | null>[],
): number {
  if (votes.length === 0) return 0;
  const columns = columnsOf(db, 'votes');
  let added = 0;
  votes.forEach((vote, index) => {
    const unknown = Object.keys(vote).filter((key) => !columns.has(key));
    if (unknown.length > 0) {
      throw new ValidationError('run bundle', [
        {
          path: `votes.${index}`,
          message: `has columns this console does not know (${unknown.join(', ')}); update the console`,
        },
      ]);
    }
    const record = { ...vote };
    if (record.pool === undefined) {
      const generations = getGenerationsForVotes(db, [
        String(record.generation_a),
        String(record.generation_b),
      ]);
      record.pool = pairPool(
        generations.get(String(record.generation_a))?.pool,
        generations.get(String(record.generation_b))?.pool,
      );
    }
    const keys = Object.keys(record);
    added += db
      .prepare(
        `INSERT INTO votes (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
      )
      .run(...keys.map((key) => record[key])).changes;
  });
  return added;
}

export function formatBundleImport(result: ImportBundleResult): string {
  const videos = `${result.mediaVerified} videos verified (${result.mediaAdded} new)`;
  const renamed = result.suiteRenamedTo
    ? ` Its suite differs from the one with the same id here, so it was stored as "${result.suiteRenamedTo}".`
    : '';
  const votes =
    result.votes === 0
      ? ''
      : ` ${result.votesAdded} of its ${result.votes} votes were new here${result.votesAdded < result.votes ? ' (the others were already stored)' : ''}.`;
  return result.imported
    ? `Imported run ${result.runId}: ${result.generations} generations, ${videos}.${renamed}${votes}\n`
    : `Run ${result.runId} is already here; its rows were left as they are (${videos}).${votes}\n`;
}
