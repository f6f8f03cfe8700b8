/**
 * The part every vendor adapter shares: its HttpClient (built from the settings by
 * vendorHttpClient), the price estimate from the model table, the download of an output URL
 * without the key, the model table as catalogue where the vendor has no list call, and the
 * failed-job and unknown-status errors. Subclasses keep what differs between vendors: routes,
 * bodies, status mapping, error classification, model tables and warnings.
 */
import { NoSuchModelError, ProviderError, type ProviderErrorClass } from '../../shared/errors';
import {
  SPEC_VERSION,
  type CostEstimate,
  type DownloadRange,
  type DownloadResult,
  type GenerationRequest,
  type JobStatus,
  type ModelInfo,
  type ProviderId,
  type SpecWarning,
  type StartOptions,
  type StartResult,
  type VideoOutput,
  type VideoProviderAdapter,
} from '../../shared/providers/video-provider-spec';
import { providerLabel } from '../../shared/providers/provider-ids';
import { estimateFromPricing } from './capabilities';
import type { HttpClient } from './http/http-client';
import { scrub } from './http/scrub';
import { usableJobId } from './job-id-check';
import {
  vendorHttpClient,
  type VendorAdapterSettings,
  type VendorHttpProfile,
} from './http/vendor-http';
import { similarModelIds } from './model-suggestions';

export type VendorId = Exclude<ProviderId, 'sandbox'>;

/**
 * The vendor answered a job's status with a status the adapter does not know. Most likely one it
 * added between the states it documents (a new "upscaling" step): watchJob keeps following the
 * job until its deadline rather than counting it as a failure of the status call.
 */
export class UnknownStatusError extends ProviderError {
  /** The status as shown: scrubbed of `secrets`, at most 40 characters. */
  readonly unknownStatus: string;
  /**
   * `secrets`: values never to show. The status is the vendor's text, and it reaches the
   * message, the run's notes and the database: a vendor (or a proxy) that echoed the key into it
   * showed the key there.
   */
  constructor(provider: string, noun: string, status: string, secrets: readonly string[] = []) {
    // Scrubbed before it is cut, so a cut cannot leave the start of a key behind.
    const shown = scrub(status, [...secrets]).slice(0, 40);
    super(
      'provider_unavailable',
      `${providerLabel(provider)} reported an unknown ${noun} status "${shown}".`,
      {
        provider,
        retryable: true,
      },
    );
    this.unknownStatus = shown;
  }
}

export abstract class VendorVideoAdapter<
  Provider extends VendorId,
> implements VideoProviderAdapter {
  readonly specVersion = SPEC_VERSION;
  readonly provider: Provider;
  protected readonly http: HttpClient;

  protected constructor(
    protected readonly settings: VendorAdapterSettings,
    profile: VendorHttpProfile & { provider: Provider },
  ) {
    this.provider = profile.provider;
    this.http = vendorHttpClient(settings, profile);
  }

  abstract models(): ModelInfo[];
  abstract model(modelId: string): ModelInfo;
  abstract checkRequest(request: GenerationRequest): SpecWarning[];
  abstract start(request: GenerationRequest, options?: StartOptions): Promise<StartResult>;
  abstract status(jobId: string, signal?: AbortSignal): Promise<JobStatus>;
  abstract cancel(jobId: string, signal?: AbortSignal): Promise<void>;

  /** The price in the model table for what the request asks. */
  estimateCost(request: GenerationRequest): CostEstimate {
    const info = this.model(request.modelId);
    return estimateFromPricing(info.pricing, info.capabilities, request);
  }

  /** Output URLs are public or pre-signed links: the key is not sent with them. */
  async download(
    output: VideoOutput,
    signal?: AbortSignal,
    range?: DownloadRange,
  ): Promise<DownloadResult> {
    return this.http.download(output.url, { signal, ...(range ? { offset: range.offset } : {}) });
  }

  /** For vendors without a model list call: the known table is the catalogue. */
  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    signal?.throwIfAborted();
    return this.models();
  }

  /** The entry found in the vendor's model table, or NoSuchModelError (nothing is sent). */
  protected known<Entry>(entry: Entry | undefined, modelId: string): Entry {
    if (entry === undefined)
      throw new NoSuchModelError(
        this.provider,
        modelId,
        similarModelIds(
          modelId,
          this.models().map((model) => model.modelId),
        ),
      );
    return entry;
  }

  /**
   * A failed job: its error classified, scrubbed of the key and at most 600 characters, with what
   * the vendor says it billed for it, when it says.
   */
  protected failedJob(
    errorClass: ProviderErrorClass,
    message: string,
    retryable: boolean,
    vendorCode?: string,
    costUsd?: number,
  ): JobStatus {
    return {
      state: 'failed',
      ...(costUsd === undefined ? {} : { costUsd }),
      error: {
        code: errorClass,
        message: scrub(message, [this.settings.apiKey]).slice(0, 600),
        retryable,
        ...(vendorCode === undefined ? {} : { vendorCode }),
      },
    };
  }

  /**
   * The job id of a create answer, checked before it is kept or used (job-id-check.ts): an id
   * the console cannot put in a status URL is an UnusableJobIdError, never a resend.
   */
  protected acceptedJobId(
    id: string,
    options: { slashes?: boolean; pattern?: { test: RegExp; says: string } } = {},
  ): string {
    return usableJobId(this.provider, id, { ...options, secrets: [this.settings.apiKey] });
  }

  /** The vendor reported a status this adapter does not know: poll again rather than guess. */
  protected unknownStatus(noun: string, status: string | null | undefined): ProviderError {
    return new UnknownStatusError(this.provider, noun, String(status ?? '(none)'), [
      this.settings.apiKey,
    ]);
  }
}
