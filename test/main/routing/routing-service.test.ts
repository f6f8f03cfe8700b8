import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { RoutingService } from '../../../src/main/rollout/routing/routing-service';
import { routingInvokeChannels } from '../../../src/shared/routing/routing-ipc-schemas';
import { routingConfigSchema } from '../../../src/shared/routing/routing-config-schema';
import { AppError } from '../../../src/shared/errors';
import { context, EXAMPLE_PATH, exampleConfig, MODELS } from './fixtures';
import {
  configSimulateCommand,
  configValidateCommand,
} from '../../../src/main/rollout/routing/routing-cli';
import { registerRoutingIpc } from '../../../src/main/rollout/routing/routing-ipc';

let db: WritableDb | undefined;
afterEach(() => db?.close());

function service(now = 1_000): RoutingService {
  db = openDatabase({ file: ':memory:', migrations: MIGRATIONS });
  const ctx = context();
  return new RoutingService({
    db,
    now: () => now,
    models: () => MODELS,
    configuredProviders: () => ['sandbox', 'together', 'runway'],
    ratings: async () => [],
    exampleConfig,
    evidence: () => ctx.evidence,
  });
}

describe('RoutingService', () => {
  it('starts from the example and saves drafts with compare-and-swap revisions', () => {
    const routing = service();
    const first = routing.getDraft();
    expect(first).toMatchObject({ revision: 0, source: 'example', updatedAt: null });
    const half = { schemaVersion: 1, tiers: {} };
    const saved = routing.saveDraft(half, 0);
    expect(saved.revision).toBe(1);
    expect(saved.problems.some((p) => p.code === 'schema' && p.path === 'tiers')).toBe(true);
    expect(routing.getDraft()).toMatchObject({
      config: half,
      revision: 1,
      source: 'draft',
      updatedAt: 1_000,
    });
    // A second window still holding revision 0 cannot overwrite.
    expect(() => routing.saveDraft(exampleConfig(), 0)).toThrow(AppError);
    expect(() => routing.saveDraft(exampleConfig(), 0)).toThrow(/saved elsewhere/);
    expect(routing.saveDraft(exampleConfig(), 1).revision).toBe(2);
  });

  it("a plan's errors and warnings of one config come from one check", () => {
    const routing = service();
    const config = exampleConfig();
    const check = vi.spyOn(routing, 'check');
    const errors = routing.problemsOf(config, 'error');
    const warnings = routing.problemsOf(config, 'warning');
    expect(check).toHaveBeenCalledTimes(1);
    const all = routing.check(config).problems;
    expect(errors.length + warnings.length).toBe(all.length);
    // Another config object is checked again.
    routing.problemsOf(structuredClone(config), 'error');
    expect(check).toHaveBeenCalledTimes(3);
  });

  it('checks, simulates with a baseline, previews flags and recommends', async () => {
    const routing = service();
    const config = routingConfigSchema.parse(exampleConfig());
    expect(routing.check(exampleConfig()).ok).toBe(true);
    const baseline = structuredClone(config);
    baseline.tiers.premium!.targets.shift();
    const simulated = routing.simulate({ config, baseline, requests: 2_000, seed: 1 });
    expect(simulated.comparison?.map((c) => c.tier)).toEqual(['free', 'premium']);
    const output = routingInvokeChannels['routing:simulate'].output.parse(simulated);
    expect(output.result.tiers.premium!.requests).toBe(2_000);
    const preview = routing.previewFlags({ config, sampleSize: 1_000 });
    expect(routingInvokeChannels['routing:preview-flags'].output.safeParse(preview).success).toBe(
      true,
    );
    const { proposals } = await routing.recommend({ config, qualityBar: { minRating: 0 } });
    expect(routingInvokeChannels['routing:recommend'].output.safeParse({ proposals }).success).toBe(
      true,
    );
  });

  it('IPC input schemas name the field at fault', () => {
    const parsed = routingInvokeChannels['routing:simulate'].input.safeParse({
      config: exampleConfig(),
      requests: 0,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['requests']);
  });
});

describe('config commands and IPC handlers', () => {
  it('validate exits 0 for the example and prints JSON with --json', () => {
    const routing = service();
    const text = configValidateCommand(routing, EXAMPLE_PATH, {});
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/0 errors, 1 warning\./);
    const json = configValidateCommand(routing, EXAMPLE_PATH, { json: true });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true });
  });

  it('simulate prints one line per tier, or JSON', () => {
    const routing = service();
    const text = configSimulateCommand(routing, EXAMPLE_PATH, { requests: 1_000 });
    const tiers = text.stdout.split('\n').filter((l) => /^(free|premium)/.test(l));
    expect(tiers).toHaveLength(2);
    expect(text.stdout).toMatch(/^tier +success +per 1,000 videos +p50 +p95 +attempts\/request$/m);
    // Each figure with its unit, as the console's Simulate panel writes it.
    for (const tier of tiers)
      expect(tier).toMatch(
        /^(free|premium) +\d+(\.\d)?% +\$[\d,]+\.\d\d +\d+(\.\d+)? (ms|s) +\d+(\.\d+)? (ms|s) +\d\.\d\d$/,
      );
    const json = configSimulateCommand(routing, EXAMPLE_PATH, { requests: 1_000, json: true });
    expect(JSON.parse(json.stdout).requestsPerTier).toBe(1_000);
  });

  it('handlers answer through the routing schemas', async () => {
    const handlers = registerRoutingIpc(service());
    const draft = await handlers['routing:get-draft']({});
    expect(draft.source).toBe('example');
    const checked = await handlers['routing:check']({ config: { schemaVersion: 1 } });
    expect(checked.ok).toBe(false);
  });
});
