import { describe, expect, it } from 'vitest';
import {
  checkDraft,
  draftFromDefinition,
  emptyDraft,
  errorFor,
  nextPromptId,
  type SuiteDraft,
} from '../../src/renderer/src/bench/suite-form';

function validDraft(overrides: Partial<SuiteDraft> = {}): SuiteDraft {
  return {
    ...emptyDraft(),
    name: '  Hands and water ',
    description: 'Hard things',
    durationText: '4',
    aspectRatio: '16:9',
    resolution: '720p',
    seedText: '11',
    audio: 'off',
    prompts: [
      { id: 'p01', text: ' A pianist plays. ', category: 'people', imageUrl: '' },
      {
        id: 'p02',
        text: 'A still photo comes alive.',
        category: 'image-to-video',
        imageUrl: 'https://example.com/a.png',
      },
    ],
    ...overrides,
  };
}

describe('suite editor form', () => {
  it('turns a valid draft into the definition to save (trimmed, empty fields left out)', () => {
    const check = checkDraft(validDraft());
    expect(check).toEqual({
      ok: true,
      definition: {
        name: 'Hands and water',
        description: 'Hard things',
        settings: {
          durationSeconds: 4,
          aspectRatio: '16:9',
          resolution: '720p',
          seed: 11,
          audio: false,
        },
        prompts: [
          { id: 'p01', text: 'A pianist plays.', category: 'people' },
          {
            id: 'p02',
            text: 'A still photo comes alive.',
            category: 'image-to-video',
            imageUrl: 'https://example.com/a.png',
          },
        ],
      },
    });
    const defaults = checkDraft(
      validDraft({
        durationText: '',
        aspectRatio: '',
        resolution: '',
        seedText: ' ',
        audio: 'default',
      }),
    );
    expect(defaults.ok && defaults.definition.settings).toEqual({});
  });

  it('names every field that is wrong, with a message that says how to fix it', () => {
    const check = checkDraft(
      validDraft({
        name: '   ',
        durationText: 'four',
        seedText: '1.5',
        prompts: [
          { id: 'p01', text: '', category: 'people', imageUrl: 'ftp://x' },
          { id: 'p02', text: 'ok', category: 'image-to-video', imageUrl: '' },
        ],
      }),
    );
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors.map((error) => error.field)).toEqual([
      'name',
      'settings.durationSeconds',
      'settings.seed',
      'prompts.0.text',
      'prompts.0.imageUrl',
      'prompts.1.imageUrl',
    ]);
    expect(errorFor(check.errors, 'name')).toBe('Give the suite a name.');
    expect(errorFor(check.errors, 'settings.durationSeconds')).toMatch(/number of seconds/);
    expect(errorFor(check.errors, 'settings.seed')).toMatch(/whole number/);
    expect(errorFor(check.errors, 'prompts.0.text')).toBe('Prompt 1 has no text.');
    expect(errorFor(check.errors, 'prompts.0.imageUrl')).toMatch(/https:\/\//);
    expect(errorFor(check.errors, 'prompts.1.imageUrl')).toMatch(/image-to-video/);
  });

  it('applies the schema limits: duration range, name length, at least one prompt', () => {
    const fields = (draft: SuiteDraft): string[] => {
      const check = checkDraft(draft);
      return check.ok ? [] : check.errors.map((error) => error.field);
    };
    expect(fields(validDraft({ durationText: '0' }))).toEqual(['settings.durationSeconds']);
    expect(fields(validDraft({ durationText: '121' }))).toEqual(['settings.durationSeconds']);
    expect(fields(validDraft({ durationText: '120' }))).toEqual([]);
    expect(fields(validDraft({ seedText: '-1' }))).toEqual(['settings.seed']);
    expect(fields(validDraft({ name: 'x'.repeat(121) }))).toEqual(['name']);
    expect(fields(validDraft({ prompts: [] }))).toEqual(['prompts']);
    expect(fields(validDraft({ aspectRatio: 'wide' }))).toEqual(['settings.aspectRatio']);
    expect(
      fields(
        validDraft({
          prompts: [
            { id: 'p01', text: 'x', category: 'general', imageUrl: 'data:image/png;base64,AAAA' },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('round-trips a saved definition and gives new prompts unused ids', () => {
    const check = checkDraft(validDraft());
    if (!check.ok) throw new Error('expected a valid draft');
    const draft = draftFromDefinition(check.definition);
    expect(draft.durationText).toBe('4');
    expect(draft.audio).toBe('off');
    expect(draft.prompts[0]?.imageUrl).toBe('');
    expect(checkDraft(draft)).toEqual(check);
    expect(nextPromptId([{ id: 'p01' }, { id: 'p03' }])).toBe('p04');
    expect(nextPromptId([{ id: 'p03' }, { id: 'x' }])).toBe('p04');
    expect(nextPromptId([{ id: 'smoke-01' }])).toBe('p02');
  });
});
