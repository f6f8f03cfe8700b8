/**
 * Recommendations from evidence: scorecards (success rate, latency), ratings (blind review) and
 * prices. Each proposal can be accepted on its own (`applyProposals`).
 *
 * Rules:
 * - Candidates: models with at least one successful benchmark generation, a success rate of at
 *   least `minSuccessRate`, a price, and (when the model table is given) not retired or
 *   deprecated and able to serve the tier (request kinds and default settings).
 * - Cheap tier (default "free"): among candidates whose rating (or its lower bound) reaches
 *   `minRating`, the cheapest; ties go to the higher rating. That model is on the quality/cost
 *   Pareto front by construction.
 * - Best tier (default "premium"): the candidate with the highest rating.
 * - Fallback order of every tier with 2+ targets: success rate (high first), then p95 latency
 *   (low first); targets without evidence go last in their current order.
 * - Weights of weighted tiers (whole numbers adding to 100, largest-remainder rounding):
 *   the cheap tier ∝ success rate ÷ price (videos delivered per dollar); other tiers ∝ success
 *   rate × Bradley-Terry strength 10^((rating − 1000) / 400) (unrated: strength 1). Targets under
 *   `minSuccessRate` or without evidence get 0 (standby).
 */
import { AppError, ValidationError } from '../../../shared/errors';
import type { ModelInfo } from '../../../shared/providers/video-provider-spec';
import {
  DEFAULT_FALLBACK_ON,
  routingConfigSchema,
  targetKey,
  type RoutingConfig,
  type RoutingTarget,
  type TierConfig,
} from '../../../shared/routing/routing-config-schema';
import type { EvidenceMap, ModelEvidence } from '../../../shared/routing/routing-evidence';
import {
  tierQualityBarSchema,
  type ProposalEvidence,
  type RoutingChange,
  type RoutingProposal,
  type TierQualityBarInput,
} from '../../../shared/routing/routing-proposals';
import type { Rating } from '../../../shared/review/review-schemas';
import { formatLatency, formatMoney, formatRatePercent as pct } from '../../../shared/format';
import { zodIssues } from '../../../shared/validation';
import { estimateFromPricing } from '../../providers/capabilities';
import { evidenceFromScorecard, type ScorecardLike } from './routing-evidence';

export interface RecommendContext {
  config: RoutingConfig;
  /** The model tables; when given, retired/deprecated and incapable models are left out. */
  models?: readonly ModelInfo[];
}

/** Dollars per video for each model at a tier's default settings (from the price tables). */
export function pricesFromModels(
  models: readonly ModelInfo[],
  settings: TierConfig['defaults'] = {},
): Record<string, number> {
  const prices: Record<string, number> = {};
  for (const model of models) {
    if (model.pricing.usdPerClip === undefined && model.pricing.usdPerSecond === undefined)
      continue;
    prices[targetKey({ provider: model.provider, model: model.modelId })] = estimateFromPricing(
      model.pricing,
      model.capabilities,
      { modelId: model.modelId, prompt: 'x', ...settings },
    ).usd;
  }
  return prices;
}

function strength(rating: number | null): number {
  return rating === null ? 1 : 10 ** ((rating - 1000) / 400);
}

/** Whole-number weights adding to 100 (largest remainder), for non-negative scores. */
export function toPercentWeights(scores: readonly number[]): number[] {
  const total = scores.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return scores.map(() => 0);
  const raw = scores.map((s) => (s / total) * 100);
  const floors = raw.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const order = raw
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    floors[index] = floors[index]! + 1;
    left -= 1;
  }
  return floors;
}

export function recommendRouting(
  scorecards: ScorecardLike | EvidenceMap,
  ratings: readonly Rating[],
  prices: Readonly<Record<string, number>>,
  tierQualityBar: TierQualityBarInput,
  context: RecommendContext,
): RoutingProposal[] {
  const barParsed = tierQualityBarSchema.safeParse(tierQualityBar);
  if (!barParsed.success) throw new ValidationError('quality bar', zodIssues(barParsed.error));
  const bar = barParsed.data;
  const evidence: EvidenceMap =
    'models' in scorecards && Array.isArray(scorecards.models)
      ? evidenceFromScorecard(scorecards as ScorecardLike)
      : (scorecards as EvidenceMap);
  const ratingOf = new Map(ratings.map((r) => [r.model, r]));
  const modelOf = new Map(
    (context.models ?? []).map((m) => [targetKey({ provider: m.provider, model: m.modelId }), m]),
  );
  const { config } = context;

  const keys = new Set<string>([...Object.keys(evidence), ...ratings.map((r) => r.model)]);
  for (const tier of Object.values(config.tiers))
    tier.targets.forEach((t) => keys.add(targetKey(t)));

  const evidenceRow = (key: string, meetsBar: boolean, front: Set<string>): ProposalEvidence => {
    const e: ModelEvidence | undefined = evidence[key];
    const r = ratingOf.get(key);
    return {
      model: key,
      rating: r?.rating ?? null,
      ratingLow: r?.low ?? null,
      ratingHigh: r?.high ?? null,
      votes: r?.votes ?? 0,
      successRate: e?.successRate ?? null,
      successes: e?.successes ?? 0,
      p95LatencyMs: e?.p95LatencyMs ?? null,
      priceUsd: prices[key] ?? null,
      onParetoFront: front.has(key),
      meetsBar,
    };
  };

  const usable = (key: string, tier: TierConfig): boolean => {
    const e = evidence[key];
    if (!e || e.successes === 0 || e.successRate === null || e.successRate < bar.minSuccessRate)
      return false;
    if (prices[key] === undefined) return false;
    if (context.models) {
      const model = modelOf.get(key);
      if (!model || model.lifecycle === 'retired' || model.lifecycle === 'deprecated') return false;
      const caps = model.capabilities;
      if (tier.requestKinds.includes('text-to-video') && !caps.textToVideo) return false;
      if (tier.requestKinds.includes('image-to-video') && !caps.imageToVideo) return false;
      const d = tier.defaults;
      if (d.durationSeconds !== undefined && !caps.durationsSeconds.includes(d.durationSeconds))
        return false;
      if (d.resolution !== undefined && !caps.resolutions.includes(d.resolution)) return false;
      if (d.aspectRatio !== undefined && !caps.aspectRatios.includes(d.aspectRatio)) return false;
      if (d.audio === true && !caps.audio) return false;
    }
    return true;
  };

  const proposals: RoutingProposal[] = [];
  const placed = new Map<string, string>();

  const placement = (tierId: string, role: 'cheap' | 'best'): void => {
    const tier = config.tiers[tierId];
    if (!tier) return;
    const candidates = [...keys].filter((key) => usable(key, tier) && ratingOf.has(key));
    const front = paretoFront(
      candidates,
      (k) => ratingOf.get(k)!.rating,
      (k) => prices[k]!,
    );
    const score = (k: string): number => {
      const r = ratingOf.get(k)!;
      return bar.useLowerBound ? r.low : r.rating;
    };
    const meets = (k: string): boolean => role === 'best' || score(k) >= bar.minRating;
    const eligible = candidates.filter(meets);
    if (eligible.length === 0) return;
    const chosen = [...eligible].sort((a, b) =>
      role === 'cheap'
        ? prices[a]! - prices[b]! ||
          ratingOf.get(b)!.rating - ratingOf.get(a)!.rating ||
          a.localeCompare(b, 'en')
        : ratingOf.get(b)!.rating - ratingOf.get(a)!.rating ||
          prices[a]! - prices[b]! ||
          a.localeCompare(b, 'en'),
    )[0]!;
    placed.set(tierId, chosen);
    if (isPrimary(tier, chosen)) return;
    const [provider, ...rest] = chosen.split(':');
    const r = ratingOf.get(chosen)!;
    const e = evidence[chosen]!;
    const reason =
      role === 'cheap'
        ? `${chosen} is the cheapest model meeting the ${tierId} bar (rating ${bar.useLowerBound ? 'lower bound ' : ''}≥ ${bar.minRating}, success ≥ ${pct(bar.minSuccessRate)}): ${formatMoney(prices[chosen])} per video, rating ${Math.round(r.rating)} [${Math.round(r.low)}–${Math.round(r.high)}], success ${pct(e.successRate!)} over ${e.rated} generations.`
        : `${chosen} has the best rating (${Math.round(r.rating)} [${Math.round(r.low)}–${Math.round(r.high)}], ${r.votes} votes) among models with success ≥ ${pct(bar.minSuccessRate)}; ${formatMoney(prices[chosen])} per video.`;
    proposals.push({
      id: `placement:${tierId}`,
      kind: 'placement',
      tier: tierId,
      title: `Make ${chosen} the primary model of ${tierId}`,
      reason,
      changes: [
        {
          op: 'set-primary',
          tier: tierId,
          provider: provider as RoutingTarget['provider'],
          model: rest.join(':'),
        },
      ],
      evidence: [...new Set([chosen, ...candidates])].map((k) =>
        evidenceRow(k, candidates.includes(k) && meets(k), front),
      ),
    });
  };
  placement(bar.cheapTier, 'cheap');
  if (bar.bestTier !== bar.cheapTier) placement(bar.bestTier, 'best');

  for (const [tierId, tier] of Object.entries(config.tiers)) {
    const current = tier.targets.map(targetKey);
    const pool = [...new Set([...(placed.has(tierId) ? [placed.get(tierId)!] : []), ...current])];
    if (pool.length < 2) continue;

    // Fallback order.
    const ranked = [...pool].sort((a, b) => {
      const ea = evidence[a];
      const eb = evidence[b];
      const ha = ea && ea.successes > 0 && ea.successRate !== null;
      const hb = eb && eb.successes > 0 && eb.successRate !== null;
      if (ha !== hb) return ha ? -1 : 1;
      if (!ha || !hb) return pool.indexOf(a) - pool.indexOf(b);
      return (
        eb.successRate! - ea.successRate! ||
        (ea.p95LatencyMs ?? Infinity) - (eb.p95LatencyMs ?? Infinity) ||
        pool.indexOf(a) - pool.indexOf(b)
      );
    });
    const tail = (list: string[]): string[] =>
      tier.strategy === 'fallback' ? list.slice(1) : list;
    const currentOrder = tail(current);
    const proposedOrder = ranked.filter((k) => currentOrder.includes(k));
    if (proposedOrder.join('\n') !== currentOrder.join('\n')) {
      proposals.push({
        id: `fallback-order:${tierId}`,
        kind: 'fallback-order',
        tier: tierId,
        title: `Reorder the fallbacks of ${tierId}`,
        reason: `Fallbacks ordered by benchmark success rate, then p95 latency: ${proposedOrder.map((k) => `${k} (${describe(evidence[k])})`).join(', ')}.`,
        changes: [{ op: 'order-fallbacks', tier: tierId, order: ranked }],
        evidence: ranked.map((k) => evidenceRow(k, usable(k, tier), new Set())),
      });
    }

    // Weights.
    if (tier.strategy === 'weighted') {
      const scores = pool.map((k) => {
        if (!usable(k, tier)) return 0;
        const e = evidence[k]!;
        return tierId === bar.cheapTier
          ? e.successRate! / Math.max(prices[k]!, 1e-6)
          : e.successRate! * strength(ratingOf.get(k)?.rating ?? null);
      });
      const weights = toPercentWeights(scores);
      if (weights.every((w) => w === 0)) continue;
      const proposed: Record<string, number> = {};
      pool.forEach((k, i) => (proposed[k] = weights[i]!));
      const currentTotal = tier.targets.reduce((s, t) => s + (t.weight ?? 0), 0);
      const same = pool.every((k) => {
        const t = tier.targets.find((x) => targetKey(x) === k);
        const now = t && currentTotal > 0 ? Math.round(((t.weight ?? 0) / currentTotal) * 100) : -1;
        return now === proposed[k];
      });
      if (same) continue;
      proposals.push({
        id: `weights:${tierId}`,
        kind: 'weights',
        tier: tierId,
        title: `Set the weights of ${tierId}`,
        reason:
          (tierId === bar.cheapTier
            ? 'Weights ∝ success rate ÷ price (videos delivered per dollar); '
            : 'Weights ∝ success rate × rating strength; ') +
          `models under ${pct(bar.minSuccessRate)} success or without evidence are standby (0): ` +
          pool.map((k) => `${k} ${proposed[k]} %`).join(', ') +
          '.',
        changes: [{ op: 'set-weights', tier: tierId, weights: proposed }],
        evidence: pool.map((k) => evidenceRow(k, usable(k, tier), new Set())),
      });
    }
  }
  return proposals;
}

function isPrimary(tier: TierConfig, key: string): boolean {
  const first = tier.targets[0];
  if (tier.strategy === 'fallback')
    return first !== undefined && targetKey(first) === key && !first.flag;
  const max = Math.max(...tier.targets.map((t) => t.weight ?? 0));
  return tier.targets.some((t) => targetKey(t) === key && (t.weight ?? 0) === max && max > 0);
}

/** Keys not dominated on (higher quality, lower cost). */
export function paretoFront(
  keys: readonly string[],
  quality: (key: string) => number,
  cost: (key: string) => number,
): Set<string> {
  return new Set(
    keys.filter(
      (k) =>
        !keys.some(
          (o) =>
            o !== k &&
            quality(o) >= quality(k) &&
            cost(o) <= cost(k) &&
            (quality(o) > quality(k) || cost(o) < cost(k)),
        ),
    ),
  );
}

/** Applies the changes of the accepted proposals, in the proposals' order; returns a new config. */
export function applyProposals(
  config: RoutingConfig,
  proposals: readonly RoutingProposal[],
  acceptedIds: readonly string[],
): RoutingConfig {
  const known = new Set(proposals.map((p) => p.id));
  const unknown = acceptedIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ValidationError(
      'accepted proposals',
      unknown.map((id) => ({
        path: 'ids',
        message: `there is no proposal "${id}"; recompute the recommendations`,
      })),
    );
  }
  const next = structuredClone(config);
  for (const proposal of proposals) {
    if (!acceptedIds.includes(proposal.id)) continue;
    for (const change of proposal.changes) applyChange(next, change);
  }
  const parsed = routingConfigSchema.safeParse(next);
  if (!parsed.success)
    throw new ValidationError('routing config after the proposals', zodIssues(parsed.error));
  return parsed.data;
}

function applyChange(config: RoutingConfig, change: RoutingChange): void {
  const tier = config.tiers[change.tier];
  if (!tier)
    throw new AppError(
      'conflict',
      `Tier "${change.tier}" no longer exists; recompute the recommendations.`,
    );
  if (change.op === 'set-primary') {
    const key = targetKey(change);
    const index = tier.targets.findIndex((t) => targetKey(t) === key && !t.flag);
    let target: RoutingTarget;
    if (index >= 0) {
      target = tier.targets.splice(index, 1)[0]!;
    } else {
      const template = tier.targets[0];
      target = {
        provider: change.provider,
        model: change.model,
        timeoutSeconds: template?.timeoutSeconds ?? 300,
        retries: template?.retries ?? 1,
        fallbackOn: [...DEFAULT_FALLBACK_ON],
        ...(tier.strategy === 'weighted' ? { weight: 0 } : {}),
      };
    }
    if (tier.strategy === 'weighted') {
      const max = Math.max(0, ...tier.targets.map((t) => t.weight ?? 0));
      target.weight = Math.max(target.weight ?? 0, max);
    }
    tier.targets.unshift(target);
    return;
  }
  if (change.op === 'order-fallbacks') {
    const rank = (t: RoutingTarget): number => {
      const i = change.order.indexOf(targetKey(t));
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const head = tier.strategy === 'fallback' ? tier.targets.slice(0, 1) : [];
    const rest = tier.strategy === 'fallback' ? tier.targets.slice(1) : tier.targets.slice();
    const sorted = rest
      .map((t, i) => ({ t, i }))
      .sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i)
      .map(({ t }) => t);
    tier.targets = [...head, ...sorted];
    return;
  }
  for (const target of tier.targets) {
    const weight = change.weights[targetKey(target)];
    if (weight !== undefined) target.weight = weight;
  }
}

function describe(e: ModelEvidence | undefined): string {
  if (!e || e.successRate === null) return 'no evidence';
  const p95 = e.p95LatencyMs === null ? '' : `, p95 ${formatLatency(e.p95LatencyMs)}`;
  return `success ${pct(e.successRate)}${p95}`;
}
