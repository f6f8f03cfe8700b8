import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRoutingConfig } from '../../../src/main/rollout/routing/routing-checks';
import { chooseExampleConfig } from '../../../src/main/rollout/routing/routing-service';
import { context, exampleConfig, goodEvidence, mutableExample } from './fixtures';

const SANDBOX_EXAMPLE_PATH = join(
  __dirname,
  '../../../resources/routing/sandbox-example-config.json',
);
const sandboxExample = (): unknown => JSON.parse(readFileSync(SANDBOX_EXAMPLE_PATH, 'utf8'));

/** A keyless first user: only the sandbox runs, and nothing is benchmarked yet. */
const keyless = () => context({ configuredProviders: ['sandbox'], evidence: {} });

describe('built-in examples', () => {
  it('the sandbox example passes the checks with no keys and no benchmark yet', () => {
    const result = checkRoutingConfig(sandboxExample(), keyless());
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.ok).toBe(true);
    // One warning for the sandbox, naming every sandbox target once.
    expect(result.problems.map((p) => p.code)).toEqual(['simulated-model']);
    const [warning] = result.problems;
    expect(warning?.path).toBe('tiers.free.targets.0.provider');
    expect(warning?.alsoAt).toEqual([
      'tiers.free.targets.1.provider',
      'tiers.free.targets.2.provider',
      'tiers.premium.targets.0.provider',
      'tiers.premium.targets.1.provider',
    ]);
    expect(warning?.message).toContain(
      'sandbox:sandbox-fast, sandbox:sandbox-flaky and sandbox:sandbox-pro are the simulated sandbox',
    );
  });

  it('a benchmarked sandbox model is held to its figures like any other', () => {
    const ctx = keyless();
    ctx.evidence['sandbox:sandbox-flaky'] = goodEvidence({ successes: 0, successRate: 0 });
    ctx.evidence['sandbox:sandbox-fast'] = goodEvidence({ successRate: 0.66 });
    const { problems } = checkRoutingConfig(sandboxExample(), ctx);
    expect(problems.find((p) => p.code === 'no-evidence')?.path).toBe('tiers.free.targets.1.model');
    const low = problems.filter((p) => p.code === 'low-success-rate');
    expect(low.map((p) => p.path)).toEqual([
      'tiers.free.targets.0.model',
      'tiers.premium.targets.1.model',
    ]);
  });

  it('reports each cause once: one no-key per provider, one no-evidence per model', () => {
    const config = mutableExample();
    // The same unbenchmarked model in two tiers is one problem, not two.
    config.tiers.premium.targets.push({ provider: 'together', model: 'Wan-AI/wan2.7-t2v' });
    const { problems } = checkRoutingConfig(config, keyless());
    const noKey = problems.filter((p) => p.code === 'no-key');
    expect(noKey.map((p) => [p.path, p.alsoAt ?? []])).toEqual([
      [
        'tiers.free.targets.0.provider',
        [
          'tiers.free.targets.1.provider',
          'tiers.premium.targets.0.provider',
          'tiers.premium.targets.3.provider',
        ],
      ],
      ['tiers.premium.targets.1.provider', []],
    ]);
    expect(noKey[0]?.message).toBe(
      'Together AI has no API key configured, so together:ByteDance/Seedance-1.0-lite, together:Wan-AI/wan2.7-t2v and together:kwaivgI/kling-2.1-master cannot run; add it in Settings, or set TOGETHER_API_KEY for the CLI and browser mode.',
    );
    const wan = problems.filter(
      (p) => p.code === 'no-evidence' && p.message.includes('Wan-AI/wan2.7-t2v'),
    );
    expect(wan).toHaveLength(1);
    expect(wan[0]?.alsoAt).toEqual(['tiers.premium.targets.3.model']);
    // No two problems say the same thing.
    const messages = problems.map((p) => p.message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('offers the vendor example once its providers have keys, else the sandbox example', () => {
    const examples = { vendor: exampleConfig(), sandbox: sandboxExample() };
    expect(chooseExampleConfig(examples, ['sandbox'])).toBe(examples.sandbox);
    expect(chooseExampleConfig(examples, ['sandbox', 'together'])).toBe(examples.sandbox);
    expect(chooseExampleConfig(examples, ['sandbox', 'together', 'runway'])).toBe(examples.vendor);
  });
});
