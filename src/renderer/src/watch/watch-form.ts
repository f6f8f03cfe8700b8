/**
 * The production watch settings form: the editable fields as strings, their validation per
 * field (same rules as the shared zod schema, without bundling zod), and the settings to save.
 * Fields the form does not show (queries, relative guards, expected targets, ...) are kept as
 * loaded.
 *
 * Budget and quota per tier are not edited here: they live in the routing config
 * (`tiers.<tier>.budget`, tier-wide per UTC day or month) and the watch reads them from there;
 * the section shows them read-only. A `budget` saved in the watch settings before the move is
 * kept as loaded (ignored by the watch) and never edited by this form.
 */
import { humanIssue } from '../../../shared/validation';
import type { WatchSettings, WatchEnv } from '../../../shared/watch/watch-settings';

export const ENVS: readonly WatchEnv[] = ['dev', 'staging', 'production'];

export interface TierForm {
  tier: string;
  /** Percent, e.g. "95"; empty: no absolute guard. */
  minSuccessRate: string;
  maxP95LatencySeconds: string;
  maxCostPerVideoUsd: string;
}

/** The budget fields of a tier (routing config `tiers.<tier>.budget`), in display order. */
export const BUDGET_FIELDS = [
  'dailyUsd',
  'monthlyUsd',
  'dailyRequests',
  'dailyGeneratedSeconds',
] as const;
export type BudgetField = (typeof BUDGET_FIELDS)[number];

export const EMPTY_TIER: TierForm = {
  tier: '',
  minSuccessRate: '',
  maxP95LatencySeconds: '',
  maxCostPerVideoUsd: '',
};

export interface WatchForm {
  urls: Record<WatchEnv, string>;
  useBearerToken: Record<WatchEnv, boolean>;
  autoRollback: Record<WatchEnv, boolean>;
  tiers: TierForm[];
}

/** Field key → message. Keys: `url.<env>`, `tier.<i>.<field>`, `general`. */
export type FieldErrors = Record<string, string>;

const numText = (value: number | null, scale = 1): string =>
  value === null ? '' : String(Math.round(value * scale * 1e6) / 1e6);

export function formFromSettings(settings: WatchSettings): WatchForm {
  const pick = <T>(fn: (env: WatchEnv) => T): Record<WatchEnv, T> =>
    Object.fromEntries(ENVS.map((env) => [env, fn(env)])) as Record<WatchEnv, T>;
  return {
    urls: pick((env) => settings.environments[env]?.prometheusUrl ?? ''),
    useBearerToken: pick((env) => settings.environments[env]?.useBearerToken ?? false),
    autoRollback: pick((env) => settings.environments[env]?.autoRollback ?? false),
    tiers: settings.tiers.map((tier) => ({
      tier: tier.tier,
      minSuccessRate: numText(tier.minSuccessRate, 100),
      maxP95LatencySeconds: numText(tier.maxP95LatencySeconds),
      maxCostPerVideoUsd: numText(tier.maxCostPerVideoUsd),
    })),
  };
}

function validUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL such as https://prometheus.example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'must start with http:// or https://';
  return null;
}

function parseNumber(
  text: string,
  errors: FieldErrors,
  key: string,
  rule: { min: number; max: number; minExclusive?: boolean; what: string },
): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  const low = rule.minExclusive ? value <= rule.min : value < rule.min;
  if (!Number.isFinite(value) || low || value > rule.max) {
    errors[key] = `must be ${rule.what}`;
    return null;
  }
  return value;
}

/** Validates the form; returns the settings to save, or the errors per field. */
export function settingsFromForm(
  base: WatchSettings,
  form: WatchForm,
): { settings: WatchSettings; errors: null } | { settings: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const environments: WatchSettings['environments'] = {};
  for (const env of ENVS) {
    const url = form.urls[env].trim();
    if (url === '') continue;
    const problem = validUrl(url);
    if (problem) errors[`url.${env}`] = problem;
    environments[env] = {
      prometheusUrl: url.replace(/\/+$/, ''),
      useBearerToken: form.useBearerToken[env],
      autoRollback: form.autoRollback[env],
    };
  }
  const seen = new Set<string>();
  const tiers = form.tiers.map((tier, index) => {
    const name = tier.tier.trim();
    const previous = base.tiers.find((t) => t.tier === name);
    if (name === '') errors[`tier.${index}.tier`] = 'must not be empty';
    else if (!/^[A-Za-z0-9_.:-]+$/.test(name))
      errors[`tier.${index}.tier`] = 'may contain only letters, digits, _ . : and -';
    else if (seen.has(name)) errors[`tier.${index}.tier`] = 'each tier may appear only once';
    seen.add(name);
    const rate = parseNumber(tier.minSuccessRate, errors, `tier.${index}.minSuccessRate`, {
      min: 0,
      max: 100,
      what: 'a percentage from 0 to 100',
    });
    return {
      ...(previous ?? {
        relative: {
          mode: 'off',
          maxSuccessRateDrop: 0.05,
          maxLatencyRatio: 1.5,
          maxCostRatio: 1.5,
        },
        critical: ['success_rate', 'p95_latency'],
        expected: [],
        budget: {},
      }),
      tier: name,
      minSuccessRate: rate === null ? null : rate / 100,
      maxP95LatencySeconds: parseNumber(
        tier.maxP95LatencySeconds,
        errors,
        `tier.${index}.maxP95LatencySeconds`,
        { min: 0, max: 86400, minExclusive: true, what: 'seconds above 0, at most 86400' },
      ),
      maxCostPerVideoUsd: parseNumber(
        tier.maxCostPerVideoUsd,
        errors,
        `tier.${index}.maxCostPerVideoUsd`,
        { min: 0, max: 100000, minExclusive: true, what: 'dollars above 0, at most 100000' },
      ),
      // A budget from before the move to the routing config stays as loaded (ignored).
      budget: previous?.budget ?? {},
    } as WatchSettings['tiers'][number];
  });
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  return { settings: { ...base, environments, tiers }, errors: null };
}

/**
 * Maps a server validation message ("Invalid watch settings: path: msg; path: msg") to the
 * form's fields, each in plain words ("Min success rate must be 0 or more", not zod's "Too
 * small: expected number to be >=0"); whatever does not map goes to `general`.
 */
export function errorsFromServer(message: string): FieldErrors {
  const match = /^Invalid [^:]+: (.*)$/s.exec(message);
  if (!match?.[1]) return { general: message };
  const errors: FieldErrors = {};
  const general: string[] = [];
  for (const part of match[1].split('; ')) {
    const cut = part.indexOf(': ');
    const path = cut < 0 ? '' : part.slice(0, cut);
    const text = cut < 0 ? part : part.slice(cut + 2);
    const env = /^environments\.(\w+)\.prometheusUrl$/.exec(path);
    const tier =
      /^tiers\.(\d+)\.(tier|minSuccessRate|maxP95LatencySeconds|maxCostPerVideoUsd)$/.exec(path);
    const plain = humanIssue(path, text);
    if (env) errors[`url.${env[1]}`] = plain;
    else if (tier) errors[`tier.${tier[1]}.${tier[2]}`] = plain;
    else general.push(plain === text ? part : plain);
  }
  if (general.length > 0) errors.general = general.join('; ');
  return errors;
}
