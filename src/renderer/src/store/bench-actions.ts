/** Benchmark IPC calls beyond the run list: cancel a model, scorecards, comparisons, exports. */
import type { ModelRef } from '../../../shared/providers/video-provider-spec';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { downloadText } from '../lib/download';
import { loadRun, notify, notifyError } from './actions';

export async function cancelModel(runId: string, model: ModelRef, name: string): Promise<void> {
  try {
    const { cancelled } = await getClient().invoke('bench:cancel-model', {
      runId,
      provider: model.provider,
      modelId: model.modelId,
    });
    notify(
      `${name} cancelled`,
      cancelled === 1
        ? '1 generation was stopped; the other models keep running.'
        : `${cancelled} generations were stopped; the other models keep running.`,
    );
    await loadRun(runId);
  } catch (error) {
    notifyError(`${name} could not be cancelled`, error);
  }
}

/** Downloads a run's scorecard (CSV) or everything about it (JSON). */
export async function exportRun(
  runId: string,
  format: 'csv' | 'json',
): Promise<{ ok: true; fileName: string } | { ok: false; message: string }> {
  try {
    const file = await getClient().invoke('bench:export-run', { runId, format });
    downloadText(file.fileName, file.mimeType, file.content);
    return { ok: true, fileName: file.fileName };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}
