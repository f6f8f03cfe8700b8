/**
 * Feature flags inside a routing config, in the flagd flag-definition format
 * (`config.flags[key] = {state, variants, defaultVariant, targeting}`), and the rewrites the
 * publisher makes: a `fractional` percentage split for gradual rollout, and turning a flag off.
 * Pure TypeScript; inputs are never mutated.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import { zodIssues } from '../validation';
import { environmentSchema } from './environments';

export interface FlagdFlag {
  state: 'ENABLED' | 'DISABLED';
  variants: Record<string, unknown>;
  defaultVariant: string | null;
  targeting?: unknown;
  metadata?: Record<string, unknown>;
}

export type ConfigObject = Record<string, unknown>;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The flag, checked enough to rewrite it; throws a ValidationError naming the field. */
export function getFlag(config: ConfigObject, flagKey: string): FlagdFlag {
  const flags = config.flags;
  if (!isPlainObject(flags))
    throw new ValidationError('config', [
      { path: 'flags', message: 'the config has no flags object' },
    ]);
  const flag = flags[flagKey];
  if (!isPlainObject(flag))
    throw new ValidationError('config', [
      { path: `flags.${flagKey}`, message: 'no such flag in the config' },
    ]);
  if (!isPlainObject(flag.variants))
    throw new ValidationError('config', [
      { path: `flags.${flagKey}.variants`, message: 'must be an object of variants' },
    ]);
  return flag as unknown as FlagdFlag;
}

export function flagKeys(config: ConfigObject): string[] {
  return isPlainObject(config.flags) ? Object.keys(config.flags).sort() : [];
}

function requireVariant(flag: FlagdFlag, flagKey: string, variant: string, field: string): void {
  if (!Object.hasOwn(flag.variants, variant))
    throw new ValidationError('rollout', [
      {
        path: field,
        message: `flag "${flagKey}" has no variant "${variant}" (it has ${Object.keys(flag.variants).join(', ')})`,
      },
    ]);
}

function isRolloutTargeting(targeting: unknown): boolean {
  if (targeting === undefined || targeting === null) return true;
  if (!isPlainObject(targeting)) return false;
  const keys = Object.keys(targeting);
  return keys.length === 0 || (keys.length === 1 && keys[0] === 'fractional');
}

/**
 * The flag with `percent`% of targeting keys on `onVariant` and the rest on `offVariant`
 * (flagd `fractional`, integer weights adding up to 100, bucketed by targetingKey). At 100% the
 * flag becomes static: defaultVariant = onVariant, no targeting. Refuses a flag whose targeting
 * is something other than a rollout split, so rules written by hand are never overwritten.
 */
export function withRolloutPercent(
  config: ConfigObject,
  flagKey: string,
  onVariant: string,
  offVariant: string,
  percent: number,
): ConfigObject {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100)
    throw new ValidationError('rollout', [
      { path: 'percent', message: 'must be a whole number from 0 to 100' },
    ]);
  const flag = getFlag(config, flagKey);
  requireVariant(flag, flagKey, onVariant, 'onVariant');
  requireVariant(flag, flagKey, offVariant, 'offVariant');
  if (!isRolloutTargeting(flag.targeting))
    throw new ValidationError('rollout', [
      {
        path: `flags.${flagKey}.targeting`,
        message:
          'has targeting rules other than a fractional split; a gradual rollout would overwrite them. Remove them or roll out another flag.',
      },
    ]);
  const out = clone(config);
  const next = (out.flags as Record<string, FlagdFlag>)[flagKey] as FlagdFlag;
  next.state = 'ENABLED';
  if (percent === 100 || percent === 0) {
    next.defaultVariant = percent === 100 ? onVariant : offVariant;
    delete next.targeting;
  } else {
    next.targeting = {
      fractional: [
        [onVariant, percent],
        [offVariant, 100 - percent],
      ],
    };
  }
  return out;
}

/** The share of targeting keys on `onVariant` as the publisher writes it, or undefined. */
export function rolloutPercentOf(flag: FlagdFlag, onVariant: string): number | undefined {
  if (flag.state === 'DISABLED') return 0;
  if (
    flag.targeting === undefined ||
    (isPlainObject(flag.targeting) && Object.keys(flag.targeting).length === 0)
  )
    return flag.defaultVariant === onVariant ? 100 : 0;
  if (!isPlainObject(flag.targeting) || !Array.isArray(flag.targeting.fractional)) return undefined;
  let on = 0;
  let total = 0;
  for (const bucket of flag.targeting.fractional) {
    if (!Array.isArray(bucket)) return undefined;
    const weight = bucket.length >= 2 ? Number(bucket[1]) : 1;
    total += weight;
    if (bucket[0] === onVariant) on += weight;
  }
  return total === 0 ? undefined : Math.round((on / total) * 100);
}

/** The variant "off" means: `offVariant`, else the one whose value is false. */
export function offVariantOf(flag: FlagdFlag, flagKey: string, offVariant?: string): string {
  if (offVariant !== undefined) {
    requireVariant(flag, flagKey, offVariant, 'offVariant');
    return offVariant;
  }
  const found = Object.entries(flag.variants).find(([, value]) => value === false)?.[0];
  if (found === undefined)
    throw new ValidationError('kill switch', [
      {
        path: 'offVariant',
        message: `flag "${flagKey}" has no variant whose value is false; name the variant that means off`,
      },
    ]);
  return found;
}

/** The flag forced to its off variant for everyone (targeting removed, state ENABLED). */
export function withFlagOff(
  config: ConfigObject,
  flagKey: string,
  offVariant?: string,
): ConfigObject {
  const flag = getFlag(config, flagKey);
  const off = offVariantOf(flag, flagKey, offVariant);
  const out = clone(config);
  const next = (out.flags as Record<string, FlagdFlag>)[flagKey] as FlagdFlag;
  next.state = 'ENABLED';
  next.defaultVariant = off;
  delete next.targeting;
  return out;
}

/** The plain flagd file written next to each version, for deployments that sync from a file. */
export function flagdFileOf(config: ConfigObject): {
  flags: Record<string, unknown>;
  [key: string]: unknown;
} {
  const out: { flags: Record<string, unknown>; [key: string]: unknown } = {
    flags: isPlainObject(config.flags) ? clone(config.flags) : {},
  };
  if (isPlainObject(config.$evaluators)) out.$evaluators = clone(config.$evaluators);
  return out;
}

// ---- rollout plans and their state --------------------------------------------------------

export const DEFAULT_ROLLOUT_STEPS = [1, 5, 25, 50, 100] as const;

export const rolloutPlanSchema = z
  .object({
    environment: environmentSchema,
    flagKey: z.string().min(1, 'must name a flag'),
    onVariant: z.string().min(1, 'must name the variant being rolled out'),
    offVariant: z.string().min(1, 'must name the variant the rest keeps'),
    steps: z
      .array(z.number().int('must be whole percentages').min(1).max(100))
      .min(1, 'needs at least one step')
      .default([...DEFAULT_ROLLOUT_STEPS]),
    /** Time each step must run before the next one, in minutes. */
    bakeMinutes: z.number().min(0, 'must be 0 or more').default(60),
  })
  .superRefine((plan, context) => {
    for (let index = 1; index < plan.steps.length; index += 1) {
      if ((plan.steps[index] ?? 0) <= (plan.steps[index - 1] ?? 0))
        context.addIssue({ code: 'custom', path: ['steps', index], message: 'steps must go up' });
    }
    if (plan.onVariant === plan.offVariant)
      context.addIssue({
        code: 'custom',
        path: ['offVariant'],
        message: 'must differ from onVariant',
      });
  });

export type RolloutPlanInput = z.input<typeof rolloutPlanSchema>;
export type RolloutPlan = z.output<typeof rolloutPlanSchema>;

export function parseRolloutPlan(input: unknown): RolloutPlan {
  const parsed = rolloutPlanSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('rollout plan', zodIssues(parsed.error));
  return parsed.data;
}

export type RolloutStatus = 'running' | 'paused' | 'completed' | 'stopped';

export interface RolloutState {
  schema: 'aideon.rollout/1';
  environment: RolloutPlan['environment'];
  flagKey: string;
  onVariant: string;
  offVariant: string;
  steps: number[];
  bakeMs: number;
  /** Index into steps of the last step published (-1 before the first). */
  stepIndex: number;
  status: RolloutStatus;
  /** When the last step was published, ms since the epoch. */
  lastStepAt: number | null;
  /** The config version the last step published (absent in rollouts saved before it existed). */
  lastStepVersion?: number;
  /**
   * The config version live when the rollout started: what rolling the rollout back restores
   * (absent in rollouts saved before it existed).
   */
  fromVersion?: number;
  startedBy: string;
  updatedAt: number;
  /** Why it stopped (kill switch, rollback, a hand-made change to the flag). */
  stoppedReason?: string;
}

/**
 * A rollout state as read back from the config store. It is not signed (anyone who can write to
 * the store can edit it), and the schedule is computed from it: a state without its bake time
 * had every step due at once (`lastStepAt + undefined` is NaN, and no time is before NaN). So
 * it is checked field by field before use; unknown fields are kept.
 */
export const rolloutStateSchema = z
  .looseObject({
    schema: z.literal('aideon.rollout/1'),
    environment: environmentSchema,
    flagKey: z.string().min(1),
    onVariant: z.string().min(1),
    offVariant: z.string().min(1),
    steps: z.array(z.number().int().min(1).max(100)).min(1),
    bakeMs: z.number().finite().min(0),
    stepIndex: z.number().int().min(-1),
    status: z.enum(['running', 'paused', 'completed', 'stopped']),
    lastStepAt: z.number().finite().nullable(),
    lastStepVersion: z.number().int().min(1).optional(),
    fromVersion: z.number().int().min(0).optional(),
    startedBy: z.string(),
    updatedAt: z.number().finite(),
    stoppedReason: z.string().optional(),
  })
  .superRefine((state, context) => {
    for (let index = 1; index < state.steps.length; index += 1)
      if ((state.steps[index] ?? 0) <= (state.steps[index - 1] ?? 0))
        context.addIssue({ code: 'custom', path: ['steps', index], message: 'steps must go up' });
    if (state.stepIndex >= state.steps.length)
      context.addIssue({
        code: 'custom',
        path: ['stepIndex'],
        message: `is past the last step (${state.steps.length} steps)`,
      });
    if (state.stepIndex >= 0 && state.lastStepAt === null)
      context.addIssue({
        code: 'custom',
        path: ['lastStepAt'],
        message: 'is missing although a step was published',
      });
  });

/**
 * Reads the rollout state stored under `key`; a clear error naming the key and the wrong field
 * when it is not JSON or not a rollout state.
 */
export function parseRolloutState(key: string, text: string): RolloutState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError(`rollout state ${key} in the config store`, [
      {
        path: '',
        message:
          'is not valid JSON (cut short or edited by hand); nothing is done with this rollout until it is mended',
      },
    ]);
  }
  const parsed = rolloutStateSchema.safeParse(value);
  if (!parsed.success)
    throw new ValidationError(
      `rollout state ${key} in the config store (edited by hand?); it cannot be used until the value is restored`,
      zodIssues(parsed.error),
    );
  return parsed.data as RolloutState;
}

/** When the next step may be published, or undefined when there is none. */
export function nextStepDueAt(state: RolloutState): number | undefined {
  if (state.stepIndex + 1 >= state.steps.length) return undefined;
  if (state.lastStepAt === null) return 0;
  return state.lastStepAt + state.bakeMs;
}
