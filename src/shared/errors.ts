/**
 * Error classes shared by main, preload and renderer. Pure TypeScript: no node:*, electron or react.
 *
 * Every error the console raises on purpose is an AppError with a stable `code`; IPC and HTTP
 * turn it into `{ code, message, retryable }`. Messages are for people: they say what is wrong
 * and, where possible, what to do. They never contain secrets.
 */
import { providerLabel } from './providers/provider-ids';
import { humanIssue } from './validation';
import { quotedChoices } from './format';

const APP_ERROR_MARKER = Symbol.for('aideon.error');

/** Every class a vendor's failure is put in, as a list (tests check errors against it). */
export const PROVIDER_ERROR_CLASSES = [
  'auth',
  'quota',
  'invalid_request',
  'content_policy',
  'provider_unavailable',
  'timeout',
  'bad_output',
  'expired_output',
  'cancelled',
] as const;

export type ProviderErrorClass = (typeof PROVIDER_ERROR_CLASSES)[number];

export type AppErrorCode =
  | ProviderErrorClass
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'budget_exceeded'
  | 'db_corrupted'
  | 'db_newer_version'
  | 'db_readonly'
  | 'db_constraint'
  | 'unsupported_model'
  | 'unauthorized'
  | 'forbidden'
  /** The console's own disk failed (full, read-only, I/O error) while writing a file. */
  | 'storage_failed'
  | 'internal';

export interface SerializedError {
  code: AppErrorCode;
  message: string;
  retryable: boolean;
  /** Milliseconds the caller should wait before retrying, when known. */
  retryAfterMs?: number;
}

export class AppError extends Error {
  readonly [APP_ERROR_MARKER] = true;
  readonly code: AppErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: AppErrorCode,
    message: string,
    options: { retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Works across duplicate copies of this module (bundles, workers). */
  static isInstance(value: unknown): value is AppError {
    return typeof value === 'object' && value !== null && APP_ERROR_MARKER in value;
  }

  toJSON(): SerializedError {
    const out: SerializedError = {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    return out;
  }
}

/** A vendor call failed; `code` is the classified error class. */
export class ProviderError extends AppError {
  readonly provider: string;
  readonly status: number | undefined;
  /** The vendor's own error code or failure code (e.g. SAFETY.INPUT.TEXT), when it sent one. */
  readonly vendorCode: string | undefined;
  /**
   * The call may have been acted on at the vendor although no usable answer came back (a create
   * answered 2xx with an unreadable body, or a connection lost after the request was sent):
   * sending it again could start and bill a second job.
   */
  readonly outcomeUnknown: boolean;

  constructor(
    errorClass: ProviderErrorClass,
    message: string,
    details: {
      provider: string;
      status?: number;
      vendorCode?: string;
      retryable?: boolean;
      retryAfterMs?: number;
      cause?: unknown;
      outcomeUnknown?: boolean;
    },
  ) {
    super(errorClass, message, {
      retryable: details.retryable ?? defaultRetryable(errorClass),
      ...(details.retryAfterMs === undefined ? {} : { retryAfterMs: details.retryAfterMs }),
      cause: details.cause,
    });
    this.name = 'ProviderError';
    this.provider = details.provider;
    this.status = details.status;
    this.vendorCode = details.vendorCode;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }

  get errorClass(): ProviderErrorClass {
    return this.code as ProviderErrorClass;
  }
}

export function defaultRetryable(errorClass: ProviderErrorClass): boolean {
  return (
    errorClass === 'quota' || errorClass === 'provider_unavailable' || errorClass === 'timeout'
  );
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `models.0` or `settings.durationSeconds`. */
  path: string;
  message: string;
}

/** Input failed a schema. The message names every offending field. */
export class ValidationError extends AppError {
  readonly issues: ValidationIssue[];
  constructor(subject: string, issues: ValidationIssue[]) {
    // Each issue in plain words naming its field ("Budget must be 0 or more", not zod's "Too
    // small: expected number to be >=0"), after its path; `issues` keeps the original messages.
    const list = issues
      .map((issue) => `${issue.path || '(root)'}: ${humanIssue(issue.path, issue.message)}`)
      .join('; ');
    super('validation', `Invalid ${subject}: ${list}`);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

export type DbErrorKind = 'corrupted' | 'newer_version' | 'readonly' | 'constraint';

export class DbError extends AppError {
  readonly kind: DbErrorKind;
  constructor(kind: DbErrorKind, message: string, cause?: unknown) {
    const code: AppErrorCode =
      kind === 'corrupted'
        ? 'db_corrupted'
        : kind === 'newer_version'
          ? 'db_newer_version'
          : kind === 'readonly'
            ? 'db_readonly'
            : 'db_constraint';
    super(code, message, { cause });
    this.name = 'DbError';
    this.kind = kind;
  }
}

export class NoSuchModelError extends AppError {
  /** `suggestions`: the provider's ids the admin probably meant (providers/model-suggestions.ts). */
  constructor(provider: string, modelId: string, suggestions: readonly string[] = []) {
    const meant = suggestions.length === 0 ? '' : ` Did you mean ${quotedChoices(suggestions)}?`;
    super('unsupported_model', `${providerLabel(provider)} has no model "${modelId}".${meant}`);
    this.name = 'NoSuchModelError';
  }
}

/**
 * A vendor answered HTTP 402 Payment Required (out of credits, spend limit reached): classed as
 * `quota` like a rate limit, but it never clears by waiting, so it is worded apart. Read from
 * the stored message, which every vendor error starts with "<vendor> answered HTTP <status>".
 */
export function isPaymentRequired(
  code: string | null | undefined,
  message: string | null | undefined,
): boolean {
  return code === 'quota' && /\bHTTP 402\b/.test(message ?? '');
}

/** Turns anything thrown into the wire shape; unknown errors become a generic internal error. */
export function serializeError(error: unknown): SerializedError {
  if (AppError.isInstance(error)) return error.toJSON();
  return {
    code: 'internal',
    message: 'Something went wrong inside the console. The details are in the log.',
    retryable: false,
  };
}
