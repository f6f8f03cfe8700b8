/**
 * Pure helpers of the routing editor: weights as percentages, reordering, fractional rules,
 * problems by field, and immutable updates of the config as the admin wrote it (defaults may be
 * absent, so every read is defensive).
 */
import { problemPaths, type RoutingProblem } from '../../../shared/routing/routing-problem';
import { formatRatePercent } from '../../../shared/format';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Each weight as a percentage of the total (0–100). A missing or invalid weight counts as 0 and
 * is `null`; when the total is not positive every share is `null` (nothing can be picked).
 */
export function weightPercentages(weights: readonly unknown[]): (number | null)[] {
  const values = weights.map((w) =>
    typeof w === 'number' && Number.isFinite(w) && w >= 0 ? w : null,
  );
  const total = values.reduce<number>((sum, w) => sum + (w ?? 0), 0);
  if (!(total > 0)) return values.map(() => null);
  return values.map((w) => (w === null ? null : (w / total) * 100));
}

/** A share in percent (0–100): "70%", "33.3%", "0%", "—", as formatRatePercent writes a rate. */
export function formatShare(share: number | null): string {
  return share === null ? '—' : formatRatePercent(share / 100);
}

/** A copy of `list` with the item at `from` moved to index `to` (clamped); same list when no move. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const copy = [...list];
  if (from < 0 || from >= list.length) return copy;
  const target = Math.max(0, Math.min(list.length - 1, to));
  if (target === from) return copy;
  const [item] = copy.splice(from, 1);
  copy.splice(target, 0, item as T);
  return copy;
}

/** One entry of a flagd `fractional` rule. */
export interface FractionalEntry {
  variant: string;
  weight: number;
}

/** Where the first `fractional` operator sits in a JSONLogic tree (keys and indexes). */
export function findFractionalPath(
  node: unknown,
  path: (string | number)[] = [],
): (string | number)[] | null {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i += 1) {
      const found = findFractionalPath(node[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (!isObject(node)) return null;
  if (Array.isArray(node.fractional)) return [...path, 'fractional'];
  for (const [key, value] of Object.entries(node)) {
    const found = findFractionalPath(value, [...path, key]);
    if (found) return found;
  }
  return null;
}

function getAt(node: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = node;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isObject(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}

function setAt(node: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  if (Array.isArray(node) && typeof key === 'number') {
    const copy = [...node];
    copy[key] = setAt(node[key], rest, value) as Json;
    return copy;
  }
  if (isObject(node) && typeof key === 'string') {
    return { ...node, [key]: setAt(node[key], rest, value) as Json };
  }
  return node;
}

/** The variant/weight entries of the first `fractional` rule in `targeting`, or null. */
export function fractionalEntries(targeting: unknown): FractionalEntry[] | null {
  const path = findFractionalPath(targeting);
  if (!path) return null;
  const args = getAt(targeting, path);
  if (!Array.isArray(args)) return null;
  const entries: FractionalEntry[] = [];
  for (const arg of args) {
    if (Array.isArray(arg) && typeof arg[0] === 'string') {
      entries.push({ variant: arg[0], weight: typeof arg[1] === 'number' ? arg[1] : 1 });
    }
  }
  return entries;
}

/** `targeting` with the weight of the `index`-th variant entry of its fractional rule replaced. */
export function setFractionalWeight(targeting: unknown, index: number, weight: number): unknown {
  const path = findFractionalPath(targeting);
  if (!path) return targeting;
  const args = getAt(targeting, path);
  if (!Array.isArray(args)) return targeting;
  let seen = -1;
  const next = args.map((arg: unknown) => {
    if (Array.isArray(arg) && typeof arg[0] === 'string') {
      seen += 1;
      if (seen === index) return [arg[0], weight];
    }
    return arg;
  });
  return setAt(targeting, path, next);
}

/** Problems of exactly this dotted path (also problems reported once for several fields). */
export function problemsAt(problems: readonly RoutingProblem[], path: string): RoutingProblem[] {
  return problems.filter((p) => problemPaths(p).includes(path));
}

/** Problems of this path and everything under it. */
export function problemsUnder(problems: readonly RoutingProblem[], path: string): RoutingProblem[] {
  return problems.filter((p) =>
    problemPaths(p).some((at) => at === path || at.startsWith(`${path}.`)),
  );
}

/** `config` with the value at the dotted-by-segments `path` replaced (objects created as needed). */
export function updateIn(
  config: unknown,
  path: readonly (string | number)[],
  value: unknown,
): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  if (typeof key === 'number') {
    const list = Array.isArray(config) ? [...config] : [];
    list[key] = updateIn(list[key], rest, value) as Json;
    return list;
  }
  const object: JsonObject = isObject(config) ? { ...config } : {};
  const next = updateIn(object[key as string], rest, value);
  if (next === undefined) delete object[key as string];
  else object[key as string] = next as Json;
  return object;
}

export function readIn(config: unknown, path: readonly (string | number)[]): unknown {
  return getAt(config, path);
}

/** A number input's text as a number, or undefined when empty (the field falls back to its default). */
export function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export {
  assumedObservations,
  type AssumedFigures,
} from '../../../shared/routing/assumed-observations';
