/**
 * Binds the contract to handlers. Every input is parsed with the channel's schema before the
 * handler runs; every answer is a Result. The Electron wiring and browser mode both call
 * `dispatch`, so the two transports cannot drift apart.
 */
import type { z } from 'zod';
import { serializeError, ValidationError } from '../../shared/errors';
import {
  explainBusyDatabase,
  isBusyNothingChanged,
  isWrappedBusy,
  retryCallWhileBusy,
  stillBusyError,
} from '../store/busy-retry';
import { BUSY_RETRY_CHANNELS } from './busy-retry-channels';
import { invokeChannels, type ChannelOutput, type InvokeChannel } from '../../shared/ipc/contract';
import type { Result } from '../../shared/ipc/result';
import { zodIssues } from '../../shared/validation';

/**
 * Who is calling. Empty for the desktop app, the CLI and browser mode's admin token; browser
 * mode sets `reviewer` for a reviewer's own token (and only lets it reach the review channels).
 */
export interface CallContext {
  reviewer?: string;
}

export type Handler<C extends InvokeChannel> = (
  input: z.infer<(typeof invokeChannels)[C]['input']>,
  context: CallContext,
) => Promise<ChannelOutput<C>> | ChannelOutput<C>;

export type HandlerMap = { [C in InvokeChannel]: Handler<C> };
export type PartialHandlerMap = Partial<HandlerMap>;

export interface Dispatcher {
  dispatch(channel: string, rawInput: unknown, context?: CallContext): Promise<Result<unknown>>;
  channels(): InvokeChannel[];
}

/**
 * Calls that meet another process's write lock are made again (busy-retry-channels.ts says
 * which) for up to `patienceMs` before the admin is told; without it they are answered at once.
 */
export interface DispatchBusyRetry {
  patienceMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The other processes known to use the data folder, for the message once patience ran out. */
  holders?: () => string[];
}

export function createDispatcher(
  handlers: HandlerMap,
  options: {
    checkOutputs?: boolean;
    log?: (line: string) => void;
    busyRetry?: DispatchBusyRetry;
  } = {},
): Dispatcher {
  const { busyRetry } = options;
  const policy = (name: InvokeChannel): ((error: unknown) => boolean) | undefined => {
    if (!busyRetry) return undefined;
    const chosen = BUSY_RETRY_CHANNELS[name];
    return chosen === 'retry'
      ? isBusyNothingChanged
      : chosen === 'when-nothing-sent'
        ? isWrappedBusy
        : undefined;
  };
  const stillBusy = (name: InvokeChannel, error: unknown, retry: DispatchBusyRetry): unknown => {
    let holders: string[] = [];
    try {
      holders = retry.holders?.() ?? [];
    } catch {
      // Who holds it is a hint; the answer does not depend on it.
    }
    options.log?.(
      `${name}: the database stayed busy for ${retry.patienceMs} ms while the call was made again`,
    );
    return stillBusyError(error, retry.patienceMs, holders);
  };
  return {
    channels: () => Object.keys(invokeChannels) as InvokeChannel[],
    async dispatch(channel, rawInput, context = {}) {
      if (!Object.hasOwn(invokeChannels, channel)) {
        return {
          ok: false,
          error: { code: 'not_found', message: `Unknown channel "${channel}".`, retryable: false },
        };
      }
      const name = channel as InvokeChannel;
      const spec = invokeChannels[name];
      const parsed = spec.input.safeParse(rawInput ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          error: new ValidationError(`input for ${name}`, zodIssues(parsed.error)).toJSON(),
        };
      }
      const retryWhen = policy(name);
      try {
        const handler = handlers[name] as Handler<InvokeChannel>;
        const call = async (): Promise<unknown> => handler(parsed.data as never, context);
        let value: unknown;
        if (busyRetry && retryWhen) {
          try {
            value = await retryCallWhileBusy(call, { ...busyRetry, busy: retryWhen });
          } catch (error) {
            throw retryWhen(error) ? stillBusy(name, error, busyRetry) : error;
          }
        } else value = await call();
        if (options.checkOutputs) {
          const checked = spec.output.safeParse(value);
          if (!checked.success) {
            options.log?.(
              `output of ${name} does not match the contract: ${JSON.stringify(zodIssues(checked.error))}`,
            );
            return {
              ok: false,
              error: {
                code: 'internal',
                message: `The answer to ${name} was malformed.`,
                retryable: false,
              },
            };
          }
        }
        return { ok: true, value };
      } catch (error) {
        const serialized = serializeError(explainBusyDatabase(error));
        if (serialized.code === 'internal')
          options.log?.(
            `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
        return { ok: false, error: serialized };
      }
    },
  };
}
