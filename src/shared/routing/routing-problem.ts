/**
 * A problem the routing checks found. Errors refuse signing; warnings do not.
 * Pure TypeScript + zod.
 */
import { z } from 'zod';

export const ROUTING_PROBLEM_CODES = [
  /** The document does not match the schema (type, missing field, unknown field, parse error). */
  'schema',
  /** Weighted tier: a weight is missing, or the weights in play do not add to a positive total. */
  'weights',
  /** Fallback tier with weights: they are ignored. */
  'weights-ignored',
  /** For some flag outcome no target of the tier is in play. */
  'empty-chain',
  /** The model is not in any provider's model table. */
  'unknown-model',
  /** The target cannot serve the tier's request kind, duration, resolution, aspect or audio. */
  'capability',
  /** No successful benchmark generation of the model. */
  'no-evidence',
  /** Benchmark success rate under 95 %. */
  'low-success-rate',
  /** Benchmark p95 latency over the target's timeout. */
  'slow-p95',
  /** The model is retired (by its provider, or marked by the monitor). */
  'retired-model',
  /** The model is deprecated. */
  'deprecated-model',
  /** The model is a preview. */
  'preview-model',
  /** The sandbox is simulated: production cannot make real videos with it. */
  'simulated-model',
  /** The provider has no API key configured. */
  'no-key',
  /** The same provider + model twice in one tier (with the same flag condition). */
  'duplicate-target',
  /** No request can ever reach the target. */
  'unreachable-target',
  /** Defaults or presets ask for more than the tier's limits allow. */
  'limits',
  /** A preset names a tier that does not exist, or its id is repeated. */
  'preset',
  /** A flag's variants have different types. */
  'flag-type',
  /** defaultVariant is not one of the variants. */
  'flag-default-variant',
  /** A fractional rule names an unknown variant, has bad weights, or weights with a zero total. */
  'flag-fractional',
  /** Fractional weights do not add to 100 (older flagd builds demand 100). */
  'flag-fractional-sum',
  /** Targeting returns a variant name the flag does not have. */
  'flag-variant-unknown',
  /** flagd-core cannot parse or evaluate the targeting rule. */
  'flag-targeting',
  /** A target refers to a flag or variant that does not exist. */
  'flag-reference',
  /** A target depends on a disabled flag, so it is never in play. */
  'flag-disabled',
  /** The cache key leaves out a field that distinguishes different videos. */
  'cache-key',
  /** The tier's daily quota is 0: it cannot generate. */
  'tier-closed',
] as const;
export const routingProblemCodeSchema = z.enum(ROUTING_PROBLEM_CODES);
export type RoutingProblemCode = z.infer<typeof routingProblemCodeSchema>;

export const routingProblemSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: routingProblemCodeSchema,
  /** Dotted path of the field, e.g. `tiers.free.targets.1.model` ('' = the whole document). */
  path: z.string(),
  /** The same field as an RFC 6901 JSON Pointer, e.g. `/tiers/free/targets/1/model`. */
  pointer: z.string(),
  message: z.string(),
  /**
   * Other fields the same problem applies to (dotted paths), when one cause touches several
   * targets (a provider without a key, a model without evidence, the simulated sandbox): the
   * problem is reported once, at `path`, and names the others here.
   */
  alsoAt: z.array(z.string()).optional(),
  /** 1-based line (and column) in the file, when the config came from a file. */
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
});
export type RoutingProblem = z.infer<typeof routingProblemSchema>;

export type PathSegment = string | number;

export function toDottedPath(segments: readonly PathSegment[]): string {
  return segments.map(String).join('.');
}

export function toPointer(segments: readonly PathSegment[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function problem(
  severity: RoutingProblem['severity'],
  code: RoutingProblemCode,
  segments: readonly PathSegment[],
  message: string,
): RoutingProblem {
  return { severity, code, path: toDottedPath(segments), pointer: toPointer(segments), message };
}

/** Every dotted path a problem applies to: `path` first, then `alsoAt`. */
export function problemPaths(p: Pick<RoutingProblem, 'path' | 'alsoAt'>): string[] {
  return [p.path, ...(p.alsoAt ?? [])];
}

/** True when nothing refuses signing. */
export function hasNoErrors(problems: readonly RoutingProblem[]): boolean {
  return problems.every((p) => p.severity !== 'error');
}
