/**
 * Static analysis of flagd flags (variant types, defaultVariant, fractional buckets, variant names
 * returned by targeting) plus a dry run with @openfeature/flagd-core, the same engine production's
 * in-process OpenFeature provider uses.
 */
import { FlagdCore } from '@openfeature/flagd-core';
import type { Logger } from '@openfeature/core';
import {
  toFlagdDocument,
  type FlagdFlag,
  type FlagVariantValue,
  type RoutingConfig,
} from '../../../shared/routing/routing-config-schema';
import {
  problem,
  type PathSegment,
  type RoutingProblem,
} from '../../../shared/routing/routing-problem';

export type FlagType = 'boolean' | 'string' | 'number' | 'object';

export const SILENT_LOGGER: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

export function variantType(value: FlagVariantValue): FlagType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  return 'object';
}

/** The flag's type: that of its first variant (the checks refuse flags that mix types). */
export function flagType(flag: FlagdFlag): FlagType {
  const first = Object.values(flag.variants)[0];
  return first === undefined ? 'string' : variantType(first);
}

/** A FlagdCore loaded with the config's flags, exactly as production would load the flag file. */
export function loadFlagdCore(config: Pick<RoutingConfig, 'flags'>): FlagdCore {
  const core = new FlagdCore(undefined, SILENT_LOGGER);
  core.setConfigurations(JSON.stringify(toFlagdDocument(config)));
  return core;
}

/** Placeholder returned by OpenFeature for "no variant" (disabled flag, error, null default). */
export const NO_VARIANT = '(none)';

const DEFAULT_FOR_TYPE: Record<FlagType, boolean | string | number | Record<string, never>> = {
  boolean: false,
  string: '',
  number: 0,
  object: {},
};

/** Evaluates one flag for one context with flagd-core; returns the variant name or NO_VARIANT. */
export function evaluateVariant(
  core: FlagdCore,
  key: string,
  type: FlagType,
  context: Record<string, string | number | boolean>,
): string {
  const result = core.resolve(type, key, DEFAULT_FOR_TYPE[type], context, SILENT_LOGGER);
  return result.variant ?? NO_VARIANT;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every problem in one flag (path prefix `flags.<key>`). */
export function checkFlag(key: string, flag: FlagdFlag, firstTier: string): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  const base: PathSegment[] = ['flags', key];
  const names = Object.keys(flag.variants);
  const type = flagType(flag);
  for (const name of names) {
    const actual = variantType(flag.variants[name]!);
    if (actual !== type) {
      problems.push(
        problem(
          'error',
          'flag-type',
          [...base, 'variants', name],
          `Flag "${key}": variant "${name}" is ${actual} but the flag's first variant makes it a ${type} flag; give every variant the same type.`,
        ),
      );
    }
  }
  if (flag.defaultVariant !== null && !names.includes(flag.defaultVariant)) {
    problems.push(
      problem(
        'error',
        'flag-default-variant',
        [...base, 'defaultVariant'],
        `Flag "${key}": defaultVariant "${flag.defaultVariant}" is not one of its variants (${names.join(', ')}).`,
      ),
    );
  }
  const structurallySound = problems.length === 0;
  if (flag.targeting && Object.keys(flag.targeting).length > 0) {
    walkResults(flag.targeting, [...base, 'targeting'], key, names, problems);
    // The dry run: flagd-core compiles the rule and evaluates it once (only for a flag whose
    // variants and default are sound; flagd would refuse those for the reasons given above).
    if (structurallySound)
      try {
        const core = loadFlagdCore({ flags: { [key]: flag } });
        const result = core.resolve(
          type,
          key,
          DEFAULT_FOR_TYPE[type],
          { targetingKey: 'aideon-check', tier: firstTier },
          SILENT_LOGGER,
        );
        if (result.reason === 'ERROR' && result.errorCode === 'PARSE_ERROR') {
          problems.push(
            problem(
              'error',
              'flag-targeting',
              [...base, 'targeting'],
              `Flag "${key}": flagd cannot compile the targeting rule (${result.errorMessage ?? 'parse error'}); check the operator names and their arguments.`,
            ),
          );
        }
      } catch (error) {
        problems.push(
          problem(
            'error',
            'flag-targeting',
            base,
            `Flag "${key}": flagd refuses the flag (${error instanceof Error ? error.message : String(error)}).`,
          ),
        );
      }
  }
  return problems;
}

/**
 * Walks the positions of a targeting rule whose value is returned as the variant name: the root,
 * the branches of `if`, and the variants of `fractional` buckets. String literals there must name
 * a variant; anything computed (var, cat, ...) cannot be checked statically and is skipped.
 */
function walkResults(
  node: unknown,
  path: PathSegment[],
  key: string,
  names: string[],
  problems: RoutingProblem[],
): void {
  if (typeof node === 'string') {
    if (!names.includes(node)) {
      problems.push(
        problem(
          'error',
          'flag-variant-unknown',
          path,
          `Flag "${key}": targeting returns "${node}", which is not one of its variants (${names.join(', ')}).`,
        ),
      );
    }
    return;
  }
  if (!isPlainObject(node)) return;
  const ops = Object.keys(node);
  if (ops.length !== 1) return;
  const op = ops[0]!;
  const args = node[op];
  if (op === 'if' && Array.isArray(args)) {
    for (let i = 1; i < args.length; i += 2)
      walkResults(args[i], [...path, 'if', i], key, names, problems);
    if (args.length % 2 === 1 && args.length > 1) {
      walkResults(args[args.length - 1], [...path, 'if', args.length - 1], key, names, problems);
    }
    return;
  }
  if (op === 'fractional') checkFractional(args, [...path, 'fractional'], key, names, problems);
}

function checkFractional(
  args: unknown,
  path: PathSegment[],
  key: string,
  names: string[],
  problems: RoutingProblem[],
): void {
  if (!Array.isArray(args)) {
    problems.push(
      problem(
        'error',
        'flag-fractional',
        path,
        `Flag "${key}": fractional takes an array of [variant, weight] buckets.`,
      ),
    );
    return;
  }
  // A first element that is not a bucket is the bucketing expression (default: flag key + targetingKey).
  const start = args.length > 0 && !Array.isArray(args[0]) ? 1 : 0;
  const buckets = args.slice(start);
  if (buckets.length === 0) {
    problems.push(
      problem(
        'error',
        'flag-fractional',
        path,
        `Flag "${key}": fractional needs at least one [variant, weight] bucket.`,
      ),
    );
    return;
  }
  let total = 0;
  buckets.forEach((bucket, offset) => {
    const at: PathSegment[] = [...path, start + offset];
    if (!Array.isArray(bucket) || bucket.length < 1 || bucket.length > 2) {
      problems.push(
        problem(
          'error',
          'flag-fractional',
          at,
          `Flag "${key}": each fractional bucket is [variant] or [variant, weight].`,
        ),
      );
      return;
    }
    const [variant, weight] = bucket as [unknown, unknown];
    if (typeof variant === 'string') {
      if (!names.includes(variant)) {
        problems.push(
          problem(
            'error',
            'flag-fractional',
            [...at, 0],
            `Flag "${key}": fractional bucket names variant "${variant}", which the flag does not have (${names.join(', ')}).`,
          ),
        );
      }
    } else {
      walkResults(variant, [...at, 0], key, names, problems);
    }
    if (bucket.length === 1) {
      total += 1;
    } else if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) {
      problems.push(
        problem(
          'error',
          'flag-fractional',
          [...at, 1],
          `Flag "${key}": fractional weights must be whole numbers ≥ 0 (got ${JSON.stringify(weight)}).`,
        ),
      );
    } else {
      total += weight;
    }
  });
  if (total <= 0) {
    problems.push(
      problem(
        'error',
        'flag-fractional',
        path,
        `Flag "${key}": the fractional weights add to 0, so no user gets any variant.`,
      ),
    );
  } else if (total !== 100) {
    problems.push(
      problem(
        'warning',
        'flag-fractional-sum',
        path,
        `Flag "${key}": the fractional weights add to ${total}, not 100. Current flagd builds use them as relative weights, but older ones demand a total of 100.`,
      ),
    );
  }
}

/**
 * The variants a flag can evaluate to in production, plus NO_VARIANT when it can give none
 * (disabled flag, or a null defaultVariant with targeting that may return nothing).
 */
export function possibleOutcomes(flag: FlagdFlag): string[] {
  if (flag.state === 'DISABLED') return [NO_VARIANT];
  const names = Object.keys(flag.variants);
  return flag.defaultVariant === null ? [...names, NO_VARIANT] : names;
}
