/**
 * How the console and `aideon config store show` word the changes to a config store whose
 * outcome is unknown (the store's answer was lost and it could not be read back), kept in the
 * data folder until a read of their environment settles them (main: unconfirmed-commits.ts).
 */
import { formatDateTime, plural } from '../format';
import type { PublishOverview } from './publish-ipc-schemas';

export type UnconfirmedGroupView = NonNullable<PublishOverview['unconfirmed']>[number];

/**
 * "2 changes to dev whose outcome is unknown (since 3 Dec 2026, 09:52): …" with what happens to
 * them: checked at the next read when the store is this console's; otherwise nothing here
 * checks them, what does, and when they are dropped.
 */
export function unconfirmedText(group: UnconfirmedGroupView): string {
  const what = `${plural(group.count, 'change')} to ${group.environment}${group.currentStore ? '' : ` of ${group.storeUri}`} whose outcome is unknown (since ${formatDateTime(group.since)}): the store's answer was lost and it could not be read back.`;
  if (group.currentStore)
    return `${what} ${group.count === 1 ? 'It is' : 'They are'} checked at the next read of ${group.environment}, and entered in the history if ${group.count === 1 ? 'it' : 'they'} went in.`;
  return `${what} This data folder no longer publishes to that store, so nothing here checks ${group.count === 1 ? 'it' : 'them'}: \`aideon config history --store ${group.storeUri} --env ${group.environment}\` does. Dropped ${plural(group.dropAfterDays, 'day')} after ${group.count === 1 ? 'it was' : 'they were'} kept.`;
}
