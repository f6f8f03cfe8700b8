/**
 * An output URL whose Content-Length announces half the file (#length-lie): the download reads
 * what was announced and looks complete; ffprobe then finds half a video. The generation ends
 * bad_output (what the vendor billed still counted), and the admin is told that the file
 * downloaded from the vendor is not a readable video. The message named the file by its SHA-256
 * ("a64bb…865 does not decode cleanly: …"), which says nothing about what failed. Real ffprobe,
 * the Together emulator, the bench runner and SQLite.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'tgp_v1_length-lie-key-0000001';
const { env } = useTogetherEmulator(KEY);

const fastSleep = cappedSleep();

describe('a download whose Content-Length announces less than the file', () => {
  it('ends bad_output naming the file downloaded from the vendor, not its hash', async () => {
    const services = testServices({ env, sleep: fastSleep });
    try {
      saveTextSuite(services, 'length-lie', ['a kite over dunes #length-lie', 'a boat at dawn']);
      const { runId } = services.bench.startRun({
        suiteId: 'length-lie',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 5,
      });
      const summary = await services.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const rows = listGenerationRows(services.db, runId);
      expect(rows.map((row) => [row.outcome, row.error_code])).toEqual([
        ['bad_output', 'bad_output'],
        ['success', null],
      ]);
      const [lie] = rows;
      // Half an H.264 stream: ffprobe reads its header (the index is at the start), the decoder
      // then finds frames cut off.
      expect(lie?.error_message).toMatch(
        /^The file downloaded from Together AI does not decode cleanly: .+ Together AI's output could not be used as a video/,
      );
      expect(lie?.analysis_error).toMatch(
        /^The file downloaded from Together AI does not decode cleanly: /,
      );
      for (const text of [lie?.error_message, lie?.analysis_error])
        expect(text).not.toMatch(/[0-9a-f]{64}/);
      // Paid: what Together charged for it counts.
      expect(lie?.cost_usd).toBeCloseTo(0.28, 6);
    } finally {
      await services.cleanup();
    }
  });
});
