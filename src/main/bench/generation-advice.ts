/**
 * What the admin reads when a generation did not succeed: the vendor's own words, then which
 * vendor it was and what to do about it, by error class. Used for every failed, refused,
 * timed-out or unusable generation, so the desktop app, browser mode, the CLI's table and JSON
 * and exports all say the same. Never contains a secret (only the name of the key's variable).
 */
import { isPaymentRequired, type ProviderErrorClass } from '../../shared/errors';
import { providerLabel } from '../../shared/providers/provider-ids';
import type { ProviderId } from '../../shared/providers/video-provider-spec';
import { KEY_ENV_VARS } from '../secrets';

const MAX_MESSAGE = 1000;

export function generationAdvice(provider: string, code: string, message = ''): string | undefined {
  const label = providerLabel(provider);
  const keyVariable = KEY_ENV_VARS[provider as Exclude<ProviderId, 'sandbox'>];
  // 402: waiting does not help, paying does; say so rather than "out of credit or limiting".
  if (isPaymentRequired(code, message))
    return `${label} asks for payment (HTTP 402): this ${label} account is out of credits or over its spend limit. Add credits or raise the limit in the account's billing settings at ${label}, then run the prompt again.`;
  switch (code as ProviderErrorClass) {
    case 'auth':
      return `${label} refused the API key: check it under Settings${keyVariable ? ` (the CLI and browser mode read ${keyVariable})` : ''}, then run the prompt again.`;
    case 'quota':
      return `${label} is out of credit or limiting this account: add credit or raise the limit in your ${label} account, then run the prompt again.`;
    case 'invalid_request':
      return `${label} refused the request: change the prompt or the settings this model does not take, then run it again.`;
    case 'content_policy':
      return `${label}'s content policy refused it: change the prompt to run it again.`;
    case 'provider_unavailable':
      return `${label} failed or could not be reached: try again later (run the prompt again).`;
    case 'timeout':
      return `${label} did not finish in time: run the prompt again later, or give the run a longer timeout.`;
    case 'bad_output':
      return `${label}'s output could not be used as a video: run the prompt again; if it keeps happening, report it to ${label}.`;
    case 'expired_output':
      return `${label} no longer serves this video (its output links expire): run the prompt again.`;
    default:
      return undefined;
  }
}

/** `message` followed by the advice for its class, within the stored message's 1000 characters. */
export function withAdvice(provider: string, code: string, message: string): string {
  const advice = generationAdvice(provider, code, message);
  if (!advice || message.includes(advice)) return message.slice(0, MAX_MESSAGE);
  const room = MAX_MESSAGE - advice.length - 1;
  const head = message.length > room ? `${message.slice(0, Math.max(0, room - 1))}…` : message;
  return `${head.replace(/\s+$/, '')}${/[.!?…]$/.test(head.trim()) ? '' : '.'} ${advice}`.slice(
    0,
    MAX_MESSAGE,
  );
}
