/**
 * Handlers for the `publish:*` channels (src/shared/rollout/publish-ipc-schemas.ts). Inputs are
 * parsed by the dispatcher before these run; the passphrase goes straight into the service and
 * is never part of an answer.
 */
import type { z } from 'zod';
import type { publishInvokeChannels } from '../../../shared/rollout/publish-ipc-schemas';
import type { PublishingService } from './publishing-service';

type Channels = typeof publishInvokeChannels;
export type PublishHandlers = {
  [C in keyof Channels]: (
    input: z.output<Channels[C]['input']>,
  ) => z.output<Channels[C]['output']> | Promise<z.output<Channels[C]['output']>>;
};

export function registerPublishIpc(publishing: PublishingService): PublishHandlers {
  return {
    'publish:get-overview': () => publishing.overview(),
    'publish:get-published': () => publishing.publishedConfigs(),
    'publish:get-controller': () => publishing.controllerPanel(),
    'publish:set-store': ({ storeUri }) => publishing.setStore(storeUri),
    'publish:plan': (input) => publishing.plan(input),
    'publish:publish-draft': (input) => publishing.publishDraft(input),
    'publish:promote': (input) => publishing.promote(input),
    'publish:rollback': ({ environment, toVersion, expectFromVersion }) =>
      publishing.rollback({
        environment,
        expectFromVersion,
        ...(toVersion === undefined ? {} : { toVersion }),
      }),
    'publish:cosign': (input) => publishing.cosign(input),
    'publish:kill-switch': ({ flagKey, offVariant }) =>
      publishing.killSwitch({ flagKey, ...(offVariant === undefined ? {} : { offVariant }) }),
    'publish:start-rollout': (input) => publishing.startRollout(input),
    'publish:rollout-action': (input) => publishing.rolloutAction(input),
    'publish:list-history': ({ environment, limit }) =>
      publishing.syncedHistory({
        ...(environment === undefined ? {} : { environment }),
        ...(limit === undefined ? {} : { limit }),
      }),
    'publish:check-chain': () => publishing.verifyHistory(),
    'publish:export-history': () => publishing.exportHistory(),
    'publish:generate-key': ({ name, passphrase }) => publishing.generateKey(name, passphrase),
    'publish:unlock-keys': ({ passphrase, kids }) =>
      publishing.unlockKeys({
        ...(passphrase === undefined ? {} : { passphrase }),
        ...(kids === undefined ? {} : { kids }),
      }),
    'publish:lock-keys': () => publishing.lockKeys(),
    'publish:init-trust': ({ kids, thresholds }) => publishing.initTrust(kids, thresholds),
    'publish:plan-trust': ({ kids, thresholds }) => publishing.planTrust({ kids, thresholds }),
    'publish:rotate-trust': (input) => publishing.rotateTrust(input),
    'publish:export-public-key': ({ kid }) => publishing.exportPublicKey(kid),
    'publish:import-public-key': ({ text }) => publishing.importPublicKey(text),
    'publish:remove-public-key': ({ kid }) => publishing.removePublicKey(kid),
    'publish:list-versions': ({ environment, limit }) =>
      publishing.listVersions(environment, limit),
  };
}
