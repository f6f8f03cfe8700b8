import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_MODELS } from '../../../src/main/providers/sandbox/sandbox-adapter';
import { TOGETHER_MODELS } from '../../../src/main/providers/together/together-models';
import { RUNWAY_MODELS } from '../../../src/main/providers/runway/runway-models';
import type { RoutingCheckContext } from '../../../src/main/rollout/routing/routing-checks';
import type { ModelInfo } from '../../../src/shared/providers/video-provider-spec';
import type { RoutingConfigInput } from '../../../src/shared/routing/routing-config-schema';
import type { ModelEvidence } from '../../../src/shared/routing/routing-evidence';

export const EXAMPLE_PATH = join(__dirname, '../../../resources/routing/example-config.json');

export function exampleConfig(): RoutingConfigInput {
  return JSON.parse(readFileSync(EXAMPLE_PATH, 'utf8')) as RoutingConfigInput;
}

export const MODELS: ModelInfo[] = [
  ...SANDBOX_MODELS.map((entry) => entry.info),
  ...TOGETHER_MODELS,
  ...RUNWAY_MODELS.map((entry) => entry.info),
];

export function goodEvidence(overrides: Partial<ModelEvidence> = {}): ModelEvidence {
  return {
    successes: 40,
    rated: 40,
    successRate: 1,
    refusalRate: 0,
    p50LatencyMs: 30_000,
    p95LatencyMs: 60_000,
    costPerSuccessUsd: 0.3,
    ...overrides,
  };
}

export function context(overrides: Partial<RoutingCheckContext> = {}): RoutingCheckContext {
  const evidence: Record<string, ModelEvidence> = {};
  for (const model of MODELS) evidence[`${model.provider}:${model.modelId}`] = goodEvidence();
  return {
    models: MODELS,
    evidence,
    retiredModels: [],
    configuredProviders: ['sandbox', 'together', 'runway'],
    ...overrides,
  };
}

/** A deep copy of the example that tests may change freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests break configs on purpose, field by field
export function mutableExample(): any {
  return structuredClone(exampleConfig());
}
