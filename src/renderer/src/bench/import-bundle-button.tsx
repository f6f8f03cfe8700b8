/**
 * Benchmarks → "Import run bundle": a bundle from another console (aideon bench export RUN
 * --bundle FILE). Main checks every video's hash and stores all or nothing; importing the same
 * bundle twice changes nothing, and the run's votes are merged without duplicates.
 *
 * The bundle never crosses the IPC body (limited to 1 MB in browser mode): the desktop app asks
 * main to show the file dialog and import from the chosen path (`bench:import-bundle-picked`);
 * browser mode streams the file to the server's upload endpoint.
 */
import { useId, useRef, useState, type ReactElement } from 'react';
import type { ChannelOutput } from '../../../shared/ipc/contract';
import { getClient } from '../ipc';
import { loadRuns, notify, notifyError } from '../store/actions';

type ImportResult = ChannelOutput<'bench:import-bundle'>;

/** The toast after an import. */
export function describeImport(result: ImportResult): { title: string; body: string } {
  const votes =
    result.votes === undefined || result.votes === 0
      ? ''
      : `; ${result.votesAdded ?? 0} of ${result.votes} votes new here`;
  return {
    title: result.imported ? 'Run imported' : 'Run already here',
    body: `${result.generations} generations; ${result.mediaVerified} videos verified${votes}${result.imported ? '' : '; the run itself was left as it is'}.`,
  };
}

export function ImportBundleButton(): ReactElement {
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [busy, setBusy] = useState(false);
  const client = getClient();

  const finish = async (result: ImportResult): Promise<void> => {
    await loadRuns();
    const { title, body } = describeImport(result);
    notify(title, body, 'success');
  };

  const onFile = async (file: File): Promise<void> => {
    setBusy(true);
    try {
      await finish(await getClient().uploadRunBundle(file));
    } catch (error) {
      notifyError('The bundle was not imported', error);
    } finally {
      setBusy(false);
      if (inputRef.current) inputRef.current.value = '';
    }
  };

  const onPick = async (): Promise<void> => {
    setBusy(true);
    try {
      const answer = await getClient().invoke('bench:import-bundle-picked', {});
      if (!answer.cancelled && answer.result) await finish(answer.result);
    } catch (error) {
      notifyError('The bundle was not imported', error);
    } finally {
      setBusy(false);
    }
  };

  if (!client.canUpload) {
    return (
      <button
        type="button"
        className="button button-secondary"
        disabled={busy}
        data-testid="import-bundle-pick"
        onClick={() => void onPick()}
      >
        {busy ? 'Importing…' : 'Import run bundle'}
      </button>
    );
  }
  return (
    <>
      <label htmlFor={inputId} className="button button-secondary" aria-disabled={busy}>
        {busy ? 'Importing…' : 'Import run bundle'}
      </label>
      <input
        id={inputId}
        ref={inputRef}
        type="file"
        accept=".tar,.aideon-run,application/x-tar"
        className="visually-hidden"
        data-testid="import-bundle-input"
        disabled={busy}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) void onFile(file);
        }}
      />
    </>
  );
}
