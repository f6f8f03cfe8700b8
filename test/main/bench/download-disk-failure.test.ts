/**
 * A paid, finished video whose download hits a failing disk (ENOSPC) is never marked lost while
 * the vendor still serves it: the generation stays `downloading`, the runner tries it again later
 * (and a console started afterwards picks it up), and it is never submitted twice. The disk
 * failure is injected through the media store's file layer; the vendor is the Together emulator.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getRunSummary, listGenerationRows } from '../../../src/main/bench/bench-repository';
import { type MediaFiles } from '../../../src/main/media/media-store';
import { sleep, type Services } from '../../../src/main/services';
import { CLIP } from '../../emulators/emulator-kit';
import { saveTextSuite, testServices } from '../../helpers/services';
import { fullDisk } from '../../helpers/full-disk';
import { tempDir } from '../../helpers/temp-dir';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'tgp_v1_download-disk-000000001';
const { together, env } = useTogetherEmulator(KEY);

const fastSleep = cappedSleep();
const clipHash = createHash('sha256').update(CLIP).digest('hex');

function services(dataDir: string, files: MediaFiles | undefined, logs: string[]) {
  return testServices({
    dataDir,
    env,
    sleep: fastSleep,
    analyseVideos: false,
    log: (line) => logs.push(line),
    ...(files ? { mediaFiles: files } : {}),
  });
}

function startRun(console: Services, prompt: string): string {
  saveTextSuite(console, 'disk', [prompt]);
  return console.bench.startRun({
    suiteId: 'disk',
    models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
    budgetUsd: 10,
  }).runId;
}

describe('a full disk during a paid download', () => {
  it('the generation is retried later in the same process and succeeds once the disk has room', async () => {
    const { dir, cleanup } = tempDir('aideon-disk-later-');
    const logs: string[] = [];
    // More failures than one download's own retries (1 + 3 transfers) can absorb.
    const failing = { writes: 6 };
    const console = services(dir, fullDisk(failing), logs);
    const creates = together.stats.creates;
    try {
      const runId = startRun(console, 'a lighthouse in fog');
      const summary = await console.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const [row] = listGenerationRows(console.db, runId);
      expect(row?.outcome).toBe('success');
      expect(row?.media_id).toBe(clipHash);
      expect(readFileSync(console.media.pathOf(clipHash)).equals(CLIP)).toBe(true);
      expect(failing.writes).toBe(0);
      expect(together.stats.creates - creates).toBe(1);
      expect(logs.some((line) => /no space left on the disk \(ENOSPC\)/.test(line))).toBe(true);
      expect(logs.some((line) => /video is kept at the vendor|tried again/.test(line))).toBe(true);
    } finally {
      await console.cleanup();
      cleanup();
    }
  });

  it('a console stopped while the disk is full leaves the generation downloading; the next one stores the video', async () => {
    const { dir, cleanup } = tempDir('aideon-disk-restart-');
    const logs: string[] = [];
    const failing = { writes: Number.POSITIVE_INFINITY };
    const first = services(dir, fullDisk(failing), logs);
    const creates = together.stats.creates;
    let runId: string;
    try {
      runId = startRun(first, 'a harbour at dawn');
      // Wait (no timing) until the runner has recorded the disk problem on the generation.
      for (;;) {
        const [row] = listGenerationRows(first.db, runId);
        if (row?.error_code === 'storage_failed' || row?.outcome !== null) break;
        await sleep(10);
      }
      const [row] = listGenerationRows(first.db, runId);
      expect(row?.outcome).toBeNull();
      expect(row?.state).toBe('downloading');
      expect(row?.error_message).toMatch(/no space left on the disk \(ENOSPC\)/);
      // The renderer sees this message: it names the problem, not a file path.
      expect(row?.error_message).not.toContain(dir);
    } finally {
      await first.close();
    }
    const second = services(dir, undefined, logs);
    try {
      const [before] = listGenerationRows(second.db, runId);
      expect(before?.outcome).toBeNull();
      expect(getRunSummary(second.db, runId)?.state).toBe('running');
      expect(second.bench.resumeAll()).toEqual([runId]);
      const summary = await second.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const [row] = listGenerationRows(second.db, runId);
      expect(row?.outcome).toBe('success');
      expect(row?.error_code).toBeNull();
      expect(row?.media_id).toBe(clipHash);
      expect(readFileSync(second.media.pathOf(clipHash)).equals(CLIP)).toBe(true);
      // Polled and downloaded again, never submitted again.
      expect(together.stats.creates - creates).toBe(1);
    } finally {
      await second.cleanup();
      cleanup();
    }
  });
});
