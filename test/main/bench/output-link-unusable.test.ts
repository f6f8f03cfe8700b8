/**
 * A job that succeeds at the vendor but names its video with something that cannot be
 * downloaded: no URL at all, an ftp: link, or an https link that redirects to ftp: or to itself.
 * The first three were reported as "could not be reached … try again later" and downloaded again
 * and again; now each ends `bad_output` at once, saying what the link was (never the link itself)
 * and that the vendor's output cannot be used, with what the vendor billed still counted. The run
 * finishes and the console goes on serving. Every vendor emulator, through the bench runner.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { saveTextSuite, testServices } from '../../helpers/services';
import { useVendorEmulators, VENDOR_MODELS, type Vendor } from '../../helpers/vendor-emulators';
import { cappedSleep } from '../../helpers/vendor-emulators';

const KEYS = {
  together: 'tgp_v1_output-link-key-000001',
  runway: `key_${'ab'.repeat(64)}`,
  replicate: 'r8_output_link_key_000000001',
  gemini: 'AIzaSy-output-link-key-00001',
  fal: 'fal-output-link-key:0000001',
  luma: 'luma-output-link-key-000001',
};
const { emulators, env } = useVendorEmulators(KEYS);

const fastSleep = cappedSleep();

/** fault → what the message says the link was. */
const CASES: Array<[string, RegExp]> = [
  ['#link-not-url', /gave a video download link that is not a URL, so the video cannot be/],
  [
    '#link-ftp',
    /gave a video download link with the ftp: scheme \(only http and https links are downloaded\)/,
  ],
  [
    '#redirect-ftp',
    /video download link redirected to a link with the ftp: scheme \(only http and https links/,
  ],
  ['#redirect-loop', /Too many redirects while downloading/],
];
/** Replicate's adapter already drops an output that is not an http(s) URL, and says so. */
const REPLICATE_NOT_URL = /Replicate reported success but the prediction has no video output/;

describe('an output link that cannot be downloaded', () => {
  it.each(Object.keys(emulators) as Vendor[])('%s', async (vendor) => {
    // Gemini's answer names the file by its own API route (which redirects to the file), so
    // only the redirect faults reach it.
    const cases =
      vendor === 'gemini' ? CASES.filter(([fault]) => fault.startsWith('#redirect')) : CASES;
    const services = testServices({
      env,
      sleep: fastSleep,
      analyseVideos: false,
      providerConcurrency: { [vendor]: 4 },
    });
    try {
      saveTextSuite(
        services,
        `link-${vendor}`,
        cases.map(([fault]) => `a kite over dunes ${fault}`),
      );
      const downloads = emulators[vendor].stats.downloads;
      const { runId } = services.bench.startRun({
        suiteId: `link-${vendor}`,
        models: [{ provider: vendor, modelId: VENDOR_MODELS[vendor] }],
        budgetUsd: 1000,
      });
      const summary = await services.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const rows = listGenerationRows(services.db, runId);
      expect(rows.map((row) => [row.outcome, row.error_code])).toEqual(
        cases.map(() => ['bad_output', 'bad_output']),
      );
      for (const [index, [, said]] of cases.entries()) {
        const message = rows[index]?.error_message ?? '';
        expect(message).toMatch(
          vendor === 'replicate' && cases[index]![0].startsWith('#link-')
            ? REPLICATE_NOT_URL
            : said,
        );
        expect(message).toMatch(/output could not be used as a video/);
        expect(message).not.toMatch(/could not be reached|ftp:\/\//);
      }
      // Not downloaded again and again: one transfer at most per redirect hop of the loop.
      expect(emulators[vendor].stats.downloads - downloads).toBeLessThanOrEqual(2 + 6);
      expect(emulators[vendor].stats.creates).toBeGreaterThanOrEqual(cases.length);

      // Still serving: a clean prompt afterwards gets its video.
      saveTextSuite(services, `link-after-${vendor}`, ['a boat at dawn']);
      const after = services.bench.startRun({
        suiteId: `link-after-${vendor}`,
        models: [{ provider: vendor, modelId: VENDOR_MODELS[vendor] }],
        budgetUsd: 1000,
      });
      expect((await services.bench.waitForRun(after.runId)).succeeded).toBe(1);
    } finally {
      await services.cleanup();
    }
  });
});
