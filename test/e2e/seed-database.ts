/**
 * Direct SQLite seeding for the end-to-end specs and the compare bench: extra generations
 * that reuse the real clips a CLI benchmark already stored (so every seeded video plays).
 * Call it before the console starts (the console reads the database at start-up).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

function openDb(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, 'aideon.sqlite'));
  db.pragma('foreign_keys = ON');
  return db;
}

const INSERT = `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id,
    settings, request_key, state, outcome, submitted_at, started_at, completed_at, finished_at,
    download_ms, estimated_cost_usd, cost_usd, simulated, media_id)
  VALUES (@id, @runId, @promptId, @prompt, @category, @provider, @modelId, '{"durationSeconds":5}',
    @id, 'succeeded', 'success', 1000, 1000, 1000 + @totalMs, 1000 + @totalMs, 0, @costUsd,
    @costUsd, 1, @mediaId)`;

/** The finished CLI run and its successful generations. */
function firstRun(db: Database.Database) {
  const run = db.prepare('SELECT * FROM runs ORDER BY created_at LIMIT 1').get() as
    { id: string; suite_id: string; suite_version: number } | undefined;
  if (!run) throw new Error('Seed after benchmarkWithCli: there is no run to build on.');
  const generations = db
    .prepare(
      `SELECT id, prompt_id, prompt, category, provider, model_id, media_id FROM generations
       WHERE run_id = ? AND outcome = 'success' AND media_id IS NOT NULL ORDER BY rowid`,
    )
    .all(run.id) as {
    id: string;
    prompt_id: string;
    prompt: string;
    category: string;
    provider: string;
    model_id: string;
    media_id: string;
  }[];
  return { run, generations };
}

/**
 * Gives the first prompt of the first run videos from `extraModels` more models (sandbox model
 * ids that did not take part), using clips of other prompts, so it can be shown 4-up.
 * Returns the run and prompt ids.
 */
export function addModelsToFirstPrompt(
  dataDir: string,
  extraModels: readonly string[] = ['sandbox-flaky', 'sandbox-seeded'],
): { runId: string; promptId: string } {
  const db = openDb(dataDir);
  try {
    const { run, generations } = firstRun(db);
    const first = generations[0];
    if (!first) throw new Error('The CLI run has no successful generation.');
    const onPrompt = new Set(
      generations.filter((g) => g.prompt_id === first.prompt_id).map((g) => g.media_id),
    );
    const otherClips = [...new Set(generations.map((g) => g.media_id))].filter(
      (id) => !onPrompt.has(id),
    );
    const insert = db.prepare(INSERT);
    extraModels.forEach((modelId, index) => {
      insert.run({
        id: `seed-${modelId}`,
        runId: run.id,
        promptId: first.prompt_id,
        prompt: first.prompt,
        category: first.category,
        provider: 'sandbox',
        modelId,
        mediaId: otherClips[index % Math.max(1, otherClips.length)] ?? first.media_id,
        totalMs: 1500 + index * 400,
        costUsd: 0.1,
      });
    });
    return { runId: run.id, promptId: first.prompt_id };
  } finally {
    db.close();
  }
}

/**
 * A run of `count` generations (two models per prompt) reusing the CLI run's clips, created
 * after it so it is listed first. Returns the new run's id and the last prompt's text.
 */
export function seedLargeRun(
  dataDir: string,
  count: number,
): { runId: string; lastPrompt: string } {
  const db = openDb(dataDir);
  try {
    const { run, generations } = firstRun(db);
    const clips = generations.map((g) => g.media_id);
    const runId = 'seeded-large-run';
    db.prepare(
      `INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd,
         estimated_cost_usd, created_at, finished_at)
       VALUES (?, 'Seeded library (10k)', ?, ?, '[]', 'finished', 1000, 0, ?, ?)`,
    ).run(runId, run.suite_id, run.suite_version, Date.now() + 1000, Date.now() + 2000);
    const insert = db.prepare(INSERT);
    const models = ['sandbox-fast', 'sandbox-pro'];
    const prompts = Math.ceil(count / models.length);
    const categories = ['people', 'animals', 'physics', 'camera', 'text'];
    let lastPrompt = '';
    db.transaction(() => {
      let made = 0;
      for (let p = 0; p < prompts && made < count; p += 1) {
        const prompt = `Seeded prompt ${String(p + 1).padStart(5, '0')}: a lighthouse at dusk, take ${p + 1}`;
        lastPrompt = prompt;
        for (const [m, modelId] of models.entries()) {
          if (made >= count) break;
          insert.run({
            id: `seed-${p}-${m}`,
            runId,
            promptId: `p${String(p + 1).padStart(5, '0')}`,
            prompt,
            category: categories[p % categories.length]!,
            provider: 'sandbox',
            modelId,
            mediaId: clips[(p + m) % clips.length]!,
            totalMs: 1000 + ((p * 37 + m * 101) % 3000),
            costUsd: 0.05,
          });
          made += 1;
        }
      }
    })();
    return { runId, lastPrompt };
  } finally {
    db.close();
  }
}

/**
 * A rated run: four sandbox models × `prompts` prompts with outcomes, latencies and costs that
 * differ by model, and blind votes between them drawn from fixed strengths (seeded, so the
 * charts look the same every time). Returns the number of votes.
 */
export function seedRatedRun(dataDir: string, prompts = 16, votes = 240): number {
  const db = openDb(dataDir);
  try {
    const { run, generations } = firstRun(db);
    const clips = [...new Set(generations.map((g) => g.media_id))];
    const runId = 'seeded-rated-run';
    // strength (Elo-like), $ per 5 s clip, median latency ms, failure share
    const models = [
      { id: 'sandbox-pro', strength: 1120, cost: 0.6, latency: 9000, fail: 0.05 },
      { id: 'sandbox-seeded', strength: 1060, cost: 0.7, latency: 14000, fail: 0.1 },
      { id: 'sandbox-fast', strength: 990, cost: 0.25, latency: 4000, fail: 0.05 },
      { id: 'sandbox-flaky', strength: 880, cost: 0.15, latency: 6000, fail: 0.35 },
    ];
    db.prepare(
      `INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd,
         estimated_cost_usd, created_at, finished_at)
       VALUES (?, 'Seeded rated run', ?, ?, ?, 'finished', 1000, 0, ?, ?)`,
    ).run(
      runId,
      run.suite_id,
      run.suite_version,
      // Its models listed like a real run's (the run list counts them, the header names them).
      JSON.stringify(models.map((model) => ({ provider: 'sandbox', modelId: model.id }))),
      Date.now() + 500,
      Date.now() + 600,
    );
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const outcomes = ['failure', 'timeout', 'policy_refusal', 'bad_output'] as const;
    const insert = db.prepare(INSERT);
    const fail = db.prepare(
      `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id,
         settings, request_key, state, outcome, submitted_at, finished_at, estimated_cost_usd,
         cost_usd, simulated)
       VALUES (?, ?, ?, ?, ?, 'sandbox', ?, '{"durationSeconds":5}', ?, 'failed', ?, 1000, 2000,
         0, 0, 1)`,
    );
    const ok = new Map<string, { id: string; model: string }[]>();
    const categories = ['people', 'animals', 'physics', 'camera'];
    db.transaction(() => {
      for (let p = 0; p < prompts; p += 1) {
        const promptId = `rated-${p}`;
        const prompt = `Rated prompt ${p + 1}`;
        const category = categories[p % categories.length]!;
        for (const model of models) {
          const id = `rated-${p}-${model.id}`;
          if (random() < model.fail) {
            fail.run(id, runId, promptId, prompt, category, model.id, id, outcomes[p % 4]!);
            continue;
          }
          insert.run({
            id,
            runId,
            promptId,
            prompt,
            category,
            provider: 'sandbox',
            modelId: model.id,
            mediaId: clips[p % clips.length]!,
            totalMs: Math.round(model.latency * (0.6 + random() * 0.9)),
            costUsd: model.cost,
          });
          const list = ok.get(promptId) ?? [];
          list.push({ id, model: `sandbox:${model.id}` });
          ok.set(promptId, list);
        }
      }
      const strength = new Map(models.map((m) => [`sandbox:${m.id}`, m.strength]));
      const insertVote = db.prepare(
        `INSERT INTO votes (id, generation_a, generation_b, model_a, model_b, prompt_id, category,
           verdict, comment, voter, voted_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'seed', ?, ?)`,
      );
      const promptIds = [...ok.keys()].filter((id) => (ok.get(id)?.length ?? 0) >= 2);
      for (let v = 0; v < votes; v += 1) {
        const promptId = promptIds[v % promptIds.length]!;
        const list = ok.get(promptId)!;
        const i = Math.floor(random() * list.length);
        let j = Math.floor(random() * (list.length - 1));
        if (j >= i) j += 1;
        const a = list[i]!;
        const b = list[j]!;
        const pA = 1 / (1 + 10 ** ((strength.get(b.model)! - strength.get(a.model)!) / 400));
        const u = random();
        const verdict = u < 0.04 ? 'both_bad' : u < 0.14 ? 'tie' : random() < pA ? 'a' : 'b';
        const category = categories[Number(promptId.split('-')[1]) % categories.length]!;
        insertVote.run(
          `seed-vote-${v}`,
          a.id,
          b.id,
          a.model,
          b.model,
          promptId,
          category,
          verdict,
          1_700_000_000_000 + v * 1000,
          1_700_000_000_000,
        );
      }
    })();
    return votes;
  } finally {
    db.close();
  }
}

/**
 * A model in the rated run whose every generation failed: it has a scorecard column but no
 * latency at all (the latency chart must say "no data" for it, not draw a bar). Call after
 * seedRatedRun.
 */
export function addFailedModel(dataDir: string, modelId = 'sandbox-broken'): void {
  const db = openDb(dataDir);
  try {
    const insert = db.prepare(
      `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id,
         settings, request_key, state, outcome, submitted_at, finished_at, estimated_cost_usd,
         cost_usd, simulated)
       VALUES (?, 'seeded-rated-run', ?, ?, 'people', 'sandbox', ?, '{"durationSeconds":5}', ?,
         'failed', 'failure', 1000, 2000, 0, 0, 1)`,
    );
    for (let p = 0; p < 3; p += 1) {
      const id = `broken-${p}-${modelId}`;
      insert.run(id, `rated-${p}`, `Rated prompt ${p + 1}`, modelId, id);
    }
  } finally {
    db.close();
  }
}
