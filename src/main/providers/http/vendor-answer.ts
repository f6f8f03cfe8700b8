/**
 * A vendor's 2xx answer that does not match the shape its documentation promises: one error for
 * every adapter, naming the vendor, the call, the HTTP status and what was wrong, never the key.
 */
import type { z } from 'zod';
import { ProviderError } from '../../../shared/errors';
import { providerLabel } from '../../../shared/providers/provider-ids';
import { scrub } from './scrub';

export interface VendorAnswerContext {
  provider: string;
  /** The call that was answered, e.g. `POST /v2/videos`. */
  call: string;
  /** HTTP status of the answer; `undefined` = not known. */
  status?: number;
  /**
   * Whether asking again may help. `false` where the vendor may already have acted on the call
   * (a create), since repeating it could start and bill a second job.
   */
  retryable: boolean;
  /** Values never to show (the API key). */
  secrets?: string[];
  /** The vendor may have acted on the call (a create answered 2xx): see ProviderError.outcomeUnknown. */
  outcomeUnknown?: boolean;
}

export function vendorAnswerError(context: VendorAnswerContext, problem: string): ProviderError {
  const status = context.status === undefined ? '' : ` (HTTP ${context.status})`;
  const message = scrub(
    `${providerLabel(context.provider)} answered ${context.call}${status} with a body that does not match its documented shape: ${problem}.`,
    context.secrets ?? [],
  );
  return new ProviderError('provider_unavailable', message.slice(0, 600), {
    provider: context.provider,
    ...(context.status === undefined ? {} : { status: context.status }),
    retryable: context.retryable,
    ...(context.outcomeUnknown ? { outcomeUnknown: true } : {}),
  });
}

/** The answer as the schema reads it, or the ProviderError above. */
export function parseVendorAnswer<Schema extends z.ZodType>(
  schema: Schema,
  json: unknown,
  context: VendorAnswerContext,
): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw vendorAnswerError(context, `${where}${issue?.message ?? 'invalid'}`.slice(0, 200));
}
