/**
 * Issue 13 fault matrix: every vendor emulator × the fault classes, through the bench runner.
 * Each run must finish, each generation must end with its expected outcome and error class,
 * transient faults must end in success, and no job may be created twice.
 * "hang" runs on its own with a 1 s per-run timeout: it ends as `timeout`, and the job is
 * cancelled at the vendor where the vendor has a cancel (not Gemini, not Together).
 * (Runway's 429 carries no Retry-After, so the runner pauses Runway 30 s and it is left out to
 * keep the matrix fast.)
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows, saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import type { ModelRef } from '../../../src/shared/providers/video-provider-spec';
import { testServices } from '../../helpers/services';
import { useVendorEmulators, VENDOR_MODELS } from '../../helpers/vendor-emulators';
import { cappedSleep } from '../../helpers/vendor-emulators';

const KEYS = {
  together: 'tgp_v1_matrix-key-000000001',
  runway: `key_${'cd'.repeat(64)}`,
  replicate: 'r8_matrix_key_0000000000001',
  gemini: 'AIzaSy-matrix-key-000000001',
  fal: 'fal-matrix-key:0000000001',
  luma: 'luma-matrix-key-0000000001',
};
const { emulators, env } = useVendorEmulators(KEYS);
const MODELS = VENDOR_MODELS;
const LISTS_JOBS = new Set(['replicate', 'luma']);
/** Vendors whose API can cancel a job (provider-apis.md); the others get nothing sent. */
const CAN_CANCEL = new Set(['runway', 'replicate', 'fal', 'luma']);
/** fault → [outcome, error class] ('success' has no class). */
function expected(vendor: string): Array<[string, string, string | null]> {
  const unknown: [string, string | null] = LISTS_JOBS.has(vendor)
    ? ['success', null]
    : ['submit_unknown', 'provider_unavailable'];
  const rows: Array<[string, string, string | null]> = [
    ['401 #auth', 'account_refused', 'auth'],
    ['400 #invalid', 'failure', 'invalid_request'],
    ['402 #credits', 'account_refused', 'quota'],
    ['5xx #5xx-once', 'success', null],
    ['reset on create #reset-once', ...unknown],
    ['slow #slow', 'success', null],
    ['HTML on create #html-create', ...unknown],
    ['HTML on poll #html-poll-once', 'success', null],
    ['reset on poll #reset-poll-once', 'success', null],
    ['HTML on download #html-download', 'bad_output', 'bad_output'],
    ['reset on download #reset-download-once', 'success', null],
    ['5xx on download #5xx-download-once', 'success', null],
    ['truncated download #truncate-once', 'success', null],
    ['expired URL #expire', 'bad_output', 'expired_output'],
    ['policy #policy', 'policy_refusal', 'content_policy'],
  ];
  if (vendor !== 'runway') rows.push(['429 #ratelimit-once', 'success', null]);
  return rows;
}

const fastSleep = cappedSleep();

describe('fault matrix: vendor × fault class', () => {
  it.each(Object.keys(emulators) as Array<keyof typeof emulators>)(
    '%s',
    async (vendor) => {
      const cases = expected(vendor);
      const services = testServices({
        env,
        sleep: fastSleep,
        analyseVideos: false,
        providerConcurrency: { [vendor]: 16 },
        benchConcurrency: 16,
      });
      try {
        saveSuiteVersion(
          services.db,
          {
            id: `matrix-${vendor}`,
            builtIn: false,
            definition: {
              name: `Matrix ${vendor}`,
              description: '',
              settings: {},
              prompts: cases.map(([text], index) => ({
                id: `f${index}`,
                text: `a scene, fault ${text}`,
                category: 'general',
              })),
            },
          },
          Date.now(),
        );
        const model: ModelRef = { provider: vendor, modelId: MODELS[vendor] };
        const { runId } = services.bench.startRun({
          suiteId: `matrix-${vendor}`,
          models: [model],
          budgetUsd: 1000,
        });
        const summary = await services.bench.waitForRun(runId);
        expect(summary.state).toBe('finished');
        const rows = listGenerationRows(services.db, runId);
        const got = rows.map((row) => [
          row.prompt.replace('a scene, fault ', ''),
          row.outcome,
          row.outcome === 'success' ? null : row.error_code,
        ]);
        expect(got).toEqual(cases);
        // A 402 says that the vendor wants payment and what to do, not a generic quota error.
        const credits = rows.find((row) => row.prompt.includes('#credits'));
        expect(credits?.error_message).toMatch(/asks for payment \(HTTP 402\).*Add credits/);
        // No duplicate paid submission: never more jobs than generations that could make one.
        expect(emulators[vendor].stats.creates).toBeLessThanOrEqual(cases.length - 2);

        // hang: a short per-run timeout ends it as `timeout`, cancelled at the vendor if it can.
        saveSuiteVersion(
          services.db,
          {
            id: `matrix-hang-${vendor}`,
            builtIn: false,
            definition: {
              name: `Matrix hang ${vendor}`,
              description: '',
              settings: {},
              prompts: [{ id: 'h', text: 'a scene, fault hang #hang', category: 'general' }],
            },
          },
          Date.now(),
        );
        const cancelsBefore = emulators[vendor].stats.cancels;
        const hang = services.bench.startRun({
          suiteId: `matrix-hang-${vendor}`,
          models: [model],
          budgetUsd: 1000,
          timeoutSeconds: 1,
        });
        expect((await services.bench.waitForRun(hang.runId)).state).toBe('finished');
        const hangRows = listGenerationRows(services.db, hang.runId);
        expect(hangRows.map((row) => [row.outcome, row.error_code])).toEqual([
          ['timeout', 'timeout'],
        ]);
        expect(emulators[vendor].stats.cancels - cancelsBefore).toBe(
          CAN_CANCEL.has(vendor) ? 1 : 0,
        );
      } finally {
        await services.cleanup();
      }
    },
    60_000,
  );
});
