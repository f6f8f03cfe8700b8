/**
 * The model-release monitor and the onboarding board: records and the proposed IPC channel
 * schemas. Pure TypeScript and zod (no node:*), so main and renderer share the shapes.
 *
 * Proposed channels (to be added to src/shared/ipc/contract.ts):
 *   monitor:get-status      {}                         → MonitorStatus
 *   monitor:check-now       {provider?}                → {checks: CheckResult[]}
 *   monitor:list-inbox      {unreadOnly?, limit?}      → {events: InboxEvent[], unread}
 *   monitor:mark-read       {ids?} (none = all)        → {marked, unread}
 *   monitor:get-board       {}                         → {cards: BoardCard[]}
 *   monitor:advance-card    {cardId, stage, evidence}  → BoardCard
 *   monitor:update-settings {intervalMinutes?, autoSmoke?, smokeBudgetUsd?} → MonitorSettings
 * Events: monitor:release-detected (MonitorEvent), monitor:check-finished (CheckResult).
 */
import { z } from 'zod';
import {
  modelCapabilitiesSchema,
  modelLifecycleSchema,
  providerIdSchema,
} from '../providers/video-provider-spec';
import { watchEnvSchema } from '../watch/watch-settings';

const id = z.string().min(1).max(100);

/** Which rule made the monitor count a catalogue entry as a video model. */
export const detectionRuleSchema = z.enum([
  /** The vendor's own `type` field says video (Together). */
  'type',
  /** Type missing or unknown; the id or display name matched a known video family. */
  'family',
  /** The id is in the adapter's known model table. */
  'known_table',
  /** The vendor lists it as supporting the video generation method (Gemini predictLongRunning). */
  'list_method',
  /** It is in the vendor's video collection (Replicate text-to-video). */
  'collection',
  /** The vendor has no list call; the entry comes from the adapter's model table. */
  'model_table',
]);
export type DetectionRule = z.infer<typeof detectionRuleSchema>;

export const catalogueEntrySchema = z.object({
  provider: providerIdSchema,
  /** Exactly as the vendor spells it (ids may be mixed-case). */
  modelId: z.string().min(1),
  displayName: z.string(),
  lifecycle: modelLifecycleSchema,
  detection: z.object({ rule: detectionRuleSchema, detail: z.string() }),
  /** The vendor's raw type string, where it sends one. */
  vendorType: z.string().nullable(),
  /** `null` = not known for a model the console has no table entry for. */
  capabilities: modelCapabilitiesSchema.nullable(),
  /** Dollar prices; `null` = the vendor lists no price and the table does not know it. */
  price: z
    .object({
      usdPerClip: z.number().nonnegative().optional(),
      usdPerSecond: z.number().nonnegative().optional(),
      audioUsdPerSecond: z.number().nonnegative().optional(),
      source: z.string(),
    })
    .nullable(),
  /** Vendor's creation time (Together `created`, Unix seconds), when sent. */
  created: z.number().nullable(),
});
export type CatalogueEntry = z.infer<typeof catalogueEntrySchema>;

export const fieldChangeSchema = z.object({
  field: z.enum(['price', 'capabilities', 'displayName', 'lifecycle', 'modelId']),
  before: z.unknown(),
  after: z.unknown(),
});
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const monitorEventKindSchema = z.enum([
  /** A video model the provider did not list before. */
  'added',
  /** Missing from two consecutive good checks. */
  'removed',
  /** Price, capabilities, display name, lifecycle or id spelling changed. */
  'changed',
  /** A model a routing config uses became retired or deprecated, or was removed. */
  'in_use_retired',
]);
export type MonitorEventKind = z.infer<typeof monitorEventKindSchema>;

export const monitorEventSchema = z.object({
  id,
  kind: monitorEventKindSchema,
  provider: providerIdSchema,
  modelId: z.string(),
  displayName: z.string(),
  /** Epoch ms. */
  at: z.number(),
  /** The check that found it (null for events raised by markModelsInUse). */
  checkId: z.string().nullable(),
  /** Human summary, e.g. "Together AI lists a new video model: X ($0.30/clip)". */
  summary: z.string(),
  changes: z.array(fieldChangeSchema),
  /** Price as text when known ("$0.30 per clip"). */
  priceText: z.string().nullable(),
  detection: catalogueEntrySchema.shape.detection.nullable(),
  read: z.boolean(),
});
export type MonitorEvent = z.infer<typeof monitorEventSchema>;

/**
 * A production-watch guard breach, kept in the same inbox as release events (one unread
 * count, one "mark all read"). It belongs to an environment, not to a provider's model.
 */
export const guardBreachInboxEventSchema = z.object({
  id,
  kind: z.literal('guard_breached'),
  env: watchEnvSchema,
  /** breach: a guard failed; no_data: too little or missing data; error: metrics unreadable. */
  status: z.enum(['breach', 'no_data', 'error']),
  /** What the bake loop did; null for a one-off check (Check now, `aideon watch check`). */
  action: z.enum(['paused', 'rolled_back', 'rollback_failed']).nullable(),
  /** The config version of the rollout step being baked; null when there was none. */
  stepVersion: z.number().int().nullable(),
  /** Epoch ms of the check. */
  at: z.number(),
  /** One line per failed guard or problem. */
  summary: z.string(),
  read: z.boolean(),
});
export type GuardBreachInboxEvent = z.infer<typeof guardBreachInboxEventSchema>;

/** Everything the inbox lists: release events and guard breaches, told apart by `kind`. */
export const inboxEventSchema = z.discriminatedUnion('kind', [
  monitorEventSchema,
  guardBreachInboxEventSchema,
]);
export type InboxEvent = z.infer<typeof inboxEventSchema>;

export const failureKindSchema = z.enum(['error', 'empty', 'partial', 'malformed', 'no_key']);
export type FailureKind = z.infer<typeof failureKindSchema>;

export const checkTriggerSchema = z.enum(['scheduled', 'manual', 'cli', 'retry']);
export type CheckTrigger = z.infer<typeof checkTriggerSchema>;

export const checkResultSchema = z.object({
  checkId: id,
  provider: providerIdSchema,
  /** Epoch ms the answer was judged. */
  at: z.number(),
  trigger: checkTriggerSchema,
  status: z.enum(['ok', 'failed']),
  failureKind: failureKindSchema.nullable(),
  /** Why the check failed, in words (never a key). */
  error: z.string().nullable(),
  /** Video models in the answer (0 for a failed check). */
  modelCount: z.number().int().nonnegative(),
  /** The first good check of a provider records the baseline and announces nothing. */
  baseline: z.boolean(),
  events: z.array(monitorEventSchema),
  /** Listed models missing from this good check but not yet reported removed (first miss). */
  pendingRemoval: z.array(z.string()),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const providerMonitorStatusSchema = z.object({
  provider: providerIdSchema,
  /** Whether this provider can be checked (a key where a list call needs one). */
  available: z.boolean(),
  lastCheckAt: z.number().nullable(),
  lastStatus: z.enum(['ok', 'failed']).nullable(),
  lastError: z.string().nullable(),
  lastGoodAt: z.number().nullable(),
  consecutiveFailures: z.number().int().nonnegative(),
  /** Video models in the last good snapshot. */
  modelCount: z.number().int().nonnegative(),
  /** When the scheduler will check next; null when the schedule is not running. */
  nextCheckAt: z.number().nullable(),
  checking: z.boolean(),
  /**
   * Where the model list comes from: `vendor` = the vendor's own list call (a real check);
   * `built-in` = the vendor has no list call, so the console's own table is shown and nothing is
   * checked; `simulated` = the sandbox's simulated catalogue. Left out by older producers.
   */
  catalogue: z.enum(['vendor', 'built-in', 'simulated']).optional(),
});
export type ProviderMonitorStatus = z.infer<typeof providerMonitorStatusSchema>;

export const monitorSettingsSchema = z.object({
  intervalMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** Start a smoke generation automatically when a model is detected. */
  autoSmoke: z.boolean(),
  /** Spend limit for one automatic smoke run, dollars. */
  smokeBudgetUsd: z.number().nonnegative().max(1000),
});
export type MonitorSettings = z.infer<typeof monitorSettingsSchema>;

export const DEFAULT_MONITOR_SETTINGS: MonitorSettings = {
  intervalMinutes: 15,
  autoSmoke: false,
  smokeBudgetUsd: 2,
};

export const monitorStatusSchema = z.object({
  running: z.boolean(),
  settings: monitorSettingsSchema,
  unread: z.number().int().nonnegative(),
  providers: z.array(providerMonitorStatusSchema),
});
export type MonitorStatus = z.infer<typeof monitorStatusSchema>;

// ---- onboarding board ----

export const BOARD_STAGES = [
  'detected',
  'validated',
  'benchmarked',
  'placed',
  'rolling_out',
  'stable',
  'rolled_back',
] as const;
export const boardStageSchema = z.enum(BOARD_STAGES);
export type BoardStage = z.infer<typeof boardStageSchema>;

/** Which stage may follow which. */
export const BOARD_TRANSITIONS: Record<BoardStage, readonly BoardStage[]> = {
  detected: ['validated'],
  validated: ['benchmarked'],
  benchmarked: ['placed'],
  placed: ['rolling_out', 'rolled_back'],
  rolling_out: ['stable', 'rolled_back'],
  stable: ['rolled_back'],
  rolled_back: ['placed'],
};

const note = z.string().trim().max(2000).optional();
const runId = z.string().min(1, 'runId is required').max(100);
const configVersion = z.number().int().positive('configVersion must be a published version');

/** What each stage needs as proof. */
export const stageEvidenceSchema = z.discriminatedUnion('stage', [
  z.object({
    stage: z.literal('detected'),
    checkId: z.string().nullable(),
    eventId: z.string().nullable(),
    smokeRunId: z.string().optional(),
    smokeError: z.string().optional(),
    note,
  }),
  z
    .object({
      stage: z.literal('validated'),
      /** The smoke run that passed through the real adapter. */
      runId,
      /** Parameters and limitations the admin documented. */
      parameters: z.string().trim().min(1, 'document the parameters used').max(4000),
      limitations: z.string().trim().max(4000).optional(),
      note,
    })
    .strict(),
  z
    .object({
      stage: z.literal('benchmarked'),
      runId,
      voteCount: z.number().int().nonnegative(),
      note,
    })
    .strict(),
  z
    .object({
      stage: z.literal('placed'),
      configVersion,
      tier: z.string().trim().min(1).max(64).optional(),
      note,
    })
    .strict(),
  z
    .object({
      stage: z.literal('rolling_out'),
      configVersion,
      environment: z.enum(['dev', 'staging', 'production']),
      percent: z.number().min(0).max(100).optional(),
      note,
    })
    .strict(),
  z
    .object({
      stage: z.literal('stable'),
      configVersion,
      /** Consecutive days production showed no critical issue; at least 7. */
      cleanDays: z
        .number()
        .int()
        .min(7, 'stable needs 7 consecutive days without a critical issue'),
      note,
    })
    .strict(),
  z
    .object({
      stage: z.literal('rolled_back'),
      configVersion,
      reason: z.string().trim().min(1, 'say why it was rolled back').max(2000),
      note,
    })
    .strict(),
]);
export type StageEvidence = z.infer<typeof stageEvidenceSchema>;

export const boardCardSchema = z.object({
  id,
  provider: providerIdSchema,
  modelId: z.string(),
  displayName: z.string(),
  stage: boardStageSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Every stage reached, oldest first, with its evidence. */
  history: z.array(
    z.object({ stage: boardStageSchema, at: z.number(), evidence: stageEvidenceSchema }),
  ),
});
export type BoardCard = z.infer<typeof boardCardSchema>;

// ---- IPC channel schemas (proposed) ----

export const monitorChannels = {
  'monitor:get-status': { input: z.object({}).strict(), output: monitorStatusSchema },
  /**
   * The sandbox releases its next simulated model, and the sandbox catalogue is checked at once
   * (after a baseline check when it was never checked), so the release reaches the inbox, the
   * notification and the onboarding board like a vendor's would. Refused once released.
   */
  'monitor:simulate-release': {
    input: z.object({}).strict(),
    output: z.object({
      provider: providerIdSchema,
      modelId: z.string(),
      displayName: z.string(),
      checks: z.array(checkResultSchema),
    }),
  },
  'monitor:check-now': {
    input: z.object({ provider: providerIdSchema.optional() }).strict(),
    output: z.object({ checks: z.array(checkResultSchema) }),
  },
  'monitor:list-inbox': {
    input: z
      .object({
        unreadOnly: z.boolean().optional(),
        limit: z.number().int().min(1).max(500).optional(),
      })
      .strict(),
    output: z.object({ events: z.array(inboxEventSchema), unread: z.number().int() }),
  },
  'monitor:mark-read': {
    input: z
      .object({ ids: z.array(id).max(1000).optional() })
      .strict()
      .describe('ids to mark read; none = all'),
    output: z.object({ marked: z.number().int(), unread: z.number().int() }),
  },
  'monitor:get-board': {
    input: z.object({}).strict(),
    output: z.object({ cards: z.array(boardCardSchema) }),
  },
  'monitor:advance-card': {
    input: z.object({ cardId: id, evidence: stageEvidenceSchema }).strict(),
    output: boardCardSchema,
  },
  'monitor:update-settings': {
    input: monitorSettingsSchema.partial().strict(),
    output: monitorSettingsSchema,
  },
} as const;

export const monitorEventChannels = {
  'monitor:release-detected': monitorEventSchema,
  'monitor:check-finished': checkResultSchema,
  /** The admin clicked a desktop notification: the window shows that model. */
  'monitor:model-open-requested': z
    .object({ provider: providerIdSchema, modelId: z.string().min(1).max(200) })
    .strict(),
} as const;

export type MonitorInvokeChannel = keyof typeof monitorChannels;
export type MonitorEventChannel = keyof typeof monitorEventChannels;
export type MonitorChannelInput<C extends MonitorInvokeChannel> = z.infer<
  (typeof monitorChannels)[C]['input']
>;
export type MonitorChannelOutput<C extends MonitorInvokeChannel> = z.infer<
  (typeof monitorChannels)[C]['output']
>;
export type MonitorEventPayload<E extends MonitorEventChannel> = z.infer<
  (typeof monitorEventChannels)[E]
>;
