/**
 * Benchmarks → "Import run bundle": a bundle from another console (aideon bench export RUN
 * --bundle FILE). Main checks every video's hash and stores all or nothing; importing the same
 * bundle twice changes nothing, and the run's votes are merged without duplicates.
 *
 * The bundle never crosses the IPC body (limited to 1 MB in browser mode): the desktop app asks
 * main to show the file dialog and import from the chosen path (`bench:import-bundle-picked`);
 * browser mode streams the file to the server's upload endpoint, showing how much of it was
 * sent (a bar and a percentage: bundles reach gigabytes). Then, in both, main checks every
 * video's hash and reports it (`bench:import-progress`, for this button's own import id): the
 * button says "Checking videos 12 of 40" over a bar, until the run is stored.
 */
import { useEffect, useId, useRef, useState, type ReactElement } from 'react';
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

/** A new name for one import, carried by its progress events. */
function newImportId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `import-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * The button's words while it works: uploading, then checking videos. Main checking videos means
 * the upload is complete, whatever the last upload progress said (a browser may not report the
 * last bytes before the answer).
 */
export function importLabel(
  sent: { sent: number; total: number } | null,
  checked: { checked: number; total: number } | null,
): string {
  if (checked !== null && checked.total > 0) {
    return `Checking videos ${checked.checked} of ${checked.total}`;
  }
  if (sent !== null && sent.total > 0 && sent.sent < sent.total) {
    return `Uploading ${Math.floor((sent.sent / sent.total) * 100)} %…`;
  }
  return 'Importing…';
}

export function ImportBundleButton(): ReactElement {
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [busy, setBusy] = useState(false);
  /** Bytes of the bundle sent so far (browser mode), while it uploads. */
  const [sent, setSent] = useState<{ sent: number; total: number } | null>(null);
  /** Videos of the bundle main has checked so far, for the import under way. */
  const [checked, setChecked] = useState<{ checked: number; total: number } | null>(null);
  /** The import under way: only its progress events count. */
  const importId = useRef<string | null>(null);
  const client = getClient();

  useEffect(
    () =>
      client.on('bench:import-progress', (event) => {
        if (event.importId !== importId.current) return;
        setChecked({ checked: event.checked, total: event.total });
      }),
    [client],
  );

  const start = (): string => {
    const id = newImportId();
    importId.current = id;
    setBusy(true);
    setChecked(null);
    return id;
  };
  const end = (): void => {
    importId.current = null;
    setBusy(false);
    setChecked(null);
  };

  const finish = async (result: ImportResult): Promise<void> => {
    await loadRuns();
    const { title, body } = describeImport(result);
    notify(title, body, 'success');
  };

  const onFile = async (file: File): Promise<void> => {
    const id = start();
    setSent({ sent: 0, total: file.size });
    try {
      await finish(
        await getClient().uploadRunBundle(
          file,
          (done, total) => setSent({ sent: done, total }),
          id,
        ),
      );
    } catch (error) {
      notifyError('The bundle was not imported', error);
    } finally {
      end();
      setSent(null);
      if (inputRef.current) inputRef.current.value = '';
    }
  };

  const onPick = async (): Promise<void> => {
    const id = start();
    try {
      const answer = await getClient().invoke('bench:import-bundle-picked', { importId: id });
      if (!answer.cancelled && answer.result) await finish(answer.result);
    } catch (error) {
      notifyError('The bundle was not imported', error);
    } finally {
      end();
    }
  };

  const checking = busy && checked !== null && checked.total > 0;
  const uploading = !checking && sent !== null && sent.total > 0 && sent.sent < sent.total;
  const label = busy ? importLabel(sent, checked) : 'Import run bundle';
  const checkBar = checking ? (
    <progress
      className="upload-progress"
      max={checked.total}
      value={checked.checked}
      aria-label="Videos of the run bundle checked"
      data-testid="import-bundle-check-progress"
    />
  ) : null;

  if (!client.canUpload) {
    return (
      <>
        <button
          type="button"
          className="button button-secondary"
          disabled={busy}
          aria-live="polite"
          data-testid="import-bundle-pick"
          onClick={() => void onPick()}
        >
          {label}
        </button>
        {checkBar}
      </>
    );
  }
  return (
    <>
      <label
        htmlFor={inputId}
        className="button button-secondary"
        aria-disabled={busy}
        aria-live="polite"
        data-testid="import-bundle-label"
      >
        {label}
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
      {checkBar}
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
