/** Suite IPC calls: read one with its versions, save a new version, import and export files. */
import type { SuiteDefinition, SuiteSummary } from '../../../shared/domain';
import type { ChannelOutput } from '../../../shared/ipc/contract';
import { ClientError, describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { downloadText } from '../lib/download';
import { loadSuites } from './actions';
import { splitValidationMessage } from './review-actions';

export type LoadedSuite = ChannelOutput<'suites:get'>;

export async function fetchSuite(suiteId: string, version?: number): Promise<LoadedSuite> {
  return getClient().invoke(
    'suites:get',
    version === undefined ? { suiteId } : { suiteId, version },
  );
}

export type SaveOutcome =
  | { kind: 'saved'; summary: SuiteSummary }
  | { kind: 'invalid'; issues: string[] }
  | { kind: 'failed'; message: string };

function failure(error: unknown): Exclude<SaveOutcome, { kind: 'saved' }> {
  if (error instanceof ClientError && error.code === 'validation') {
    return { kind: 'invalid', issues: splitValidationMessage(error.message) };
  }
  return { kind: 'failed', message: describeError(error) };
}

/** Saves a new version (a built-in suite is saved as the user's own copy). */
export async function saveSuite(
  suiteId: string | null,
  definition: SuiteDefinition,
): Promise<SaveOutcome> {
  try {
    const summary = await getClient().invoke(
      'suites:save',
      suiteId === null ? { definition } : { suiteId, definition },
    );
    await loadSuites();
    return { kind: 'saved', summary };
  } catch (error) {
    return failure(error);
  }
}

export async function importSuiteFile(fileName: string, text: string): Promise<SaveOutcome> {
  try {
    const summary = await getClient().invoke('suites:import', { fileName, text });
    await loadSuites();
    return { kind: 'saved', summary };
  } catch (error) {
    return failure(error);
  }
}

export async function exportSuite(
  suiteId: string,
  version: number | undefined,
  format: 'yaml' | 'json',
): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    const file = await getClient().invoke(
      'suites:export',
      version === undefined ? { suiteId, format } : { suiteId, version, format },
    );
    downloadText(file.fileName, file.mimeType, file.content);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}
