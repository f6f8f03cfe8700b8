/**
 * Which calls the dispatcher makes again, by itself, when they meet another Aideon process's
 * write lock (store/busy-retry.ts retryCallWhileBusy), instead of answering the admin "busy,
 * try again". Every channel is listed (the type makes a new channel choose):
 *
 * - 'retry': a busy database means the call changed nothing that a second call would repeat
 *   harmfully. Its writes are one statement or one transaction (a busy one did not commit), or
 *   idempotent (a setting, a compare-and-swap on a revision, an import that skips what it
 *   has), and nothing before them costs money or leaves the console: no paid generation, no
 *   config store write, no dialog. Reads are listed too (harmless; WAL readers rarely meet it).
 * - 'when-nothing-sent': only the handler's own "nothing was sent" busy conflict is retried
 *   (an AppError 'conflict' whose cause is the busy error, thrown before anything was sent);
 *   any other busy error is answered at once. bench:start-run: its run, generations and lease
 *   are one transaction and the vendors are called only after it committed; a busy error
 *   after that commit must not start a second paid run.
 * - 'never': answered at once (explainBusyDatabase). The call may have done something
 *   irreversible before its write: published to the config store (etcd or a folder), paused or
 *   rolled back production, started a paid smoke generation, opened a dialog, made a key.
 */
import type { InvokeChannel } from '../../shared/ipc/contract';

export type BusyRetryPolicy = 'retry' | 'when-nothing-sent' | 'never';

export const BUSY_RETRY_CHANNELS: Readonly<Record<InvokeChannel, BusyRetryPolicy>> = {
  'app:get-info': 'retry',
  'app:bootstrap': 'retry',
  'models:list': 'retry',
  'models:set-price': 'retry',
  'models:clear-price': 'retry',
  'models:price-history': 'retry',
  'suites:list': 'retry',
  'suites:get': 'retry',
  'suites:save': 'retry',
  'suites:import': 'retry',
  'suites:export': 'retry',
  'providers:list': 'retry',
  // The model list: a free, authenticated read.
  'providers:test-connection': 'retry',
  // The keychain entry is overwritten or removed: the same either way.
  'keys:set': 'retry',
  'keys:remove': 'retry',
  'bench:plan-run': 'retry',
  'bench:start-run': 'when-nothing-sent',
  'review:next-pair': 'retry',
  // One insert; a busy one keeps the pair open for the same vote.
  'review:cast-vote': 'retry',
  'review:get-ratings': 'retry',
  'review:get-session': 'retry',
  'review:import-votes': 'retry',
  'review:export-votes': 'retry',
  'review:get-chart-data': 'retry',
  'review:list-library': 'retry',
  'routing:get-draft': 'retry',
  // Compare-and-swap on the draft's revision: a busy save left the revision as it was.
  'routing:save-draft': 'retry',
  'routing:check': 'retry',
  'routing:simulate': 'retry',
  'routing:preview-flags': 'retry',
  'routing:recommend': 'retry',
  'routing:apply-proposals': 'retry',
  'watch:get-settings': 'retry',
  'watch:save-settings': 'retry',
  // May pause or roll back production before its record is written.
  'watch:check-now': 'never',
  'watch:get-series': 'retry',
  'watch:get-stability': 'retry',
  'watch:get-budgets': 'retry',
  'publish:get-overview': 'retry',
  'publish:get-published': 'retry',
  'publish:get-controller': 'retry',
  'publish:set-store': 'retry',
  'publish:plan': 'retry',
  // These write the config store (etcd or a folder) before the history in SQLite.
  'publish:publish-draft': 'never',
  'publish:promote': 'never',
  'publish:rollback': 'never',
  'publish:cosign': 'never',
  'publish:kill-switch': 'never',
  'publish:start-rollout': 'never',
  'publish:rollout-action': 'never',
  'publish:list-history': 'retry',
  'publish:check-chain': 'retry',
  'publish:export-history': 'retry',
  // A second call would make a second key.
  'publish:generate-key': 'never',
  'publish:unlock-keys': 'retry',
  'publish:lock-keys': 'retry',
  // The trust file is written beside the store.
  'publish:init-trust': 'never',
  'publish:plan-trust': 'retry',
  'publish:rotate-trust': 'never',
  'publish:export-public-key': 'retry',
  'publish:import-public-key': 'never',
  'publish:remove-public-key': 'never',
  'publish:list-versions': 'retry',
  'bench:list-runs': 'retry',
  'bench:get-run': 'retry',
  'bench:get-scorecard': 'retry',
  'bench:compare-runs': 'retry',
  'bench:compare-runs-detail': 'retry',
  'bench:export-run': 'retry',
  // One transaction; a bundle already imported is recognised and not added twice.
  'bench:import-bundle': 'retry',
  // The file dialog would open again.
  'bench:import-bundle-picked': 'never',
  // The cancelled state is written first; a vendor's cancel is free and idempotent.
  'bench:cancel-run': 'retry',
  'bench:cancel-model': 'retry',
  'bench:cancel-generation': 'retry',
  'monitor:get-status': 'retry',
  // A check may start a paid smoke generation for a new model.
  'monitor:check-now': 'never',
  'monitor:simulate-release': 'retry',
  'monitor:list-inbox': 'retry',
  'monitor:mark-read': 'retry',
  'monitor:get-board': 'retry',
  // Compare-and-swap on the card's stage.
  'monitor:advance-card': 'retry',
  'monitor:update-settings': 'retry',
};
