/**
 * Evidence for the routing tools from the benchmark data: one scorecard over every run, turned
 * into per-model evidence (checks, recommendations) and observations (simulator).
 */
import type { ModelInfo } from '../../../shared/providers/video-provider-spec';
import { targetKey } from '../../../shared/routing/routing-config-schema';
import type { EvidenceMap, ModelObservationInput } from '../../../shared/routing/routing-evidence';
import { listGenerationRows, listRunSummaries } from '../../bench/bench-repository';
import { computeScorecard, type Scorecard } from '../../bench/scorecard';
import { scorecardRowOf } from '../../bench/scorecard-service';
import type { ReadableDb } from '../../store/db';

/** The subset of a scorecard the routing tools read (the IPC view has the same fields). */
export interface ScorecardLike {
  models: readonly {
    provider: string;
    modelId: string;
    overall: {
      rated: number;
      counts: Record<string, number>;
      rates: Record<string, number | null>;
      latencyMs: { total: { p50: number | null; p95: number | null } };
      costPerSuccessUsd: number | null;
    };
  }[];
}

/** One scorecard over the generations of every stored run. */
export function scorecardAcrossRuns(db: ReadableDb): Scorecard {
  return computeScorecard(
    listRunSummaries(db).flatMap((run) => listGenerationRows(db, run.id).map(scorecardRowOf)),
  );
}

export function evidenceFromScorecard(scorecard: ScorecardLike): EvidenceMap {
  const evidence: EvidenceMap = {};
  for (const model of scorecard.models) {
    const line = model.overall;
    evidence[targetKey({ provider: model.provider, model: model.modelId })] = {
      successes: line.counts.success ?? 0,
      rated: line.rated,
      successRate: line.rates.success ?? null,
      refusalRate: line.rates.policy_refusal ?? null,
      p50LatencyMs: line.latencyMs.total.p50,
      p95LatencyMs: line.latencyMs.total.p95,
      costPerSuccessUsd: line.costPerSuccessUsd,
    };
  }
  return evidence;
}

/**
 * Simulator observations from evidence and the model tables: success and refusal rates and
 * latency from the benchmarks, prices from the model table (per clip and per second). Models
 * without a successful benchmark (no latency to draw from) are left out; the simulator then
 * names them.
 */
export function observationsFromEvidence(
  evidence: EvidenceMap,
  models: readonly ModelInfo[],
): Record<string, ModelObservationInput> {
  const out: Record<string, ModelObservationInput> = {};
  for (const model of models) {
    const key = targetKey({ provider: model.provider, model: model.modelId });
    const e = evidence[key];
    if (!e || e.successes === 0 || e.successRate === null || !e.p50LatencyMs || !e.p95LatencyMs) {
      continue;
    }
    out[key] = {
      successRate: e.successRate,
      refusalRate: e.refusalRate ?? 0,
      p50LatencyMs: e.p50LatencyMs,
      p95LatencyMs: Math.max(e.p95LatencyMs, e.p50LatencyMs),
      usdPerClip: model.pricing.usdPerClip ?? 0,
      usdPerSecond: model.pricing.usdPerSecond ?? 0,
      defaultDurationSeconds: model.capabilities.defaultDurationSeconds,
    };
  }
  return out;
}
