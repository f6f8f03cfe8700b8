/**
 * The submit half of a dialog: `run(work)` marks it busy, clears the last error, and shows what
 * went wrong if `work` throws (the dialog stays open so the admin can fix it and retry).
 */
import { useCallback, useState } from 'react';
import { describeError } from '../ipc/client';

export interface Action {
  busy: boolean;
  error: string | null;
  setError: (error: string | null) => void;
  run: (work: () => Promise<void>) => Promise<void>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
