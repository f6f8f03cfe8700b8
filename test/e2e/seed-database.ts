/**
 * Direct SQLite seeding for the end-to-end specs and the compare bench: extra generations
 * that reuse the real clips a CLI benchmark already stored (so every seeded video plays).
 * Call it before the console starts (the console reads the database at start-up).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

interface GenerationSeed {
  id: string;
  runId: string;
  promptId: string;
  prompt: string;
  category: string;
  provider: string;
  modelId: string;
  mediaId: string;
  totalMs: number;
  costUsd: number;
}

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
