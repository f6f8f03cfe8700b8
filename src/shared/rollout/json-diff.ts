/**
 * A small structural JSON diff for "what will change" before a publish, promotion or rollback.
 * Objects are compared key by key; arrays are compared as whole values (a changed array is one
 * change), which keeps fractional weights and fallback chains readable.
 */

export type JsonDiffKind = 'added' | 'removed' | 'changed';

export interface JsonDiffEntry {
  /** Dotted path, e.g. `flags.new-model.targeting`; `(root)` for the whole value. */
  path: string;
  kind: JsonDiffKind;
  before?: unknown;
  after?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

function joinPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

export function diffJson(before: unknown, after: unknown, path = ''): JsonDiffEntry[] {
  if (jsonEqual(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: JsonDiffEntry[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const child = joinPath(path, key);
      if (!Object.hasOwn(after, key))
        out.push({ path: child, kind: 'removed', before: before[key] });
      else if (!Object.hasOwn(before, key))
        out.push({ path: child, kind: 'added', after: after[key] });
      else out.push(...diffJson(before[key], after[key], child));
    }
    return out;
  }
  if (before === undefined) return [{ path: path || '(root)', kind: 'added', after }];
  if (after === undefined) return [{ path: path || '(root)', kind: 'removed', before }];
  return [{ path: path || '(root)', kind: 'changed', before, after }];
}

/** e.g. "2 changed, 1 added: flags.a.targeting, flags.b, tiers.free" (paths capped at 5). */
export function summarizeDiff(entries: readonly JsonDiffEntry[]): string {
  if (entries.length === 0) return 'no change';
  const counts = (['changed', 'added', 'removed'] as const)
    .map((kind) => [kind, entries.filter((entry) => entry.kind === kind).length] as const)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  const paths = entries.slice(0, 5).map((entry) => entry.path);
  const more = entries.length > 5 ? `, +${entries.length - 5} more` : '';
  return `${counts}: ${paths.join(', ')}${more}`;
}
