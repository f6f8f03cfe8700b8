/**
 * A model without a known price never reads as free: its plan figure is an upper bound ("≤ $X")
 * or "price unknown", and the plan's note says which models and what the figure means.
 */
import { describe, expect, it } from 'vitest';
import type { RunPlan } from '../../../src/shared/domain';
import {
  planLineCostText,
  planPriceNote,
  planTotalCostText,
  unboundedPriceModels,
} from '../../../src/shared/bench/plan-cost';

type Line = RunPlan['models'][number];
const line = (displayName: string, estimatedCostUsd: number, priceUnknown: boolean): Line => ({
  provider: 'replicate',
  modelId: displayName.toLowerCase().replace(/ /g, '-'),
  displayName,
  generations: 3,
  estimatedCostUsd,
  priceUnknown,
  simulated: false,
  warnings: [],
});
const plan = (...models: Line[]) => ({
  models,
  estimatedCostUsd: models.reduce((sum, model) => sum + model.estimatedCostUsd, 0),
});

describe('plan cost with a model whose price is unknown', () => {
  it('a known price reads as it is; an unknown one as a bound, or "price unknown", never $0.00', () => {
    expect(planLineCostText(line('Sandbox Pro', 1.44, false))).toBe('$1.44');
    expect(planLineCostText(line('Google Veo 3', 9.6, true))).toBe('≤ $9.60');
    expect(planLineCostText(line('Mystery', 0, true))).toBe('price unknown');
    // A known price of 0 (a free model) is still $0.00: only an unknown one is not.
    expect(planLineCostText(line('Free', 0, false))).toBe('$0.00');
  });

  it('the total is a bound when every unknown price has one, and says what is missing when not', () => {
    expect(planTotalCostText(plan(line('A', 0.6, false), line('B', 1.44, false)))).toBe('$2.04');
    expect(planTotalCostText(plan(line('A', 0.6, false), line('Veo', 9.6, true)))).toBe('≤ $10.20');
    expect(planTotalCostText(plan(line('A', 0.6, false), line('Mystery', 0, true)))).toBe(
      '$0.60 + price unknown',
    );
    expect(planTotalCostText(plan(line('Mystery', 0, true)))).toBe('$0.00 + price unknown');
  });

  it('the note names the models and explains the bound; none when every price is known', () => {
    expect(planPriceNote(plan(line('A', 0.6, false)))).toBeNull();
    const bounded = planPriceNote(plan(line('A', 0.6, false), line('Google Veo 3', 9.6, true)));
    expect(bounded).toMatch(/^Price unknown for Google Veo 3: /);
    expect(bounded).toMatch(/upper bound, not the price/);
    expect(bounded).not.toMatch(/\bA\b,/);
    const unbounded = planPriceNote(plan(line('Mystery', 0, true), line('Enigma', 0, true)));
    expect(unbounded).toMatch(/^Price unknown for Mystery, Enigma, and no known price bounds them/);
    expect(unbounded).toMatch(/the run cannot start with them\. Leave them out\.$/);
    expect(
      unboundedPriceModels(plan(line('A', 0.6, false), line('Mystery', 0, true)).models),
    ).toEqual([line('Mystery', 0, true)]);
  });
});
