/**
 * The providers the console knows, and their display names. Plain constants with no schema
 * library, so the renderer's start-up bundle can name providers without loading zod;
 * video-provider-spec.ts builds its schemas on these and re-exports them.
 */
export const PROVIDER_IDS = [
  'sandbox',
  'together',
  'runway',
  'replicate',
  'gemini',
  'fal',
  'luma',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const PROVIDER_LABELS: Record<ProviderId, string> = {
  sandbox: 'Sandbox (simulated)',
  together: 'Together AI',
  runway: 'Runway',
  replicate: 'Replicate',
  gemini: 'Google Veo (Gemini API)',
  fal: 'fal',
  luma: 'Luma',
};

/** The vendor as an admin knows it ("Together AI"), for any id; an unknown id as it is. */
export function providerLabel(provider: string): string {
  return PROVIDER_LABELS[provider as ProviderId] ?? provider;
}
