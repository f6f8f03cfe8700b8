/**
 * Which targets of a tier are in play for each combination of the flag outcomes its targets
 * depend on. Used by the checks (is any combination left without a target?) and the simulator.
 */
import type { RoutingConfig, RoutingTarget } from '../../../shared/routing/routing-config-schema';
import { NO_VARIANT, possibleOutcomes } from './flag-analysis';

export interface TierScenario {
  /** Flag key → variant name (or NO_VARIANT). */
  assignment: Record<string, string>;
  /** Indices of the tier's targets in play, in list order. */
  inPlay: number[];
}

/** At most this many combinations are enumerated (2 flags × 16 variants, say). */
export const MAX_SCENARIOS = 256;

export function targetInPlay(target: RoutingTarget, assignment: Record<string, string>): boolean {
  if (!target.flag) return true;
  const outcome = assignment[target.flag.key] ?? NO_VARIANT;
  return target.flag.variants.includes(outcome);
}

/** The flag keys a tier's targets depend on, in first-use order (only flags that exist). */
export function tierFlagKeys(config: RoutingConfig, tierId: string): string[] {
  const tier = config.tiers[tierId];
  if (!tier) return [];
  const keys: string[] = [];
  for (const target of tier.targets) {
    const key = target.flag?.key;
    if (key !== undefined && config.flags[key] && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

export function tierScenarios(config: RoutingConfig, tierId: string): TierScenario[] {
  const tier = config.tiers[tierId];
  if (!tier) return [];
  const keys = tierFlagKeys(config, tierId);
  let assignments: Record<string, string>[] = [{}];
  for (const key of keys) {
    const outcomes = possibleOutcomes(config.flags[key]!);
    const next: Record<string, string>[] = [];
    for (const assignment of assignments) {
      for (const outcome of outcomes) {
        if (next.length >= MAX_SCENARIOS) break;
        next.push({ ...assignment, [key]: outcome });
      }
    }
    assignments = next;
  }
  return assignments.map((assignment) => ({
    assignment,
    inPlay: tier.targets.flatMap((target, index) =>
      targetInPlay(target, assignment) ? [index] : [],
    ),
  }));
}

export function describeAssignment(assignment: Record<string, string>): string {
  const parts = Object.entries(assignment).map(([key, value]) => `${key}=${value}`);
  return parts.length === 0 ? 'every request' : `requests with ${parts.join(', ')}`;
}
