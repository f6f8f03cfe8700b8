// @vitest-environment happy-dom
/**
 * Benchmarks → Import run bundle in browser mode: while the file uploads, the button says how
 * much was sent and a bar shows it; once all is sent it says "Importing…" (the server checks
 * every video); then the result's toast, and the button is back.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImportBundleButton } from '../../src/renderer/src/bench/import-bundle-button';
import { setClient } from '../../src/renderer/src/ipc';
import {
  createClient,
  type Transport,
  type UploadProgress,
} from '../../src/renderer/src/ipc/client';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';

describe('importing a run bundle in browser mode', () => {
  let progress: UploadProgress | undefined;
  let answer!: (value: unknown) => void;

  beforeEach(() => {
    resetAppStore();
    const transport: Transport = {
      kind: 'browser',
      invoke: vi.fn(async (channel: string) => {
        if (channel === 'bench:list-runs') return { ok: true as const, value: [] };
        throw new Error(`unexpected ${channel}`);
      }),
      on: () => () => undefined,
      mediaUrl: (id) => id,
      uploadRunBundle: (_file, onProgress) => {
        progress = onProgress;
        return new Promise((resolve) => (answer = resolve as (value: unknown) => void));
      },
    };
    setClient(createClient(transport));
  });
  afterEach(() => {
    cleanup();
    setClient(null);
  });

  it('shows the bytes sent, then "Importing…", then the result', async () => {
    render(<ImportBundleButton />);
    const input = screen.getByTestId('import-bundle-input');
    const file = new File([new Uint8Array(4000)], 'run.tar');
    fireEvent.change(input, { target: { files: [file] } });
    expect(screen.getByText('Uploading 0 %…')).toBeTruthy();

    act(() => progress?.(1000, 4000));
    expect(screen.getByText('Uploading 25 %…')).toBeTruthy();
    const bar = screen.getByTestId('import-bundle-progress') as HTMLProgressElement;
    expect(bar.getAttribute('max')).toBe('4000');
    expect(bar.getAttribute('value')).toBe('1000');
    expect(bar.getAttribute('aria-label')).toBe('Run bundle sent to the console');

    act(() => progress?.(4000, 4000));
    expect(screen.getByText('Importing…')).toBeTruthy();
    expect(screen.queryByTestId('import-bundle-progress')).toBeNull();

    await act(async () => {
      answer({
        ok: true,
        value: { runId: 'run-1', imported: true, generations: 6, mediaVerified: 4 },
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(screen.getByText('Import run bundle')).toBeTruthy();
    expect(useAppStore.getState().toasts.map((toast) => toast.title)).toEqual(['Run imported']);
  });
});
