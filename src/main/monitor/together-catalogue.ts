/**
 * Together's live catalogue for the monitor: GET {base}/v1/models (a bare array that mixes every
 * model type). Unlike the adapter's listModels, this keeps every decision visible: which rule
 * made an entry a video model, and how many entries of the answer did not parse.
 *
 * Rules, in order: `type` says "video" → rule `type`; the type is missing or not one of the
 * known non-video types → the id, then the display name, is matched against known video
 * families → rule `family`; otherwise an id in the adapter's known table → rule `known_table`.
 */
import type { Dispatcher } from 'undici';
import type { CatalogueEntry } from '../../shared/monitor/monitor-schemas';
import type { ModelLifecycle } from '../../shared/providers/video-provider-spec';
import { CATALOGUE_MAX_BODY_BYTES, HttpClient } from '../providers/http/http-client';
import {
  togetherModelSchema,
  type TogetherModel,
} from '../providers/together/together-api-schemas';
import { findTogetherModel } from '../providers/together/together-models';
import {
  TOGETHER_DEFAULT_BASE_URL,
  classifyTogetherHttp,
} from '../providers/together/together-video-adapter';
import type { CatalogueFetch } from './catalogue-sources';

/** Together's documented model types that are not video. Anything else counts as unknown. */
export const TOGETHER_NON_VIDEO_TYPES = new Set([
  'chat',
  'language',
  'code',
  'image',
  'embedding',
  'moderation',
  'rerank',
  'audio',
  'transcribe',
]);

/** Known video model families, matched on an id or a display name. */
export const VIDEO_FAMILIES: ReadonlyArray<{ family: string; pattern: RegExp }> = [
  { family: 'veo', pattern: /\bveo[-_ ]?\d|\bveo\b/i },
  { family: 'sora', pattern: /\bsora\b|\bsora[-_ ]?\d/i },
  { family: 'kling', pattern: /kling/i },
  { family: 'seedance', pattern: /seedance/i },
  { family: 'hailuo', pattern: /hailuo/i },
  { family: 'minimax-video', pattern: /\bvideo-0\d/i },
  { family: 'wan', pattern: /\bwan-ai\/|\bwan[-_ ]?\d/i },
  { family: 'pixverse', pattern: /pixverse/i },
  { family: 'vidu', pattern: /\bvidu\b|\bvidu[-_ ]/i },
  { family: 'ltx-video', pattern: /\bltx[-_ ]?v(ideo)?\b/i },
  { family: 'hunyuan-video', pattern: /hunyuan[-_ ]?video/i },
  { family: 'mochi', pattern: /\bmochi\b/i },
  { family: 'cogvideo', pattern: /cogvideo/i },
  { family: 'luma-ray', pattern: /\bray[-_ ]?\d|dream[-_ ]?machine/i },
  { family: 'runway-gen', pattern: /\bgen[-_ ]?[34]\b/i },
  { family: 'text/image-to-video', pattern: /\b(t2v|i2v|text-to-video|image-to-video)\b/i },
];

export function matchVideoFamily(text: string): string | undefined {
  return VIDEO_FAMILIES.find((entry) => entry.pattern.test(text))?.family;
}

/** Why an entry is a video model, or undefined when it is not one. */
export function classifyTogetherEntry(
  model: TogetherModel,
): { rule: 'type' | 'family' | 'known_table'; detail: string } | undefined {
  const type = (model.type ?? '').trim().toLowerCase();
  if (type === 'video') return { rule: 'type', detail: 'type is "video"' };
  const typeUnknown = type === '' || !TOGETHER_NON_VIDEO_TYPES.has(type);
  if (typeUnknown) {
    const why = type === '' ? 'no type' : `unknown type "${type.slice(0, 40)}"`;
    const byId = matchVideoFamily(model.id);
    if (byId) return { rule: 'family', detail: `${why}; id matches the ${byId} family` };
    const byName = model.display_name ? matchVideoFamily(model.display_name) : undefined;
    if (byName)
      return { rule: 'family', detail: `${why}; display name matches the ${byName} family` };
  }
  if (findTogetherModel(model.id))
    return { rule: 'known_table', detail: `type "${type}" but the id is in the known table` };
  return undefined;
}

export function togetherEntry(
  model: TogetherModel,
  detection: { rule: 'type' | 'family' | 'known_table'; detail: string },
): CatalogueEntry {
  const known = findTogetherModel(model.id);
  const base = model.pricing?.base;
  const listedPrice = typeof base === 'number' && base > 0 ? base : undefined;
  const family = matchVideoFamily(model.id) ?? matchVideoFamily(model.display_name ?? '');
  // OpenAI's Sora API is shut down; every Sora id is retired whatever the catalogue says.
  const lifecycle: ModelLifecycle =
    known?.lifecycle ?? (family === 'sora' ? 'retired' : known ? 'active' : 'preview');
  let price: CatalogueEntry['price'] = null;
  if (listedPrice !== undefined) {
    price = { usdPerClip: listedPrice, source: 'Together GET /v1/models pricing.base (per clip)' };
  } else if (known && (known.pricing.usdPerClip !== undefined || known.pricing.usdPerSecond)) {
    price = {
      ...(known.pricing.usdPerClip === undefined ? {} : { usdPerClip: known.pricing.usdPerClip }),
      ...(known.pricing.usdPerSecond === undefined
        ? {}
        : { usdPerSecond: known.pricing.usdPerSecond }),
      source: `known table: ${known.pricing.source}`,
    };
  }
  return {
    provider: 'together',
    modelId: model.id,
    displayName: model.display_name ?? known?.displayName ?? model.id,
    lifecycle,
    detection,
    vendorType: model.type ?? null,
    capabilities: known ? structuredClone(known.capabilities) : null,
    price,
    created: model.created ?? null,
  };
}

/**
 * Reads a /v1/models body (`undefined` = not JSON). A body of the wrong shape is `malformed`.
 * `contentType` (the answer's, when known) tells an HTML page in the way from a cut-off answer.
 */
export function readTogetherCatalogue(
  json: unknown,
  status: number,
  contentType?: string,
): CatalogueFetch {
  if (json === undefined) {
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === 'text/html')
      return {
        entries: [],
        malformed: `Together AI answered GET /v1/models with HTTP ${status} and an HTML page (text/html) instead of JSON: a proxy, firewall or captive portal may stand between this computer and Together (check AIDEON_TOGETHER_BASE_URL, if set, and the network); the check is retried.`,
      };
    return {
      entries: [],
      malformed: `Together AI answered GET /v1/models with HTTP ${status} and a body that is not complete JSON (${type || 'no content type'}; cut off?); the check is retried.`,
    };
  }
  if (!Array.isArray(json))
    return {
      entries: [],
      malformed: `Together AI answered ${status} to GET /v1/models with ${typeof json === 'object' && json !== null ? 'an object' : `a ${typeof json}`} instead of the documented bare array.`,
    };
  const entries: CatalogueEntry[] = [];
  const seen = new Set<string>();
  let malformed = 0;
  for (const item of json) {
    const parsed = togetherModelSchema.safeParse(item);
    if (!parsed.success) {
      malformed += 1;
      continue;
    }
    const detection = classifyTogetherEntry(parsed.data);
    if (!detection) continue;
    if (seen.has(parsed.data.id)) continue;
    seen.add(parsed.data.id);
    entries.push(togetherEntry(parsed.data, detection));
  }
  return { entries, rawCount: json.length, malformedCount: malformed };
}

export interface TogetherCatalogueSettings {
  apiKey: string;
  baseUrl?: string;
  dispatcher: Dispatcher;
  now?: () => number;
}

export async function fetchTogetherCatalogue(
  settings: TogetherCatalogueSettings,
  signal?: AbortSignal,
): Promise<CatalogueFetch> {
  const http = new HttpClient({
    provider: 'together',
    baseUrl: settings.baseUrl ?? TOGETHER_DEFAULT_BASE_URL,
    dispatcher: settings.dispatcher,
    headers: () => ({ authorization: `Bearer ${settings.apiKey}` }),
    secrets: () => [settings.apiKey],
    ...(settings.now ? { now: settings.now } : {}),
  });
  const response = await http.request('/v1/models', {
    classify: classifyTogetherHttp,
    maxBodyBytes: CATALOGUE_MAX_BODY_BYTES,
    ...(signal ? { signal } : {}),
  });
  const contentType = response.headers['content-type'];
  return readTogetherCatalogue(
    response.json,
    response.status,
    Array.isArray(contentType) ? contentType[0] : contentType,
  );
}
