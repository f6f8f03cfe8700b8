/**
 * The routing editor's service: drafts, checks, simulation, flag preview and recommendations,
 * with the evidence gathered from the benchmark store and the review ratings. Every
 * collaborator is injected (see `RoutingServiceDeps`).
 */
import type { ModelInfo, ProviderId } from '../../../shared/providers/video-provider-spec';
import type { Rating } from '../../../shared/review/review-schemas';
import type { RoutingConfig } from '../../../shared/routing/routing-config-schema';
import type { EvidenceMap, ModelObservationInput } from '../../../shared/routing/routing-evidence';
import type { RoutingDraft } from '../../../shared/routing/routing-ipc-schemas';
import type { RoutingProblem } from '../../../shared/routing/routing-problem';
import type {
  RoutingProposal,
  TierQualityBarInput,
} from '../../../shared/routing/routing-proposals';
import type { WritableDb } from '../../store/db';
import { previewFlags, type FlagContextValue, type FlagPreviewResult } from './flag-preview';
import {
  checkRoutingConfig,
  type MonitorModelNote,
  type RoutingCheckContext,
} from './routing-checks';
import { getDraft, saveDraft } from './routing-draft-repository';
import {
  evidenceFromScorecard,
  observationsFromEvidence,
  scorecardAcrossRuns,
} from './routing-evidence';
import { applyProposals, pricesFromModels, recommendRouting } from './routing-recommendations';
import {
  compareSimulations,
  simulateRouting,
  type SimulationResult,
  type TierComparison,
} from './routing-simulator';

export const DEFAULT_DRAFT_ID = 'default';

/**
 * The built-in example a first user starts from: the vendor example when every provider it
 * names has a key, else the sandbox example, which needs no key and passes the checks, so the
 * whole path (checks, simulator, flags, signing, publishing to dev) can be walked keyless.
 */
export function chooseExampleConfig(
  examples: { vendor: unknown; sandbox: unknown },
  configured: readonly ProviderId[],
): unknown {
  const providers = new Set<string>();
  const tiers = (examples.vendor as { tiers?: Record<string, { targets?: unknown[] }> }).tiers;
  for (const tier of Object.values(tiers ?? {})) {
    for (const target of tier.targets ?? []) {
      const provider = (target as { provider?: unknown }).provider;
      if (typeof provider === 'string') providers.add(provider);
    }
  }
  const keyed = new Set<string>(configured);
  const vendorRuns = [...providers].every((provider) => keyed.has(provider));
  return vendorRuns ? examples.vendor : examples.sandbox;
}

export interface RoutingServiceDeps {
  db: WritableDb;
  now: () => number;
  /** Every model of every provider (registry.allModels()). */
  models: () => ModelInfo[];
  /** Providers that can run (registry.providers()). */
  configuredProviders: () => ProviderId[];
  /** Overall review ratings, best first. */
  ratings: () => Promise<readonly Rating[]>;
  /** Models the monitor reports removed, retired or deprecated (default none). */
  retiredModels?: () => readonly (string | MonitorModelNote)[];
  /** The starting point when no draft was saved (the built-in example config). */
  exampleConfig: () => unknown;
  /** Evidence override (tests); default: one scorecard over every stored run. */
  evidence?: () => EvidenceMap;
}

export class RoutingService {
  constructor(private readonly deps: RoutingServiceDeps) {}

  evidence(): EvidenceMap {
    return this.deps.evidence?.() ?? evidenceFromScorecard(scorecardAcrossRuns(this.deps.db));
  }

  checkContext(): RoutingCheckContext {
    return {
      models: this.deps.models(),
      evidence: this.evidence(),
      retiredModels: this.deps.retiredModels?.() ?? [],
      configuredProviders: this.deps.configuredProviders(),
    };
  }

  getDraft(): RoutingDraft {
    const draft = getDraft(this.deps.db, DEFAULT_DRAFT_ID);
    if (!draft) {
      return { config: this.deps.exampleConfig(), revision: 0, updatedAt: null, source: 'example' };
    }
    return {
      config: draft.config,
      revision: draft.revision,
      updatedAt: draft.updatedAt,
      source: 'draft',
    };
  }

  saveDraft(
    config: unknown,
    expectedRevision: number,
  ): RoutingDraft & { problems: RoutingProblem[] } {
    const saved = saveDraft(
      this.deps.db,
      DEFAULT_DRAFT_ID,
      config,
      expectedRevision,
      this.deps.now(),
    );
    return {
      config: saved.config,
      revision: saved.revision,
      updatedAt: saved.updatedAt,
      source: 'draft',
      problems: this.check(saved.config).problems,
    };
  }

  /** The last config problemsOf checked, by identity, and its result. */
  private lastCheck: { config: unknown; result: { problems: RoutingProblem[] } } | undefined;

  check(config: unknown): { ok: boolean; problems: RoutingProblem[] } {
    const { ok, problems } = checkRoutingConfig(config, this.checkContext());
    return { ok, problems };
  }

  /**
   * The checks' problems of one severity as a publisher takes them: errors refuse signing,
   * warnings are shown with the plan.
   */
  problemsOf(
    config: unknown,
    severity: RoutingProblem['severity'],
  ): { path: string; message: string }[] {
    // A plan asks for the errors and then the warnings of the same config object: checked once
    // (the checks read the benchmark evidence from SQLite).
    let checked = this.lastCheck;
    if (!checked || checked.config !== config) {
      checked = { config, result: this.check(config) };
      this.lastCheck = checked;
    }
    return checked.result.problems
      .filter((problem) => problem.severity === severity)
      .map((problem) => ({ path: problem.path, message: problem.message }));
  }

  /** The models the console knows (with their listed prices). */
  models(): ModelInfo[] {
    return this.deps.models();
  }

  observations(): Record<string, ModelObservationInput> {
    return observationsFromEvidence(this.evidence(), this.deps.models());
  }

  simulate(input: {
    config: RoutingConfig;
    baseline?: RoutingConfig;
    requests: number;
    seed: number;
    observed?: Record<string, ModelObservationInput>;
  }): { result: SimulationResult; baseline?: SimulationResult; comparison?: TierComparison[] } {
    const observed = input.observed ?? this.observations();
    const options = { requests: input.requests, seed: input.seed };
    const result = simulateRouting(input.config, observed, options);
    if (!input.baseline) return { result };
    const baseline = simulateRouting(input.baseline, observed, options);
    return { result, baseline, comparison: compareSimulations(baseline, result) };
  }

  previewFlags(input: {
    config: RoutingConfig;
    sampleSize: number;
    context?: Record<string, FlagContextValue>;
  }): FlagPreviewResult {
    return previewFlags(input.config, {
      sampleSize: input.sampleSize,
      ...(input.context ? { context: input.context } : {}),
    });
  }

  async recommend(input: {
    config: RoutingConfig;
    qualityBar: TierQualityBarInput;
  }): Promise<{ proposals: RoutingProposal[] }> {
    const models = this.deps.models();
    const cheapTier = input.qualityBar.cheapTier ?? 'free';
    const prices = pricesFromModels(models, input.config.tiers[cheapTier]?.defaults ?? {});
    const proposals = recommendRouting(
      this.evidence(),
      await this.deps.ratings(),
      prices,
      input.qualityBar,
      { config: input.config, models },
    );
    return { proposals };
  }

  applyProposals(input: {
    config: RoutingConfig;
    proposals: RoutingProposal[];
    acceptedIds: string[];
  }): { config: RoutingConfig } {
    return { config: applyProposals(input.config, input.proposals, input.acceptedIds) };
  }
}
