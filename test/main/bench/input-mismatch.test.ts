import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { readSuiteFile } from '../../../src/main/bench/suite-files';
import { saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { cliIn } from '../../helpers/cli-in-process';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const KEY = `key_${'0123456789abcdef'.repeat(8)}`;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two text-only prompts and one with a reference image. */
function suiteFile(dir: string): string {
  const file = join(dir, 'mixed.yaml');
  writeFileSync(
    file,
    [
      'name: Mixed inputs',
      'settings: { durationSeconds: 5, aspectRatio: "16:9" }',
      'prompts:',
      '  - { id: t1, text: "a lighthouse in a storm at night" }',
      '  - { id: t2, text: "a paper boat drifting down a gutter" }',
      '  - { id: i1, text: "the cat turns its head", imageUrl: "https://example.com/cat.png" }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('prompts a model cannot take', () => {
  it('the plan names each mismatch per model and prompt; the run skips them (no request, no cost, not a failure)', async () => {
    const emulator = new RunwayEmulator({ apiKey: KEY });
    const baseUrl = await emulator.start();
    cleanups.push(() => emulator.stop());
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const services = testServices({
      env: {
        RUNWAYML_API_SECRET: KEY,
        AIDEON_RUNWAY_BASE_URL: baseUrl,
        FAL_KEY: 'fal-plan-only-key',
      },
      analyseVideos: false,
      pollPolicy: { initialMs: 20, maxMs: 50, factor: 1.5 },
    });
    cleanups.push(services.cleanup);
    const parsed = readSuiteFile(suiteFile(dir));
    saveSuiteVersion(
      services.db,
      { id: parsed.id, builtIn: false, definition: parsed.definition },
      1,
    );
    const models = [
      { provider: 'runway' as const, modelId: 'gen4_turbo' },
      { provider: 'fal' as const, modelId: 'fal-ai/veo3.1' },
    ];
    const plan = services.bench.plan({ suiteId: parsed.id, models, budgetUsd: 100 });
    const turbo = plan.models[0]!;
    expect(turbo.generations).toBe(1);
    expect(turbo.skipped).toEqual([
      {
        promptId: 't1',
        reason: expect.stringMatching(/image-to-video only and this prompt has no reference image/),
      },
      { promptId: 't2', reason: expect.stringMatching(/image-to-video only/) },
    ]);
    // The reverse: a text-to-video-only model and the prompt with a reference image.
    const textOnly = plan.models[1]!;
    expect(textOnly.skipped).toEqual([
      {
        promptId: 'i1',
        reason: expect.stringMatching(
          /text-to-video only and cannot take this prompt's reference image/,
        ),
      },
    ]);
    expect(textOnly.generations).toBe(2);
    // The estimate covers only what is sent.
    const sendable = services.bench.plan({
      suiteId: parsed.id,
      models: [models[0]!],
      budgetUsd: 100,
    });
    expect(sendable.estimatedCostUsd).toBeGreaterThan(0);
    expect(sendable.generations).toBe(1);

    const { runId } = services.bench.startRun({
      suiteId: parsed.id,
      models: [models[0]!],
      budgetUsd: 100,
    });
    const run = await services.bench.waitForRun(runId);
    const rows = listGenerationRows(services.db, runId);
    const byPrompt = Object.fromEntries(rows.map((row) => [row.prompt_id, row]));
    for (const promptId of ['t1', 't2']) {
      expect(byPrompt[promptId]).toMatchObject({
        outcome: 'skipped_unsupported',
        cost_usd: 0,
        vendor_job_id: null,
        error_message: expect.stringMatching(/^Not sent: Runway Gen-4 Turbo .*image-to-video only/),
      });
    }
    expect(byPrompt.i1?.outcome).toBe('success');
    // One request reached the vendor: the image prompt. Nothing was spent on a 400.
    expect(emulator.stats.creates).toBe(1);
    expect(run).toMatchObject({ state: 'finished', total: 3, done: 3, succeeded: 1, failed: 0 });
  }, 60_000);

  it('`aideon bench plan` prints what will not be sent, per model and prompt', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { code, stdout } = await cliIn(
      join(dir, 'data'),
      ['bench', 'plan', '--suite', suiteFile(dir), '--models', 'runway:gen4_turbo,runway:gen4.5'],
      { RUNWAYML_API_SECRET: KEY },
    );
    expect(code).toBe(0);
    expect(stdout).toContain(
      '    not sent: t1: Runway Gen-4 Turbo (image-to-video) is image-to-video only and this prompt has no reference image\n',
    );
    expect(stdout).toContain('    not sent: t2: ');
    expect(stdout).toMatch(/Mixed inputs \(v1\): 4 generations/);
  });
});
