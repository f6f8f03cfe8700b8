/**
 * Flag preview: what share of each tier's users gets each variant, evaluated with
 * @openfeature/flagd-core exactly as production's in-process provider will evaluate it.
 *
 * Production must evaluate with the evaluation context `{targetingKey: <stable user id>,
 * tier: <tier id>, ...}`; the preview uses the keys `user-1` … `user-N` (fractional hashes the
 * flag key + targetingKey with MurmurHash3, so any set of distinct keys is a fair sample), plus
 * any extra attributes the caller passes in `context`.
 */
import { ValidationError } from '../../../shared/errors';
import type { RoutingConfig } from '../../../shared/routing/routing-config-schema';
import { evaluateVariant, flagType, loadFlagdCore, NO_VARIANT } from './flag-analysis';

export type FlagContextValue = string | number | boolean;

export interface FlagPreviewOptions {
  /** Number of user keys evaluated per tier (default 10,000; 1–1,000,000). */
  sampleSize?: number;
  /** Extra evaluation-context attributes for every evaluation (e.g. {region: "eu"}). */
  context?: Record<string, FlagContextValue>;
  /** Tiers to evaluate (default: every tier of the config). */
  tiers?: string[];
  /** Also return the variant of every sample key (for audits and tests). */
  includeAssignments?: boolean;
}

export interface VariantShare {
  variant: string;
  /** The variant's value; undefined for NO_VARIANT. */
  value: unknown;
  count: number;
  /** count ÷ sampleSize. */
  share: number;
}

export interface FlagTierPreview {
  tier: string;
  variants: VariantShare[];
  /** Variant per sample key, in key order (only with includeAssignments). */
  assignments?: string[];
}

export interface FlagPreview {
  flag: string;
  state: 'ENABLED' | 'DISABLED';
  tiers: FlagTierPreview[];
}

export interface FlagPreviewResult {
  sampleSize: number;
  /** How sample keys are made: `user-<n>` for n = 1 … sampleSize. */
  keyPattern: string;
  flags: FlagPreview[];
}

export function sampleKey(index: number): string {
  return `user-${index + 1}`;
}

export function previewFlags(
  config: RoutingConfig,
  options: FlagPreviewOptions = {},
): FlagPreviewResult {
  const sampleSize = options.sampleSize ?? 10_000;
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 1_000_000) {
    throw new ValidationError('flag preview', [
      { path: 'sampleSize', message: 'must be a whole number from 1 to 1,000,000' },
    ]);
  }
  const tiers = options.tiers ?? Object.keys(config.tiers);
  const core = loadFlagdCore(config);
  const flags: FlagPreview[] = [];
  for (const [key, flag] of Object.entries(config.flags)) {
    const type = flagType(flag);
    const previews: FlagTierPreview[] = [];
    for (const tier of tiers) {
      const counts = new Map<string, number>();
      for (const name of Object.keys(flag.variants)) counts.set(name, 0);
      const assignments: string[] | undefined = options.includeAssignments ? [] : undefined;
      for (let i = 0; i < sampleSize; i += 1) {
        const variant = evaluateVariant(core, key, type, {
          ...options.context,
          targetingKey: sampleKey(i),
          tier,
        });
        counts.set(variant, (counts.get(variant) ?? 0) + 1);
        assignments?.push(variant);
      }
      previews.push({
        tier,
        variants: [...counts].map(([variant, count]) => ({
          variant,
          value: variant === NO_VARIANT ? undefined : flag.variants[variant],
          count,
          share: count / sampleSize,
        })),
        ...(assignments ? { assignments } : {}),
      });
    }
    flags.push({ flag: key, state: flag.state, tiers: previews });
  }
  return { sampleSize, keyPattern: 'user-<n>, n = 1 … sampleSize', flags };
}

/**
 * For one tier: how the sample splits over combinations of the given flags' variants.
 * Returns combination (flag → variant) with its share; used by the simulator.
 */
export function flagCombinationShares(
  config: RoutingConfig,
  tier: string,
  flagKeys: readonly string[],
  sampleSize: number,
  context: Record<string, FlagContextValue> = {},
): { assignment: Record<string, string>; share: number }[] {
  if (flagKeys.length === 0) return [{ assignment: {}, share: 1 }];
  const core = loadFlagdCore(config);
  const types = flagKeys.map((key) => flagType(config.flags[key]!));
  const counts = new Map<string, { assignment: Record<string, string>; count: number }>();
  for (let i = 0; i < sampleSize; i += 1) {
    const evalContext = { ...context, targetingKey: sampleKey(i), tier };
    const assignment: Record<string, string> = {};
    flagKeys.forEach((key, j) => {
      assignment[key] = evaluateVariant(core, key, types[j]!, evalContext);
    });
    const id = JSON.stringify(flagKeys.map((key) => assignment[key]));
    const entry = counts.get(id);
    if (entry) entry.count += 1;
    else counts.set(id, { assignment, count: 1 });
  }
  return [...counts.values()].map(({ assignment, count }) => ({
    assignment,
    share: count / sampleSize,
  }));
}
