/**
 * What a run stopped by a cancel or by a generation's timeout must leave at Runway, checked
 * the same way whichever of the two stopped it (the tests of each keep their own outcome).
 */
import { expect } from 'vitest';
import type { GenerationRow } from '../../../src/main/bench/bench-repository';
import type { MediaStore } from '../../../src/main/media/media-store';
import { sleep } from '../../../src/main/services';
import type { RunwayEmulator } from '../../emulators/runway-emulator';

/**
 * The generation's create was in flight when the run stopped it: Runway made exactly one task
 * (and bills it when it ends), the runner cancelled that task there, knows its id, and sent
 * the create once.
 */
export async function expectRunwayTaskCancelled(
  runway: RunwayEmulator,
  summary: { countedUsd: number },
  row: GenerationRow | undefined,
): Promise<void> {
  // Runway made the task once the slow answer was done; give it time to end (billed).
  await sleep(1500);
  const tasks = [...runway.tasks.values()];
  expect(tasks).toHaveLength(1);
  const task = tasks[0]!;
  const cancelledAtRunway = task.status === 'CANCELLED';
  const counted = summary.countedUsd >= (row?.estimated_cost_usd ?? 0) - 1e-9;
  // Before the fix: the create was aborted, the task left alive at Runway (the emulator shows
  // it PENDING until someone GETs it; Runway runs it regardless), $0 counted. Either way out
  // of that is a pass here; the message says which state the task and the row were in.
  expect(
    cancelledAtRunway || counted,
    JSON.stringify({ task: task.status, outcome: row?.outcome, counted: summary.countedUsd }),
  ).toBe(true);
  // Runway can cancel: the task is cancelled there, and the row knows its id (nothing more to
  // count).
  expect(task.status).toBe('CANCELLED');
  expect(row?.vendor_job_id).toBe(task.id);
  expect((runway.requestLog ?? []).filter((entry) => entry.method === 'POST')).toHaveLength(1);
}

/**
 * The generation had succeeded at Runway (paid) and its video was being downloaded when the
 * run stopped it: the video is stored and the generation succeeded; Runway's cancel (which
 * deletes a finished task and its output) was never sent.
 */
export function expectPaidVideoKept(
  runway: RunwayEmulator,
  media: MediaStore,
  summary: { spentUsd: number },
  row: GenerationRow | undefined,
): void {
  // It was paid for either way.
  expect(summary.spentUsd).toBeGreaterThan(0);
  // Before: an outcome of cancelled or timeout, no media, and Runway's task deleted
  // (stats.cancels = 1).
  expect(
    row?.outcome,
    JSON.stringify({ outcome: row?.outcome, media: row?.media_id, cancels: runway.stats.cancels }),
  ).toBe('success');
  expect(media.has(row?.media_id ?? '')).toBe(true);
  expect(runway.stats.cancels).toBe(0);
}
