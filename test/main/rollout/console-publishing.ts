/**
 * The console's PublishingService as the rollout tests build it: a real service on a real
 * SQLite file and the default directory store, whose scheduler the test drives by calling
 * tick() (its sleep ends only when the service stops), whose routing check only asks for
 * `tiers`, and whose saved draft the test holds. Also the set-up most of these tests start
 * from (one trusted key, a first version published to dev) and a store that can be made
 * unreachable.
 */
import {
  PublishingService,
  type PublishingServiceDeps,
} from '../../../src/main/rollout/publish/publishing-service';
import type { ConfigStore } from '../../../src/main/rollout/stores/config-store';
import { AppError } from '../../../src/shared/errors';
import { sampleConfig, T0 } from './fixtures';

/** The routing draft as the console keeps it (`source: 'example'` = never saved). */
export type SavedDraft = ReturnType<PublishingServiceDeps['draft']>;

/** The draft the service reads; consoles on one data folder share one holder. */
export interface DraftHolder {
  current: SavedDraft;
}

/** A holder with the draft of a console where nothing was saved yet. */
export function unsavedDraft(): DraftHolder {
  return { current: { config: {}, revision: 0, source: 'example', updatedAt: null } };
}

/** A sleep that never ends on its own: it rejects when the service's stop() aborts it. */
export function sleepUntilAborted(_ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((_resolve, reject) =>
    signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
  );
}

/**
 * A console's publishing service. `db`, `dataDir`, `now` and `draft` are the test's; the rest
 * default to alice acting, the tiers-only check, no events and the real store, and any of them
 * can be given.
 */
export function consolePublishing(
  deps: Pick<PublishingServiceDeps, 'db' | 'dataDir' | 'now'> & {
    draft: DraftHolder;
  } & Partial<Omit<PublishingServiceDeps, 'draft'>>,
): PublishingService {
  const { draft, ...rest } = deps;
  return new PublishingService({
    sleep: sleepUntilAborted,
    actor: 'alice',
    validateConfig: (config) =>
      typeof config.tiers === 'object' ? [] : [{ path: 'tiers', message: 'required' }],
    emit: () => undefined,
    ...rest,
    draft: () => draft.current,
  });
}

/**
 * The state the console tests start from: a key ("alice laptop", under `passphrase`) trusted
 * alone with threshold 1 everywhere, and sampleConfig() saved as the draft and published to
 * dev as version 1.
 */
export async function publishFirstVersion(
  service: PublishingService,
  draft: DraftHolder,
  passphrase: string,
): Promise<void> {
  const kid = (await service.generateKey('alice laptop', passphrase)).unlocked[0] as string;
  await service.initTrust([kid], { dev: 1, staging: 1, production: 1, trust: 1 });
  draft.current = { config: sampleConfig(), revision: 1, source: 'draft', updatedAt: T0 };
  await service.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
}

/** What a store that cannot be reached throws: retryable, as the real stores' errors are. */
export function unreachableStore(): AppError {
  return new AppError('provider_unavailable', 'the store could not be reached', {
    retryable: true,
  });
}

/**
 * `store` whose reads (get, list) throw unreachableStore() while `down()` says so. `commit`
 * is the store's own unless the test gives one (to fail or hold particular commits).
 */
export function storeWithOutages(
  store: ConfigStore,
  down: () => boolean,
  commit: ConfigStore['commit'] = (writes) => store.commit(writes),
): ConfigStore {
  const check = () => {
    if (down()) throw unreachableStore();
  };
  return {
    uri: store.uri,
    get: async (key) => (check(), store.get(key)),
    list: async (prefix) => (check(), store.list(prefix)),
    commit,
    close: () => store.close(),
  };
}

/**
 * Runs one bake and notes how it ended on `outcomes` (its outcome, or `error: <message>`),
 * passing the result or the error on: what the tests read to know a bake has run.
 */
export function noteOutcome<Result extends { outcome: string }>(
  outcomes: string[],
  bake: () => Promise<Result>,
): Promise<Result> {
  return bake().then(
    (result) => {
      outcomes.push(result.outcome);
      return result;
    },
    (error: unknown) => {
      outcomes.push(`error: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    },
  );
}
