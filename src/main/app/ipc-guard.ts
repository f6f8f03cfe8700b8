/**
 * The desktop app's IPC gate: only our own renderer (served from the app origin) may call the
 * console; anything else gets a `forbidden` result and the dispatcher is never reached. The
 * dispatcher then parses the input and (openConsole) checks the output, as in browser mode.
 */
import type { Result } from '../../shared/ipc/result';
import type { Dispatcher } from '../ipc/dispatcher';

export function isTrustedSender(senderUrl: string | undefined, appOrigin: string): boolean {
  if (!senderUrl) return false;
  try {
    // Node's URL gives custom schemes an opaque origin ("null"), so compare scheme and host.
    const url = new URL(senderUrl);
    return `${url.protocol}//${url.host}` === appOrigin;
  } catch {
    return false;
  }
}

/** One invoke from a window: `senderUrl` is the calling frame's URL. */
export function guardedDispatch(
  dispatcher: Dispatcher,
  appOrigin: string,
): (senderUrl: string | undefined, channel: string, input: unknown) => Promise<Result<unknown>> {
  return async (senderUrl, channel, input) => {
    if (!isTrustedSender(senderUrl, appOrigin))
      return {
        ok: false,
        error: {
          code: 'forbidden',
          message: 'This window may not call the console.',
          retryable: false,
        },
      };
    return dispatcher.dispatch(channel, input);
  };
}
