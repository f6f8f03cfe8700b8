/**
 * Where each provider's catalogue comes from:
 * - Together: GET /v1/models, read by the monitor itself so the detection rule is recorded.
 * - Gemini: the adapter's listModels (models supporting predictLongRunning).
 * - Replicate: the adapter's listModels (the text-to-video collection).
 * - Runway, fal, Luma: no list call; the adapter's known model table, shown as a built-in list
 *   (kind `built-in`): nothing is checked, and the console says so.
 * - Sandbox: its simulated catalogue, which lists one more model after a simulated release, so
 *   the monitor, inbox and onboarding board can be tried without keys.
 */
import type { Dispatcher } from 'undici';
import type { CatalogueEntry, DetectionRule } from '../../shared/monitor/monitor-schemas';
import type { ModelInfo, ProviderId } from '../../shared/providers/video-provider-spec';
import type { ProviderRegistry } from '../providers/registry';
import { BASE_URL_ENV_VARS, type SecretStore } from '../secrets';
import { SandboxAdapter } from '../providers/sandbox/sandbox-adapter';
import { fetchTogetherCatalogue } from './together-catalogue';

/** One answer from a catalogue. */
export interface CatalogueFetch {
  /** Video models found. */
  entries: CatalogueEntry[];
  /** Entries in the raw answer (all types), when the source sees it. */
  rawCount?: number;
  /** Raw entries that did not match the vendor's documented shape. */
  malformedCount?: number;
  /** Set when the answer as a whole is unusable (not JSON, cut off, wrong shape): why. */
  malformed?: string;
}

export interface CatalogueSource {
  readonly provider: ProviderId;
  /** vendor = the vendor's list call; built-in = the console's table; simulated = the sandbox. */
  readonly kind?: 'vendor' | 'built-in' | 'simulated';
  /** The sandbox only: release its next simulated model (throws once released). */
  simulateRelease?(): ModelInfo;
  /** False when the list call needs a key that is not configured. */
  available(): boolean;
  fetch(signal?: AbortSignal): Promise<CatalogueFetch>;
}

export const MONITORED_PROVIDERS: readonly ProviderId[] = [
  'together',
  'gemini',
  'replicate',
  'runway',
  'fal',
  'luma',
];

/** The rule for entries that come from an adapter's listModels. */
const ADAPTER_RULES: Partial<Record<ProviderId, { rule: DetectionRule; detail: string }>> = {
  gemini: {
    rule: 'list_method',
    detail: 'the Gemini models call lists predictLongRunning for it',
  },
  replicate: { rule: 'collection', detail: "in Replicate's text-to-video collection" },
  runway: { rule: 'model_table', detail: 'Runway has no model list call; from the known table' },
  fal: { rule: 'model_table', detail: 'fal has no model list call; from the known table' },
  luma: { rule: 'model_table', detail: 'Luma has no model list call; from the known table' },
};

export function entryFromModelInfo(
  model: ModelInfo,
  detection: { rule: DetectionRule; detail: string },
): CatalogueEntry {
  const { usdPerClip, usdPerSecond, audioUsdPerSecond, source } = model.pricing;
  const hasPrice =
    usdPerClip !== undefined || usdPerSecond !== undefined || audioUsdPerSecond !== undefined;
  return {
    provider: model.provider,
    modelId: model.modelId,
    displayName: model.displayName,
    lifecycle: model.lifecycle,
    detection,
    vendorType: null,
    capabilities: structuredClone(model.capabilities),
    price: hasPrice
      ? {
          ...(usdPerClip === undefined ? {} : { usdPerClip }),
          ...(usdPerSecond === undefined ? {} : { usdPerSecond }),
          ...(audioUsdPerSecond === undefined ? {} : { audioUsdPerSecond }),
          source,
        }
      : null,
    created: null,
  };
}

/** A source backed by the registered adapter's listModels (rebuilt adapters are picked up). */
export function adapterCatalogueSource(
  registry: ProviderRegistry,
  provider: ProviderId,
  options: { needsKey: boolean },
): CatalogueSource {
  const detection = ADAPTER_RULES[provider] ?? {
    rule: 'model_table' as const,
    detail: 'from the adapter',
  };
  return {
    provider,
    kind: options.needsKey ? 'vendor' : 'built-in',
    available: () => !options.needsKey || registry.has(provider),
    async fetch(signal) {
      const models = options.needsKey
        ? await registry.adapter(provider).listModels(signal)
        : registry.modelsOf(provider);
      return {
        entries: models.map((model) => entryFromModelInfo(model, detection)),
        rawCount: models.length,
      };
    },
  };
}

export interface MonitorSourceDeps {
  registry: ProviderRegistry;
  secrets: SecretStore;
  env: NodeJS.ProcessEnv;
  dispatcher: Dispatcher;
  now: () => number;
}

/** The sources the composition root gives the monitor. Keys are read at each check. */
export function createMonitorSources(deps: MonitorSourceDeps): CatalogueSource[] {
  const together: CatalogueSource = {
    provider: 'together',
    available: () => deps.secrets.get('together') !== undefined,
    fetch(signal) {
      const apiKey = deps.secrets.get('together') ?? '';
      const baseUrl = deps.env[BASE_URL_ENV_VARS.together]?.trim();
      return fetchTogetherCatalogue(
        { apiKey, ...(baseUrl ? { baseUrl } : {}), dispatcher: deps.dispatcher, now: deps.now },
        signal,
      );
    },
  };
  const sandbox: CatalogueSource[] = [];
  const sandboxAdapter = deps.registry.has('sandbox') ? deps.registry.adapter('sandbox') : null;
  if (sandboxAdapter instanceof SandboxAdapter) {
    sandbox.push({
      provider: 'sandbox',
      kind: 'simulated',
      available: () => true,
      async fetch() {
        const models = sandboxAdapter.models();
        return {
          entries: models.map((model) =>
            entryFromModelInfo(model, {
              rule: 'model_table',
              detail: 'in the sandbox’s simulated catalogue',
            }),
          ),
          rawCount: models.length,
        };
      },
      simulateRelease: () => sandboxAdapter.simulateRelease(),
    });
  }
  return [
    together,
    adapterCatalogueSource(deps.registry, 'gemini', { needsKey: true }),
    adapterCatalogueSource(deps.registry, 'replicate', { needsKey: true }),
    adapterCatalogueSource(deps.registry, 'runway', { needsKey: false }),
    adapterCatalogueSource(deps.registry, 'fal', { needsKey: false }),
    adapterCatalogueSource(deps.registry, 'luma', { needsKey: false }),
    ...sandbox,
  ];
}
