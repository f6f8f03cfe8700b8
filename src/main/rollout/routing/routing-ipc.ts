/**
 * Handlers for the routing channels (src/shared/routing/routing-ipc-schemas.ts). Typed against
 * the routing schemas on their own, so they compile before the channels join the contract;
 * once they do, `...registerRoutingIpc(services.routing)` goes into createAppDispatcher.
 */
import type { z } from 'zod';
import type { routingInvokeChannels } from '../../../shared/routing/routing-ipc-schemas';
import type { RoutingService } from './routing-service';

type Channels = typeof routingInvokeChannels;
export type RoutingHandlers = {
  [C in keyof Channels]: (
    input: z.output<Channels[C]['input']>,
  ) => z.output<Channels[C]['output']> | Promise<z.output<Channels[C]['output']>>;
};

export function registerRoutingIpc(routing: RoutingService): RoutingHandlers {
  return {
    'routing:get-draft': () => routing.getDraft(),
    'routing:save-draft': ({ config, expectedRevision }) =>
      routing.saveDraft(config, expectedRevision),
    'routing:check': ({ config }) => routing.check(config),
    'routing:simulate': (input) =>
      routing.simulate({
        config: input.config,
        requests: input.requests,
        seed: input.seed,
        ...(input.baseline ? { baseline: input.baseline } : {}),
        ...(input.observed ? { observed: input.observed } : {}),
      }),
    'routing:preview-flags': (input) =>
      routing.previewFlags({
        config: input.config,
        sampleSize: input.sampleSize,
        ...(input.context ? { context: input.context } : {}),
      }),
    'routing:recommend': (input) => routing.recommend(input),
    'routing:apply-proposals': (input) => routing.applyProposals(input),
  };
}
