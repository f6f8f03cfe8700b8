/**
 * An admin's price entry: the amount checks (same in the form, IPC and the CLI), its `Pricing`
 * (dearest amount as the base, so a clip whose resolution the vendor picks is never counted
 * low), and the one price text the Models screen and the New benchmark dialog share.
 */
import { describe, expect, it } from 'vitest';
import {
  adminPricing,
  modelPriceOrigin,
  modelPriceText,
  priceEntryIssues,
  type StoredModelPrice,
} from '../../../src/shared/providers/model-price';
import { modelPriceEntrySchema } from '../../../src/shared/providers/model-price-schema';
import { estimateFromPricing } from '../../../src/main/providers/capabilities';
import type { Pricing } from '../../../src/shared/providers/video-provider-spec';

const AT = Date.UTC(2026, 11, 4, 12, 0, 0);
const stored = (entry: Partial<StoredModelPrice> = {}): StoredModelPrice => ({
  provider: 'replicate',
  modelId: 'google/veo-3',
  unit: 'second',
  usd: 0.4,
  enteredBy: 'alice',
  enteredAt: AT,
  ...entry,
});

describe('priceEntryIssues', () => {
  it('accepts a positive amount under the ceiling', () => {
    expect(priceEntryIssues({ unit: 'second', usd: 0.12 })).toEqual([]);
    expect(priceEntryIssues({ unit: 'clip', usd: 99 })).toEqual([]);
  });

  it.each([
    [{ unit: 'second', usd: 0 }, 'usd', /more than \$0/],
    [{ unit: 'second', usd: -0.1 }, 'usd', /more than \$0/],
    [{ unit: 'second', usd: Number.NaN }, 'usd', /number of dollars/],
    [{ unit: 'second', usd: Number.POSITIVE_INFINITY }, 'usd', /finite/],
    [{ unit: 'second', usd: 12 }, 'usd', /at most \$10\.00 per second of video/],
    [{ unit: 'clip', usd: 250 }, 'usd', /at most \$100\.00 per clip/],
    [
      { unit: 'second', usd: 0.1, resolutionPrices: { '1080p': 0 } },
      'resolutionPrices.1080p',
      /more than \$0/,
    ],
    [
      { unit: 'second', usd: 0.1, resolutionPrices: { huge: 0.2 } },
      'resolutionPrices.huge',
      /resolution like 720p/,
    ],
    [{ unit: 'second', usd: 0.1, audioUsdPerSecond: 11 }, 'audioUsdPerSecond', /at most \$10/],
  ] as const)('refuses %j, naming %s', (entry, path, message) => {
    const issues = priceEntryIssues(entry);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(path);
    expect(issues[0]!.message).toMatch(message);
  });

  it('the IPC schema runs the same checks, and refuses unknown fields', () => {
    const bad = modelPriceEntrySchema.safeParse({ unit: 'second', usd: 50 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['usd'] });
    expect(modelPriceEntrySchema.safeParse({ unit: 'hour', usd: 1 }).success).toBe(false);
    expect(modelPriceEntrySchema.safeParse({ unit: 'clip', usd: 1, free: true }).success).toBe(
      false,
    );
    expect(modelPriceEntrySchema.safeParse({ unit: 'clip', usd: '1' }).success).toBe(false);
    expect(modelPriceEntrySchema.parse({ unit: 'clip', usd: 1 })).toEqual({ unit: 'clip', usd: 1 });
  });
});

describe('adminPricing', () => {
  const caps = { resolutions: ['720p', '1080p'] };

  it('a flat price per second: the amount, who and when, and no built-in to replace', () => {
    const pricing = adminPricing(stored(), caps, { source: 'none', asOf: '2026-09-01' });
    expect(pricing).toMatchObject({
      usdPerSecond: 0.4,
      asOf: '2026-12-04',
      entered: { by: 'alice', at: AT, unit: 'second', usd: 0.4, replaces: null },
    });
    expect(pricing.resolutionMultiplier).toBeUndefined();
  });

  it('per resolution: each resolution at its amount, and a clip with no resolution at the dearest', () => {
    const pricing = adminPricing(
      stored({ usd: 0.4, resolutionPrices: { '1080p': 0.75 } }),
      caps,
      null,
    );
    const request = { modelId: 'x', prompt: 'p', durationSeconds: 4 };
    const cost = (resolution?: string) =>
      estimateFromPricing(
        pricing,
        { ...baseCaps, resolutions: caps.resolutions },
        {
          ...request,
          ...(resolution ? { resolution } : {}),
        },
      ).usd;
    expect(cost('720p')).toBeCloseTo(1.6, 9);
    expect(cost('1080p')).toBeCloseTo(3.0, 9);
    // The vendor picks the resolution: counted at the dearest amount entered, never lower.
    expect(cost()).toBeCloseTo(3.0, 9);
  });

  it('keeps the built-in price it replaces, shown beside it', () => {
    const builtIn: Pricing = { usdPerSecond: 0.142, source: 'Luma page', asOf: '2026-11-25' };
    const pricing = adminPricing(stored({ usd: 0.2 }), caps, builtIn);
    expect(pricing.entered?.replaces).toEqual(builtIn);
    expect(modelPriceOrigin(pricing)).toBe(
      'admin-entered, as of 4 Dec 2026 · replaces built-in $0.142/s',
    );
  });
});

const baseCaps = {
  textToVideo: true,
  imageToVideo: false,
  durationsSeconds: [4, 8],
  defaultDurationSeconds: 8,
  resolutions: ['720p'],
  aspectRatios: ['16:9'],
  audio: false,
  seed: true,
};

describe('modelPriceText (Models screen and New benchmark dialog)', () => {
  const builtIn = (pricing: Omit<Pricing, 'source' | 'asOf'>, simulated = false) => ({
    pricing: { ...pricing, source: 's', asOf: '2026-11-25' },
    simulated,
  });

  it('built-in prices read as before', () => {
    expect(modelPriceText(builtIn({ usdPerSecond: 0.125 }))).toBe('$0.125/s');
    expect(modelPriceText(builtIn({ usdPerClip: 0.5 }))).toBe('$0.50/clip');
    expect(modelPriceText(builtIn({}))).toBe('price unknown');
    expect(modelPriceText(builtIn({}, true), { blankWhenSimulated: true })).toBe('');
    expect(modelPriceOrigin(builtIn({ usdPerSecond: 1 }).pricing)).toBe(
      'estimate · as of 25 Nov 2026',
    );
    // A model listed with no price: its origin says so, not "estimate".
    expect(modelPriceOrigin(builtIn({}).pricing)).toBe(
      "not in the console's table (as of 25 Nov 2026)",
    );
  });

  it('an entered price per resolution reads as its range, marked admin-entered', () => {
    const pricing = adminPricing(
      stored({ usd: 0.4, resolutionPrices: { '1080p': 0.75 } }),
      { resolutions: ['720p', '1080p'] },
      null,
    );
    expect(modelPriceText({ pricing, simulated: false })).toBe('$0.40–$0.75/s');
    expect(modelPriceOrigin(pricing)).toBe('admin-entered, as of 4 Dec 2026');
    const clip = adminPricing(stored({ unit: 'clip', usd: 1.2 }), { resolutions: [] }, null);
    expect(modelPriceText({ pricing: clip, simulated: false })).toBe('$1.20/clip');
  });
});
