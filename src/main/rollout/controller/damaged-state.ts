/**
 * What the watch does while a rollout state in the config store cannot be read (cut short,
 * edited by hand: the state is not signed), shared by the headless controller and the console's
 * own bake loop so both guard the same step and tell the admin the same thing.
 *
 * The live config is still signed and readable, so its step stays guarded: a step of an intact
 * rollout (the usual rule, `watchedStep`), else the live version when it is a step of the damaged
 * rollout (told by the signed bundles, `Publisher.rolloutFromVersion`), judged from when that
 * version was issued. No step is advanced on a damaged state. A failed check rolls back to the
 * content before the rollout where auto-rollback is on and the check judged the step; otherwise
 * the step is held live and the alert names the command that rolls it back.
 */
import { redactStoreUri } from '../../../consumer/store-reader';
import type { Environment } from '../../../shared/rollout/environments';
import type { RolloutState } from '../../../shared/rollout/flag-rollout';
import type { WatchSettings } from '../../../shared/watch/watch-settings';
import type { RolloutStep, WatchReport } from '../../../shared/watch/watch-types';
import type { DamagedRollout, LiveState, Publisher } from '../publish/publisher';
import { watchedStep } from './watched-step';

export interface DamagedRead {
  states: RolloutState[];
  damaged: DamagedRollout[];
}

/** The step guarded while a rollout state is damaged, and the version before its rollout. */
export interface DamagedGuard {
  step: RolloutStep;
  /** The content live before the rollout (undefined: the signed bundles do not tell it). */
  fromVersion: number | undefined;
}

/** The damaged states' keys, for messages. */
export const damagedKeys = (read: Pick<DamagedRead, 'damaged'>): string =>
  read.damaged.map((damaged) => damaged.key).join(', ');

/**
 * The step to guard in `environment` while `read.damaged` is not empty (see the header);
 * undefined when no step of any rollout is live (nothing to guard).
 */
export async function guardedWhileDamaged(
  publisher: Pick<Publisher, 'rolloutFromVersion'>,
  environment: Environment,
  live: Pick<LiveState, 'version' | 'issuedAt'>,
  read: DamagedRead,
  settings: WatchSettings,
  now: () => number,
): Promise<DamagedGuard | undefined> {
  const intact = watchedStep(read.states, live, settings, environment);
  if (intact) {
    const from = read.states.find(
      (state) => state.flagKey === intact.flag && state.stepIndex >= 0,
    )?.fromVersion;
    return {
      step: intact,
      fromVersion: from !== undefined && from >= 1 && from < live.version ? from : undefined,
    };
  }
  for (const damaged of read.damaged) {
    const fromVersion = await publisher.rolloutFromVersion(
      environment,
      live.version,
      damaged.flagKey,
    );
    if (fromVersion === undefined) continue;
    const issued = Date.parse(live.issuedAt);
    return {
      step: {
        version: live.version,
        flag: damaged.flagKey,
        startedAt: Number.isFinite(issued) ? issued : now(),
      },
      fromVersion,
    };
  }
  return undefined;
}

/** What to do about a damaged state, whatever the checks say. */
export const damagedMend = (keys: string): string =>
  `Then mend ${keys} (restore its value) or delete it, and start a new rollout.`;

/** The command that rolls the environment back to the content before the rollout. */
export function damagedRollBackNow(
  storeUri: string,
  environment: Environment,
  fromVersion: number | undefined,
): string {
  const store = redactStoreUri(storeUri);
  return fromVersion === undefined
    ? `aideon config rollback --store ${store} --env ${environment} --to-version <the version before the rollout> --yes (aideon config history --store ${store} names it)`
    : `aideon config rollback --store ${store} --env ${environment} --to-version ${fromVersion} --yes`;
}

/**
 * A failed check of the step guarded while a rollout state is damaged: whether it is rolled back
 * (auto-rollback on, the check judged the step, the version before the rollout is known), and
 * otherwise the sentence that says the step is held live, why, and what to run.
 */
export function damagedFailedCheck(input: {
  status: WatchReport['status'];
  autoRollback: boolean;
  environment: Environment;
  fromVersion: number | undefined;
  storeUri: string;
  keys: string;
}): { rollBack: boolean; rollBackNow: string; mend: string; held: string } {
  const rollBackNow = damagedRollBackNow(input.storeUri, input.environment, input.fromVersion);
  const mend = damagedMend(input.keys);
  const why =
    input.status === 'error'
      ? 'a metrics outage cannot judge the step, so it is not rolled back'
      : input.fromVersion === undefined
        ? 'the version before the rollout cannot be told from the signed bundles, so it is not rolled back'
        : `auto-rollback is off for ${input.environment}`;
  return {
    rollBack: input.status !== 'error' && input.autoRollback && input.fromVersion !== undefined,
    rollBackNow,
    mend,
    held: `The step is HELD LIVE: its rollout cannot be paused while its state cannot be read, and ${why}. To roll back now: ${rollBackNow}. ${mend}`,
  };
}
