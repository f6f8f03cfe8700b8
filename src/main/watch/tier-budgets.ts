/**
 * The tiers' budget and quota come from the routing config (`tiers.<tier>.budget`), so they are
 * set once, in Routing, and the production watch reads them: from the config live in the
 * watched environment, else (nothing published there yet) the saved draft. The reader is
 * injected (services.ts wires the publishing and routing services).
 */
import { tierBudgetSchema } from '../../shared/routing/routing-config-schema';
import type { WatchEnv, WatchSettings } from '../../shared/watch/watch-settings';
import type {
  BudgetSource,
  TierBudgetLimits,
  TierBudgetsReport,
} from '../../shared/watch/watch-types';

/** The routing config the watched environment runs, and where it was read. */
export interface RoutingForEnv {
  config: unknown;
  from: BudgetSource;
}
export type RoutingConfigReader = (env: WatchEnv) => Promise<RoutingForEnv>;

export interface TierBudgets {
  from: BudgetSource;
  /** Tier name → its budget, in the config's order; tiers without a budget are absent. */
  tiers: Map<string, TierBudgetLimits>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Each tier's budget in a routing config. A budget that does not parse is left out: the
 * routing checks name it (and refuse to sign it), and a wrong limit is worse than none.
 */
export function budgetsInRouting(config: unknown): Map<string, TierBudgetLimits> {
  const out = new Map<string, TierBudgetLimits>();
  const tiers = isObject(config) && isObject(config.tiers) ? config.tiers : {};
  for (const [name, tier] of Object.entries(tiers)) {
    if (!isObject(tier) || tier.budget === undefined) continue;
    const parsed = tierBudgetSchema.safeParse(tier.budget);
    if (parsed.success && Object.keys(parsed.data).length > 0) out.set(name, parsed.data);
  }
  return out;
}

export async function readTierBudgets(
  reader: RoutingConfigReader | undefined,
  env: WatchEnv,
): Promise<TierBudgets> {
  const none = (problem: string | null): TierBudgets => ({
    from: { kind: 'none', env, version: null, revision: null, problem },
    tiers: new Map(),
  });
  if (!reader) return none(null);
  try {
    const routing = await reader(env);
    return { from: routing.from, tiers: budgetsInRouting(routing.config) };
  } catch (error) {
    return none(error instanceof Error ? error.message : String(error));
  }
}

/** Budgets still in the watch settings from before they moved to the routing config. */
export function legacyBudgets(settings: WatchSettings): TierBudgetsReport['legacy'] {
  return settings.tiers
    .filter((tier) => Object.keys(tier.budget).length > 0)
    .map((tier) => ({ tier: tier.tier, budget: tier.budget }));
}
