/**
 * Benchmarks → "Import run bundle": a bundle from another console (aideon bench export RUN
 * --bundle FILE). Main checks every video's hash and stores all or nothing; importing the same
 * bundle twice changes nothing.
 */
import { useId, useRef, useState, type ReactElement } from 'react';
import { getClient } from '../ipc';
import { loadRuns, notify, notifyError } from '../store/actions';

/** Base64 of a file's bytes, in slices (String.fromCharCode cannot take a whole video). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const slice = 0x8000;
  for (let k = 0; k < bytes.length; k += slice) {
    binary += String.fromCharCode(...bytes.subarray(k, k + slice));
  }
  return btoa(binary);
}

export function ImportBundleButton(): ReactElement {
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [busy, setBusy] = useState(false);

  const onFile = async (file: File): Promise<void> => {
    setBusy(true);
    try {
      const contentBase64 = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
      const result = await getClient().invoke('bench:import-bundle', {
        fileName: file.name,
        contentBase64,
      });
      await loadRuns();
      notify(
        result.imported ? 'Run imported' : 'Run already here',
        `${result.generations} generations; ${result.mediaVerified} videos verified${result.imported ? '' : '; nothing changed'}.`,
        'success',
      );
    } catch (error) {
      notifyError('The bundle was not imported', error);
    } finally {
      setBusy(false);
      if (inputRef.current) inputRef.current.value = '';
    }
  };

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
