/**
 * The checks a routing config must pass before it can be signed. `checkRoutingConfig` returns
 * every problem it finds (never stops at the first); errors refuse signing, warnings do not.
 * Each problem names the JSON path of the field at fault.
 *
 * Definitions used here:
 * - "Demanded" settings of a tier: its `defaults` plus the settings of every preset offered in the
 *   tier (preset settings override the defaults). Every target must serve each demanded
 *   duration, resolution, aspect ratio and audio, and each request kind of the tier.
 * - Unreachable target:
 *   - fallback strategy: a target listed after a target whose failure is never passed on
 *     (`fallbackOn: []`) and that is in play whenever the later one is (no flag condition, or the
 *     same flag condition);
 *   - weighted strategy: a standby target (weight 0) when no positively weighted target passes
 *     its failure on, or when every such path is stopped by a target with `fallbackOn: []` listed
 *     before it. (A "weighted 100 %" target with `fallbackOn: []` makes every standby unreachable.)
 *   - A target that depends on a disabled flag is reported as `flag-disabled` instead.
 * - Duplicate target: the same provider + model twice in one tier with the same flag condition.
 */
import type { ModelInfo, ProviderId } from '../../../shared/providers/video-provider-spec';
import { PROVIDER_LABELS } from '../../../shared/providers/video-provider-spec';
import {
  resolutionLines,
  routingConfigSchema,
  targetKey,
  type RoutingConfig,
  type RoutingSettings,
  type RoutingTarget,
} from '../../../shared/routing/routing-config-schema';
import type { EvidenceMap } from '../../../shared/routing/routing-evidence';
import {
  problem,
  type PathSegment,
  type RoutingProblem,
} from '../../../shared/routing/routing-problem';
import { checkFlag } from './flag-analysis';
import { similarModelIds } from '../../providers/model-suggestions';
import { formatLatency, formatRatePercent as pct, quotedChoices } from '../../../shared/format';
import { humanIssue } from '../../../shared/validation';
import { describeAssignment, tierScenarios } from './tier-scenarios';
import { addKeyAdvice } from '../../secrets';

export interface RoutingCheckContext {
  /** Every model the provider registry knows (with or without a key). */
  models: readonly ModelInfo[];
  /** Benchmark evidence by `provider:model`. A model missing here has no evidence. */
  evidence: EvidenceMap;
  /**
   * Models the release monitor reports removed, retired or deprecated: `provider:model` keys, or
   * notes that also say what the monitor saw and when it last listed the model.
   */
  retiredModels?: ReadonlySet<string> | readonly (string | MonitorModelNote)[];
  /** Providers with an API key (the sandbox needs none and should be listed when available). */
  configuredProviders: readonly ProviderId[];
  /** Success rate under which a target is warned about (default 0.95). */
  minSuccessRate?: number;
}

/** What the release monitor reports about a model it no longer considers usable. */
export interface MonitorModelNote {
  /** `provider:model`. */
  key: string;
  /** removed = missing from two consecutive good catalogue checks. */
  status: 'removed' | 'retired' | 'deprecated';
  /** Epoch ms of the last good check that listed the model; null when never listed. */
  lastSeenAt: number | null;
}

/** `2026-12-03 06:41 UTC`. */
function formatSeenAt(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The monitor's notes by lower-cased `provider:model` (vendor ids are matched case-blind). */
function monitorNotes(
  retired: RoutingCheckContext['retiredModels'],
): Map<string, MonitorModelNote> {
  const notes = new Map<string, MonitorModelNote>();
  for (const item of retired ?? []) {
    const note: MonitorModelNote =
      typeof item === 'string' ? { key: item, status: 'retired', lastSeenAt: null } : item;
    notes.set(note.key.toLowerCase(), note);
  }
  return notes;
}

function monitorMessage(key: string, note: MonitorModelNote, label: string): string {
  const what =
    note.status === 'removed'
      ? `was reported removed by the model monitor (${label} no longer lists it)`
      : `was marked ${note.status} by the model monitor`;
  const seen =
    note.lastSeenAt === null
      ? ''
      : `; the monitor last saw it in the catalogue at ${formatSeenAt(note.lastSeenAt)}`;
  return `${key} ${what}${seen}. Choose another model.`;
}

export interface RoutingCheckResult {
  /** No errors (warnings allowed): the config may be signed. */
  ok: boolean;
  problems: RoutingProblem[];
  /** The parsed config (defaults filled in) when it matched the schema. */
  config?: RoutingConfig;
}

/** Turns zod's issues into `schema` problems. */
export function schemaProblems(value: unknown): {
  config?: RoutingConfig;
  problems: RoutingProblem[];
} {
  const parsed = routingConfigSchema.safeParse(value);
  if (parsed.success) return { config: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) =>
      problem(
        'error',
        'schema',
        issue.path as PathSegment[],
        humanIssue(issue.path.map(String).join('.'), issue.message),
      ),
    ),
  };
}

export function checkRoutingConfig(
  value: unknown,
  context: RoutingCheckContext,
): RoutingCheckResult {
  const { config, problems } = schemaProblems(value);
  if (!config) return { ok: false, problems };
  problems.push(...semanticProblems(config, context));
  // Errors first; otherwise in the order found (stable sort).
  problems.sort((a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'));
  return { ok: problems.every((p) => p.severity !== 'error'), problems, config };
}

function semanticProblems(config: RoutingConfig, context: RoutingCheckContext): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  const repeated = new RepeatedProblems(problems);
  const models = new Map(
    context.models.map((model) => [
      targetKey({ provider: model.provider, model: model.modelId }),
      model,
    ]),
  );
  const retired = monitorNotes(context.retiredModels);
  const configured = new Set(context.configuredProviders);
  const minSuccess = context.minSuccessRate ?? 0.95;
  const tierIds = Object.keys(config.tiers);

  // Presets: ids unique, tiers exist.
  const seenPresets = new Set<string>();
  config.presets.forEach((preset, index) => {
    if (seenPresets.has(preset.id)) {
      problems.push(
        problem(
          'error',
          'preset',
          ['presets', index, 'id'],
          `Preset id "${preset.id}" is used twice; ids must be unique.`,
        ),
      );
    }
    seenPresets.add(preset.id);
    preset.tiers?.forEach((tierId, j) => {
      if (!config.tiers[tierId]) {
        problems.push(
          problem(
            'error',
            'preset',
            ['presets', index, 'tiers', j],
            `Preset "${preset.id}" names tier "${tierId}", which does not exist (tiers: ${tierIds.join(', ')}).`,
          ),
        );
      }
    });
  });

  for (const tierId of tierIds) {
    const tier = config.tiers[tierId]!;
    const tierPath: PathSegment[] = ['tiers', tierId];

    // Settings the tier must be able to serve, each with the path that demands it.
    const demanded: { settings: RoutingSettings; path: PathSegment[]; label: string }[] = [
      { settings: tier.defaults, path: [...tierPath, 'defaults'], label: 'the tier defaults' },
    ];
    config.presets.forEach((preset, index) => {
      if (preset.tiers && !preset.tiers.includes(tierId)) return;
      demanded.push({
        settings: { ...tier.defaults, ...preset.settings },
        path: ['presets', index, 'settings'],
        label: `preset "${preset.id}"`,
      });
    });

    // Limits against defaults and presets.
    for (const demand of demanded) {
      const { durationSeconds, resolution } = demand.settings;
      if (
        durationSeconds !== undefined &&
        tier.limits.maxSeconds !== undefined &&
        durationSeconds > tier.limits.maxSeconds
      ) {
        problems.push(
          problem(
            'error',
            'limits',
            [...demand.path, 'durationSeconds'],
            `${capitalise(demand.label)}: ${durationSeconds} s requested, but tier "${tierId}" allows at most ${tier.limits.maxSeconds} s (limits.maxSeconds).`,
          ),
        );
      }
      if (
        resolution !== undefined &&
        tier.limits.maxResolution !== undefined &&
        resolutionLines(resolution) > resolutionLines(tier.limits.maxResolution)
      ) {
        problems.push(
          problem(
            'error',
            'limits',
            [...demand.path, 'resolution'],
            `${capitalise(demand.label)}: ${resolution} requested, but tier "${tierId}" allows at most ${tier.limits.maxResolution} (limits.maxResolution).`,
          ),
        );
      }
    }
    if (tier.limits.dailyQuota === 0) {
      problems.push(
        problem(
          'warning',
          'tier-closed',
          [...tierPath, 'limits', 'dailyQuota'],
          `Tier "${tierId}" has a daily quota of 0, so its users cannot generate anything.`,
        ),
      );
    }

    // Weights.
    if (tier.strategy === 'weighted') {
      tier.targets.forEach((target, index) => {
        if (target.weight === undefined) {
          problems.push(
            problem(
              'error',
              'weights',
              [...tierPath, 'targets', index, 'weight'],
              `Tier "${tierId}" is weighted but target ${targetKey(target)} has no weight; give it a number (0 = standby).`,
            ),
          );
        }
      });
      const total = tier.targets.reduce((sum, target) => sum + (target.weight ?? 0), 0);
      if (!(total > 0)) {
        problems.push(
          problem(
            'error',
            'weights',
            [...tierPath, 'targets'],
            `The weights of tier "${tierId}" add to ${total}; they must add to a positive total.`,
          ),
        );
      }
    } else {
      tier.targets.forEach((target, index) => {
        if (target.weight !== undefined) {
          problems.push(
            problem(
              'warning',
              'weights-ignored',
              [...tierPath, 'targets', index, 'weight'],
              `Tier "${tierId}" uses the fallback strategy, so the weight of ${targetKey(target)} is ignored.`,
            ),
          );
        }
      });
    }

    // Flag combinations: some target must be in play, and weights must still add up.
    for (const scenario of tierScenarios(config, tierId)) {
      if (scenario.inPlay.length === 0) {
        problems.push(
          problem(
            'error',
            'empty-chain',
            [...tierPath, 'targets'],
            `Tier "${tierId}" has no target in play for ${describeAssignment(scenario.assignment)}.`,
          ),
        );
      } else if (tier.strategy === 'weighted' && Object.keys(scenario.assignment).length > 0) {
        const total = scenario.inPlay.reduce((sum, i) => sum + (tier.targets[i]!.weight ?? 0), 0);
        if (!(total > 0)) {
          problems.push(
            problem(
              'error',
              'weights',
              [...tierPath, 'targets'],
              `In tier "${tierId}" the targets in play for ${describeAssignment(scenario.assignment)} have weights adding to 0.`,
            ),
          );
        }
      }
    }

    // Per target.
    tier.targets.forEach((target, index) => {
      const at: PathSegment[] = [...tierPath, 'targets', index];
      const key = targetKey(target);
      const model = models.get(key);

      // Duplicates.
      const earlier = tier.targets.findIndex(
        (other, j) => j < index && targetKey(other) === key && sameCondition(other, target),
      );
      if (earlier >= 0) {
        problems.push(
          problem(
            'error',
            'duplicate-target',
            at,
            `Tier "${tierId}" lists ${key} twice (targets ${earlier} and ${index}); remove one.`,
          ),
        );
      }

      // Key configured: one problem per provider, naming every target it stops.
      if (!configured.has(target.provider)) {
        repeated.add(`no-key:${target.provider}`, [...at, 'provider'], key, (keys) =>
          problem(
            'error',
            'no-key',
            [...at, 'provider'],
            `${PROVIDER_LABELS[target.provider]} has no API key configured, so ${listTargets(keys)} cannot run; ${addKeyAdvice(target.provider)}.`,
          ),
        );
      }

      if (!model) {
        const meant = similarModelIds(
          target.model,
          context.models
            .filter((known) => known.provider === target.provider)
            .map((known) => known.modelId),
        );
        problems.push(
          problem(
            'error',
            'unknown-model',
            [...at, 'model'],
            `${PROVIDER_LABELS[target.provider]} has no model "${target.model}" in its model table; ${meant.length > 0 ? `did you mean ${quotedChoices(meant)}? (ids are case-sensitive)` : 'check the spelling (ids are case-sensitive).'}`,
          ),
        );
      } else {
        // Lifecycle.
        if (model.lifecycle === 'retired') {
          problems.push(
            problem(
              'error',
              'retired-model',
              [...at, 'model'],
              `${key} is retired (${model.displayName}); choose another model.`,
            ),
          );
        } else if (retired.has(key.toLowerCase())) {
          problems.push(
            problem(
              'error',
              'retired-model',
              [...at, 'model'],
              monitorMessage(
                key,
                retired.get(key.toLowerCase())!,
                PROVIDER_LABELS[target.provider],
              ),
            ),
          );
        } else if (model.lifecycle === 'deprecated') {
          problems.push(
            problem(
              'error',
              'deprecated-model',
              [...at, 'model'],
              `${key} is deprecated; choose a model its provider still supports.`,
            ),
          );
        } else if (model.lifecycle === 'preview') {
          problems.push(
            problem(
              'warning',
              'preview-model',
              [...at, 'model'],
              `${key} is a preview model; its behaviour and price may change.`,
            ),
          );
        }
        if (model.simulated) {
          // One warning for the whole config: the cause (the sandbox) is the same everywhere.
          repeated.add('simulated-model', [...at, 'provider'], key, (keys) =>
            problem(
              'warning',
              'simulated-model',
              [...at, 'provider'],
              `${listTargets(keys)} ${keys.length === 1 ? 'is' : 'are'} the simulated sandbox; production cannot make real videos with ${keys.length === 1 ? 'it' : 'them'}. Fine for trying the workflow; replace before production.`,
            ),
          );
        }
        problems.push(...capabilityProblems(tierId, tier.requestKinds, demanded, model, at));
      }

      // Evidence.
      const evidence = context.evidence[key];
      if (!model) {
        // An unknown model cannot have evidence; unknown-model says what to fix.
      } else if (model.simulated && (!evidence || evidence.rated === 0)) {
        // The sandbox's behaviour is declared, not observed: it needs no benchmark before it
        // can be tried (simulated-model already warns). Once benchmarked, its figures count.
      } else if (!evidence || evidence.successes === 0) {
        // One problem per model, however many tiers route to it.
        repeated.add(`no-evidence:${key}`, [...at, 'model'], key, () =>
          problem(
            'error',
            'no-evidence',
            [...at, 'model'],
            `${key} has no successful benchmark generation; benchmark it before routing users to it.`,
          ),
        );
      } else {
        if (evidence.successRate !== null && evidence.successRate < minSuccess) {
          problems.push(
            problem(
              'warning',
              'low-success-rate',
              [...at, 'model'],
              `${key} succeeded in ${pct(evidence.successRate)} of ${evidence.rated} benchmark generations (under ${pct(minSuccess)}).`,
            ),
          );
        }
        if (
          evidence.p95LatencyMs !== null &&
          evidence.p95LatencyMs > target.timeoutSeconds * 1000
        ) {
          problems.push(
            problem(
              'warning',
              'slow-p95',
              [...at, 'timeoutSeconds'],
              `${key} took ${formatLatency(evidence.p95LatencyMs)} at p95 in benchmarks, over this target's ${target.timeoutSeconds} s timeout: more than 5 % of its attempts would time out.`,
            ),
          );
        }
      }

      // Flag references.
      if (target.flag) {
        const flag = config.flags[target.flag.key];
        if (!flag) {
          problems.push(
            problem(
              'error',
              'flag-reference',
              [...at, 'flag', 'key'],
              `Target ${key} depends on flag "${target.flag.key}", which is not in flags.`,
            ),
          );
        } else {
          target.flag.variants.forEach((variant, j) => {
            if (!(variant in flag.variants)) {
              problems.push(
                problem(
                  'error',
                  'flag-reference',
                  [...at, 'flag', 'variants', j],
                  `Flag "${target.flag!.key}" has no variant "${variant}" (variants: ${Object.keys(flag.variants).join(', ')}).`,
                ),
              );
            }
          });
          if (flag.state === 'DISABLED') {
            problems.push(
              problem(
                'warning',
                'flag-disabled',
                [...at, 'flag', 'key'],
                `Flag "${target.flag.key}" is disabled, so target ${key} is never in play.`,
              ),
            );
          }
        }
      }
    });

    problems.push(...unreachableProblems(tierId, tier.strategy, tier.targets, config));
  }

  // Flags.
  for (const [key, flag] of Object.entries(config.flags)) {
    problems.push(...checkFlag(key, flag, tierIds[0] ?? 'free'));
  }

  // Cache key.
  if (config.cache.enabled) {
    const fields = new Set(config.cache.keyFields);
    if (!fields.has('prompt')) {
      problems.push(
        problem(
          'error',
          'cache-key',
          ['cache', 'keyFields'],
          'The cache key leaves out "prompt", so different prompts would get the same video; add it.',
        ),
      );
    }
    const imageTiers = tierIds.filter((id) =>
      config.tiers[id]!.requestKinds.includes('image-to-video'),
    );
    if (!fields.has('imageUrl') && imageTiers.length > 0) {
      problems.push(
        problem(
          'error',
          'cache-key',
          ['cache', 'keyFields'],
          `Tier(s) ${imageTiers.join(', ')} serve image-to-video but the cache key leaves out "imageUrl", so different images would get the same video; add it.`,
        ),
      );
    }
    if (!fields.has('model')) {
      problems.push(
        problem(
          'warning',
          'cache-key',
          ['cache', 'keyFields'],
          'The cache key leaves out "model", so a request may get a video made by another model than the one routed to.',
        ),
      );
    }
  }
  repeated.finish();
  return problems;
}

/**
 * Problems with one cause that touches several targets (a provider without a key, a model
 * without evidence, the sandbox): reported once, at the first target, with the others in
 * `alsoAt`, and a message naming every target. The slot in `problems` is kept from the first
 * occurrence so the order stays "as found".
 */
class RepeatedProblems {
  private readonly groups = new Map<
    string,
    { index: number; paths: string[]; keys: string[]; make: (keys: string[]) => RoutingProblem }
  >();

  constructor(private readonly problems: RoutingProblem[]) {}

  add(
    group: string,
    at: readonly PathSegment[],
    key: string,
    make: (keys: string[]) => RoutingProblem,
  ): void {
    const path = at.map(String).join('.');
    const existing = this.groups.get(group);
    if (existing) {
      existing.paths.push(path);
      if (!existing.keys.includes(key)) existing.keys.push(key);
      return;
    }
    this.groups.set(group, { index: this.problems.length, paths: [path], keys: [key], make });
    this.problems.push(make([key]));
  }

  finish(): void {
    for (const { index, paths, keys, make } of this.groups.values()) {
      const made = make(keys);
      this.problems[index] = paths.length > 1 ? { ...made, alsoAt: paths.slice(1) } : made;
    }
  }
}

/** `a`, `a and b`, `a, b and c`. */
export function listTargets(keys: readonly string[]): string {
  if (keys.length <= 1) return keys[0] ?? '';
  return `${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}`;
}

function capabilityProblems(
  tierId: string,
  kinds: readonly string[],
  demanded: { settings: RoutingSettings; path: PathSegment[]; label: string }[],
  model: ModelInfo,
  at: PathSegment[],
): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  const caps = model.capabilities;
  const key = targetKey({ provider: model.provider, model: model.modelId });
  const fail = (what: string): void => {
    problems.push(
      problem(
        'error',
        'capability',
        [...at, 'model'],
        `${key} cannot serve tier "${tierId}": ${what}.`,
      ),
    );
  };
  if (kinds.includes('text-to-video') && !caps.textToVideo)
    fail('it does not do text-to-video (image-to-video only)');
  if (kinds.includes('image-to-video') && !caps.imageToVideo)
    fail('it does not do image-to-video (text-to-video only)');
  const reported = new Set<string>();
  for (const demand of demanded) {
    const s = demand.settings;
    const once = (id: string, what: string): void => {
      if (reported.has(id)) return;
      reported.add(id);
      fail(`${what} (asked by ${demand.label})`);
    };
    if (s.durationSeconds !== undefined && !caps.durationsSeconds.includes(s.durationSeconds)) {
      once(
        `d${s.durationSeconds}`,
        `${s.durationSeconds} s clips are not offered (it offers ${caps.durationsSeconds.join(', ')} s)`,
      );
    }
    if (s.resolution !== undefined && !caps.resolutions.includes(s.resolution)) {
      once(
        `r${s.resolution}`,
        `${s.resolution} is not offered (it offers ${caps.resolutions.join(', ')})`,
      );
    }
    if (s.aspectRatio !== undefined && !caps.aspectRatios.includes(s.aspectRatio)) {
      once(
        `a${s.aspectRatio}`,
        `aspect ${s.aspectRatio} is not offered (it offers ${caps.aspectRatios.join(', ')})`,
      );
    }
    if (s.audio === true && !caps.audio) once('audio', 'it cannot generate audio');
  }
  return problems;
}

function unreachableProblems(
  tierId: string,
  strategy: 'fallback' | 'weighted',
  targets: readonly RoutingTarget[],
  config: RoutingConfig,
): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  const stops = (t: RoutingTarget): boolean => t.fallbackOn.length === 0;
  targets.forEach((target, index) => {
    if (target.flag && config.flags[target.flag.key]?.state === 'DISABLED') return; // flag-disabled
    const at: PathSegment[] = ['tiers', tierId, 'targets', index];
    if (strategy === 'fallback') {
      const blocker = targets.findIndex(
        (other, j) => j < index && stops(other) && (!other.flag || sameCondition(other, target)),
      );
      if (blocker >= 0) {
        problems.push(
          problem(
            'error',
            'unreachable-target',
            at,
            `Target ${targetKey(target)} in tier "${tierId}" is never reached: target ${blocker} (${targetKey(targets[blocker]!)}) has fallbackOn [], so its failures end the request.`,
          ),
        );
      }
      return;
    }
    if ((target.weight ?? 0) > 0) return;
    // Standby: reachable if some weighted target passes its failure on and no target listed before
    // this one (other than that weighted target) stops the walk.
    const reachable = targets.some((first, u) => {
      if (u === index || !((first.weight ?? 0) > 0) || stops(first)) return false;
      return targets.every((between, v) => v === u || v >= index || !stops(between));
    });
    if (!reachable) {
      problems.push(
        problem(
          'error',
          'unreachable-target',
          at,
          `Standby target ${targetKey(target)} (weight 0) in tier "${tierId}" is never reached: no weighted target's failure is passed on to it.`,
        ),
      );
    }
  });
  return problems;
}

function sameCondition(a: RoutingTarget, b: RoutingTarget): boolean {
  if (!a.flag && !b.flag) return true;
  if (!a.flag || !b.flag) return false;
  return (
    a.flag.key === b.flag.key &&
    [...a.flag.variants].sort().join('\n') === [...b.flag.variants].sort().join('\n')
  );
}

/** "94.7%": with no space, the number and its sign never break apart onto two lines. */
function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
