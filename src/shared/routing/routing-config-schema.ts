/**
 * The routing config: the document production reads to choose a provider and model for each
 * video request. Pure TypeScript + zod (no node:*), so the editor, main, the CLI and the exported
 * JSON Schema (resources/routing/routing-config.schema.json) all share one definition.
 *
 * Every field is documented twice on purpose: the JSDoc is for TypeScript readers, the
 * `.describe()` text travels into the JSON Schema for production's consumers. Both say the unit,
 * the default, and what happens when the field is absent.
 *
 * Routing semantics (what production does with one request of tier T):
 * - `fallback` strategy: the targets are tried in list order. Each target gets `1 + retries`
 *   attempts, each limited to `timeoutSeconds`; retries are only made for retryable failures
 *   (provider_unavailable, timeout, quota, bad_output). When a target has failed for good, the
 *   request moves to the next target only if the failure's class is in that target's
 *   `fallbackOn`; otherwise the request fails.
 * - `weighted` strategy: the first target is picked at random with probability
 *   weight ÷ (sum of the weights of the targets in play). If it fails for good (and its
 *   `fallbackOn` lets the failure pass), the other targets are tried in list order, as in a
 *   fallback chain. A target with weight 0 is never picked first: it is a standby.
 * - A target with `flag` is in play only for requests whose evaluation of that flag (OpenFeature,
 *   evaluation context `{targetingKey: <user id>, tier: <tier id>}`) returns one of its variants.
 * - A target whose circuit breaker is open is skipped (see `breaker`).
 */
import { z } from 'zod';
import { providerIdSchema } from '../providers/video-provider-spec';

/** Version of this document's shape. Consumers refuse a version they do not know. */
export const ROUTING_SCHEMA_VERSION = 1 as const;

/** The two kinds of request a tier can serve. */
export const REQUEST_KINDS = ['text-to-video', 'image-to-video'] as const;
export const requestKindSchema = z.enum(REQUEST_KINDS);
export type RequestKind = z.infer<typeof requestKindSchema>;

/** Failure classes a target can pass on to the next target (see `fallbackOn`). */
export const FAILURE_CLASSES = [
  'auth',
  'quota',
  'invalid_request',
  'content_policy',
  'provider_unavailable',
  'timeout',
  'bad_output',
] as const;
export const failureClassSchema = z.enum(FAILURE_CLASSES);
export type FailureClass = z.infer<typeof failureClassSchema>;

/** Failure classes that are retried on the same target (when `retries` > 0). */
export const RETRYABLE_FAILURES: readonly FailureClass[] = [
  'provider_unavailable',
  'timeout',
  'quota',
  'bad_output',
];

/**
 * Default `fallbackOn`: every class except `content_policy`, so that a prompt one provider
 * refused is not quietly retried at a more permissive one.
 */
export const DEFAULT_FALLBACK_ON: readonly FailureClass[] = FAILURE_CLASSES.filter(
  (name) => name !== 'content_policy',
);

/** Fields a cache key can be made of. */
export const CACHE_KEY_FIELDS = [
  'tier',
  'provider',
  'model',
  'prompt',
  'imageUrl',
  'seed',
  'durationSeconds',
  'resolution',
  'aspectRatio',
  'audio',
  'preset',
] as const;
export const cacheKeyFieldSchema = z.enum(CACHE_KEY_FIELDS);
export type CacheKeyField = z.infer<typeof cacheKeyFieldSchema>;
export const DEFAULT_CACHE_KEY_FIELDS: readonly CacheKeyField[] = [
  'provider',
  'model',
  'prompt',
  'imageUrl',
  'seed',
  'durationSeconds',
  'resolution',
  'aspectRatio',
  'audio',
];

const SLUG = /^[a-z][a-z0-9_-]*$/;
/** Tier ids: lower-case slug, e.g. `free`, `premium`, `enterprise-eu`. */
export const tierIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(SLUG, 'must be a lower-case slug such as "free" or "premium"');
/** Flag keys: letters, digits, `_` and `-` (no dots, so every JSON path is unambiguous). */
export const flagKeySchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter; letters, digits, _ and - only');

const resolutionLabel = z
  .string()
  .regex(/^\d+p$|^4k$/i, 'must look like 720p (or 4k)')
  .describe('Resolution label such as "720p", "1080p" or "4k".');

/** Generation settings a tier or preset fixes. Every field absent = the model's own default. */
export const routingSettingsSchema = z.strictObject({
  /** Clip length in seconds. Absent = the chosen model's default duration. */
  durationSeconds: z
    .number()
    .positive()
    .max(120)
    .optional()
    .describe("Clip length in seconds. Absent = the chosen model's default duration."),
  /** Resolution label, e.g. "720p". Absent = the model's default resolution. */
  resolution: resolutionLabel
    .optional()
    .describe('Resolution label such as "720p". Absent = the model\'s default resolution.'),
  /** Aspect ratio "W:H", e.g. "16:9". Absent = the model's default. */
  aspectRatio: z
    .string()
    .regex(/^\d+:\d+$/, 'must look like 16:9')
    .optional()
    .describe('Aspect ratio as "W:H", e.g. "16:9". Absent = the model\'s default.'),
  /** Generate an audio track. Absent = no audio requested (the model's default). */
  audio: z
    .boolean()
    .optional()
    .describe("Generate an audio track. Absent = no audio requested (the model's default)."),
});
export type RoutingSettings = z.infer<typeof routingSettingsSchema>;

/** A condition on a feature flag that keeps a target in play. */
export const targetFlagConditionSchema = z
  .strictObject({
    /** Key of a flag in `flags`. */
    key: flagKeySchema.describe('Key of a flag in `flags`.'),
    /** The target is in play only when the flag evaluates to one of these variant names. */
    variants: z
      .array(z.string().min(1))
      .min(1)
      .describe('The target is in play only when the flag evaluates to one of these variants.'),
  })
  .describe(
    'Keeps the target in play only for requests whose flag evaluation returns one of `variants`. Absent = always in play.',
  );
export type TargetFlagCondition = z.infer<typeof targetFlagConditionSchema>;

/** One provider + model a tier can send a request to. */
export const routingTargetSchema = z.strictObject({
  /** Provider id, e.g. `together`, `runway`, `sandbox`. Required. */
  provider: providerIdSchema.describe('Provider id, e.g. "together". Required.'),
  /** The vendor's model id exactly as the vendor spells it (ids may be mixed-case). Required. */
  model: z
    .string()
    .min(1)
    .max(200)
    .describe("The vendor's model id exactly as the vendor spells it. Required."),
  /**
   * Seconds one attempt may take from submission to a downloadable video before it is abandoned
   * and counted as a `timeout` failure. Default 300.
   */
  timeoutSeconds: z
    .number()
    .positive()
    .max(3600)
    .default(300)
    .describe(
      'Seconds one attempt may take (submit to downloadable video) before it is abandoned as a timeout. Default 300.',
    ),
  /**
   * Further attempts on this same target after a retryable failure (provider_unavailable,
   * timeout, quota, bad_output), 0–5. Default 1. Non-retryable failures are never retried.
   */
  retries: z
    .number()
    .int()
    .min(0)
    .max(5)
    .default(1)
    .describe(
      'Extra attempts on this target after a retryable failure (provider_unavailable, timeout, quota, bad_output), 0-5. Default 1.',
    ),
  /**
   * Relative weight for the `weighted` strategy (normalised by the sum over the targets in
   * play; 0 = standby, only used as a fallback). Required for `weighted`, ignored (with a
   * warning) for `fallback`.
   */
  weight: z
    .number()
    .nonnegative()
    .max(1_000_000)
    .optional()
    .describe(
      'Relative weight for the weighted strategy, normalised by the sum; 0 = standby (fallback only). Required for weighted tiers, ignored for fallback tiers.',
    ),
  /**
   * Failure classes that pass the request on to the next target once this one has failed for
   * good. Default: every class except `content_policy`. `[]` = this target's failure ends the
   * request, so nothing after it in a fallback chain is reachable.
   */
  fallbackOn: z
    .array(failureClassSchema)
    .default([...DEFAULT_FALLBACK_ON])
    .describe(
      'Failure classes that pass the request on to the next target. Default: all except content_policy. [] = a failure here ends the request.',
    ),
  /** Keeps the target in play only for some flag variants. Absent = always in play. */
  flag: targetFlagConditionSchema.optional(),
});
export type RoutingTarget = z.infer<typeof routingTargetSchema>;

/** Circuit breaker applied to each target of a tier. */
export const breakerSchema = z
  .strictObject({
    /** Fraction of failed requests (0–1] over the last minute that opens the breaker. Default 0.5. */
    failureRate: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe(
        'Fraction (0-1] of failed requests in the last minute that opens the breaker. Default 0.5.',
      ),
    /** Requests a target must have had in that minute before the rate is judged. Default 20. */
    minimumRequests: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('Requests needed in the window before the failure rate is judged. Default 20.'),
    /** Seconds an open breaker skips the target before letting one trial request through. Default 30. */
    cooldownSeconds: z
      .number()
      .positive()
      .max(86_400)
      .default(30)
      .describe('Seconds an open breaker skips the target before one trial request. Default 30.'),
  })
  .describe(
    'Circuit breaker for each target of the tier. Absent = failureRate 0.5, minimumRequests 20, cooldownSeconds 30.',
  );
export type BreakerConfig = z.infer<typeof breakerSchema>;

/** What users of a tier may ask for. Every field absent = no limit. */
export const limitsSchema = z
  .strictObject({
    /** Longest clip a request may ask for, in seconds. Absent = no limit beyond the model's. */
    maxSeconds: z
      .number()
      .positive()
      .max(600)
      .optional()
      .describe('Longest clip a request may ask for, in seconds. Absent = no limit.'),
    /** Highest resolution label a request may ask for, e.g. "720p". Absent = no limit. */
    maxResolution: resolutionLabel
      .optional()
      .describe('Highest resolution a request may ask for, e.g. "720p". Absent = no limit.'),
    /** Videos one user may generate per UTC day. 0 = the tier cannot generate. Absent = unlimited. */
    dailyQuota: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Videos one user may generate per UTC day; 0 = none. Absent = unlimited.'),
  })
  .describe('Limits on what users of the tier may ask for. Absent = no limits.');
export type LimitsConfig = z.infer<typeof limitsSchema>;

/**
 * What the whole tier may spend and serve, per UTC day or month (not per user: that is
 * `limits.dailyQuota`). The production watch charts usage against these and nothing else: they
 * are kept here only, so they are not typed in twice. Every field absent = no budget.
 */
export const tierBudgetSchema = z
  .strictObject({
    /** Tier-wide spend per UTC day, US dollars. Absent = no daily budget. */
    dailyUsd: z
      .number()
      .positive()
      .max(1e9)
      .optional()
      .describe('Tier-wide spend per UTC day, US dollars. Absent = no daily budget.'),
    /** Tier-wide spend per UTC month, US dollars. Absent = no monthly budget. */
    monthlyUsd: z
      .number()
      .positive()
      .max(1e10)
      .optional()
      .describe('Tier-wide spend per UTC month, US dollars. Absent = no monthly budget.'),
    /** Requests the whole tier may serve per UTC day. Absent = no tier-wide quota. */
    dailyRequests: z
      .number()
      .int()
      .positive()
      .max(1e12)
      .optional()
      .describe('Requests the whole tier may serve per UTC day. Absent = no tier-wide quota.'),
    /** Seconds of video the whole tier may generate per UTC day. Absent = no limit. */
    dailyGeneratedSeconds: z
      .number()
      .positive()
      .max(1e12)
      .optional()
      .describe('Seconds of video the whole tier may generate per UTC day. Absent = no limit.'),
  })
  .describe(
    'Tier-wide budget and quota per UTC day or month (not per user); the production watch charts usage against them. Absent = none.',
  );
export type TierBudgetConfig = z.infer<typeof tierBudgetSchema>;

/** One tier of service (free, premium, or any the admin adds). */
export const tierSchema = z.strictObject({
  /** Free text for people reading the config. Absent = none. */
  description: z.string().max(2000).optional().describe('Free text for people. Absent = none.'),
  /**
   * Kinds of request this tier serves. Every target in play must serve every kind listed.
   * Default ["text-to-video"].
   */
  requestKinds: z
    .array(requestKindSchema)
    .min(1)
    .default(['text-to-video'])
    .describe(
      'Kinds of request the tier serves; every target must serve all of them. Default ["text-to-video"].',
    ),
  /** `fallback` (ordered chain) or `weighted` (random by weight, then the rest in order). Default `fallback`. */
  strategy: z
    .enum(['fallback', 'weighted'])
    .default('fallback')
    .describe(
      '"fallback": targets tried in order. "weighted": first target picked by weight/sum, the rest tried in list order. Default "fallback".',
    ),
  /** The targets, at least one. Order matters for `fallback` and for the fallbacks of `weighted`. */
  targets: z
    .array(routingTargetSchema)
    .min(1, 'a tier needs at least one target')
    .max(20)
    .describe('Targets, at least one. Order is the fallback order.'),
  breaker: breakerSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  /** Tier-wide budget and quota (the watch reads them from here). Absent = none. */
  budget: tierBudgetSchema.optional(),
  /** Settings applied when a request leaves them out. Absent = each model's own defaults. */
  defaults: routingSettingsSchema
    .prefault({})
    .describe("Settings applied when a request leaves them out. Absent = each model's defaults."),
});
export type TierConfig = z.infer<typeof tierSchema>;

/** A ready-made use case users can pick (e.g. "product teaser"). */
export const presetSchema = z.strictObject({
  /** Stable id (slug) that apps send. Required. */
  id: z
    .string()
    .regex(SLUG, 'must be a lower-case slug')
    .max(64)
    .describe('Stable id (slug) that apps send. Required.'),
  /** Name shown to users. Required. */
  name: z.string().min(1).max(200).describe('Name shown to users. Required.'),
  /** Text put before the user's prompt. Default "" (nothing). */
  promptPrefix: z
    .string()
    .max(4000)
    .default('')
    .describe('Text put before the user prompt. Default "" (nothing).'),
  /** Settings that override the tier's defaults. Default {} (the tier's defaults). */
  settings: routingSettingsSchema
    .prefault({})
    .describe("Settings overriding the tier's defaults. Default {}."),
  /** Tiers that offer the preset. Absent = every tier. */
  tiers: z
    .array(tierIdSchema)
    .min(1)
    .optional()
    .describe('Tiers that offer the preset. Absent = every tier.'),
});
export type PresetConfig = z.infer<typeof presetSchema>;

/** A flag variant value: boolean, string, number or a JSON object (flagd's four types). */
export const flagVariantValueSchema = z.union([
  z.boolean(),
  z.string(),
  z.number(),
  z.record(z.string(), z.unknown()),
]);
export type FlagVariantValue = z.infer<typeof flagVariantValueSchema>;

/**
 * A feature flag in the OpenFeature flagd flag-definition format
 * (https://flagd.dev/reference/flag-definitions/), so any OpenFeature SDK evaluates it the same
 * way. Targeting is inline JSONLogic; `$evaluators`/`$ref` are not used.
 */
export const flagdFlagSchema = z.strictObject({
  /** ENABLED or DISABLED; a disabled flag resolves to the caller's code default. Required. */
  state: z
    .enum(['ENABLED', 'DISABLED'])
    .describe("ENABLED or DISABLED (disabled = the caller's code default). Required."),
  /** Variant name → value. All values of one flag must have the same type. Required, at least one. */
  variants: z
    .record(z.string().min(1), flagVariantValueSchema)
    .refine((variants) => Object.keys(variants).length > 0, 'a flag needs at least one variant')
    .describe('Variant name to value; all values one type (boolean, string, number or object).'),
  /** Variant used when targeting returns nothing; null = the caller's code default. Required. */
  defaultVariant: z
    .string()
    .nullable()
    .describe("Variant used when targeting returns nothing; null = the caller's code default."),
  /**
   * JSONLogic rule returning a variant name, e.g. `{"fractional": [["on", 25], ["off", 75]]}`.
   * flagd operators: fractional, sem_ver, starts_with, ends_with. Absent or {} = always
   * `defaultVariant`.
   */
  targeting: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'JSONLogic returning a variant name (flagd operators: fractional, sem_ver, starts_with, ends_with). Absent = always defaultVariant.',
    ),
  /** Free metadata (flagd: string, number or boolean values). Absent = none. */
  metadata: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe('Free metadata; values string, number or boolean. Absent = none.'),
});
export type FlagdFlag = z.infer<typeof flagdFlagSchema>;

/** Policy for answering a repeated request from a stored video. */
export const cachePolicySchema = z
  .strictObject({
    /** Whether repeated requests are answered from the cache. Default false. */
    enabled: z
      .boolean()
      .default(false)
      .describe('Answer repeated requests from the cache. Default false.'),
    /** Seconds a cached video stays usable. Default 86400 (one day). */
    ttlSeconds: z
      .number()
      .int()
      .positive()
      .max(365 * 86_400)
      .default(86_400)
      .describe('Seconds a cached video stays usable. Default 86400 (one day).'),
    /**
     * Request fields whose values together form the cache key. Default: provider, model, prompt,
     * imageUrl, seed, durationSeconds, resolution, aspectRatio, audio.
     */
    keyFields: z
      .array(cacheKeyFieldSchema)
      .min(1)
      .default([...DEFAULT_CACHE_KEY_FIELDS])
      .describe(
        'Request fields forming the cache key. Default: provider, model, prompt, imageUrl, seed, durationSeconds, resolution, aspectRatio, audio.',
      ),
  })
  .describe('Cache policy for repeated requests. Absent = cache disabled.');
export type CachePolicy = z.infer<typeof cachePolicySchema>;

/** The whole routing config. */
export const routingConfigSchema = z
  .strictObject({
    /** Reference to the JSON Schema for editors; ignored by consumers. Absent = none. */
    $schema: z
      .string()
      .optional()
      .describe('Reference to this JSON Schema for editors; ignored by consumers.'),
    /** Shape version; must be 1. Required. */
    schemaVersion: z
      .literal(ROUTING_SCHEMA_VERSION)
      .describe('Version of this document shape; must be 1. Required.'),
    /** Free text for people reading the config. Absent = none. */
    description: z.string().max(4000).optional().describe('Free text for people. Absent = none.'),
    /** Tiers by id (e.g. `free`, `premium`). At least one. Required. */
    tiers: z
      .record(tierIdSchema, tierSchema)
      .refine((tiers) => Object.keys(tiers).length > 0, 'the config needs at least one tier')
      .describe('Tiers by id (e.g. "free", "premium"). At least one.'),
    /** Ready-made use cases. Default [] (none). */
    presets: z
      .array(presetSchema)
      .max(100)
      .default([])
      .describe('Ready-made use cases (name, prompt prefix, settings). Default [] (none).'),
    /** Feature flags in flagd format, by key. Default {} (none). */
    flags: z
      .record(flagKeySchema, flagdFlagSchema)
      .default({})
      .describe('Feature flags in the OpenFeature flagd format, by key. Default {} (none).'),
    cache: cachePolicySchema.prefault({}),
  })
  .describe('Aideon routing config: tiers, targets, limits, presets, flags and cache policy.');

/** A config after parsing: every default filled in. */
export type RoutingConfig = z.infer<typeof routingConfigSchema>;
/** A config as written in a file: defaults may be left out. */
export type RoutingConfigInput = z.input<typeof routingConfigSchema>;

/** `provider:model`, the key used for evidence, observations and proposals. */
export function targetKey(target: { provider: string; model: string }): string {
  return `${target.provider}:${target.model}`;
}

/** Resolution label → lines (720p → 720, 4k → 2160); NaN for anything else. */
export function resolutionLines(label: string): number {
  if (/^4k$/i.test(label)) return 2160;
  const match = /^(\d+)p$/i.exec(label);
  return match ? Number(match[1]) : Number.NaN;
}

/** The flag set in flagd's own file format, as production's flagd/OpenFeature provider reads it. */
export function toFlagdDocument(config: Pick<RoutingConfig, 'flags'>): {
  $schema: string;
  flags: Record<string, FlagdFlag>;
} {
  return { $schema: 'https://flagd.dev/schema/v0/flags.json', flags: config.flags };
}

/** JSON Schema (draft 2020-12) of the routing config as written in a file (defaults optional). */
export function routingConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(routingConfigSchema, { io: 'input', target: 'draft-2020-12' });
  return {
    $schema: schema.$schema,
    $id: 'urn:aideon:routing-config:v1',
    title: 'Aideon routing config',
    ...schema,
  };
}
