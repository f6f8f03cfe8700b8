/**
 * The job id in a vendor's create answer, checked once for every adapter before it is kept or
 * put in a status URL. The vendor accepted the job (and may bill it), so an id the console
 * cannot use is not a reason to send the request again, nor a fault of the prompt: it is an
 * unknown outcome (UnusableJobIdError, outcomeUnknown) that names what is wrong with the id
 * (its length, or the characters that cannot go into a URL path), shows it truncated, and says
 * to check the provider's account.
 */
import { ProviderError } from '../../shared/errors';
import { providerLabel } from '../../shared/providers/provider-ids';
import { scrub } from './http/scrub';

/**
 * The longest job id accepted, in characters. Vendors' ids are 20–120 characters (UUIDs,
 * Gemini's operation names); a status call's request line must stay far below the 8–16 KB a
 * server or proxy takes before answering 431.
 */
export const MAX_JOB_ID_LENGTH = 512;

/**
 * What a URL path segment may hold without escaping (RFC 3986 pchar: unreserved, sub-delims,
 * ':' and '@'); '/' only where the vendor's ids are paths (Gemini operation names).
 */
const PATH_CHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

/** Why `id` cannot be used as a job id, or undefined when it can. */
export function jobIdProblem(
  id: string,
  options: { slashes?: boolean; pattern?: { test: RegExp; says: string } } = {},
): string | undefined {
  if (id.length === 0) return 'it is empty';
  if (id.length > MAX_JOB_ID_LENGTH)
    return `it is ${id.length.toLocaleString('en-US')} characters long (at most ${MAX_JOB_ID_LENGTH} fit in the status call's URL)`;
  const bad = new Set<string>();
  for (const char of id) {
    if (PATH_CHAR.test(char) || (options.slashes && char === '/')) continue;
    bad.add(describeChar(char));
    if (bad.size >= 5) break;
  }
  if (bad.size > 0)
    return `it contains characters that cannot go into a URL path (${[...bad].join(', ')})`;
  const segments = options.slashes ? id.split('/') : [id];
  if (segments.some((segment) => segment === '.' || segment === '..' || segment === ''))
    return 'it contains an empty, "." or ".." path segment, which would call another address';
  if (options.pattern && !options.pattern.test.test(id)) return options.pattern.says;
  return undefined;
}

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code > 0x20 && code < 0x7f) return JSON.stringify(char);
  if (char === ' ') return 'a space';
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The id as shown in a message: printable ASCII only, at most 40 characters, then "…". */
export function shownJobId(id: string): string {
  const printable = id.replace(/[^\x21-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}

/**
 * The vendor answered a create with a job id the console cannot use: the job exists there (and
 * may be billed) but cannot be followed. Never sent again; the bench runner ends it as
 * `submit_unknown` without looking it up in the vendor's job list (that list gives the same id).
 */
export class UnusableJobIdError extends ProviderError {
  readonly unusableJobId = true;
  constructor(provider: string, id: string, problem: string, secrets: readonly string[] = []) {
    const label = providerLabel(provider);
    super(
      'provider_unavailable',
      scrub(
        `${label} answered the create with an unusable job id: ${problem} (it starts "${shownJobId(id)}"). ${label} accepted the job, so it was not sent again, and it may still be billed: check the provider's account for it.`,
        [...secrets],
      ),
      { provider, retryable: false, outcomeUnknown: true },
    );
    this.name = 'UnusableJobIdError';
  }

  /** Works across duplicate copies of this module. */
  static is(error: unknown): error is UnusableJobIdError {
    return (
      ProviderError.isInstance(error) &&
      (error as { unusableJobId?: unknown }).unusableJobId === true
    );
  }
}

/**
 * `id` when it can be used as a job id; otherwise UnusableJobIdError. Every adapter calls it on
 * the create answer's id before telling the runner the id (onJobId).
 */
export function usableJobId(
  provider: string,
  id: string,
  options: {
    slashes?: boolean;
    /** The vendor's own form of its ids, where the adapter checks it on later calls. */
    pattern?: { test: RegExp; says: string };
    secrets?: readonly string[];
  } = {},
): string {
  // A job id is kept in the database and shown in messages, notes and logs, where a key never
  // goes: an id that holds the key (a vendor or proxy echoing it) is not kept.
  const problem =
    jobIdProblem(id, options) ??
    ((options.secrets ?? []).some((secret) => secret.length >= 4 && id.includes(secret))
      ? 'it contains the API key, which the console never keeps or shows'
      : undefined);
  if (problem !== undefined) throw new UnusableJobIdError(provider, id, problem, options.secrets);
  return id;
}
