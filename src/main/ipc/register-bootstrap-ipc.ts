import type { ChannelOutput, InvokeChannel } from '../../shared/ipc/contract';
import type { CallContext, Handler, PartialHandlerMap } from './dispatcher';

/** The channels app:bootstrap reads for the admin's first screen, each through its own handler. */
const START_CHANNELS = [
  'app:get-info',
  'models:list',
  'suites:list',
  'bench:list-runs',
  'providers:list',
] as const;

/**
 * app:bootstrap: the window's session and first screen in one round trip, built from the same
 * handlers the single channels use (so the answers cannot drift apart). A reviewer gets the
 * session only.
 */
export function registerBootstrapIpc(handlers: PartialHandlerMap): PartialHandlerMap {
  const call = async <C extends InvokeChannel>(
    channel: C,
    context: CallContext,
  ): Promise<ChannelOutput<C>> => {
    const handler = handlers[channel] as Handler<C> | undefined;
    if (!handler) throw new Error(`app:bootstrap needs a handler for ${channel}`);
    return handler({} as never, context);
  };
  return {
    'app:bootstrap': async (_input, context) => {
      const session = await call('review:get-session', context);
      if (session.role === 'reviewer' || context.reviewer !== undefined) {
        return { session, start: null };
      }
      const [appInfo, models, suites, runs, providers] = await Promise.all([
        call(START_CHANNELS[0], context),
        call(START_CHANNELS[1], context),
        call(START_CHANNELS[2], context),
        call(START_CHANNELS[3], context),
        call(START_CHANNELS[4], context),
      ]);
      return { session, start: { appInfo, models, suites, runs, providers } };
    },
  };
}
