/**
 * The routing config the rollout and watch tests publish: one `premium` tier (text to video)
 * whose first target is switched on by a flag (variant "on"), in front of the target everyone
 * else gets, and that flag, off by default. A rollout of the flag is what those tests step,
 * bake and roll back; what differs between them (models, limits, budget) is passed in.
 */

/** One of the tier's targets. */
export interface RoutingTarget {
  provider: string;
  model: string;
  timeoutSeconds: number;
  retries: number;
}

export interface FlaggedTierOptions {
  /** The flag's key. */
  flag: string;
  /** Tried first, for requests the flag gives "on". */
  flagged: RoutingTarget;
  /** Everyone else's target, and the fallback of the flagged one. */
  fallback: RoutingTarget;
  /**
   * The tier's other settings (breaker, limits, budget), in that order; left out where not
   * given.
   */
  tier?: Record<string, unknown>;
  /** The config's description; none where not given. */
  description?: string;
}

export function flaggedPremiumConfig(options: FlaggedTierOptions): Record<string, unknown> {
  return {
    schemaVersion: 1,
    ...(options.description === undefined ? {} : { description: options.description }),
    tiers: {
      premium: {
        requestKinds: ['text-to-video'],
        strategy: 'fallback',
        targets: [
          { ...options.flagged, flag: { key: options.flag, variants: ['on'] } },
          options.fallback,
        ],
        ...options.tier,
        defaults: { durationSeconds: 5, resolution: '720p', aspectRatio: '16:9' },
      },
    },
    flags: {
      [options.flag]: {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
      },
    },
  };
}
