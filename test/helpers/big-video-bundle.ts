/**
 * A run bundle one of whose videos is `bytes` long (generated: a sparse file of zeros, hashed
 * as it streams), for the import's tests and bench: a finished sandbox run in `services`, one
 * generation's video replaced by the big one, exported to `dir/run.tar`.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { exportRunBundle } from '../../src/main/bench/run-bundle';
import type { Services } from '../../src/main/services';
import { finishedSandboxRun } from './services';

export async function bundleWithBigVideo(
  services: Services,
  bytes: number,
  dir: string,
): Promise<{ bundle: string; bigId: string; videos: number }> {
  const { runId, bigId } = await runWithBigVideo(services, bytes, dir);
  const bundle = join(dir, 'run.tar');
  const exported = await exportRunBundle(
    services.db,
    services.media,
    runId,
    bundle,
    1_700_000_000_000,
  );
  return { bundle, bigId, videos: exported.mediaFiles };
}

/** A finished sandbox run one of whose videos is `bytes` long (made in `dir`, then stored). */
export async function runWithBigVideo(
  services: Services,
  bytes: number,
  dir: string,
): Promise<{ runId: string; bigId: string }> {
  const runId = await finishedSandboxRun(services);
  const file = join(dir, 'big-video.mp4');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const bigId = hash.digest('hex');
  const target = services.media.pathOf(bigId);
  mkdirSync(dirname(target), { recursive: true });
  renameSync(file, target);
  services.db
    .prepare(
      "INSERT OR IGNORE INTO media (id, content_type, bytes, created_at) VALUES (?, 'video/mp4', ?, 0)",
    )
    .run(bigId, bytes);
  const generation = services.db
    .prepare('SELECT id FROM generations WHERE run_id = ? AND media_id IS NOT NULL LIMIT 1')
    .get(runId) as { id: string };
  services.db.prepare('UPDATE generations SET media_id = ? WHERE id = ?').run(bigId, generation.id);
  return { runId, bigId };
}
