/**
 * Prices an admin enters for a model (Models screen, `aideon models price set`), read from the
 * vendor's pricing page, and the one text for a model's price wherever a price shows.
 *
 * The entry has the shape of the built-in tables' `Pricing`: dollars per second of video or
 * per clip, a different amount for some resolutions where the vendor's page lists one, and an
 * extra per second of generated audio. It is turned into a `Pricing` (adminPricing) that every
 * estimate uses, with `entered` saying who set it and when, and what built-in price it replaces.
 *
 * Policy: an admin-entered price wins over the built-in table's, also where the table has one
 * (tables are snapshots, some recalled or from third parties; the vendor's page the admin reads
 * is newer). The replaced figure is kept in `entered.replaces` and shown next to it, so an
 * override is never silent, and clearing the entry brings the table's price back.
 */
import { formatDate, formatMoney, formatMoneyPer } from '../format';
import type { ModelCapabilities, Pricing } from './video-provider-spec';

/** Highest amounts accepted: far above any video model's price, so only a slip is refused. */
export const MAX_USD_PER_SECOND = 10;
export const MAX_USD_PER_CLIP = 100;

export type PriceUnit = 'second' | 'clip';

/** What the admin enters (the price of one model); checked by priceEntryIssues. */
export interface ModelPriceEntry {
  /** How the vendor's page expresses the price. */
  unit: PriceUnit;
  /** Dollars per unit, at every resolution `resolutionPrices` does not list. */
  usd: number;
  /** Dollars per unit at a resolution whose price differs (e.g. {"1080p": 0.15}). */
  resolutionPrices?: Record<string, number>;
  /** Extra dollars per second of video when audio is generated; absent = no extra. */
  audioUsdPerSecond?: number;
}

const UNIT_WORDS: Record<PriceUnit, string> = { second: 'per second of video', clip: 'per clip' };
const UNIT_SHORT: Record<PriceUnit, string> = { second: 's', clip: 'clip' };

function maxFor(unit: PriceUnit): number {
  return unit === 'second' ? MAX_USD_PER_SECOND : MAX_USD_PER_CLIP;
}

/**
 * What is wrong with an entry's amounts, by field (empty = nothing): each must be a finite
 * number of dollars above $0 and under the sane ceiling for its unit. The same check runs in the
 * price form (no zod in the renderer) and in main (the IPC schema, the CLI).
 */
export function priceEntryIssues(entry: ModelPriceEntry): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const check = (value: unknown, path: string, max: number, unit: string): void => {
    if (typeof value !== 'number' || Number.isNaN(value))
      issues.push({ path, message: 'must be a number of dollars, e.g. 0.12' });
    else if (!Number.isFinite(value))
      issues.push({ path, message: 'must be a finite number of dollars' });
    else if (value <= 0) issues.push({ path, message: 'must be more than $0' });
    else if (value > max)
      issues.push({
        path,
        message: `must be at most ${formatMoney(max)} ${unit} (no video model costs more; check the figure)`,
      });
  };
  check(entry.usd, 'usd', maxFor(entry.unit), UNIT_WORDS[entry.unit]);
  for (const [resolution, value] of Object.entries(entry.resolutionPrices ?? {})) {
    if (!/^\d+p$|^4k$/i.test(resolution))
      issues.push({
        path: `resolutionPrices.${resolution}`,
        message: 'must be a resolution like 720p or 4k',
      });
    else check(value, `resolutionPrices.${resolution}`, maxFor(entry.unit), UNIT_WORDS[entry.unit]);
  }
  if (entry.audioUsdPerSecond !== undefined)
    check(entry.audioUsdPerSecond, 'audioUsdPerSecond', MAX_USD_PER_SECOND, UNIT_WORDS.second);
  return issues;
}

/** A stored entry: the price, and who entered it when (ms since the epoch). */
export interface StoredModelPrice extends ModelPriceEntry {
  provider: string;
  modelId: string;
  enteredBy: string;
  enteredAt: number;
}

/** An entered price that no longer applies: who ended it, when, and how. */
export interface EndedModelPrice extends StoredModelPrice {
  endedBy: string;
  endedAt: number;
  /** `replaced` by a newer entry, or `cleared` (the built-in price, or none, applied again). */
  endedHow: 'replaced' | 'cleared';
}

/** The entry's dollars for one resolution (`undefined` = the entry's base amount). */
function amountAt(entry: ModelPriceEntry, resolution: string | undefined): number {
  return resolution === undefined ? entry.usd : (entry.resolutionPrices?.[resolution] ?? entry.usd);
}

/**
 * The `Pricing` an entry stands for. Estimates read a request without a resolution at the base
 * amount (multiplier 1), and the vendor then picks the resolution: the base is the dearest amount
 * entered, and each resolution a multiplier of it, so such a clip is never counted below what it
 * may cost. `builtIn` is the table's price it replaces (shown beside it).
 */
export function adminPricing(
  stored: StoredModelPrice,
  capabilities: Pick<ModelCapabilities, 'resolutions'>,
  builtIn: Pricing | null,
): Pricing {
  const amounts = [stored.usd, ...Object.values(stored.resolutionPrices ?? {})];
  const top = Math.max(...amounts);
  const multipliers: Record<string, number> = {};
  const resolutions = new Set([
    ...capabilities.resolutions,
    ...Object.keys(stored.resolutionPrices ?? {}),
  ]);
  for (const resolution of resolutions)
    multipliers[resolution] = amountAt(stored, resolution) / top;
  const varies = Object.values(multipliers).some((value) => value !== 1);
  const { enteredBy, enteredAt, unit, usd, resolutionPrices, audioUsdPerSecond } = stored;
  return {
    ...(unit === 'second' ? { usdPerSecond: top } : { usdPerClip: top }),
    ...(audioUsdPerSecond === undefined ? {} : { audioUsdPerSecond }),
    ...(varies ? { resolutionMultiplier: multipliers } : {}),
    source: `Entered by ${enteredBy} in the console from the vendor's pricing page`,
    asOf: new Date(enteredAt).toISOString().slice(0, 10),
    entered: {
      by: enteredBy,
      at: enteredAt,
      unit,
      usd,
      ...(resolutionPrices && Object.keys(resolutionPrices).length > 0 ? { resolutionPrices } : {}),
      ...(audioUsdPerSecond === undefined ? {} : { audioUsdPerSecond }),
      replaces: builtIn && hasPrice(builtIn) ? withoutEntry(builtIn) : null,
    },
  };
}

function withoutEntry(pricing: Pricing): Omit<Pricing, 'entered'> {
  const { entered: _entered, ...rest } = pricing;
  return rest;
}

/** Whether the pricing names any amount (else the console knows no price for the model). */
export function hasPrice(pricing: Pick<Pricing, 'usdPerSecond' | 'usdPerClip'>): boolean {
  return pricing.usdPerSecond !== undefined || pricing.usdPerClip !== undefined;
}

/** "$0.12/s", "$0.08–$0.20/s" where resolutions differ, "$0.50/clip". */
function amountText(base: number, unit: PriceUnit, multipliers: number[]): string {
  const values = [base, ...multipliers.map((multiplier) => base * multiplier)];
  const low = Math.min(...values);
  const high = Math.max(...values);
  const short = UNIT_SHORT[unit];
  if (multipliers.length === 0 || Math.abs(high - low) < 1e-9) return formatMoneyPer(base, short);
  return `${formatMoney(low)}–${formatMoneyPer(high, short)}`;
}

/**
 * One model's price in a few characters, the same in the Models screen, the New benchmark
 * dialog and the CLI: "$0.12/s", "$0.50/clip", a range where the admin entered a price per
 * resolution, "price unknown" for a real model with none, and "" for the simulated sandbox when
 * `blankWhenSimulated` (a simulated price is not money).
 */
export function modelPriceText(
  model: { pricing: Pricing; simulated: boolean },
  options: { blankWhenSimulated?: boolean } = {},
): string {
  const { pricing } = model;
  if (!hasPrice(pricing))
    return model.simulated && options.blankWhenSimulated ? '' : 'price unknown';
  // Built-in tables: the base figure, as before (their multipliers are described in the source).
  // Admin entries: every amount entered, since the admin typed them per resolution.
  const multipliers = pricing.entered ? Object.values(pricing.resolutionMultiplier ?? {}) : [];
  return pricing.usdPerSecond !== undefined
    ? amountText(pricing.usdPerSecond, 'second', multipliers)
    : amountText(pricing.usdPerClip ?? 0, 'clip', multipliers);
}

/**
 * Where the price comes from, shown next to it: "admin-entered, as of 4 Dec 2026" (and what
 * built-in price it replaces), "estimate · as of 1 Sep 2026" for the console's own table, or "not
 * in the console's table (as of 1 Sep 2026)" for a model it lists with no price.
 */
export function modelPriceOrigin(pricing: Pricing): string {
  if (!pricing.entered)
    return hasPrice(pricing)
      ? `estimate · as of ${formatDate(pricing.asOf)}`
      : `not in the console's table (as of ${formatDate(pricing.asOf)})`;
  const { replaces } = pricing.entered;
  const base = `admin-entered, as of ${formatDate(pricing.entered.at)}`;
  if (!replaces) return base;
  return `${base} · replaces built-in ${modelPriceText({ pricing: replaces, simulated: false })}`;
}

/** The entry in words for the CLI: "$0.12 per second of video, 1080p $0.20, audio +$0.05/s". */
export function priceEntryText(entry: ModelPriceEntry): string {
  const parts = [`${formatMoney(entry.usd)} ${UNIT_WORDS[entry.unit]}`];
  for (const [resolution, value] of Object.entries(entry.resolutionPrices ?? {}))
    parts.push(`${resolution} ${formatMoney(value)}`);
  if (entry.audioUsdPerSecond !== undefined)
    parts.push(`audio +${formatMoneyPer(entry.audioUsdPerSecond, 's')}`);
  return parts.join(', ');
}
