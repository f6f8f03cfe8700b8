/**
 * Seeds a data folder's database with successful generations (and media rows) to review, and
 * makes the votes the review tests store.
 */
import type { WritableDb } from '../../../src/main/store/db';
import type { Vote } from '../../../src/shared/review/review-schemas';

/** Models × prompts, each generation with its own media row; returns the generation ids. */
export function seedGenerations(
  db: WritableDb,
  options: {
    models: string[];
    prompts: number;
    runId?: string;
    mediaIds?: readonly string[];
    /** Reference image of every prompt (image-to-video); none by default. */
    imageUrl?: string;
    /** Generation settings JSON (e.g. '{"audio":true}'); '{}' by default. */
    settings?: string;
    /** ffprobe result JSON (e.g. '{"hasAudio":true}'); none by default. */
    probe?: string;
    /** Prompt ids are `${promptPrefix}${k}`; 'p' by default. */
    promptPrefix?: string;
  },
): string[] {
  const runId = options.runId ?? 'run-seeded';
  db.prepare(
    `INSERT OR IGNORE INTO suites (id, version, name, definition, created_at)
     VALUES ('seeded', 1, 'Seeded', '{"name":"Seeded","prompts":[{"id":"p","text":"t"}]}', 0)`,
  ).run();
  db.prepare(
    `INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at)
     VALUES (?, 'Seeded', 'seeded', 1, '[]', 'finished', 1, 0, 0)`,
  ).run(runId);
  const media = db.prepare(
    "INSERT OR IGNORE INTO media (id, content_type, bytes, created_at) VALUES (?, 'video/mp4', 10, 0)",
  );
  const generation = db.prepare(
    `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id, settings,
       request_key, state, outcome, estimated_cost_usd, media_id, image_url, video_probe)
     VALUES (?, ?, ?, ?, 'people', ?, ?, ?, ?, 'succeeded', 'success', 0, ?, ?, ?)`,
  );
  const ids: string[] = [];
  let n = 0;
  for (const model of options.models) {
    const [provider, modelId] = model.split(':') as [string, string];
    for (let p = 1; p <= options.prompts; p += 1) {
      n += 1;
      const id = `${runId}-g${n}`;
      const mediaId =
        options.mediaIds?.[(n - 1) % options.mediaIds.length] ?? n.toString(16).padStart(64, '0');
      media.run(mediaId);
      const prefix = options.promptPrefix ?? 'p';
      generation.run(
        id,
        runId,
        `${prefix}${p}`,
        options.promptPrefix === undefined ? `prompt ${p}` : `prompt ${prefix}${p}`,
        provider,
        modelId,
        options.settings ?? '{}',
        id,
        mediaId,
        options.imageUrl ?? null,
        options.probe ?? null,
      );
      ids.push(id);
    }
  }
  return ids;
}

/**
 * A vote by ann for A (sandbox:m1 on g1 against sandbox:m2 on g2, prompt p1, people) with id
 * `id`, cast at `votedAt`; `overrides` replace any field.
 */
export function sampleVote(id: string, votedAt: number, overrides: Partial<Vote> = {}): Vote {
  return {
    id,
    generationA: 'g1',
    generationB: 'g2',
    modelA: 'sandbox:m1',
    modelB: 'sandbox:m2',
    promptId: 'p1',
    category: 'people',
    verdict: 'a',
    voter: 'ann',
    votedAt,
    ...overrides,
  };
}
