/** Review IPC calls that touch the store: ratings (computed off-thread in main), import, export. */
import type { ImportVotesResult } from '../../../shared/review/review-schemas';
import { ClientError, describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { useAppStore } from './store';

let ratingsRequest = 0;

export async function loadRatings(): Promise<void> {
  const request = ++ratingsRequest;
  useAppStore.setState({ ratingsStatus: { kind: 'loading' }, ratingsStale: false });
  try {
    const pool = useAppStore.getState().ratingsPool;
    const ratings = await getClient().invoke('review:get-ratings', pool ? { pool } : {});
    if (request !== ratingsRequest) return;
    useAppStore.setState({ ratings, ratingsStatus: { kind: 'loaded' } });
    useAppStore.getState().rememberCategories(Object.keys(ratings.byCategory));
  } catch (error) {
    if (request !== ratingsRequest) return;
    useAppStore.setState({ ratingsStatus: { kind: 'error', message: describeError(error) } });
  }
}

export type ImportOutcome =
  | { kind: 'imported'; result: ImportVotesResult }
  | { kind: 'invalid'; issues: string[] }
  | { kind: 'failed'; message: string };

/** "Invalid votes CSV: line 3 verdict: …; line 4 …" → one entry per problem. */
export function splitValidationMessage(message: string): string[] {
  const body = message.replace(/^Invalid [^:]*:\s*/, '');
  return body
    .split(/;\s+/)
    .map((issue) => issue.trim())
    .filter(Boolean);
}

export async function importVotes(csv: string): Promise<ImportOutcome> {
  try {
    const result = await getClient().invoke('review:import-votes', { csv });
    if (result.imported > 0) useAppStore.getState().markRatingsStale();
    return { kind: 'imported', result };
  } catch (error) {
    if (error instanceof ClientError && error.code === 'validation') {
      return { kind: 'invalid', issues: splitValidationMessage(error.message) };
    }
    return { kind: 'failed', message: describeError(error) };
  }
}

/** Downloads every vote as CSV through a Blob URL (the CSP allows blob:). */
export async function exportVotes(
  now = new Date(),
): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    const { csv } = await getClient().invoke('review:export-votes', {});
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `aideon-votes-${now.toISOString().slice(0, 10)}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}
