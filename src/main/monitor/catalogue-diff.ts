/**
 * Pure parts of the monitor: judging whether an answer is good enough to diff, and comparing
 * two entries of the same model.
 */
import type {
  CatalogueEntry,
  FailureKind,
  FieldChange,
} from '../../shared/monitor/monitor-schemas';
import type { CatalogueFetch } from './catalogue-sources';
import { formatMoney, formatMoneyPer } from '../../shared/format';

export type Verdict = { ok: true } | { ok: false; kind: FailureKind; message: string };

/**
 * An answer is good when it lists at least one video model, no raw entry is malformed, and it
 * lists at least half as many video models as the last good answer. Anything else could be a
 * vendor hiccup, and diffing it would announce models as removed (or new) that are not.
 */
export function judgeAnswer(answer: CatalogueFetch, previousGoodCount: number | null): Verdict {
  if (answer.malformed !== undefined)
    return { ok: false, kind: 'malformed', message: answer.malformed };
  if ((answer.malformedCount ?? 0) > 0) {
    return {
      ok: false,
      kind: 'malformed',
      message: `${answer.malformedCount} of ${answer.rawCount ?? '?'} catalogue entries do not match the documented shape; the answer was not used.`,
    };
  }
  if (answer.entries.length === 0) {
    return {
      ok: false,
      kind: 'empty',
      message:
        answer.rawCount === 0
          ? 'The catalogue answer was empty.'
          : 'The catalogue answer lists no video model.',
    };
  }
  if (previousGoodCount !== null && answer.entries.length * 2 < previousGoodCount) {
    return {
      ok: false,
      kind: 'partial',
      message: `The catalogue lists ${answer.entries.length} video models, fewer than half of the ${previousGoodCount} in the last good check; treated as a partial answer.`,
    };
  }
  return { ok: true };
}

/**
 * The answer with each model once (first listing wins): a vendor that lists a model twice
 * must not inflate the count the next answer is judged against (a doubled count would make
 * every later, correct answer look like a partial one).
 */
export function withUniqueEntries(answer: CatalogueFetch): CatalogueFetch {
  const seen = new Set<string>();
  const entries = answer.entries.filter((entry) => {
    const key = modelKey(entry.modelId);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return entries.length === answer.entries.length ? answer : { ...answer, entries };
}

/** Ids are compared case-insensitively, so a change of spelling is a change, not add+remove. */
export function modelKey(modelId: string): string {
  return modelId.toLowerCase();
}

function priceOf(entry: CatalogueEntry): Record<string, number> | null {
  if (!entry.price) return null;
  const out: Record<string, number> = {};
  if (entry.price.usdPerClip !== undefined) out.usdPerClip = entry.price.usdPerClip;
  if (entry.price.usdPerSecond !== undefined) out.usdPerSecond = entry.price.usdPerSecond;
  if (entry.price.audioUsdPerSecond !== undefined)
    out.audioUsdPerSecond = entry.price.audioUsdPerSecond;
  return out;
}

/** Stable JSON: object keys sorted, so key order never reads as a change. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What changed between the last good entry of a model and the new one. */
export function compareEntries(before: CatalogueEntry, after: CatalogueEntry): FieldChange[] {
  const changes: FieldChange[] = [];
  if (before.modelId !== after.modelId)
    changes.push({ field: 'modelId', before: before.modelId, after: after.modelId });
  if (before.displayName !== after.displayName)
    changes.push({ field: 'displayName', before: before.displayName, after: after.displayName });
  if (before.lifecycle !== after.lifecycle)
    changes.push({ field: 'lifecycle', before: before.lifecycle, after: after.lifecycle });
  const priceBefore = priceOf(before);
  const priceAfter = priceOf(after);
  if (stableJson(priceBefore) !== stableJson(priceAfter))
    changes.push({ field: 'price', before: priceBefore, after: priceAfter });
  if (stableJson(before.capabilities) !== stableJson(after.capabilities))
    changes.push({ field: 'capabilities', before: before.capabilities, after: after.capabilities });
  return changes;
}

export function priceText(entry: CatalogueEntry): string | null {
  const price = entry.price;
  if (!price) return null;
  const parts: string[] = [];
  // formatMoney keeps a third decimal under $1: $0.125 per second never reads "$0.13".
  if (price.usdPerClip !== undefined) parts.push(`${formatMoney(price.usdPerClip)} per clip`);
  if (price.usdPerSecond !== undefined) parts.push(`${formatMoney(price.usdPerSecond)} per second`);
  if (price.audioUsdPerSecond !== undefined)
    parts.push(`+${formatMoneyPer(price.audioUsdPerSecond, 's')} audio`);
  return parts.length > 0 ? parts.join(', ') : null;
}
