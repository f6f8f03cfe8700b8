/**
 * Two generations of the same input (same model, prompt, seed and settings) whose creates are in
 * flight at once: when one create's answer is lost, the prediction list cannot say which of the
 * matching predictions is its own (Replicate takes no client reference on a prediction). The
 * console must never adopt the twin's prediction (two rows owning one video, the other paid
 * video lost) and never send it again: it waits for the twin to learn its id, and when the
 * predictions still cannot be told apart it leaves the generation "submitted, outcome unknown",
 * names the candidates, and counts the estimate against the budget. Against the Replicate
 * emulator, through the real runner, SQLite and media store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listGenerationRows,
  runSpend,
  saveSuiteVersion,
} from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import type { ModelRef } from '../../../src/shared/providers/video-provider-spec';
import { LumaEmulator } from '../../emulators/luma-emulator';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { testServices } from '../../helpers/services';

const KEY = 'test-key-submit-ambiguous-01';
const MODEL: ModelRef = { provider: 'replicate', modelId: 'minimax/video-01' };

async function run(
  env: Record<string, string>,
  prompts: string[],
  maxSleepMs: number,
  model: ModelRef = MODEL,
  settings: { durationSeconds?: number } = {},
) {
  const services = testServices({
    env,
    sleep: (ms, signal) => sleep(Math.min(ms, maxSleepMs), signal),
    analyseVideos: false,
  });
  try {
    saveSuiteVersion(
      services.db,
      {
        id: 'twins',
        builtIn: false,
        definition: {
          name: 'Twins',
          description: '',
          settings,
          prompts: prompts.map((text, index) => ({ id: `p${index}`, text, category: 'general' })),
        },
      },
      Date.now(),
    );
    const { runId } = services.bench.startRun({ suiteId: 'twins', models: [model], budgetUsd: 20 });
    const summary = await services.bench.waitForRun(runId);
    return {
      summary,
      rows: listGenerationRows(services.db, runId),
      spent: runSpend(services.db, runId),
    };
  } finally {
    await services.cleanup();
  }
}

describe('two generations of the same input in flight at once', () => {
  const replicate = new ReplicateEmulator({ apiKey: KEY });
  const luma = new LumaEmulator({ apiKey: KEY });
  const env: Record<string, string> = { REPLICATE_API_TOKEN: KEY, LUMAAI_API_KEY: KEY };
  beforeAll(async () => {
    env.AIDEON_REPLICATE_BASE_URL = await replicate.start();
    env.AIDEON_LUMA_BASE_URL = await luma.start();
  });
  afterAll(async () => {
    await replicate.stop();
    await luma.stop();
  });

  for (const [name, emulator, model, jobs] of [
    ['Replicate', replicate, MODEL, () => [...replicate.predictions.keys()]],
    ['Luma', luma, { provider: 'luma', modelId: 'ray-2' }, () => [...luma.jobs.keys()]],
  ] as const) {
    it(`${name}: both answers lost: neither adopts a job, neither is sent again; both are named and counted`, async () => {
      const before = emulator.stats.creates;
      const known = new Set(jobs());
      const prompt = 'twin lighthouses at dusk #html-create';
      const { summary, rows, spent } = await run(env, [prompt, prompt], 5, model as ModelRef);
      expect(summary.state).toBe('finished');
      // One create each, no resend.
      expect(emulator.stats.creates - before).toBe(2);
      const made = jobs().filter((id) => !known.has(id));
      expect(made).toHaveLength(2);
      expect(rows.map((row) => row.outcome)).toEqual(['submit_unknown', 'submit_unknown']);
      for (const row of rows) {
        expect(row.vendor_job_id).toBeNull();
        expect(row.error_message).toContain(`Submitted, outcome unknown: check ${name}.`);
        for (const id of made) expect(row.error_message).toContain(id);
        expect(row.error_message).toMatch(/adopted none and did not send it again/);
        expect(row.error_message).toMatch(/counts against the run's budget/);
      }
      // Both may have been billed: their estimates count against the run's budget.
      const estimates = rows.reduce((sum, row) => sum + row.estimated_cost_usd, 0);
      if (name === 'Luma') expect(estimates).toBeGreaterThan(0);
      expect(spent).toBeCloseTo(estimates, 6);
      expect(emulator.stats.cancels).toBe(0);
    });
  }

  for (const [name, emulator, model, fault] of [
    ['Replicate', replicate, MODEL, '#5xx'],
    ['Luma', luma, { provider: 'luma', modelId: 'ray-2' }, '#reset'],
  ] as const) {
    it(`${name}: a create lost twice and absent from the job list twice is a failure, never a job called "absent"`, async () => {
      const before = emulator.stats.creates;
      const { rows } = await run(env, [`a held create ${fault}`], 5, model as ModelRef);
      expect(emulator.stats.creates - before).toBe(0);
      expect(rows.map((row) => [row.outcome, row.vendor_job_id])).toEqual([['failure', null]]);
      expect(rows[0]?.error_message).toMatch(/sent twice .* not created, so nothing was billed/);
      expect(rows[0]?.error_message).toMatch(new RegExp(`${name} failed or could not be reached`));
    });
  }

  it('Luma: a lost create whose prompt Luma lists only with another duration is left unknown, never sent again', async () => {
    // A generation of the same model and prompt, 9 s, made earlier (by hand, say).
    const prompt = 'a lone heron at dawn';
    const seeded = await fetch(`${env.AIDEON_LUMA_BASE_URL}/generations/video`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ray-2', prompt, duration: '9s' }),
    });
    expect(seeded.status).toBe(201);
    const { id: other } = (await seeded.json()) as { id: string };
    const before = luma.stats.creates;
    // The run's 5 s create is lost before Luma makes it: the list shows only the 9 s one, which
    // may be ours stored in another form, so the outcome cannot be told (not "absent").
    luma.queueFault('reset');
    const { rows } = await run(
      env,
      [prompt],
      5,
      { provider: 'luma', modelId: 'ray-2' },
      {
        durationSeconds: 5,
      },
    );
    expect(luma.stats.creates - before).toBe(0);
    expect(rows.map((row) => [row.outcome, row.vendor_job_id])).toEqual([['submit_unknown', null]]);
    expect(rows[0]?.error_message).toMatch(/It was not sent again/);
    // Says why the list could not settle it, not that it could not be read.
    expect(rows[0]?.error_message).toMatch(/other settings/);
    expect(rows[0]?.error_message).not.toMatch(/could not be read/);
    expect(luma.jobs.has(other)).toBe(true);
    expect(luma.stats.cancels).toBe(0);
  });

  it('one answer lost while the twin is still held: the twin keeps its own prediction, the lost one adopts the other', async () => {
    // Predictions take 1.5 s; creates are held (Prefer: wait) 0.6 s. The first create's answer
    // is lost; the second is delayed 0.3 s on its way in, so while the first looks for its
    // prediction the twin's prediction exists but its answer has not arrived.
    const held = new ReplicateEmulator({ apiKey: KEY, queueMs: 0, runMs: 1500, slowMs: 300 });
    held.waitScale = 0.01;
    const url = await held.start();
    try {
      held.queueFault('html-create');
      held.queueFault('slow');
      const prompt = 'twin windmills in the fog';
      const { rows } = await run(
        { REPLICATE_API_TOKEN: KEY, AIDEON_REPLICATE_BASE_URL: url },
        [prompt, prompt],
        50,
      );
      expect(held.stats.creates).toBe(2);
      const ids = rows.map((row) => row.vendor_job_id);
      // Never two rows on one prediction (one paid video lost, one counted twice).
      expect(new Set(ids).size).toBe(2);
      expect([...ids].sort()).toEqual([...held.predictions.keys()].sort());
      expect(rows.map((row) => row.outcome)).toEqual(['success', 'success']);
      expect(rows.every((row) => row.media_id !== null)).toBe(true);
    } finally {
      await held.stop();
    }
  });

  it("a twin learning its id while the lost create's lookup is in flight: its prediction is neither adopted nor cancelled as the lost one's", async () => {
    // The first create is reset before Replicate makes anything; its twin (same input) is slowed
    // on its way in. The lost create's first list call is answered only after the twin has its
    // id, so the list (asked to exclude the ids known before the call) holds only the twin's
    // prediction. Adopting it would put two rows on one video; the lost one must be sent again.
    const held = new ReplicateEmulator({ apiKey: KEY, queueMs: 0, runMs: 1500, slowMs: 300 });
    held.waitScale = 0.01;
    let lists = 0;
    held.beforeList = async () => {
      lists += 1;
      if (lists === 1) await sleep(2500);
    };
    const url = await held.start();
    try {
      held.queueFault('reset');
      held.queueFault('slow');
      const prompt = 'twin lanterns on a river';
      const { rows } = await run(
        { REPLICATE_API_TOKEN: KEY, AIDEON_REPLICATE_BASE_URL: url },
        [prompt, prompt],
        50,
      );
      expect(lists).toBeGreaterThan(0);
      const ids = rows.map((row) => row.vendor_job_id);
      expect(new Set(ids).size).toBe(2);
      expect([...ids].sort()).toEqual([...held.predictions.keys()].sort());
      expect(rows.map((row) => row.outcome)).toEqual(['success', 'success']);
      expect(held.stats.cancels).toBe(0);
    } finally {
      await held.stop();
    }
  });
});
