/**
 * How a plan's cost reads, the same in the New benchmark dialog and in `aideon bench plan`. A
 * model whose price the console does not know (most of Replicate's) is planned at the highest
 * price of any model it knows for the same clip: that figure is an upper bound, shown "≤ $X",
 * never as if it were the price. With no bound at all it reads "price unknown", never "$0.00"
 * as if the model were free. The plan's note says which models and what the figure means.
 */
import type { RunPlan } from '../domain';
import { formatDate, formatMoney } from '../format';

type PlanLine = RunPlan['models'][number];

/** One model's estimate: "$1.44", "≤ $9.60" (a bound) or "price unknown". */
export function planLineCostText(
  line: Pick<PlanLine, 'estimatedCostUsd' | 'priceUnknown'>,
): string {
  if (!line.priceUnknown) return formatMoney(line.estimatedCostUsd);
  return line.estimatedCostUsd > 0 ? `≤ ${formatMoney(line.estimatedCostUsd)}` : 'price unknown';
}

/** "admin-entered price, as of 4 Dec 2026" for a line priced by an admin's entry, else null. */
export function planLinePriceOrigin(line: Pick<PlanLine, 'priceEntered'>): string | null {
  return line.priceEntered
    ? `admin-entered price, as of ${formatDate(line.priceEntered.at)}`
    : null;
}

/**
 * The whole plan's estimate: "$2.04"; "≤ $10.20" when some model's figure is a bound; "$0.60 +
 * price unknown" when some model has no bound (what is known, and that more may come).
 */
export function planTotalCostText(plan: Pick<RunPlan, 'estimatedCostUsd' | 'models'>): string {
  const unknown = plan.models.filter((line) => line.priceUnknown);
  if (unknown.length === 0) return formatMoney(plan.estimatedCostUsd);
  if (unknown.every((line) => line.estimatedCostUsd > 0))
    return `≤ ${formatMoney(plan.estimatedCostUsd)}`;
  return `${formatMoney(plan.estimatedCostUsd)} + price unknown`;
}

/** The note under a plan with an unknown price (null when every price is known). */
export function planPriceNote(plan: Pick<RunPlan, 'models'>): string | null {
  const bounded = plan.models.filter((line) => line.priceUnknown && line.estimatedCostUsd > 0);
  const unbounded = unboundedPriceModels(plan.models);
  const names = (lines: PlanLine[]): string => lines.map((line) => line.displayName).join(', ');
  const notes: string[] = [];
  if (bounded.length > 0) {
    notes.push(
      `Price unknown for ${names(bounded)}: each clip is counted at the highest price the console knows for such a clip, so "≤" marks an upper bound, not the price. What the vendor bills replaces it.`,
    );
  }
  if (unbounded.length > 0) {
    notes.push(
      `Price unknown for ${names(unbounded)}, and no known price bounds ${unbounded.length === 1 ? 'it' : 'them'}: the budget could not be held, so the run cannot start with ${unbounded.length === 1 ? 'it' : 'them'}. Leave ${unbounded.length === 1 ? 'it' : 'them'} out.`,
    );
  }
  return notes.length > 0 ? notes.join(' ') : null;
}

/**
 * The lines whose model has no known price and no known price to bound it: their clips would
 * count $0 against the budget while the vendor bills them, so a run with them cannot start.
 */
export function unboundedPriceModels<T extends Pick<PlanLine, 'estimatedCostUsd' | 'priceUnknown'>>(
  lines: readonly T[],
): T[] {
  return lines.filter((line) => line.priceUnknown && line.estimatedCostUsd <= 0);
}
