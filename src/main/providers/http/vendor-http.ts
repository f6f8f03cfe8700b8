/**
 * The HttpClient of a vendor adapter, built the same way for every vendor: the vendor's default
 * base URL unless one is given, the injected dispatcher and clock, the optional timeouts, auth
 * headers read from the settings on every request (so a replaced key takes effect), the vendor's
 * reading of its error bodies, and the key as the one secret no error message may show.
 */
import type { Dispatcher } from 'undici';
import type { ProviderId } from '../../../shared/providers/video-provider-spec';
import { HttpClient, type ErrorClassifier } from './http-client';

/** What every vendor adapter is created from (`create<Vendor>Adapter(settings)`). */
export interface VendorAdapterSettings {
  apiKey: string;
  /** Root URL of the vendor's API; `undefined` = the vendor's public endpoint. */
  baseUrl?: string;
  dispatcher: Dispatcher;
  now?: () => number;
  /** Time to receive response headers, ms; `undefined` = 30000. */
  headersTimeoutMs?: number;
  /** Time between body chunks, ms; `undefined` = 60000. */
  bodyTimeoutMs?: number;
}

/** The vendor's own part: its name, its public endpoint and how it takes the key. */
export interface VendorHttpProfile {
  provider: Exclude<ProviderId, 'sandbox'>;
  defaultBaseUrl: string;
  authHeaders: (apiKey: string) => Record<string, string>;
  /** How the vendor's error bodies are read; `undefined` = by HTTP status alone. */
  classify?: ErrorClassifier;
}

export function vendorHttpClient(
  settings: VendorAdapterSettings,
  profile: VendorHttpProfile,
): HttpClient {
  return new HttpClient({
    provider: profile.provider,
    baseUrl: (settings.baseUrl ?? profile.defaultBaseUrl).replace(/\/$/, ''),
    dispatcher: settings.dispatcher,
    headers: () => profile.authHeaders(settings.apiKey),
    secrets: () => [settings.apiKey],
    ...(profile.classify === undefined ? {} : { classify: profile.classify }),
    ...(settings.now === undefined ? {} : { now: settings.now }),
    ...(settings.headersTimeoutMs === undefined
      ? {}
      : { headersTimeoutMs: settings.headersTimeoutMs }),
    ...(settings.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: settings.bodyTimeoutMs }),
  });
}
