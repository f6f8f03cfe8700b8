import type { AideonPreloadApi } from '../env';
import type { Transport } from './client';

/** Electron mode: the preload's frozen `window.aideon`; media through the app's own protocol. */
export function createElectronTransport(api: AideonPreloadApi): Transport {
  const invoke = api.invoke as unknown as Record<
    string,
    ((input: unknown) => Promise<unknown>) | undefined
  >;
  const on = api.on as unknown as Record<
    string,
    ((listener: (payload: unknown) => void) => () => void) | undefined
  >;
  return {
    kind: 'electron',
    async invoke(channel, input) {
      const call = invoke[channel];
      if (!call) {
        return {
          ok: false,
          error: {
            code: 'internal',
            message: `This version of the app has no "${channel}" channel.`,
            retryable: false,
          },
        };
      }
      return (await call(input)) as never;
    },
    on(event, listener) {
      const subscribe = on[event];
      return subscribe ? subscribe(listener) : () => undefined;
    },
    mediaUrl: (mediaId, media) =>
      `aideon-media://media/${encodeURIComponent(mediaId)}${media?.poster ? '?view=poster' : media?.videoOnly ? '?tracks=video' : ''}`,
  };
}
