/**
 * Monte-Carlo simulation of a routing config: for each tier, N requests go through the tier's
 * strategy (weighted pick, fallbacks, retries, timeouts) with each model's observed behaviour.
 * Deterministic for a seed (seeded PRNG; flag shares from flagd-core over fixed sample keys).
 *
 * Model of one attempt at a target:
 * 1. A latency L is drawn from a lognormal through the observed p50 and p95
 *    (mu = ln p50, sigma = (ln p95 − ln p50) / 1.645).
 * 2. If L exceeds the target's timeout, the attempt is a `timeout`: it takes timeoutSeconds and
 *    is billed in full when `timeoutBilled` (see the billing assumption in routing-evidence.ts).
 * 3. Otherwise, with probability successRate it succeeds (billed the price); with probability
 *    refusalRate it is refused for content policy (not billed, not retried); otherwise it fails
 *    as provider_unavailable (billed failureCostFraction × price). Either way it takes L.
 * Retries (retryable failures only) go to the same target, with no back-off delay; then the
 * failure is passed to the next target when its class is in the target's `fallbackOn`.
 * Latency of a request = the sum of its attempts' times. Circuit breakers, quotas and the cache
 * are not simulated (every request is treated as new and every target as closed).
 */
import { ValidationError, type ValidationIssue } from '../../../shared/errors';
import { listTargets } from './routing-checks';
import { targetKey, type RoutingConfig } from '../../../shared/routing/routing-config-schema';
import {
  observationMapSchema,
  type ModelObservation,
  type ModelObservationInput,
} from '../../../shared/routing/routing-evidence';
import { zodIssues } from '../../../shared/validation';
import { createRandom } from '../../review/bradley-terry';
import { flagCombinationShares } from './flag-preview';
import { tierFlagKeys, targetInPlay } from './tier-scenarios';

/**
 * Models the simulator has no figures for (no benchmark evidence, none assumed). A validation
 * error whose issues name each target, and whose message names each model once, in one
 * sentence the console and the CLI complete with what to do there.
 */
export class MissingEvidenceError extends ValidationError {
  /** `provider:model`, each once, in config order. */
  readonly models: string[];
  constructor(issues: ValidationIssue[], models: readonly string[]) {
    super('simulation input', issues);
    this.name = 'MissingEvidenceError';
    this.models = [...new Set(models)];
    this.message = `No benchmark evidence for ${listTargets(this.models)}: the simulator needs each model's success rate and latencies.`;
  }
}

export interface SimulationOptions {
  /** Requests per tier (1 – 10,000,000). */
  requests: number;
  /** PRNG seed (integer). */
  seed: number;
  /** User keys evaluated with flagd to get each tier's flag shares (default 10,000). */
  flagSampleSize?: number;
}

export interface TargetSimulation {
  index: number;
  provider: string;
  model: string;
  /** Share of requests that tried this target first. */
  firstChoiceShare: number;
  attempts: number;
  successes: number;
  timeouts: number;
  failures: number;
  refusals: number;
  costUsd: number;
  /** Share of all requests whose video this target made. */
  servedShare: number;
}

export interface TierSimulation {
  tier: string;
  requests: number;
  successes: number;
  /** Requests that got a video ÷ requests, after retries and fallbacks. */
  successRate: number;
  /** Requests that ended without a video, by the class of the last failure. */
  failedBy: { provider_unavailable: number; timeout: number; content_policy: number };
  costUsd: number;
  /** Total cost ÷ requests × 1000 (failed attempts included as billed). */
  costPer1000RequestsUsd: number;
  /** Total cost ÷ videos delivered × 1000; null when nothing succeeded. */
  costPer1000VideosUsd: number | null;
  /** Over successful requests, submit to video, ms (nearest rank); null when none succeeded. */
  latencyMs: { p50: number | null; p95: number | null; mean: number | null };
  attemptsPerRequest: number;
  targets: TargetSimulation[];
  /** Flag combinations (from flagd over the sample keys) and their shares of requests. */
  flagShares: { assignment: Record<string, string>; share: number }[];
}

export interface SimulationResult {
  seed: number;
  requestsPerTier: number;
  tiers: Record<string, TierSimulation>;
  assumptions: string[];
}

export const SIMULATION_ASSUMPTIONS = [
  'Latency of an attempt is lognormal through the observed p50 and p95.',
  'An attempt longer than the target timeout is abandoned at the timeout; it is billed in full unless timeoutBilled is false.',
  'A failed attempt is billed failureCostFraction × price (default 0); a policy refusal is free and never retried.',
  'Retries go to the same target with no back-off delay; fallbacks follow fallbackOn.',
  'Circuit breakers, quotas and the cache are not simulated.',
];

const Z95 = 1.6448536269514722;

interface PreparedTarget {
  mu: number;
  sigma: number;
  success: number;
  refusalEnd: number;
  price: number;
  failCost: number;
  timeoutMs: number;
  timeoutCost: number;
  attempts: number;
  passFailure: boolean;
  passTimeout: boolean;
  passRefusal: boolean;
}

const FAIL_UNAVAILABLE = 0;
const FAIL_TIMEOUT = 1;
const FAIL_REFUSAL = 2;

export function simulateRouting(
  config: RoutingConfig,
  observedInput: Record<string, ModelObservationInput>,
  options: SimulationOptions,
): SimulationResult {
  const { requests, seed } = options;
  if (!Number.isInteger(requests) || requests < 1 || requests > 10_000_000) {
    throw new ValidationError('simulation', [
      { path: 'requests', message: 'must be a whole number from 1 to 10,000,000' },
    ]);
  }
  if (!Number.isInteger(seed)) {
    throw new ValidationError('simulation', [{ path: 'seed', message: 'must be a whole number' }]);
  }
  const parsed = observationMapSchema.safeParse(observedInput);
  if (!parsed.success) throw new ValidationError('observations', zodIssues(parsed.error));
  const observed = parsed.data;

  const missing: ValidationIssue[] = [];
  for (const [tierId, tier] of Object.entries(config.tiers)) {
    tier.targets.forEach((target, index) => {
      if (!observed[targetKey(target)]) {
        missing.push({
          path: `tiers.${tierId}.targets.${index}`,
          message: `no observations for ${targetKey(target)}; benchmark it (or supply its success rate, latency and price)`,
        });
      }
    });
  }
  if (missing.length > 0)
    throw new MissingEvidenceError(
      missing,
      Object.values(config.tiers).flatMap((tier) =>
        tier.targets.map(targetKey).filter((key) => !observed[key]),
      ),
    );

  const tiers: Record<string, TierSimulation> = {};
  Object.keys(config.tiers).forEach((tierId, tierIndex) => {
    // Each tier gets its own stream, so adding a tier does not change the others' results.
    const random = createRandom((seed * 7919 + tierIndex * 104729) | 0);
    tiers[tierId] = simulateTier(
      config,
      tierId,
      observed,
      requests,
      random,
      options.flagSampleSize ?? 10_000,
    );
  });
  return { seed, requestsPerTier: requests, tiers, assumptions: [...SIMULATION_ASSUMPTIONS] };
}

function prepareTarget(
  config: RoutingConfig,
  tierId: string,
  index: number,
  observation: ModelObservation,
): PreparedTarget {
  const tier = config.tiers[tierId]!;
  const target = tier.targets[index]!;
  const seconds = tier.defaults.durationSeconds ?? observation.defaultDurationSeconds;
  const price = observation.usdPerClip + observation.usdPerSecond * seconds;
  const p50 = observation.p50LatencyMs;
  const p95 = Math.max(observation.p95LatencyMs, p50);
  return {
    mu: Math.log(p50),
    sigma: (Math.log(p95) - Math.log(p50)) / Z95,
    success: observation.successRate,
    refusalEnd: Math.min(1, observation.successRate + observation.refusalRate),
    price,
    failCost: price * observation.failureCostFraction,
    timeoutMs: target.timeoutSeconds * 1000,
    timeoutCost: observation.timeoutBilled ? price : 0,
    attempts: 1 + target.retries,
    passFailure: target.fallbackOn.includes('provider_unavailable'),
    passTimeout: target.fallbackOn.includes('timeout'),
    passRefusal: target.fallbackOn.includes('content_policy'),
  };
}

function simulateTier(
  config: RoutingConfig,
  tierId: string,
  observed: Record<string, ModelObservation>,
  requests: number,
  random: () => number,
  flagSampleSize: number,
): TierSimulation {
  const tier = config.tiers[tierId]!;
  const prepared = tier.targets.map((target, index) =>
    prepareTarget(config, tierId, index, observed[targetKey(target)]!),
  );
  const flagKeys = tierFlagKeys(config, tierId);
  const shares = flagCombinationShares(config, tierId, flagKeys, flagSampleSize);
  // Scenario per flag combination: targets in play and (weighted) cumulative weights.
  const scenarios = shares.map(({ assignment, share }) => {
    const inPlay = tier.targets.flatMap((target, index) =>
      targetInPlay(target, assignment) ? [index] : [],
    );
    const weights = inPlay.map((i) => tier.targets[i]!.weight ?? 0);
    const total = weights.reduce((a, b) => a + b, 0);
    let running = 0;
    const cumulative = Float64Array.from(weights, (w) => (running += w) / (total || 1));
    return { assignment, share, inPlay: Int32Array.from(inPlay), cumulative, total };
  });
  const shareCumulative: number[] = [];
  {
    let running = 0;
    for (const s of scenarios) shareCumulative.push((running += s.share));
  }
  const weighted = tier.strategy === 'weighted';
  const n = tier.targets.length;
  const firstChoice = new Float64Array(n);
  const attempts = new Float64Array(n);
  const successesBy = new Float64Array(n);
  const timeoutsBy = new Float64Array(n);
  const failuresBy = new Float64Array(n);
  const refusalsBy = new Float64Array(n);
  const costBy = new Float64Array(n);
  const latencies = new Float64Array(requests);
  let successCount = 0;
  let totalAttempts = 0;
  const failedBy = { provider_unavailable: 0, timeout: 0, content_policy: 0 };

  // Standard normal via Box–Muller, keeping the spare value.
  let spare = 0;
  let hasSpare = false;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = random();
    while (u <= Number.MIN_VALUE) u = random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  };

  for (let r = 0; r < requests; r += 1) {
    let s = 0;
    if (scenarios.length > 1) {
      const u = random();
      while (s < scenarios.length - 1 && u >= shareCumulative[s]!) s += 1;
    }
    const scenario = scenarios[s]!;
    const inPlay = scenario.inPlay;
    const count = inPlay.length;
    if (count === 0) {
      failedBy.provider_unavailable += 1;
      continue;
    }
    let firstPos = 0;
    if (weighted && scenario.total > 0) {
      const u = random();
      const cum = scenario.cumulative;
      while (firstPos < count - 1 && u >= cum[firstPos]!) firstPos += 1;
    }
    firstChoice[inPlay[firstPos]!]! += 1;
    let elapsed = 0;
    let succeeded = false;
    let lastFailure = FAIL_UNAVAILABLE;
    // Order: the first choice, then the others in list order.
    for (let step = 0; step < count && !succeeded; step += 1) {
      const pos = step === 0 ? firstPos : step <= firstPos ? step - 1 : step;
      const index = inPlay[pos]!;
      const t = prepared[index]!;
      let passOn = false;
      for (let a = 0; a < t.attempts; a += 1) {
        attempts[index]! += 1;
        totalAttempts += 1;
        const latency = Math.exp(t.mu + t.sigma * normal());
        if (latency > t.timeoutMs) {
          elapsed += t.timeoutMs;
          costBy[index]! += t.timeoutCost;
          timeoutsBy[index]! += 1;
          lastFailure = FAIL_TIMEOUT;
          passOn = t.passTimeout;
          continue;
        }
        elapsed += latency;
        const u = random();
        if (u < t.success) {
          costBy[index]! += t.price;
          successesBy[index]! += 1;
          succeeded = true;
          break;
        }
        if (u < t.refusalEnd) {
          refusalsBy[index]! += 1;
          lastFailure = FAIL_REFUSAL;
          passOn = t.passRefusal;
          break; // not retryable
        }
        costBy[index]! += t.failCost;
        failuresBy[index]! += 1;
        lastFailure = FAIL_UNAVAILABLE;
        passOn = t.passFailure;
      }
      if (succeeded || !passOn) break;
    }
    if (succeeded) {
      latencies[successCount] = elapsed;
      successCount += 1;
    } else if (lastFailure === FAIL_TIMEOUT) failedBy.timeout += 1;
    else if (lastFailure === FAIL_REFUSAL) failedBy.content_policy += 1;
    else failedBy.provider_unavailable += 1;
  }

  const totalCost = costBy.reduce((a, b) => a + b, 0);
  const sorted = latencies.subarray(0, successCount).sort();
  const rank = (p: number): number | null =>
    successCount === 0 ? null : sorted[Math.max(0, Math.ceil((p / 100) * successCount) - 1)]!;
  const mean = successCount === 0 ? null : sorted.reduce((a, b) => a + b, 0) / successCount;
  return {
    tier: tierId,
    requests,
    successes: successCount,
    successRate: successCount / requests,
    failedBy,
    costUsd: totalCost,
    costPer1000RequestsUsd: (totalCost / requests) * 1000,
    costPer1000VideosUsd: successCount === 0 ? null : (totalCost / successCount) * 1000,
    latencyMs: { p50: rank(50), p95: rank(95), mean },
    attemptsPerRequest: totalAttempts / requests,
    targets: tier.targets.map((target, index) => ({
      index,
      provider: target.provider,
      model: target.model,
      firstChoiceShare: firstChoice[index]! / requests,
      attempts: attempts[index]!,
      successes: successesBy[index]!,
      timeouts: timeoutsBy[index]!,
      failures: failuresBy[index]!,
      refusals: refusalsBy[index]!,
      costUsd: costBy[index]!,
      servedShare: successesBy[index]! / requests,
    })),
    flagShares: shares,
  };
}

export interface MetricDelta {
  before: number | null;
  after: number | null;
  /** after − before; null when either is missing. */
  change: number | null;
}

export interface TierComparison {
  tier: string;
  status: 'changed' | 'added' | 'removed';
  successRate: MetricDelta;
  costPer1000VideosUsd: MetricDelta;
  costPer1000RequestsUsd: MetricDelta;
  p50LatencyMs: MetricDelta;
  p95LatencyMs: MetricDelta;
}

function delta(before: number | null | undefined, after: number | null | undefined): MetricDelta {
  const b = before ?? null;
  const a = after ?? null;
  return { before: b, after: a, change: a === null || b === null ? null : a - b };
}

/** Per tier, the headline figures before and after a change. */
export function compareSimulations(
  before: SimulationResult,
  after: SimulationResult,
): TierComparison[] {
  const ids = [...new Set([...Object.keys(before.tiers), ...Object.keys(after.tiers)])];
  return ids.map((tier) => {
    const b = before.tiers[tier];
    const a = after.tiers[tier];
    return {
      tier,
      status: !b ? 'added' : !a ? 'removed' : 'changed',
      successRate: delta(b?.successRate, a?.successRate),
      costPer1000VideosUsd: delta(b?.costPer1000VideosUsd, a?.costPer1000VideosUsd),
      costPer1000RequestsUsd: delta(b?.costPer1000RequestsUsd, a?.costPer1000RequestsUsd),
      p50LatencyMs: delta(b?.latencyMs.p50, a?.latencyMs.p50),
      p95LatencyMs: delta(b?.latencyMs.p95, a?.latencyMs.p95),
    };
  });
}
