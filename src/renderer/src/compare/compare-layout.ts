/**
 * Pure helpers for the compare grid: which generation sits in which slot (2-up or 4-up) and
 * which player a number key chooses.
 */

export type GridSize = 2 | 4;
export const GRID_SIZES: readonly GridSize[] = [2, 4];

/** How many players a grid shows for this many finished videos (4-up shows 3 when only 3 exist). */
export function playerCount(grid: GridSize, videos: number): number {
  return Math.max(0, Math.min(grid, videos));
}

/**
 * The generation ids in each slot: the ones already picked (when still available and not
 * repeated), then the first unused available ids, up to `slots`.
 */
export function fillSlots(
  picked: readonly string[],
  available: readonly string[],
  slots: number,
): string[] {
  const open = new Set(available);
  const out: string[] = [];
  for (const id of picked) {
    if (out.length >= slots) break;
    if (open.has(id)) {
      out.push(id);
      open.delete(id);
    }
  }
  for (const id of available) {
    if (out.length >= slots) break;
    if (open.has(id)) {
      out.push(id);
      open.delete(id);
    }
  }
  return out;
}

/**
 * Puts `id` in `slot`. If it is already shown in another slot, the two swap, so no video is
 * ever shown twice.
 */
export function placeInSlot(slots: readonly string[], slot: number, id: string): string[] {
  const out = [...slots];
  const current = out.indexOf(id);
  const previous = out[slot];
  if (previous === undefined) return out;
  out[slot] = id;
  if (current !== -1 && current !== slot) out[current] = previous;
  return out;
}

/**
 * The player index (0-based) a key press chooses: 1–4 within the players shown; null for
 * other keys, modifier keys, repeats or typing in a field.
 */
export function choiceForKey(
  event: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'repeat' | 'target'>,
  players: number,
): number | null {
  if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return null;
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest('input, textarea, select, [contenteditable="true"]')) return null;
  if (!/^[1-4]$/.test(event.key)) return null;
  const index = Number(event.key) - 1;
  return index < players ? index : null;
}
