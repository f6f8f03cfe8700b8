/**
 * Production watch settings: where Prometheus is, the PromQL behind each measure (defaults in
 * the metric names of docs/production-metrics.md, overridable for a production that names its
 * metrics differently), guard thresholds per tier, what counts as critical for the 7-day
 * stability count. Each tier's budget and quota are read from the routing config
 * (`tiers.<tier>.budget`); a `budget` kept here from before is ignored. Pure TypeScript + zod.
 */
import { z } from 'zod';

export const WATCH_ENVIRONMENTS = ['dev', 'staging', 'production'] as const;
export const watchEnvSchema = z.enum(WATCH_ENVIRONMENTS);
export type WatchEnv = z.infer<typeof watchEnvSchema>;

/** Measures a query exists for. The first three are guarded; all but the last are charted. */
export const MEASURES = [
  'success_rate',
  'p95_latency',
  'cost_per_video',
  'volume',
  'generated_seconds',
  'cost',
  'config_versions',
] as const;
export const measureSchema = z.enum(MEASURES);
export type Measure = z.infer<typeof measureSchema>;

export const GUARD_KINDS = ['success_rate', 'p95_latency', 'cost_per_video'] as const;
export const guardKindSchema = z.enum(GUARD_KINDS);
export type GuardKind = z.infer<typeof guardKindSchema>;

/**
 * Placeholders a query may use:
 * - `{{tier}}`: the tier's label value (escaped for a PromQL string);
 * - `{{window}}`: a PromQL duration such as `1h` (the guard window or the chart step);
 * - `{{filters}}`: extra label matchers, each starting with a comma, e.g.
 *   `,config_version="42"` or `,provider="fal",model="ltx-video"`; empty when there are none;
 * - `{{by}}`: the labels to group by, `provider, model` unless a view asks otherwise.
 * Every query is evaluated per group; a result's labels must include the `{{by}}` labels.
 */
export const DEFAULT_QUERIES: Readonly<Record<Measure, string>> = {
  success_rate:
    '(sum by ({{by}}) (increase(aideon_video_outcomes_total{tier="{{tier}}",outcome="success"{{filters}}}[{{window}}]))' +
    ' or sum by ({{by}}) (increase(aideon_video_requests_total{tier="{{tier}}"{{filters}}}[{{window}}])) * 0)' +
    ' / sum by ({{by}}) (increase(aideon_video_requests_total{tier="{{tier}}"{{filters}}}[{{window}}]))',
  p95_latency:
    'histogram_quantile(0.95, sum by ({{by}}, le) (rate(aideon_video_latency_seconds_bucket{tier="{{tier}}"{{filters}}}[{{window}}])))',
  cost_per_video:
    'sum by ({{by}}) (increase(aideon_video_cost_usd_total{tier="{{tier}}"{{filters}}}[{{window}}]))' +
    ' / sum by ({{by}}) (increase(aideon_video_outcomes_total{tier="{{tier}}",outcome="success"{{filters}}}[{{window}}]))',
  volume:
    'sum by ({{by}}) (increase(aideon_video_requests_total{tier="{{tier}}"{{filters}}}[{{window}}]))',
  generated_seconds:
    'sum by ({{by}}) (increase(aideon_video_generated_seconds_total{tier="{{tier}}"{{filters}}}[{{window}}]))',
  cost: 'sum by ({{by}}) (increase(aideon_video_cost_usd_total{tier="{{tier}}"{{filters}}}[{{window}}]))',
  config_versions:
    'count by (config_version) (aideon_video_requests_total{tier="{{tier}}"{{filters}}})',
};

/** A PromQL duration: one or more number+unit parts, e.g. `1h`, `90m`, `1h30m`. */
export const promDurationSchema = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'must be a PromQL duration such as 30m, 1h or 1d');

export function durationSeconds(duration: string): number {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  let total = 0;
  for (const part of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g))
    total += Number(part[1]) * (units[part[2] ?? 's'] ?? 0);
  return total;
}

const querySchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(4000, 'must be at most 4000 characters')
  .refine((text) => !/\{\{(?!(tier|window|filters|by)\}\})[^}]*\}\}/.test(text), {
    message:
      'uses an unknown placeholder; the known ones are {{tier}}, {{window}}, {{filters}} and {{by}}',
  });

export const queryOverridesSchema = z
  .object(Object.fromEntries(MEASURES.map((measure) => [measure, querySchema.optional()])))
  .strict() as z.ZodType<Partial<Record<Measure, string>>>;

export const targetSchema = z
  .object({ provider: z.string().min(1).max(100), model: z.string().min(1).max(200) })
  .strict();

export const relativeGuardSchema = z
  .object({
    /**
     * `previous_step`: compare with the same window just before the step started (or, with
     * no step, the window before this one); `peers`: compare with the other providers of the
     * same tier over the same window; `off`: absolute thresholds only.
     */
    mode: z.enum(['off', 'previous_step', 'peers']).default('off'),
    /** Breach when the success rate is lower than the reference by more than this (0.05 = 5 points). */
    maxSuccessRateDrop: z.number().min(0).max(1).default(0.05),
    /** Breach when p95 latency exceeds the reference times this. */
    maxLatencyRatio: z.number().min(1).max(100).default(1.5),
    /** Breach when cost per video exceeds the reference times this. */
    maxCostRatio: z.number().min(1).max(100).default(1.5),
  })
  .strict();

export const budgetSchema = z
  .object({
    dailyUsd: z.number().positive().max(1e9).optional(),
    monthlyUsd: z.number().positive().max(1e10).optional(),
    /** Requests per UTC day the tier may serve (the routing config's daily quota). */
    dailyRequests: z.number().int().positive().max(1e12).optional(),
    dailyGeneratedSeconds: z.number().positive().max(1e12).optional(),
  })
  .strict();
export type TierBudget = z.infer<typeof budgetSchema>;

export const tierGuardSettingsSchema = z
  .object({
    /** The value of the `tier` label in production's metrics. */
    tier: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'may contain only letters, digits, _ . : and -'),
    minSuccessRate: z.number().min(0).max(1).nullable().default(null),
    maxP95LatencySeconds: z.number().positive().max(86400).nullable().default(null),
    maxCostPerVideoUsd: z.number().positive().max(100000).nullable().default(null),
    relative: relativeGuardSchema.default({
      mode: 'off',
      maxSuccessRateDrop: 0.05,
      maxLatencyRatio: 1.5,
      maxCostRatio: 1.5,
    }),
    /** Guards whose breach is a critical issue (resets the stability count). */
    critical: z.array(guardKindSchema).max(3).default(['success_rate', 'p95_latency']),
    /** Targets that must report: one with no data in the window is a breach. */
    expected: z.array(targetSchema).max(100).default([]),
    /**
     * Deprecated, ignored: the tier's budget and quota are read from the routing config
     * (`tiers.<tier>.budget`) so they are set in one place. Still accepted, so settings saved
     * before the move load and keep their values; the watch settings show them as a note to
     * copy into Routing.
     */
    budget: budgetSchema.default({}),
  })
  .strict();
export type TierGuardSettings = z.infer<typeof tierGuardSettingsSchema>;

export const environmentWatchSchema = z
  .object({
    /** Prometheus base URL (no trailing /api/v1). */
    prometheusUrl: z
      .string()
      .url('must be a URL such as https://prometheus.example.com')
      .refine((url) => /^https?:\/\//i.test(url), 'must start with http:// or https://'),
    /** Send `Authorization: Bearer` with the token kept in the keychain (never in settings). */
    useBearerToken: z.boolean().default(false),
    /** A breach during a bake rolls back through the signed rollback, not only pauses. */
    autoRollback: z.boolean().default(false),
  })
  .strict();
export type EnvironmentWatchSettings = z.infer<typeof environmentWatchSchema>;

export const watchSettingsSchema = z
  .object({
    environments: z
      .object({
        dev: environmentWatchSchema.optional(),
        staging: environmentWatchSchema.optional(),
        production: environmentWatchSchema.optional(),
      })
      .strict()
      .default({}),
    queries: queryOverridesSchema.default({}),
    /** Window each guard looks back over. */
    guardWindow: promDurationSchema.default('1h'),
    /** Fewer requests than this in the window is "no data" (too little to judge), a breach. */
    minRequests: z.number().int().min(1).max(1e9).default(20),
    /**
     * How often a baking step is checked. Fractions of a minute are allowed (a fast canary, a
     * dev environment scraped every few seconds), down to 3 seconds.
     */
    checkIntervalMinutes: z
      .number()
      .min(0.05, 'must be at least 0.05 minutes (3 seconds)')
      .max(1440, 'must be at most 1440 minutes (a day)')
      .default(10),
    /** How long a step bakes before it may proceed (fractions of a minute allowed, as above). */
    bakeMinutes: z
      .number()
      .min(0.05, 'must be at least 0.05 minutes (3 seconds)')
      .max(10080, 'must be at most 10080 minutes (a week)')
      .default(60),
    tiers: z
      .array(tierGuardSettingsSchema)
      .max(50)
      .default([])
      .refine(
        (tiers) => new Set(tiers.map((tier) => tier.tier)).size === tiers.length,
        'each tier may appear only once',
      ),
    stability: z
      .object({
        requiredDays: z.number().int().min(1).max(90).default(7),
        lookbackDays: z.number().int().min(1).max(365).default(30),
      })
      .strict()
      .default({ requiredDays: 7, lookbackDays: 30 }),
    /** Request timeout for Prometheus, ms. */
    timeoutMs: z.number().int().min(500).max(120000).default(15000),
  })
  .strict();
export type WatchSettings = z.infer<typeof watchSettingsSchema>;
export type WatchSettingsInput = z.input<typeof watchSettingsSchema>;

export function defaultWatchSettings(): WatchSettings {
  return watchSettingsSchema.parse({});
}

/** The query for a measure: the admin's override, else the default. */
export function queryTemplate(settings: WatchSettings, measure: Measure): string {
  return settings.queries[measure] ?? DEFAULT_QUERIES[measure];
}

/** Escapes a value for a double-quoted PromQL string. */
export function promString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Label matchers for `{{filters}}`, each with a leading comma. */
export function labelFilters(labels: Record<string, string | undefined>): string {
  return Object.entries(labels)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `,${name}="${promString(value)}"`)
    .join('');
}

export function renderQuery(
  template: string,
  values: { tier: string; window: string; filters?: string; by?: string },
): string {
  promDurationSchema.parse(values.window);
  return template
    .replaceAll('{{tier}}', promString(values.tier))
    .replaceAll('{{window}}', values.window)
    .replaceAll('{{filters}}', values.filters ?? '')
    .replaceAll('{{by}}', values.by ?? 'provider, model');
}
