/**
 * Issue 13 item 2: a paid, finished video is not lost on one download glitch. Runs go through the
 * bench runner against the Together emulator, whose output URL misbehaves as asked per prompt.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { CLIP } from '../../emulators/emulator-kit';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'tgp_v1_download-retry-000000001';
const { together, env } = useTogetherEmulator(KEY);

/** Waits are real but short, so backoffs take milliseconds. */
const fastSleep = cappedSleep();

async function run(prompts: string[], logs: string[] = []) {
  const services = testServices({
    env,
    sleep: fastSleep,
    analyseVideos: false,
    log: (line) => logs.push(line),
  });
  try {
    saveTextSuite(services, 'downloads', prompts);
    const { runId } = services.bench.startRun({
      suiteId: 'downloads',
      models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
      budgetUsd: 10,
    });
    const summary = await services.bench.waitForRun(runId);
    const rows = listGenerationRows(services.db, runId);
    const stored = rows.map((row) =>
      row.media_id ? readFileSync(services.media.pathOf(row.media_id)) : undefined,
    );
    return { summary, rows, stored };
  } finally {
    await services.cleanup();
  }
}

const clipHash = createHash('sha256').update(CLIP).digest('hex');

describe('video downloads survive glitches', () => {
  it('retries a 5xx, a dropped connection and an HTML page, and resumes a cut-short body', async () => {
    together.rangeSupport = true;
    const before = together.stats.downloads;
    const { summary, rows, stored } = await run([
      'a kite #5xx-download-once',
      'a boat #reset-download-once',
      'a tree #html-download-once',
      'a fox #truncate-once',
    ]);
    expect(summary.state).toBe('finished');
    expect(rows.map((row) => row.outcome)).toEqual(['success', 'success', 'success', 'success']);
    for (const [index, row] of rows.entries()) {
      expect(row.media_id).toBe(clipHash);
      expect(stored[index]?.equals(CLIP)).toBe(true);
    }
    // One failed transfer and one good one per video; no video was generated twice.
    expect(together.stats.downloads - before).toBe(8);
    expect(together.rangeRequests).toBeGreaterThanOrEqual(1);
  });

  it('starts over when the server cannot resume', async () => {
    together.rangeSupport = false;
    const ranges = together.rangeRequests;
    try {
      const { rows, stored } = await run(['a fox #truncate-once']);
      expect(rows[0]?.outcome).toBe('success');
      expect(stored[0]?.equals(CLIP)).toBe(true);
      expect(together.rangeRequests).toBe(ranges);
    } finally {
      together.rangeSupport = true;
    }
  });

  it('gives up as bad_output (not internal) on a body that is always cut short, and as expired_output on an expired URL', async () => {
    const logs: string[] = [];
    const { rows } = await run(
      ['a cut video #truncate', 'an old video #expire', 'a page #html-download'],
      logs,
    );
    expect(rows.map((row) => [row.outcome, row.error_code])).toEqual([
      ['bad_output', 'bad_output'],
      ['bad_output', 'expired_output'],
      ['bad_output', 'bad_output'],
    ]);
    expect(rows[0]?.error_message).toMatch(/cut short|broke off/);
    expect(rows[2]?.error_message).toMatch(/text\/html instead of a video/);
    // The vendor as the admin knows it, not the console's id for it ("together").
    expect(rows[0]?.error_message).toMatch(/^The download from Together AI was cut short/);
    expect(rows[2]?.error_message).toMatch(/^Together AI sent text\/html instead of a video\./);
    expect(logs.some((line) => /retry 1 of 3/.test(line))).toBe(true);
  });
});
