import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/main/review/bradley-terry';
import { selectNextPair } from '../../../src/main/review/pair-selection';
import {
  formatImportResult,
  importVotesFile,
  reviewRatings,
} from '../../../src/main/review/review-cli';
import {
  countVotesByPair,
  countVotesByPairPrompt,
  insertVotes,
  listPairCandidates,
  listVotes,
} from '../../../src/main/review/review-repository';
import {
  exportVotesCsv,
  importVotesCsv,
  parseCsv,
  parseTimestamp,
} from '../../../src/main/review/votes-csv';
import type { WritableDb } from '../../../src/main/store/db';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { migration0010 } from '../../../src/main/store/migrations/0010-initial';
import { migration0020 } from '../../../src/main/store/migrations/0020-votes';
import { ValidationError } from '../../../src/shared/errors';
import type { Vote } from '../../../src/shared/review/review-schemas';
import { sampleVote } from './seed-review';
import { tempDir } from '../../helpers/temp-dir';

const open: Database.Database[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  open.splice(0).forEach((db) => db.close());
  cleanups.splice(0).forEach((cleanup) => cleanup());
});

function freshDb(): WritableDb {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  open.push(db);
  migrate(db, MIGRATIONS);
  return db as WritableDb;
}

/** Generations: id → [model, prompt, outcome]. */
function seed(db: WritableDb, rows: [string, string, string, string][]): void {
  db.prepare(
    "INSERT INTO suites (id, version, name, definition, created_at) VALUES ('s', 1, 'S', '{}', 0)",
  ).run();
  db.prepare(
    `INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at)
     VALUES ('r', 'R', 's', 1, '[]', 'finished', 1, 0, 0)`,
  ).run();
  const insert = db.prepare(
    `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id, settings,
       request_key, state, outcome, estimated_cost_usd)
     VALUES (?, 'r', ?, ?, ?, ?, ?, '{}', ?, 'succeeded', ?, 0)`,
  );
  for (const [id, model, prompt, outcome] of rows) {
    const [provider, modelId] = model.split(':') as [string, string];
    insert.run(
      id,
      prompt,
      `text of ${prompt}`,
      prompt === 'p3' ? 'camera' : 'people',
      provider,
      modelId,
      id,
      outcome,
    );
  }
}

const GENERATIONS: [string, string, string, string][] = [
  ['g1', 'sandbox:m1', 'p1', 'success'],
  ['g2', 'sandbox:m2', 'p1', 'success'],
  ['g3', 'sandbox:m3', 'p1', 'failure'],
  ['g4', 'sandbox:m1', 'p2', 'success'],
  ['g5', 'sandbox:m2', 'p2', 'success'],
  ['g6', 'sandbox:m3', 'p2', 'success'],
  ['g7', 'sandbox:m1', 'p3', 'success'],
  ['g8', 'sandbox:m4', 'p3', 'success'],
];

let counter = 0;
const newId = (): string => `v${(counter += 1)}`;

describe('migration 0020', () => {
  it('applies on top of 0010 and creates the votes table with its indexes', () => {
    const db = freshDb();
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(names).toEqual(
      expect.arrayContaining(['votes', 'votes_models', 'generations_prompt_success']),
    );
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM votes WHERE model_a = ? AND model_b = ?')
      .all('a', 'b') as { detail: string }[];
    expect(plan.map((row) => row.detail).join(' ')).toMatch(/votes_models/);
  });

  it('keeps an existing 0010 database and adds the votes table', () => {
    const db = new Database(':memory:');
    open.push(db);
    migrate(db, [migration0010]);
    expect(migrate(db, [migration0010, migration0020])).toEqual({ from: 10, to: 20 });
    expect(() => db.prepare('SELECT COUNT(*) FROM votes').get()).not.toThrow();
  });

  it('refuses bad verdicts and self-comparisons in SQL', () => {
    const db = freshDb();
    const insert = db.prepare(
      `INSERT INTO votes (id, generation_a, generation_b, model_a, model_b, prompt_id, category, verdict, voter, voted_at, created_at)
       VALUES (?, 'g1', 'g2', ?, ?, 'p1', 'people', ?, 'ann', 1, 1)`,
    );
    expect(() => insert.run('x1', 'a:1', 'a:2', 'left')).toThrow(/CHECK/);
    expect(() => insert.run('x2', 'a:1', 'a:1', 'a')).toThrow(/CHECK/);
  });
});

function vote(overrides: Partial<Vote> = {}): Vote {
  const id = newId();
  return sampleVote(id, 1_700_000_000_000 + counter, overrides);
}

describe('review repository', () => {
  it('inserts in one transaction, lists, counts, and skips exact duplicates', () => {
    const db = freshDb();
    seed(db, GENERATIONS);
    const first = vote();
    expect(insertVotes(db, [first, vote({ verdict: 'tie', comment: 'close' })], 5)).toEqual({
      inserted: 2,
      duplicates: 0,
    });
    expect(insertVotes(db, [{ ...first, id: 'other' }], 6)).toEqual({
      inserted: 0,
      duplicates: 1,
    });
    // A bad vote in a batch stops the whole batch.
    expect(() =>
      insertVotes(db, [vote(), vote({ modelB: 'sandbox:m1', generationB: 'g4' })], 7),
    ).toThrow(ValidationError);
    const votes = listVotes(db);
    expect(votes).toHaveLength(2);
    expect(votes[1]!.comment).toBe('close');
    expect(countVotesByPair(db)).toEqual([
      { modelA: 'sandbox:m1', modelB: 'sandbox:m2', votes: 2 },
    ]);
    expect(countVotesByPairPrompt(db, { category: 'people' })).toEqual([
      { modelA: 'sandbox:m1', modelB: 'sandbox:m2', promptId: 'p1', votes: 2 },
    ]);
  });

  it('lists candidates only where both models succeeded on the same prompt', () => {
    const db = freshDb();
    seed(db, GENERATIONS);
    const pairs = listPairCandidates(db).map(
      (c) => `${c.modelA}|${c.modelB}|${c.promptId}|${c.generationA}|${c.generationB}`,
    );
    expect(pairs).toEqual([
      'sandbox:m1|sandbox:m2|p1|g1|g2',
      'sandbox:m1|sandbox:m2|p2|g4|g5',
      'sandbox:m1|sandbox:m3|p2|g4|g6',
      'sandbox:m1|sandbox:m4|p3|g7|g8',
      'sandbox:m2|sandbox:m3|p2|g5|g6',
    ]);
    expect(listPairCandidates(db, { category: 'camera' })).toHaveLength(1);
  });
});

describe('votes CSV', () => {
  it('round-trips export → import, including quotes, commas and line breaks', () => {
    const db = freshDb();
    seed(db, GENERATIONS);
    const votes = [
      vote({ comment: 'left, "sharper"\r\nbut slower' }),
      vote({
        generationA: 'g6',
        generationB: 'g4',
        modelA: 'sandbox:m3',
        modelB: 'sandbox:m1',
        promptId: 'p2',
        verdict: 'both_bad',
      }),
      vote({
        generationA: 'g7',
        generationB: 'g8',
        modelA: 'sandbox:m1',
        modelB: 'sandbox:m4',
        promptId: 'p3',
        category: 'camera',
        verdict: 'b',
        voter: 'bo b',
      }),
    ];
    const text = exportVotesCsv(votes);
    expect(text.startsWith('generation_a,generation_b,verdict,voter,voted_at,comment\r\n')).toBe(
      true,
    );
    const result = importVotesCsv(db, text, { newId, now: 1 });
    expect(result).toEqual({ rows: 3, imported: 3, duplicates: 0 });
    const back = listVotes(db).map(({ id: _id, ...rest }) => rest);
    // An imported vote keeps its voter's name, says it came from a file, and gets its pool
    // from its generations (text prompts, no audio).
    expect(back).toEqual(
      votes.map(({ id: _id, ...rest }) => ({ ...rest, voterVia: 'import', pool: 'text-to-video' })),
    );
    // Importing the same file again adds nothing.
    expect(importVotesCsv(db, text, { newId, now: 2 })).toEqual({
      rows: 3,
      imported: 0,
      duplicates: 3,
    });
    expect(exportVotesCsv(listVotes(db))).toBe(text);
  });

  it('reports every bad row with line and field, and imports nothing', () => {
    const db = freshDb();
    seed(db, GENERATIONS);
    const text = [
      'generation_a,generation_b,verdict,voter,voted_at,comment',
      'g1,g2,a,ann,2025-03-01T12:00:00Z,fine',
      'g1,nope,b,ann,2025-03-01T12:00:01Z,',
      'g1,g4,tie,ann,1740830400000,',
      'g4,g4,a,ann,1740830400000,',
      'g1,g2,A,ann,1740830400000,',
      'g1,g2,left,ann,1740830400000,',
      'g1,g2,b,ann,2025-03-01 12:00,',
      'g1,g2,b,ann,1740830400,',
      'g1,g3,b,ann,1740830400000,',
      '"g1","g2",b,,2025-02-30T10:00:00+01:00,"multi',
      'line"',
      'g1,g2,b,ann,1740830400000',
    ].join('\n');
    let error: unknown;
    try {
      importVotesCsv(db, text, { newId, now: 1 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((issue) => issue.path);
    expect(paths).toEqual([
      'line 3.generation_b',
      'line 4.generation_b',
      'line 5.generation_b',
      'line 6.verdict',
      'line 7.verdict',
      'line 8.voted_at',
      'line 9.voted_at',
      'line 10.generation_b',
      'line 11.voter',
      'line 11.voted_at',
      'line 13',
    ]);
    const messages = (error as ValidationError).issues.map((issue) => issue.message);
    expect(messages[0]).toMatch(/unknown generation id "nope"/);
    expect(messages[1]).toMatch(/prompt "p2" but generation_a is for prompt "p1"/);
    expect(messages[2]).toMatch(/same model/);
    expect(messages[3]).toMatch(/"A" is not allowed; use one of a, b, tie, both_bad/);
    expect(messages[6]).toMatch(/epoch seconds/);
    expect(messages[7]).toMatch(/did not succeed/);
    expect(listVotes(db)).toHaveLength(0);
  });

  it('refuses a wrong header and says what it must be', () => {
    expect(() =>
      importVotesCsv(freshDb(), 'gen_a,generation_b,verdict,voter,voted_at\n', {
        newId,
        now: 1,
      }),
    ).toThrow(/unknown column "gen_a".*no column "generation_a".*no column "comment"/);
  });

  it('says in one line that a file with no votes header is not a votes file', () => {
    let message = '';
    try {
      importVotesCsv(freshDb(), 'model_a,model_b,winner\nx,y,model_a\n', { newId, now: 1 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'line 1: this is not a votes header ("model_a,model_b,winner"); the first line must be generation_a,generation_b,verdict,voter,voted_at,comment',
    );
    expect(message).not.toContain('unknown column');
  });

  it('parses RFC 4180 edge cases and reports broken quoting', () => {
    expect(parseCsv('a,"b ""c""",\r\n\r\n"x\ny",z,\n').records).toEqual([
      { line: 1, fields: ['a', 'b "c"', ''] },
      { line: 3, fields: ['x\ny', 'z', ''] },
    ]);
    expect(parseCsv('a,b"c\n').issues[0]!.path).toBe('line 1');
    expect(parseCsv('a\n"open,b\n').issues[0]!.message).toMatch(/never closed/);
    expect(parseTimestamp('2024-02-29T23:59:59.5+02:00')).toBe(
      Date.UTC(2024, 1, 29, 21, 59, 59, 500),
    );
    expect(parseTimestamp('2023-02-29T00:00:00Z')).toMatch(/not a real date/);
    expect(parseTimestamp('2024-01-01T00:00:00')).toMatch(/with a zone/);
  });
});

describe('pair selection', () => {
  const rating = (model: string, value: number, half: number) => ({
    model,
    rating: value,
    low: value - half,
    high: value + half,
    votes: 10,
    wins: 5,
    losses: 5,
    ties: 0,
    bothBad: 0,
  });
  const candidate = (modelA: string, modelB: string, promptId: string) => ({
    modelA,
    modelB,
    promptId,
    category: 'people',
    generationA: `${modelA}/${promptId}`,
    generationB: `${modelB}/${promptId}`,
  });

  it('prefers the overlapping, least-voted pair and its least-voted prompt', () => {
    const ratings = [rating('x:a', 1200, 30), rating('x:b', 1010, 40), rating('x:c', 990, 40)];
    const candidates = [
      candidate('x:a', 'x:b', 'p1'),
      candidate('x:b', 'x:c', 'p1'),
      candidate('x:b', 'x:c', 'p2'),
      candidate('x:b', 'x:c', 'p3'),
    ];
    const random = createRandom(1);
    const base = {
      ratings,
      candidates,
      pairPromptVotes: [
        { modelA: 'x:b', modelB: 'x:c', promptId: 'p1', votes: 3 },
        { modelA: 'x:b', modelB: 'x:c', promptId: 'p3', votes: 1 },
      ],
      random,
    };
    const chosen = selectNextPair({
      ...base,
      pairVotes: [
        { modelA: 'x:a', modelB: 'x:b', votes: 4 },
        { modelA: 'x:b', modelB: 'x:c', votes: 4 },
      ],
    })!;
    expect(chosen.blind.promptId).toBe('p2');
    expect([chosen.blind.left, chosen.blind.right].sort()).toEqual(['x:b/p2', 'x:c/p2']);
    expect(chosen.hidden.overlap).toBeCloseTo(60 / 80, 12); // [970,1050] vs [950,1030]
    // The blind part names no model.
    expect(JSON.stringify(chosen.blind)).not.toMatch(/"x:[abc]"/);
    expect(Object.keys(chosen.blind).sort()).toEqual([
      'category',
      'left',
      'promptId',
      'right',
      'token',
    ]);
    // Heavily voted overlap loses to an unvoted, separated pair.
    const other = selectNextPair({
      ...base,
      pairVotes: [{ modelA: 'x:b', modelB: 'x:c', votes: 500 }],
    })!;
    expect(new Set([other.hidden.modelLeft, other.hidden.modelRight])).toEqual(
      new Set(['x:a', 'x:b']),
    );
  });

  it('never picks a pair without a shared successful prompt (from the database)', () => {
    const db = freshDb();
    seed(db, GENERATIONS);
    // m3 failed p1 and m4 only has p3: m3–m4 and m2–m4 have no shared successful prompt.
    const random = createRandom(3);
    const seen = new Set<string>();
    for (let k = 0; k < 300; k += 1) {
      const chosen = selectNextPair({
        ratings: [],
        candidates: listPairCandidates(db),
        pairVotes: countVotesByPair(db),
        pairPromptVotes: countVotesByPairPrompt(db),
        random,
      })!;
      const pair = [chosen.hidden.modelLeft, chosen.hidden.modelRight].sort().join('|');
      seen.add(`${pair}|${chosen.blind.promptId}`);
    }
    for (const entry of seen) {
      expect(entry).not.toMatch(/m3\|sandbox:m4|m2\|sandbox:m4/);
      expect(entry).not.toMatch(/m3\|p1/);
    }
    expect(seen.size).toBe(5);
    expect(
      selectNextPair({
        ratings: [],
        candidates: [],
        pairVotes: [],
        pairPromptVotes: [],
        random,
      }),
    ).toBeUndefined();
  });

  it('randomises sides', () => {
    const random = createRandom(7);
    let leftIsA = 0;
    const draws = 400;
    for (let k = 0; k < draws; k += 1) {
      const chosen = selectNextPair({
        ratings: [],
        candidates: [candidate('x:a', 'x:b', 'p1')],
        pairVotes: [],
        pairPromptVotes: [],
        random,
      })!;
      if (chosen.blind.left === 'x:a/p1') {
        leftIsA += 1;
        expect(chosen.hidden.modelLeft).toBe('x:a');
      } else {
        expect(chosen.blind.left).toBe('x:b/p1');
        expect(chosen.hidden.modelLeft).toBe('x:b');
      }
    }
    expect(leftIsA).toBeGreaterThan(draws * 0.4);
    expect(leftIsA).toBeLessThan(draws * 0.6);
  });
});

describe('review CLI functions', () => {
  it('an empty board says where votes come from', () => {
    const text = reviewRatings(freshDb(), { resamples: 200 }).text;
    expect(text).toMatch(/^No votes yet\. Vote blind in the console \(Review → Blind vote/);
    expect(text).toContain('aideon review import-votes FILE');
  });

  it('imports a votes file and prints ratings as JSON and as a table', () => {
    const db = freshDb();
    seed(db, GENERATIONS);
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'votes.csv');
    const lines = ['generation_a,generation_b,verdict,voter,voted_at,comment'];
    for (let k = 0; k < 30; k += 1) {
      lines.push(`g1,g2,${k % 3 === 0 ? 'b' : 'a'},ann,${1_740_830_400_000 + k},`);
      lines.push(`g5,g6,${k % 4 === 0 ? 'tie' : 'a'},bob,${1_740_830_400_000 + k},`);
      lines.push(`g7,g8,b,cy,${1_740_830_400_000 + k},`);
    }
    writeFileSync(file, lines.join('\n'));
    const result = importVotesFile(db, file, { now: 1, newId });
    expect(formatImportResult(result)).toBe('Imported 90 of 90 votes.\n');
    const json = reviewRatings(db, { json: true, resamples: 200 });
    const parsed = JSON.parse(json.text) as { overall: { model: string }[] };
    expect(parsed.overall.map((r) => r.model)).toContain('sandbox:m4');
    const camera = reviewRatings(db, { category: 'camera', resamples: 200 });
    // Header, rule, then the rows (as every CLI table).
    expect(camera.text.split('\n')[1]).toMatch(/^-+ {2}-+/);
    expect(camera.text.split('\n')[2]).toMatch(/^1 +sandbox:m4/);
    expect(() => reviewRatings(db, { category: 'nope' })).toThrow(/Categories with votes/);
  });

  it('a votes file that cannot be read is named with the reason, and nothing is imported', () => {
    const db = freshDb();
    seed(db, GENERATIONS);
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const missing = join(dir, 'missing.csv');
    expect(() => importVotesFile(db, missing, { now: 1, newId })).toThrow(
      `Cannot read the votes file ${missing}: there is no such file.`,
    );
    expect(() => importVotesFile(db, dir, { now: 1, newId })).toThrow(
      `Cannot read the votes file ${dir}: it is a folder.`,
    );
    expect(db.prepare('SELECT COUNT(*) AS n FROM votes').get()).toEqual({ n: 0 });
  });
});
