/**
 * Filters and ranks a grouped list for a cmdk list (the command palette, the model picker):
 * they render `<Command shouldFilter={false}>` with what this returns, so cmdk only draws the
 * items it is given and handles the keys (↑/↓, Home/End, Enter).
 *
 * Why not cmdk's own filtering: cmdk hides an item by having it re-render to nothing when its
 * store says so, and moves the matching items' DOM nodes into score order behind the UI
 * library's back. On Preact (the renderer's React, scripts/preact-aliases.ts) its list lagged
 * behind the text typed: "veo 3" in the model picker still listed FLUX-3, Ctrl+K "new
 * benchmark" + Enter opened nothing. Rendering the list ourselves leaves nothing to lag.
 *
 * The order is cmdk's: with nothing typed, every item as given; otherwise the items scoring
 * above 0, best first within their group, and the groups by their best item, best first; equal
 * scores keep the order given (both sorts are stable).
 */
export interface RankedGroup<G, T> {
  group: G;
  items: T[];
}

export function filterAndRank<G, T>(
  groups: readonly G[],
  itemsOf: (group: G) => readonly T[],
  search: string,
  score: (item: T, group: G) => number,
): RankedGroup<G, T>[] {
  if (search === '') {
    return groups
      .map((group) => ({ group, items: [...itemsOf(group)] }))
      .filter((entry) => entry.items.length > 0);
  }
  const scored = groups.map((group) => {
    const items = itemsOf(group)
      .map((item) => ({ item, score: score(item, group) }))
      .filter((entry) => entry.score > 0)
      .sort((a, b) => b.score - a.score);
    return { group, items, best: items[0]?.score ?? 0 };
  });
  return scored
    .filter((entry) => entry.items.length > 0)
    .sort((a, b) => b.best - a.best)
    .map((entry) => ({
      group: entry.group,
      items: entry.items.map((scoredItem) => scoredItem.item),
    }));
}

/** The first item of a ranked list (what cmdk highlights after each change of the text). */
export function firstRanked<G, T>(ranked: readonly RankedGroup<G, T>[]): T | undefined {
  return ranked[0]?.items[0];
}
