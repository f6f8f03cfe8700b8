import { defaultFilter } from 'cmdk';
import { describe, expect, it } from 'vitest';
import { matchModel } from '../../src/renderer/src/components/model-picker';
import { filterAndRank, firstRanked } from '../../src/renderer/src/lib/filter-rank';

interface Item {
  id: string;
  label: string;
  keywords?: string[];
}
interface Group {
  name: string;
  items: Item[];
}

const groups: Group[] = [
  {
    name: 'Go to',
    items: [
      { id: 'go-models', label: 'Models', keywords: ['catalogue', 'inbox'] },
      { id: 'go-benchmarks', label: 'Benchmarks', keywords: ['runs', 'results'] },
      { id: 'go-settings', label: 'Settings', keywords: ['keys'] },
    ],
  },
  {
    name: 'Actions',
    items: [
      { id: 'new-run', label: 'New benchmark run…', keywords: ['bench', 'start'] },
      { id: 'new-suite', label: 'New suite…', keywords: ['prompts'] },
    ],
  },
  { name: 'Empty', items: [] },
];

/** What the command palette ranks with: cmdk's own score. */
const paletteRank = (search: string) =>
  filterAndRank(
    groups,
    (group) => group.items,
    search,
    (item) => defaultFilter(`${item.label} ${item.id}`, search, item.keywords ?? []),
  );
const ids = (ranked: ReturnType<typeof paletteRank>) =>
  ranked.map((entry) => [entry.group.name, entry.items.map((item) => item.id)]);

describe('filterAndRank: what a cmdk list shows for the text typed', () => {
  it('shows every item in the given order when nothing is typed (groups without items left out)', () => {
    expect(ids(paletteRank(''))).toEqual([
      ['Go to', ['go-models', 'go-benchmarks', 'go-settings']],
      ['Actions', ['new-run', 'new-suite']],
    ]);
    expect(firstRanked(paletteRank(''))?.id).toBe('go-models');
  });

  it('keeps only matches, best first, and puts the group with the best match first', () => {
    // "new benchmark": the action is the best match (Ctrl+K "new benchmark" + Enter opens the
    // new-run dialog), ahead of the Go-to group it would follow in the given order.
    const ranked = paletteRank('new benchmark');
    expect(firstRanked(ranked)?.id).toBe('new-run');
    expect(ranked[0]?.group.name).toBe('Actions');
    expect(ranked.flatMap((entry) => entry.items.map((item) => item.id))).not.toContain(
      'go-settings',
    );
    expect(ids(paletteRank('settings'))).toEqual([['Go to', ['go-settings']]]);
    // Keywords count too.
    expect(firstRanked(paletteRank('prompts'))?.id).toBe('new-suite');
  });

  it('keeps the given order among equal scores, and returns nothing when nothing matches', () => {
    const flat = filterAndRank(
      [{ items: ['b1', 'a2', 'c3', 'a4'] }, { items: ['a5'] }],
      (group) => group.items,
      'a',
      (item) => (item.startsWith('a') ? (item === 'a5' ? 2 : 1) : 0),
    );
    expect(flat.map((entry) => entry.items)).toEqual([['a5'], ['a2', 'a4']]);
    expect(paletteRank('zzzz qqq')).toEqual([]);
    expect(firstRanked(paletteRank('zzzz qqq'))).toBeUndefined();
  });

  it('with the model picker’s match: "veo 3" lists the Veo 3 models and no FLUX-3', () => {
    const models = [
      { provider: 'Together AI', items: ['FLUX-3 together:black-forest-labs/flux-3'] },
      {
        provider: 'Google',
        items: ['Veo 2 google:veo-2', 'Veo 3 google:veo-3', 'Veo 3.1 google:veo-3.1'],
      },
    ];
    const ranked = filterAndRank(
      models,
      (group) => group.items,
      'veo 3',
      (value, group) => matchModel(value, 'veo 3', [group.provider]),
    );
    expect(ranked.map((entry) => entry.items)).toEqual([
      ['Veo 3 google:veo-3', 'Veo 3.1 google:veo-3.1'],
    ]);
  });
});
