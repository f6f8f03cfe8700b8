/**
 * IPC channels of Rollout → Publishing: the environments' live state, "what will change" plans,
 * the signed actions (publish, promote, rollback, co-sign, rollout steps, kill switch), the
 * history and this console's signing keys. Spread into the contract's invokeChannels /
 * eventChannels. Private keys never appear here; a passphrase only ever goes in (never out).
 */
import { z } from 'zod';
import { ENVIRONMENTS, environmentSchema } from './environments';
import { rolloutPlanSchema } from './flag-rollout';
import { parsePublicKeyText } from './public-key-text';
import { controllerPanelSchema } from './controller-status';

const empty = z.object({}).strict();
const version = z.number().int('must be a whole version number').min(0).max(1e9);
export const keyIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a key id (43 base64url characters)');
export const bundleDigestSchema = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be a bundle digest such as sha256:3f…(64 hex digits)');
const flagKey = z.string().min(1, 'must name a flag').max(200, 'must be at most 200 characters');
const variant = z.string().min(1).max(200);
/** Typed by the admin; goes to main once, never comes back, never logged or stored. */
const passphrase = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(1024, 'must be at most 1024 characters');
const promotionTarget = z.enum(['staging', 'production'], {
  message: 'must be staging or production (dev takes the draft instead)',
});

export const storeUriSchema = z
  .string()
  .trim()
  .min(1, 'must be a store URI')
  .max(2000)
  .refine((uri) => uri.startsWith('dir:') || uri.startsWith('etcd://'), {
    message: 'must look like dir:/absolute/folder or etcd://host:port/prefix',
  });

export const diffEntrySchema = z.object({
  path: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

const thresholdsSchema = z
  .object({
    dev: z.number().int().min(1, 'must be at least 1').max(20),
    staging: z.number().int().min(1, 'must be at least 1').max(20),
    production: z.number().int().min(1, 'must be at least 1').max(20),
    trust: z.number().int().min(1, 'must be at least 1').max(20),
  })
  .strict();

export const signingKeySchema = z.object({
  kid: z.string(),
  name: z.string(),
  createdAt: z.string(),
  /** What unlocking it needs. */
  protection: z.enum(['os-keychain', 'passphrase', 'unknown']),
  unlocked: z.boolean(),
  /** Listed in the store's trust file. */
  trusted: z.boolean(),
});
export type SigningKey = z.infer<typeof signingKeySchema>;

export const flagSummarySchema = z.object({
  key: z.string(),
  state: z.string(),
  variants: z.array(z.string()),
  defaultVariant: z.string().nullable(),
  /** The fractional split when targeting is only a split, e.g. [["on",25],["off",75]]. */
  split: z.array(z.tuple([z.string(), z.number()])).nullable(),
  /** Targeting other than a plain split (written by hand; a rollout would refuse it). */
  customTargeting: z.boolean(),
});
export type FlagSummary = z.infer<typeof flagSummarySchema>;

export const pendingBundleSchema = z.object({
  digest: z.string(),
  version: z.number().int(),
  keyIds: z.array(z.string()),
  needed: z.number().int(),
  applicable: z.boolean(),
  summary: z.string(),
  diff: z.array(diffEntrySchema),
  /** One of this session's unlocked keys can add a signature. */
  canSign: z.boolean(),
});

export const rolloutSummarySchema = z.object({
  environment: environmentSchema,
  flagKey: z.string(),
  onVariant: z.string(),
  offVariant: z.string(),
  steps: z.array(z.number()),
  bakeMs: z.number(),
  stepIndex: z.number().int(),
  status: z.enum(['running', 'paused', 'completed', 'stopped']),
  lastStepAt: z.number().nullable(),
  startedBy: z.string(),
  updatedAt: z.number(),
  stoppedReason: z.string().optional(),
  /** When the next step may go out (running only), ms since the epoch. */
  nextStepAt: z.number().nullable(),
  /** The production watch is checking the current step's guards. */
  watching: z.boolean(),
  /** The current step's version is what the environment runs now (paused or not). */
  stillLive: z.boolean(),
  /**
   * Paused and still live, and this console's production watch checks it again at each check
   * interval (auto-rollback is on: a failed check rolls it back).
   */
  watchedForRollback: z.boolean(),
  /** Why the scheduler could not publish a due step (e.g. no key unlocked). */
  problem: z.string().nullable(),
});
export type RolloutSummary = z.infer<typeof rolloutSummarySchema>;

export const environmentOverviewSchema = z.object({
  environment: environmentSchema,
  threshold: z.number().int(),
  live: z
    .object({
      version: z.number().int(),
      digest: z.string(),
      issuedAt: z.string(),
      expiresAt: z.string(),
      expired: z.boolean(),
      keyIds: z.array(z.string()),
      /**
       * Fewer signatures than the trust file asks for now (a threshold was raised after it
       * went live): consumers that take the new trust file refuse it until it is replaced.
       */
      underSigned: z.boolean(),
    })
    .nullable(),
  /** Versions in the store (rollback targets), newest first. */
  versions: z.array(z.number().int()),
  /** Why the live state could not be read or verified. */
  problem: z.string().nullable(),
  pending: z.array(pendingBundleSchema),
  rollouts: z.array(rolloutSummarySchema),
  flags: z.array(flagSummarySchema),
});
export type EnvironmentOverview = z.infer<typeof environmentOverviewSchema>;

export const publishOverviewSchema = z.object({
  storeUri: z.string(),
  storeIsDefault: z.boolean(),
  defaultStoreUri: z.string(),
  keyProtection: z.enum(['os-keychain', 'passphrase']),
  actor: z.string(),
  trust: z
    .object({
      version: z.number().int(),
      keys: z.array(z.object({ kid: z.string(), name: z.string() })),
      thresholds: thresholdsSchema,
    })
    .nullable(),
  /** The store could not be read (unreachable etcd, a refused trust file, ...). */
  storeProblem: z.string().nullable(),
  environments: z.array(environmentOverviewSchema),
  keys: z.array(signingKeySchema),
  /** Other admins' public keys imported into this console (they sign in their own console). */
  importedKeys: z.array(
    z.object({
      kid: z.string(),
      name: z.string(),
      importedAt: z.string(),
      trusted: z.boolean(),
    }),
  ),
  draft: z.object({
    revision: z.number().int(),
    source: z.enum(['draft', 'example']),
    updatedAt: z.number().nullable(),
  }),
  /**
   * Changes to the store whose answer was lost and whose outcome could not be read back, kept
   * in the data folder until a read of their environment settles them, by store and
   * environment. Absent from an older main process.
   */
  unconfirmed: z
    .array(
      z.object({
        /** The store, with any password or token hidden. */
        storeUri: z.string(),
        environment: z.string(),
        count: z.number().int(),
        /** When the oldest was kept, ms since the epoch. */
        since: z.number(),
        /**
         * The store this console publishes to: settled at its next read of the environment.
         * Otherwise nothing here reads that store; they are dropped after `dropAfterDays`.
         */
        currentStore: z.boolean(),
        dropAfterDays: z.number(),
      }),
    )
    .optional(),
});
export type PublishOverview = z.infer<typeof publishOverviewSchema>;

/** What one environment runs now (verified), for comparing the draft with it. */
export const publishedConfigSchema = z.object({
  environment: environmentSchema,
  live: z
    .object({ version: z.number().int(), issuedAt: z.string(), config: z.unknown() })
    .nullable(),
  /** Why the environment could not be read; null when it was (live null = nothing published). */
  problem: z.string().nullable(),
});
export type PublishedConfig = z.infer<typeof publishedConfigSchema>;

export const planInputSchema = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('publish-draft') }).strict(),
    z.object({ action: z.literal('promote'), target: promotionTarget }).strict(),
    z
      .object({
        action: z.literal('rollback'),
        environment: environmentSchema,
        toVersion: version.min(1).optional(),
      })
      .strict(),
    z
      .object({ action: z.literal('kill-switch'), flagKey, offVariant: variant.optional() })
      .strict(),
  ],
  { message: 'action must be publish-draft, promote, rollback or kill-switch' },
);
export type PlanInput = z.infer<typeof planInputSchema>;

export const planChangeSchema = z.object({
  environment: environmentSchema,
  fromVersion: z.number().int(),
  toVersion: z.number().int(),
  diff: z.array(diffEntrySchema),
  summary: z.string(),
  /** Why nothing will happen here (no change, flag absent, nothing live). */
  skipped: z.string().nullable(),
  threshold: z.number().int(),
  /** Signatures this session's unlocked keys will give. */
  willSign: z.number().int(),
});

export const publishPlanSchema = z.object({
  action: z.enum(['publish-draft', 'promote', 'rollback', 'kill-switch']),
  changes: z.array(planChangeSchema),
  /** The routing checks' errors: nothing can be signed. */
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
  /** The routing checks' warnings (a simulated sandbox model, thin evidence): signing is allowed. */
  warnings: z.array(z.object({ path: z.string(), message: z.string() })),
  source: z.object({ environment: environmentSchema, version: z.number().int() }).nullable(),
  restoresVersion: z.number().int().nullable(),
  draftRevision: z.number().int().nullable(),
});
export type PublishPlan = z.infer<typeof publishPlanSchema>;

export const actionOutcomeSchema = z.object({
  environment: environmentSchema,
  status: z.enum(['published', 'pending', 'unchanged', 'skipped', 'failed']),
  version: z.number().int().nullable(),
  digest: z.string().nullable(),
  keyIds: z.array(z.string()),
  /** Signatures still missing (pending). */
  needed: z.number().int(),
  message: z.string(),
});
export const actionResultSchema = z.object({
  outcomes: z.array(actionOutcomeSchema),
  message: z.string(),
});
export type ActionResult = z.infer<typeof actionResultSchema>;

export const historyRowSchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  environment: z.string().nullable(),
  version: z.number().int().nullable(),
  digest: z.string().nullable(),
  keyIds: z.array(z.string()),
  diffSummary: z.string(),
  detail: z.record(z.string(), z.unknown()),
  hash: z.string(),
  /**
   * How the entry of the shared history (in the config store) is signed: by an admin key, by
   * the controller's operator key, not at all, or by a key the trust file does not list.
   * Undefined: a row from before the shared history.
   */
  signature: z.enum(['admin', 'operator', 'unsigned', 'unknown_key', 'bad_signature']).optional(),
});
export type HistoryRow = z.infer<typeof historyRowSchema>;

export const chainCheckSchema = z.union([
  z.object({ ok: z.literal(true), entries: z.number().int(), head: z.string() }),
  z.object({
    ok: z.literal(false),
    entries: z.number().int(),
    brokenAtSeq: z.number().int(),
    problem: z.string(),
    /** What is wrong at brokenAtSeq (missing, altered, relinked, truncated, rewritten, ...). */
    kind: z.string().optional(),
  }),
]);

const namedKeySchema = z.object({ kid: z.string(), name: z.string() });
const trustSummarySchema = z.object({
  version: z.number().int(),
  keys: z.array(namedKeySchema),
  thresholds: thresholdsSchema,
});

/** The keys and thresholds of a trust file to create or rotate to. */
const trustChangeShape = {
  kids: z.array(keyIdSchema).min(1, 'choose at least one key').max(20),
  thresholds: thresholdsSchema,
};

/** Thresholds cannot ask for more keys than are chosen; a key is listed once. */
function checkTrustChange(
  value: { kids: string[]; thresholds: z.infer<typeof thresholdsSchema> },
  context: z.RefinementCtx,
): void {
  for (const name of [...ENVIRONMENTS, 'trust'] as const)
    if (value.thresholds[name] > value.kids.length)
      context.addIssue({
        code: 'custom',
        path: ['thresholds', name],
        message: `needs ${value.thresholds[name]} signatures but only ${value.kids.length} key(s) are chosen`,
      });
  if (new Set(value.kids).size !== value.kids.length)
    context.addIssue({ code: 'custom', path: ['kids'], message: 'lists a key twice' });
}

/** "What will change" for a trust rotation: before/after, and what it does to what is live. */
export const trustPlanSchema = z.object({
  before: trustSummarySchema,
  after: trustSummarySchema,
  added: z.array(namedKeySchema),
  removed: z.array(namedKeySchema),
  thresholdChanges: z.array(
    z.object({
      name: z.enum(['dev', 'staging', 'production', 'trust']),
      before: z.number().int(),
      after: z.number().int(),
    }),
  ),
  /** Signatures this session's unlocked keys give under the current and the new trust file. */
  signatures: z.object({
    current: z.number().int(),
    currentNeeded: z.number().int(),
    next: z.number().int(),
    nextNeeded: z.number().int(),
  }),
  environments: z.array(
    z.object({
      environment: environmentSchema,
      version: z.number().int().nullable(),
      kept: z.number().int(),
      needed: z.number().int(),
      effect: z.enum(['none', 'nothing-live', 'warning', 'blocked']),
      message: z.string().nullable(),
    }),
  ),
  /** Things to know before signing (not blocking). */
  warnings: z.array(z.string()),
  /** Why it cannot be signed as it is (empty = it can). */
  problems: z.array(z.string()),
});
export type TrustPlan = z.infer<typeof trustPlanSchema>;

/** One stored version of an environment (a rollback target). */
export const versionRowSchema = z.object({
  version: z.number().int(),
  digest: z.string(),
  issuedAt: z.string(),
  /** The keys in its signatures, named from the trust file ("unknown key" otherwise). */
  signedBy: z.array(namedKeySchema),
  /** Who published it, when this console's history knows (null: another console did). */
  publishedBy: z.string().nullable(),
  /** What this version changed compared with the version before it. */
  summary: z.string(),
  isLive: z.boolean(),
  /** Its content is what is live now (rolling back to it changes nothing). */
  sameAsLive: z.boolean(),
});
export type VersionRow = z.infer<typeof versionRowSchema>;

const unlockResultSchema = z.object({
  unlocked: z.array(z.string()),
  failed: z.array(z.object({ kid: z.string(), message: z.string() })),
  keys: z.array(signingKeySchema),
});

const expectVersion = version.describe('the live version the admin saw in the plan');

export const publishInvokeChannels = {
  'publish:get-overview': { input: empty, output: publishOverviewSchema },
  'publish:get-published': { input: empty, output: z.array(publishedConfigSchema) },
  /**
   * The rollout controllers registered in the store (alive or not, the leader, last tick, what
   * each does) and per environment the step being baked, the next due step and paused
   * rollouts. While a live leader is registered this console does no ramp, bake or guard work.
   */
  'publish:get-controller': { input: empty, output: controllerPanelSchema },
  'publish:set-store': {
    input: z.object({ storeUri: storeUriSchema.nullable() }).strict(),
    output: publishOverviewSchema,
  },
  'publish:plan': { input: planInputSchema, output: publishPlanSchema },
  'publish:publish-draft': {
    input: z.object({ draftRevision: version.min(1), expectFromVersion: expectVersion }).strict(),
    output: actionResultSchema,
  },
  'publish:promote': {
    input: z.object({ target: promotionTarget, expectFromVersion: expectVersion }).strict(),
    output: actionResultSchema,
  },
  'publish:rollback': {
    input: z
      .object({
        environment: environmentSchema,
        toVersion: version.min(1).optional(),
        expectFromVersion: expectVersion,
      })
      .strict(),
    output: actionResultSchema,
  },
  'publish:cosign': {
    input: z.object({ environment: environmentSchema, digest: bundleDigestSchema }).strict(),
    output: actionResultSchema,
  },
  'publish:kill-switch': {
    input: z.object({ flagKey, offVariant: variant.optional() }).strict(),
    output: actionResultSchema,
  },
  'publish:start-rollout': {
    input: z
      .object({
        environment: environmentSchema,
        flagKey,
        onVariant: variant,
        offVariant: variant,
        steps: z
          .array(z.number().int('must be whole percentages').min(1).max(100))
          .min(1, 'needs at least one step')
          .max(20, 'at most 20 steps'),
        bakeMinutes: z.number().min(0, 'must be 0 or more').max(43200, 'at most 30 days'),
      })
      .strict()
      .superRefine((value, context) => {
        const parsed = rolloutPlanSchema.safeParse(value);
        if (!parsed.success)
          for (const issue of parsed.error.issues)
            context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }),
    output: actionResultSchema,
  },
  'publish:rollout-action': {
    input: z
      .object({
        environment: environmentSchema,
        flagKey,
        action: z.enum(['pause', 'resume', 'advance'], {
          message: 'must be pause, resume or advance',
        }),
      })
      .strict(),
    output: actionResultSchema,
  },
  'publish:list-history': {
    input: z
      .object({
        environment: environmentSchema.optional(),
        limit: z.number().int().min(1).max(5000).optional(),
      })
      .strict(),
    output: z.array(historyRowSchema),
  },
  'publish:check-chain': { input: empty, output: chainCheckSchema },
  'publish:export-history': {
    input: empty,
    output: z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
  },
  'publish:generate-key': {
    input: z
      .object({
        name: z
          .string()
          .trim()
          .regex(/^[\w .@-]{1,64}$/, 'must be 1-64 letters, digits, spaces or . @ _ -'),
        passphrase: passphrase.optional(),
      })
      .strict(),
    output: unlockResultSchema,
  },
  'publish:unlock-keys': {
    input: z
      .object({
        passphrase: passphrase.optional(),
        kids: z.array(keyIdSchema).max(50).optional(),
      })
      .strict(),
    output: unlockResultSchema,
  },
  'publish:lock-keys': { input: empty, output: z.array(signingKeySchema) },
  'publish:init-trust': {
    input: z.object(trustChangeShape).strict().superRefine(checkTrustChange),
    output: publishOverviewSchema,
  },
  'publish:plan-trust': {
    input: z.object(trustChangeShape).strict().superRefine(checkTrustChange),
    output: trustPlanSchema,
  },
  'publish:rotate-trust': {
    input: z
      .object({
        ...trustChangeShape,
        expectTrustVersion: version.min(1).describe('the trust version the admin saw in the plan'),
      })
      .strict()
      .superRefine(checkTrustChange),
    output: publishOverviewSchema,
  },
  'publish:export-public-key': {
    input: z.object({ kid: keyIdSchema }).strict(),
    /** Public parts only: the kid, the name and the public JWK, as one pasteable line. */
    output: z.object({ kid: z.string(), name: z.string(), text: z.string() }),
  },
  'publish:import-public-key': {
    input: z
      .object({
        text: z
          .string()
          .min(1, 'paste the public key text from the other console')
          .max(4000, 'is too long for a public key (at most 4000 characters)')
          .superRefine((text, context) => {
            const parsed = parsePublicKeyText(text);
            if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.message });
          }),
      })
      .strict(),
    output: z.object({ kid: z.string(), name: z.string(), trusted: z.boolean() }),
  },
  'publish:remove-public-key': {
    input: z.object({ kid: keyIdSchema }).strict(),
    output: z.object({ removed: z.string() }),
  },
  'publish:list-versions': {
    input: z
      .object({
        environment: environmentSchema,
        limit: z.number().int().min(1).max(200).optional(),
      })
      .strict(),
    output: z.array(versionRowSchema),
  },
} as const;

export const publishStateChangedSchema = z.object({
  /** What happened, e.g. "rollout step", "publish". */
  reason: z.string(),
  environment: environmentSchema.nullable(),
  at: z.number(),
});

export const publishEventChannels = {
  'publish:state-changed': publishStateChangedSchema,
} as const;

export { PUBLISH_INVOKE_CHANNEL_NAMES } from '../ipc/channel-names';
export const PUBLISH_EVENT_CHANNEL_NAMES = ['publish:state-changed'] as const;
