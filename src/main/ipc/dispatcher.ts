/**
 * Binds the contract to handlers. Every input is parsed with the channel's schema before the
 * handler runs; every answer is a Result. The Electron wiring and browser mode both call
 * `dispatch`, so the two transports cannot drift apart.
 */
import type { z } from 'zod';
import { serializeError, ValidationError } from '../../shared/errors';
import { explainBusyDatabase } from '../store/busy-retry';
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

export function createDispatcher(
  handlers: HandlerMap,
  options: { checkOutputs?: boolean; log?: (line: string) => void } = {},
): Dispatcher {
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
      try {
        const handler = handlers[name] as Handler<InvokeChannel>;
        const value = await handler(parsed.data as never, context);
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
