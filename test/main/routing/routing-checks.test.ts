import { describe, expect, it } from 'vitest';
import { checkRoutingConfig } from '../../../src/main/rollout/routing/routing-checks';
import type { RoutingProblem } from '../../../src/shared/routing/routing-problem';
import { context, goodEvidence, mutableExample } from './fixtures';

function errors(problems: RoutingProblem[]): RoutingProblem[] {
  return problems.filter((p) => p.severity === 'error');
}

function find(problems: RoutingProblem[], code: string, path: string): RoutingProblem | undefined {
  return problems.find((p) => p.code === code && p.path === path);
}

describe('checkRoutingConfig', () => {
  it('passes the example config with full evidence (warnings only for the simulated sandbox)', () => {
    const result = checkRoutingConfig(mutableExample(), context());
    expect(errors(result.problems)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(new Set(result.problems.map((p) => p.code))).toEqual(new Set(['simulated-model']));
    expect(result.config?.tiers.free?.targets[0]?.fallbackOn).not.toContain('content_policy');
  });

  it('reports schema problems with their paths and JSON pointers, all at once', () => {
    const config = mutableExample();
    config.schemaVersion = 2;
    config.tiers.free.targets[0].timeoutSecond = 30;
    config.tiers.premium.strategy = 'random';
    const result = checkRoutingConfig(config, context());
    expect(result.ok).toBe(false);
    const paths = result.problems.map((p) => p.path);
    expect(paths).toContain('schemaVersion');
    expect(paths).toContain('tiers.free.targets.0');
    expect(paths).toContain('tiers.premium.strategy');
    const strategy = result.problems.find((p) => p.path === 'tiers.premium.strategy')!;
    expect(strategy.pointer).toBe('/tiers/premium/strategy');
    expect(strategy.code).toBe('schema');
  });

  describe('weights', () => {
    it('refuses weights adding to zero and a missing weight', () => {
      const config = mutableExample();
      for (const target of config.tiers.free.targets) target.weight = 0;
      delete config.tiers.free.targets[1].weight;
      const { problems } = checkRoutingConfig(config, context());
      expect(find(problems, 'weights', 'tiers.free.targets')?.severity).toBe('error');
      expect(find(problems, 'weights', 'tiers.free.targets.1.weight')?.severity).toBe('error');
    });

    it('accepts any positive total (weights are normalised) and warns about weights in a fallback tier', () => {
      const config = mutableExample();
      config.tiers.free.targets[0].weight = 5;
      config.tiers.free.targets[1].weight = 3;
      config.tiers.premium.targets[1].weight = 10;
      const { problems, ok } = checkRoutingConfig(config, context());
      expect(ok).toBe(true);
      expect(problems.some((p) => p.code === 'weights')).toBe(false);
      expect(find(problems, 'weights-ignored', 'tiers.premium.targets.1.weight')?.severity).toBe(
        'warning',
      );
    });

    it('refuses a flag outcome that leaves no target in play', () => {
      const config = mutableExample();
      config.tiers.premium.targets = [config.tiers.premium.targets[0]];
      const { problems } = checkRoutingConfig(config, context());
      const problem = find(problems, 'empty-chain', 'tiers.premium.targets');
      expect(problem?.severity).toBe('error');
      expect(problem?.message).toContain('premium-together-video=off');
    });
  });

  describe('capabilities', () => {
    it('refuses an image-to-video tier falling back to a text-only model', () => {
      const config = mutableExample();
      config.tiers.premium.targets[1] = { provider: 'together', model: 'Wan-AI/wan2.7-t2v' };
      const { problems } = checkRoutingConfig(config, context());
      const problem = find(problems, 'capability', 'tiers.premium.targets.1.model');
      expect(problem?.message).toMatch(/image-to-video/);
    });

    it('refuses durations, resolutions and audio the model does not offer', () => {
      const config = mutableExample();
      config.tiers.premium.defaults = { durationSeconds: 8, resolution: '1080p', audio: true };
      const { problems } = checkRoutingConfig(config, context());
      const messages = problems
        .filter((p) => p.code === 'capability' && p.path === 'tiers.premium.targets.1.model')
        .map((p) => p.message)
        .join('\n');
      expect(messages).toMatch(/1080p is not offered/);
      expect(messages).toMatch(/cannot generate audio/);
      const kling = problems
        .filter((p) => p.code === 'capability' && p.path === 'tiers.premium.targets.0.model')
        .map((p) => p.message)
        .join('\n');
      expect(kling).toMatch(/8 s clips are not offered/);
    });

    it('checks preset settings against every tier that offers the preset', () => {
      const config = mutableExample();
      config.presets[0].settings = { aspectRatio: '21:9' };
      const { problems } = checkRoutingConfig(config, context());
      const free = find(problems, 'capability', 'tiers.free.targets.0.model');
      expect(free?.message).toMatch(/21:9.*preset "product-teaser"/);
      // Runway Gen-4.5 offers 21:9, so the premium primary fallback passes.
      expect(find(problems, 'capability', 'tiers.premium.targets.1.model')).toBeUndefined();
    });

    it('refuses an unknown model id (ids are case-sensitive)', () => {
      const config = mutableExample();
      config.tiers.free.targets[1].model = 'wan-ai/wan2.7-t2v';
      const { problems } = checkRoutingConfig(config, context());
      const unknown = find(problems, 'unknown-model', 'tiers.free.targets.1.model');
      expect(unknown?.severity).toBe('error');
      // The id it was meant to be, spelled as the vendor spells it.
      expect(unknown?.message).toContain('did you mean "Wan-AI/wan2.7-t2v"?');
    });

    it('says only to check the spelling when no known id is close', () => {
      const config = mutableExample();
      config.tiers.free.targets[1].model = 'nothing-like-it';
      const { problems } = checkRoutingConfig(config, context());
      const unknown = find(problems, 'unknown-model', 'tiers.free.targets.1.model');
      expect(unknown?.message).toMatch(
        /no model "nothing-like-it" in its model table; check the spelling/,
      );
      expect(unknown?.message).not.toContain('did you mean');
    });
  });

  describe('evidence', () => {
    it('refuses a model with no successful benchmark generation', () => {
      const ctx = context();
      ctx.evidence['runway:gen4.5'] = goodEvidence({ successes: 0, successRate: 0 });
      delete ctx.evidence['together:Wan-AI/wan2.7-t2v'];
      const { problems, ok } = checkRoutingConfig(mutableExample(), ctx);
      expect(ok).toBe(false);
      expect(find(problems, 'no-evidence', 'tiers.premium.targets.1.model')?.severity).toBe(
        'error',
      );
      expect(find(problems, 'no-evidence', 'tiers.free.targets.1.model')?.severity).toBe('error');
    });

    it('warns (without refusing) about success under 95 % and p95 over the timeout', () => {
      const ctx = context();
      ctx.evidence['runway:gen4.5'] = goodEvidence({ successRate: 0.9, p95LatencyMs: 400_000 });
      const { problems, ok } = checkRoutingConfig(mutableExample(), ctx);
      expect(ok).toBe(true);
      const lowSuccess = find(problems, 'low-success-rate', 'tiers.premium.targets.1.model');
      expect(lowSuccess?.severity).toBe('warning');
      // Percentages as everywhere else in the console: "90%", which never wraps before its sign.
      expect(lowSuccess?.message).toContain('succeeded in 90% of');
      expect(lowSuccess?.message).toContain('(under 95%)');
      expect(find(problems, 'slow-p95', 'tiers.premium.targets.1.timeoutSeconds')?.severity).toBe(
        'warning',
      );
    });
  });

  describe('lifecycle', () => {
    it('refuses Sora (retired in the Together table) and models the monitor marked', () => {
      const config = mutableExample();
      config.tiers.premium.targets[1] = { provider: 'together', model: 'openai/sora-2' };
      const { problems } = checkRoutingConfig(
        config,
        context({ retiredModels: ['together:ByteDance/Seedance-1.0-lite'] }),
      );
      expect(find(problems, 'retired-model', 'tiers.premium.targets.1.model')?.message).toMatch(
        /retired/,
      );
      expect(find(problems, 'retired-model', 'tiers.free.targets.0.model')?.message).toMatch(
        /monitor/,
      );
    });

    it('refuses a deprecated model and warns about a preview one', () => {
      const ctx = context();
      ctx.models = ctx.models.map((m) =>
        m.modelId === 'gen4.5' ? { ...m, lifecycle: 'deprecated' as const } : m,
      );
      const config = mutableExample();
      config.tiers.free.targets[2] = {
        provider: 'together',
        model: 'black-forest-labs/FLUX-3',
        weight: 0,
      };
      const { problems } = checkRoutingConfig(config, ctx);
      expect(find(problems, 'deprecated-model', 'tiers.premium.targets.1.model')?.severity).toBe(
        'error',
      );
      expect(find(problems, 'preview-model', 'tiers.free.targets.2.model')?.severity).toBe(
        'warning',
      );
    });
  });

  it('refuses a provider with no key configured', () => {
    const { problems } = checkRoutingConfig(
      mutableExample(),
      context({ configuredProviders: ['sandbox', 'together'] }),
    );
    expect(find(problems, 'no-key', 'tiers.premium.targets.1.provider')?.message).toMatch(/Runway/);
    expect(problems.filter((p) => p.code === 'no-key')).toHaveLength(1);
  });

  describe('duplicate and unreachable targets', () => {
    it('refuses the same model twice in a tier', () => {
      const config = mutableExample();
      config.tiers.premium.targets.push({ provider: 'runway', model: 'gen4.5' });
      const { problems } = checkRoutingConfig(config, context());
      expect(find(problems, 'duplicate-target', 'tiers.premium.targets.3')?.severity).toBe('error');
    });

    it('allows the same model under different flag conditions', () => {
      const config = mutableExample();
      config.tiers.premium.targets.push({
        provider: 'together',
        model: 'kwaivgI/kling-2.1-master',
      });
      const { problems } = checkRoutingConfig(config, context());
      expect(problems.some((p) => p.code === 'duplicate-target')).toBe(false);
    });

    it('refuses a fallback after a target whose failures are never passed on', () => {
      const config = mutableExample();
      config.tiers.premium.targets[1].fallbackOn = [];
      const { problems } = checkRoutingConfig(config, context());
      expect(find(problems, 'unreachable-target', 'tiers.premium.targets.2')?.severity).toBe(
        'error',
      );
      // The flag-gated first target can still pass on to Runway.
      expect(find(problems, 'unreachable-target', 'tiers.premium.targets.1')).toBeUndefined();
    });

    it('refuses a standby behind a weighted 100 % target that never passes failures on', () => {
      const config = mutableExample();
      config.tiers.free.targets[0].weight = 100;
      config.tiers.free.targets[0].fallbackOn = [];
      config.tiers.free.targets[1].weight = 0;
      const { problems } = checkRoutingConfig(config, context());
      expect(find(problems, 'unreachable-target', 'tiers.free.targets.1')?.severity).toBe('error');
      expect(find(problems, 'unreachable-target', 'tiers.free.targets.2')?.severity).toBe('error');
      const ok = mutableExample();
      ok.tiers.free.targets[0].weight = 100;
      ok.tiers.free.targets[1].weight = 0;
      expect(
        checkRoutingConfig(ok, context()).problems.some((p) => p.code === 'unreachable-target'),
      ).toBe(false);
    });
  });

  describe('flags', () => {
    it('refuses variants of mixed types', () => {
      const config = mutableExample();
      config.flags['premium-together-video'].variants.off = 'no';
      const { problems } = checkRoutingConfig(config, context());
      expect(
        find(problems, 'flag-type', 'flags.premium-together-video.variants.off')?.severity,
      ).toBe('error');
    });

    it('refuses a defaultVariant that is not a variant', () => {
      const config = mutableExample();
      config.flags['premium-together-video'].defaultVariant = 'disabled';
      const { problems } = checkRoutingConfig(config, context());
      expect(
        find(problems, 'flag-default-variant', 'flags.premium-together-video.defaultVariant'),
      ).toBeDefined();
    });

    it('refuses fractional buckets naming unknown variants or with bad weights', () => {
      const config = mutableExample();
      config.flags['premium-together-video'].targeting.if[1] = {
        fractional: [
          ['yes', 25],
          ['off', 7.5],
        ],
      };
      const { problems } = checkRoutingConfig(config, context());
      const base = 'flags.premium-together-video.targeting.if.1.fractional';
      expect(find(problems, 'flag-fractional', `${base}.0.0`)?.message).toMatch(/"yes"/);
      expect(find(problems, 'flag-fractional', `${base}.1.1`)?.message).toMatch(/whole numbers/);
    });

    it('refuses weights adding to 0, warns when they do not add to 100', () => {
      const zero = mutableExample();
      zero.flags['premium-together-video'].targeting.if[1] = {
        fractional: [
          ['on', 0],
          ['off', 0],
        ],
      };
      expect(
        find(
          checkRoutingConfig(zero, context()).problems,
          'flag-fractional',
          'flags.premium-together-video.targeting.if.1.fractional',
        )?.severity,
      ).toBe('error');
      const relative = mutableExample();
      relative.flags['premium-together-video'].targeting.if[1] = {
        fractional: [
          ['on', 1],
          ['off', 3],
        ],
      };
      const result = checkRoutingConfig(relative, context());
      expect(result.ok).toBe(true);
      expect(result.problems.some((p) => p.code === 'flag-fractional-sum')).toBe(true);
    });

    it('refuses targeting that returns an unknown variant or that flagd cannot compile', () => {
      const config = mutableExample();
      config.flags['premium-together-video'].targeting.if[2] = 'of';
      config.flags.broken = {
        state: 'ENABLED',
        variants: { a: 'a', b: 'b' },
        defaultVariant: 'a',
        targeting: { no_such_operator: [1, 2] },
      };
      const { problems } = checkRoutingConfig(config, context());
      expect(
        find(problems, 'flag-variant-unknown', 'flags.premium-together-video.targeting.if.2'),
      ).toBeDefined();
      expect(find(problems, 'flag-targeting', 'flags.broken.targeting')?.severity).toBe('error');
    });

    it('refuses a target depending on a missing flag or variant', () => {
      const config = mutableExample();
      config.tiers.premium.targets[0].flag = { key: 'nope', variants: ['on'] };
      config.tiers.free.targets[2].flag = { key: 'premium-together-video', variants: ['maybe'] };
      const { problems } = checkRoutingConfig(config, context());
      expect(find(problems, 'flag-reference', 'tiers.premium.targets.0.flag.key')).toBeDefined();
      expect(
        find(problems, 'flag-reference', 'tiers.free.targets.2.flag.variants.0'),
      ).toBeDefined();
    });
  });

  describe('limits, presets and cache', () => {
    it('refuses defaults and presets beyond the tier limits', () => {
      const config = mutableExample();
      config.tiers.free.defaults.durationSeconds = 8;
      config.presets[0].settings.resolution = '1080p';
      const { problems } = checkRoutingConfig(config, context());
      expect(find(problems, 'limits', 'tiers.free.defaults.durationSeconds')).toBeDefined();
      expect(find(problems, 'limits', 'presets.0.settings.resolution')).toBeDefined();
    });

    it('refuses a preset naming an unknown tier or a repeated id', () => {
      const config = mutableExample();
      config.presets[1].tiers = ['gold'];
      config.presets[1].id = 'product-teaser';
      const { problems } = checkRoutingConfig(config, context());
      expect(find(problems, 'preset', 'presets.1.tiers.0')?.message).toMatch(/"gold"/);
      expect(find(problems, 'preset', 'presets.1.id')).toBeDefined();
    });

    it('refuses a cache key without prompt, or without imageUrl when a tier takes images', () => {
      const config = mutableExample();
      config.cache.keyFields = ['model', 'seed'];
      const { problems } = checkRoutingConfig(config, context());
      const cache = problems.filter((p) => p.code === 'cache-key' && p.path === 'cache.keyFields');
      expect(cache.map((p) => p.message).join('\n')).toMatch(/"prompt"/);
      expect(cache.map((p) => p.message).join('\n')).toMatch(/"imageUrl"/);
      config.cache.enabled = false;
      expect(
        checkRoutingConfig(config, context()).problems.some((p) => p.code === 'cache-key'),
      ).toBe(false);
    });
  });
});
