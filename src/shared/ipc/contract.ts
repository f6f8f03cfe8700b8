/**
 * The one IPC contract. Every channel has an input and an output schema; every event a payload
 * schema. Main parses each input before its handler runs; the preload and the renderer's client
 * are derived from the same names. Channel names are `domain:verb-noun`; events read
 * noun-then-verb in the past tense.
 */
import { z } from 'zod';
import { timeoutSecondsSchema } from '../bench/generation-timeout';
import { IMPORT_ID_PATTERN, IMPORT_ID_RULE } from '../bench/import-id';
import { watchEventChannels, watchInvokeChannels } from '../watch/watch-ipc-schemas';
import { routingInvokeChannels } from '../routing/routing-ipc-schemas';
import { publishEventChannels, publishInvokeChannels } from '../rollout/publish-ipc-schemas';
import { reviewChartChannels } from '../review/review-chart-schemas';
import {
  runComparisonSchema,
  scorecardChangeSchema,
  scorecardSchema,
} from '../bench/scorecard-schema';
import {
  blindPairSchema,
  castVoteInputSchema,
  importVotesResultSchema,
  poolSchema,
  ratingsFilterSchema,
  ratingsResultSchema,
} from '../review/review-schemas';
import {
  generationRecordSchema,
  mediaRefSchema,
  runDetailSchema,
  runPlanSchema,
  runSummarySchema,
  suiteDefinitionSchema,
  suiteSummarySchema,
} from '../domain';
import {
  modelInfoSchema,
  modelRefSchema,
  providerIdSchema,
} from '../providers/video-provider-spec';
import { endedModelPriceSchema, modelPriceEntrySchema } from '../providers/model-price-schema';

import { monitorChannels, monitorEventChannels } from '../monitor/monitor-schemas';

/** What importing a run bundle did (IPC channel and the serve upload endpoint). */
export const importBundleResultSchema = z.object({
  runId: z.string(),
  imported: z.boolean(),
  generations: z.number().int().nonnegative(),
  mediaVerified: z.number().int().nonnegative(),
  mediaAdded: z.number().int().nonnegative(),
  suiteRenamedTo: z.string().optional(),
  /** Votes in the bundle, and how many of them were new here. */
  votes: z.number().int().nonnegative().optional(),
  votesAdded: z.number().int().nonnegative().optional(),
});

const empty = z.object({}).strict();
const id = z.string().min(1).max(100);

/** The renderer's name for one bundle import (its progress events carry it). */
const importIdSchema = z.string().regex(IMPORT_ID_PATTERN, IMPORT_ID_RULE);

const planInput = z
  .object({
    suiteId: id,
    models: z.array(modelRefSchema).min(1, 'choose at least one model').max(20),
    /** Spending cap in dollars; `undefined` = no cap set yet (the plan says whether one is needed). */
    budgetUsd: z.number().nonnegative().max(100000).optional(),
  })
  .strict();

export const providerStatusSchema = z.object({
  provider: providerIdSchema,
  label: z.string(),
  /** A key is configured, so generations can run. */
  configured: z.boolean(),
  /** Where the key comes from; never the key itself. */
  keySource: z.enum(['keychain', 'environment', 'none', 'not_needed']),
  /** The environment variable the CLI and browser mode read the key from. */
  keyEnvVar: z.string().nullable(),
  /** True when the API base URL is overridden (e.g. pointed at an emulator). */
  baseUrlOverridden: z.boolean(),
  /** Whether keys can be saved from this window (desktop app with a keychain). */
  keysEditable: z.boolean(),
  modelCount: z.number().int(),
});
export type ProviderStatus = z.infer<typeof providerStatusSchema>;

const vendorId = providerIdSchema.exclude(['sandbox']);

const appInfoSchema = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  ffmpegAvailable: z.boolean(),
  providersWithKeys: z.array(z.string()),
});
const sessionSchema = z.object({ role: z.enum(['admin', 'reviewer']), name: z.string() });

export const invokeChannels = {
  ...watchInvokeChannels,
  ...routingInvokeChannels,
  ...publishInvokeChannels,
  ...reviewChartChannels,
  'app:get-info': { input: empty, output: appInfoSchema },
  /**
   * The window's start-up in one call: who it is (as review:get-session) and, for the admin,
   * what the first screen shows (app:get-info, models:list, suites:list, bench:list-runs and
   * providers:list, read at once). A reviewer's token gets the session only (`start: null`).
   */
  'app:bootstrap': {
    input: empty,
    output: z.object({
      session: sessionSchema,
      start: z
        .object({
          appInfo: appInfoSchema,
          models: z.array(modelInfoSchema),
          suites: z.array(suiteSummarySchema),
          runs: z.array(runSummarySchema),
          providers: z.array(providerStatusSchema),
        })
        .nullable(),
    }),
  },
  'models:list': { input: empty, output: z.array(modelInfoSchema) },
  /**
   * Enter a model's price from the vendor's pricing page (replaces any entered before, and the
   * built-in table's, shown beside it); answers the model with its new price. Refused with the
   * field named: an amount that is not a positive finite number, above a sane ceiling, a
   * resolution the model does not offer, an audio price for a model without audio, the sandbox.
   */
  'models:set-price': {
    input: z
      .object({
        provider: providerIdSchema,
        modelId: z.string().min(1).max(200),
        price: modelPriceEntrySchema,
      })
      .strict(),
    output: modelInfoSchema,
  },
  /** Remove a model's entered price: the built-in one (or "price unknown") applies again. */
  'models:clear-price': {
    input: z.object({ provider: providerIdSchema, modelId: z.string().min(1).max(200) }).strict(),
    output: z.object({ cleared: z.boolean(), model: modelInfoSchema.nullable() }),
  },
  /** A model's earlier entered prices (replaced or cleared), the most recently ended first. */
  'models:price-history': {
    input: z.object({ provider: providerIdSchema, modelId: z.string().min(1).max(200) }).strict(),
    output: z.array(endedModelPriceSchema),
  },
  'suites:list': { input: empty, output: z.array(suiteSummarySchema) },
  'suites:get': {
    input: z.object({ suiteId: id, version: z.number().int().positive().optional() }).strict(),
    output: z.object({
      id: z.string(),
      version: z.number().int(),
      builtIn: z.boolean(),
      definition: suiteDefinitionSchema,
      versions: z.array(z.number().int()),
    }),
  },
  'suites:save': {
    input: z
      .object({
        /** `undefined` = a new suite (its id is made from the name). Built-in suites are saved as a copy. */
        suiteId: id.optional(),
        definition: suiteDefinitionSchema,
      })
      .strict(),
    output: suiteSummarySchema,
  },
  'suites:import': {
    input: z
      .object({ fileName: z.string().min(1).max(255), text: z.string().max(5_000_000) })
      .strict(),
    output: suiteSummarySchema,
  },
  'suites:export': {
    input: z
      .object({
        suiteId: id,
        version: z.number().int().positive().optional(),
        format: z.enum(['yaml', 'json']),
      })
      .strict(),
    output: z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
  },
  'providers:list': { input: empty, output: z.array(providerStatusSchema) },
  'providers:test-connection': {
    input: z.object({ provider: providerIdSchema }).strict(),
    output: z.object({
      ok: z.boolean(),
      message: z.string(),
      latencyMs: z.number(),
      modelCount: z.number().int().nullable(),
    }),
  },
  'keys:set': {
    input: z
      .object({
        provider: vendorId,
        key: z.string().trim().min(8, 'looks too short to be an API key').max(512),
      })
      .strict(),
    output: z.object({ configured: z.boolean() }),
  },
  'keys:remove': {
    input: z.object({ provider: vendorId }).strict(),
    output: z.object({ configured: z.boolean() }),
  },
  'bench:plan-run': { input: planInput, output: runPlanSchema },
  'bench:start-run': {
    input: planInput
      .extend({
        name: z.string().trim().min(1).max(120).optional(),
        budgetUsd: z.number().nonnegative().max(100000),
        /** Answer identical earlier requests from the cache: marked cached, costs nothing. */
        allowCache: z.boolean().optional(),
        /** Check each downloaded video with ffprobe/ffmpeg; `undefined` = true. */
        analysis: z.boolean().optional(),
        /** Generation timeout, seconds (1 s … 6 h); `undefined` = each model's default. */
        timeoutSeconds: timeoutSecondsSchema.optional(),
      })
      .strict(),
    output: z.object({ runId: z.string() }),
  },
  'review:next-pair': {
    /** pool: only pairs of that category pool (see POOLS). */
    input: z
      .object({ category: z.string().max(64).optional(), pool: poolSchema.optional() })
      .strict(),
    output: z.object({
      pair: blindPairSchema
        .extend({
          prompt: z.string(),
          leftMedia: mediaRefSchema,
          rightMedia: mediaRefSchema,
          /** Measured frame rates (null = not analysed), for stepping one frame at a time. */
          leftFps: z.number().positive().nullable(),
          rightFps: z.number().positive().nullable(),
        })
        .nullable(),
    }),
  },
  'review:cast-vote': {
    input: castVoteInputSchema.strict(),
    /** Model names are revealed only after the vote. */
    output: z.object({ id: z.string(), modelLeft: z.string(), modelRight: z.string() }),
  },
  /** pool: that pool's votes only; absent = every pool, and the result names the pools combined. */
  'review:get-ratings': { input: ratingsFilterSchema.strict(), output: ratingsResultSchema },
  /** Who this window votes as: the admin, or a reviewer with their own token (browser mode). */
  'review:get-session': { input: empty, output: sessionSchema },
  'review:import-votes': {
    input: z.object({ csv: z.string().max(20_000_000) }).strict(),
    output: importVotesResultSchema,
  },
  'review:export-votes': { input: empty, output: z.object({ csv: z.string() }) },
  'bench:list-runs': { input: empty, output: z.array(runSummarySchema) },
  'bench:get-run': { input: z.object({ runId: id }).strict(), output: runDetailSchema },
  'bench:get-scorecard': { input: z.object({ runId: id }).strict(), output: scorecardSchema },
  'bench:compare-runs': {
    input: z.object({ beforeRunId: id, afterRunId: id }).strict(),
    output: z.array(scorecardChangeSchema),
  },
  /** The same comparison with what differs between the runs and counts that match the rows. */
  'bench:compare-runs-detail': {
    input: z.object({ beforeRunId: id, afterRunId: id }).strict(),
    output: runComparisonSchema,
  },
  'bench:export-run': {
    input: z.object({ runId: id, format: z.enum(['csv', 'json']) }).strict(),
    output: z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
  },
  /** A run bundle from another console (aideon bench export RUN --bundle FILE), as base64. */
  'bench:import-bundle': {
    input: z
      .object({
        fileName: z.string().min(1).max(255),
        contentBase64: z.string().max(1_400_000_000),
      })
      .strict(),
    output: importBundleResultSchema,
  },
  /**
   * Desktop app: main asks for a bundle file with the system's file dialog and imports it from
   * its path (no size limit from the IPC body; the renderer never sees the path). Browser mode
   * uploads the file to POST /upload/run-bundle instead; there this channel answers an error.
   */
  'bench:import-bundle-picked': {
    input: z.object({ importId: importIdSchema.optional() }).strict(),
    output: z.object({ cancelled: z.boolean(), result: importBundleResultSchema.optional() }),
  },
  'bench:cancel-run': {
    input: z.object({ runId: id }).strict(),
    output: z.object({ cancelled: z.number().int() }),
  },
  'bench:cancel-model': {
    input: z
      .object({ runId: id, provider: providerIdSchema, modelId: z.string().min(1).max(200) })
      .strict(),
    output: z.object({ cancelled: z.number().int() }),
  },
  'bench:cancel-generation': {
    input: z.object({ generationId: id }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  ...monitorChannels,
} as const;

export const eventChannels = {
  ...watchEventChannels,
  ...publishEventChannels,
  'bench:run-updated': runSummarySchema,
  'bench:generation-updated': generationRecordSchema,
  /**
   * A run bundle import's progress: after its manifest (checked 0) and after each video whose
   * SHA-256 and size were checked, `total` being the videos the manifest names.
   */
  'bench:import-progress': z.object({
    importId: importIdSchema,
    checked: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
  }),
  /** Entered prices changed (in this console or another process on its database). */
  'models:prices-changed': z.object({ at: z.number() }),
  ...monitorEventChannels,
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type EventChannel = keyof typeof eventChannels;
export type ChannelInput<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['input']>;
export type ChannelOutput<C extends InvokeChannel> = z.infer<(typeof invokeChannels)[C]['output']>;
export type EventPayload<E extends EventChannel> = z.infer<(typeof eventChannels)[E]>;
