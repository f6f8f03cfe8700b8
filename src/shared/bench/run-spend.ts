/**
 * How a run's money reads, the same in the CLI and on the run screen: what the vendors billed,
 * and what counts against the budget (billed, plus the estimate of each submission whose
 * outcome is unknown, since it may have been billed unseen). The budget check uses the second,
 * so showing only the first could make a run that skips generations for budget look under it.
 */
import type { RunSummary } from '../domain';
import { formatMoney, plural } from '../format';

export interface RunSpend {
  /** Sum of the generations' billed costs, USD. */
  billedUsd: number;
  /** What the budget check counts, USD (never below billedUsd). */
  countedUsd: number;
  budgetUsd: number;
  /** countedUsd − billedUsd: what the unknown submissions add, USD (0 when none). */
  unknownUsd: number;
  /** Submissions whose outcome is unknown. */
  unknownOutcomes: number;
}

/**
 * A run's summary, as read: `countedUsd` and `unknownOutcomes` may be missing from a run exported
 * by an older console (then nothing is known beyond what was billed).
 */
export type RunSpendInput = Pick<RunSummary, 'spentUsd' | 'budgetUsd'> &
  Partial<Pick<RunSummary, 'countedUsd' | 'unknownOutcomes'>> & {
    /** The run's models: a sandbox model's costs are simulated, never billed. */
    models?: ReadonlyArray<{ provider: string }>;
  };

/**
 * Whether a run's costs are simulated: 'all' when every model is the sandbox's (nothing was
 * billed; the figures are the prices it simulates), 'some' when the sandbox is one of several.
 */
export function simulatedSpend(run: Pick<RunSpendInput, 'models'>): 'all' | 'some' | 'none' {
  const models = run.models ?? [];
  const sandbox = models.filter((model) => model.provider === 'sandbox').length;
  if (sandbox === 0) return 'none';
  return sandbox === models.length ? 'all' : 'some';
}

export function runSpendFigures(run: RunSpendInput): RunSpend {
  const countedUsd = Math.max(run.countedUsd ?? run.spentUsd, run.spentUsd);
  // Rounded to a millionth of a dollar, so floating-point noise never reads as an extra charge.
  const unknownUsd = Math.round((countedUsd - run.spentUsd) * 1e6) / 1e6;
  return {
    billedUsd: run.spentUsd,
    countedUsd,
    budgetUsd: run.budgetUsd,
    unknownUsd,
    unknownOutcomes: run.unknownOutcomes ?? 0,
  };
}

/** "(includes $0.60 for 1 submission with unknown outcome)", or '' when nothing is added. */
export function unknownSpendText(spend: RunSpend): string {
  if (spend.unknownUsd <= 0 || spend.unknownOutcomes <= 0) return '';
  return `(includes ${formatMoney(spend.unknownUsd)} for ${plural(spend.unknownOutcomes, 'submission')} with unknown outcome)`;
}

/**
 * How far what counts against the budget went past it, USD (0 when within). It can: a
 * generation is submitted only while billed + in flight (at their estimates) stay within the
 * budget, but a vendor may bill a clip above its estimate, and what is in flight is billed.
 */
export function overBudgetUsd(spend: RunSpend): number {
  const over = Math.round((spend.countedUsd - spend.budgetUsd) * 1e6) / 1e6;
  // Under half a cent reads as $0.00: not worth a warning.
  return over < 0.005 ? 0 : over;
}

/** "$0.20 over the budget: the vendors billed more than estimated", or '' within it. */
export function overBudgetText(spend: RunSpend): string {
  const over = overBudgetUsd(spend);
  if (over === 0) return '';
  return `${formatMoney(over)} over the budget: the vendors billed more than estimated`;
}

/**
 * "$4.00 billed · $4.60 counted against the $5.00 budget (includes $0.60 for 1 submission with
 * unknown outcome)"; past the budget, how far and why. A sandbox run's cost reads "simulated
 * (nothing billed)", a run with the sandbox among its models "billed (sandbox's share simulated)".
 */
export function runSpendText(run: RunSpendInput): string {
  const spend = runSpendFigures(run);
  const unknown = unknownSpendText(spend);
  const over = overBudgetText(spend);
  const simulated = simulatedSpend(run);
  const billed =
    simulated === 'all'
      ? 'simulated (nothing billed)'
      : simulated === 'some'
        ? "billed (sandbox's share simulated)"
        : 'billed';
  return `${formatMoney(spend.billedUsd)} ${billed} · ${formatMoney(spend.countedUsd)} counted against the ${formatMoney(spend.budgetUsd)} budget${unknown ? ` ${unknown}` : ''}${over ? ` — ${over}` : ''}`;
}
