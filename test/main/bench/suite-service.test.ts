import { afterEach, describe, expect, it } from 'vitest';
import {
  exportSuite,
  importSuite,
  saveSuite,
  suiteVersions,
} from '../../../src/main/bench/suite-service';
import { getSuite } from '../../../src/main/bench/bench-repository';
import { ValidationError } from '../../../src/shared/errors';
import { testServices } from '../../helpers/services';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function services() {
  const created = testServices();
  cleanups.push(created.cleanup);
  return created;
}

const definition = {
  name: 'Hands and text',
  description: '',
  settings: { durationSeconds: 5 },
  prompts: [
    {
      id: 'h1',
      text: 'a pianist playing a fast passage, close on the hands',
      category: 'people' as const,
    },
    {
      id: 't1',
      text: 'a shop sign that reads OPEN 24 HOURS flickers on',
      category: 'text' as const,
    },
  ],
};

describe('suites', () => {
  it('saves new versions; a run keeps the version it used', () => {
    const { db } = services();
    const first = saveSuite(db, undefined, definition, 1);
    expect(first).toMatchObject({
      id: 'hands-and-text',
      version: 1,
      promptCount: 2,
      builtIn: false,
    });
    const second = saveSuite(
      db,
      first.id,
      {
        ...definition,
        prompts: [...definition.prompts, { id: 'h2', text: 'knitting', category: 'people' }],
      },
      2,
    );
    expect(second.version).toBe(2);
    expect(suiteVersions(db, first.id)).toEqual([1, 2]);
    expect(getSuite(db, first.id, 1)?.definition.prompts).toHaveLength(2);
  });

  it('never changes a built-in suite: saving it makes a copy', () => {
    const { db } = services();
    const smoke = getSuite(db, 'smoke')!;
    const copy = saveSuite(db, 'smoke', { ...smoke.definition, name: 'My smoke' }, 1);
    expect(copy.id).not.toBe('smoke');
    expect(copy.builtIn).toBe(false);
    expect(getSuite(db, 'smoke')?.version).toBe(smoke.version);
  });

  it('refuses duplicate prompt ids, naming the field', () => {
    const { db } = services();
    expect(() =>
      saveSuite(
        db,
        undefined,
        { ...definition, prompts: [definition.prompts[0]!, definition.prompts[0]!] },
        1,
      ),
    ).toThrow(/prompts\.1\.id/);
  });

  it('exports YAML and JSON that import back to the same definition', () => {
    const { db } = services();
    const saved = saveSuite(db, undefined, definition, 1);
    for (const format of ['yaml', 'json'] as const) {
      const exported = exportSuite(db, saved.id, undefined, format);
      expect(exported.fileName).toBe(`hands-and-text-v1.${format}`);
      const again = importSuite(db, exported.fileName, exported.content, 2);
      expect(again.id).toBe(saved.id);
      expect(getSuite(db, saved.id)?.definition).toEqual(getSuite(db, saved.id, 1)?.definition);
    }
  });

  it('names the line and field of a bad import and stores nothing', () => {
    const { db } = services();
    const before = db.prepare('SELECT COUNT(*) AS n FROM suites').get();
    let caught: unknown;
    try {
      importSuite(db, 'bad.yaml', 'name: Bad\nprompts:\n  - id: a\n    text: ""\n', 1);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as Error).message).toMatch(/line 4: prompts\.0\.text/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM suites').get()).toEqual(before);
  });
});
