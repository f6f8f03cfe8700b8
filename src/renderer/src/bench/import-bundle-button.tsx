/**
 * Benchmarks → "Import run bundle": a bundle from another console (aideon bench export RUN
 * --bundle FILE). Main checks every video's hash and stores all or nothing; importing the same
 * bundle twice changes nothing, and the run's votes are merged without duplicates.
 *
 * The bundle never crosses the IPC body (limited to 1 MB in browser mode): the desktop app asks
 * main to show the file dialog and import from the chosen path (`bench:import-bundle-picked`);
 * browser mode streams the file to the server's upload endpoint, showing how much of it was
 * sent (a bar and a percentage: bundles reach gigabytes), then "Importing…" while the server
 * checks and stores it.
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
  /** Bytes of the bundle sent so far (browser mode), while it uploads. */
  const [sent, setSent] = useState<{ sent: number; total: number } | null>(null);
  const client = getClient();

  const finish = async (result: ImportResult): Promise<void> => {
    await loadRuns();
    const { title, body } = describeImport(result);
    notify(title, body, 'success');
  };

  const onFile = async (file: File): Promise<void> => {
    setBusy(true);
    setSent({ sent: 0, total: file.size });
    try {
      await finish(
        await getClient().uploadRunBundle(file, (done, total) => setSent({ sent: done, total })),
      );
    } catch (error) {
      notifyError('The bundle was not imported', error);
    } finally {
      setBusy(false);
      setSent(null);
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
  const uploading = sent !== null && sent.total > 0 && sent.sent < sent.total;
  const percent = sent && sent.total > 0 ? Math.floor((sent.sent / sent.total) * 100) : 0;
  return (
    <>
      <label htmlFor={inputId} className="button button-secondary" aria-disabled={busy}>
        {uploading ? `Uploading ${percent} %…` : busy ? 'Importing…' : 'Import run bundle'}
      </label>
      {uploading ? (
        <progress
          className="upload-progress"
          max={sent.total}
          value={sent.sent}
          aria-label="Run bundle sent to the console"
          data-testid="import-bundle-progress"
        />
      ) : null}
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
