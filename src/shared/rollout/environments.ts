/** Environments of a deployment, promoted in this order. Pure TypeScript. */
import { z } from 'zod';

export const ENVIRONMENTS = ['dev', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const environmentSchema = z.enum(ENVIRONMENTS, {
  message: 'must be one of dev, staging, production',
});

/** The environment a promotion into `target` takes its content from. */
export function promotionSource(target: Environment): Environment | undefined {
  if (target === 'staging') return 'dev';
  if (target === 'production') return 'staging';
  return undefined;
}
