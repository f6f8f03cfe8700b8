// @vitest-environment happy-dom
/**
 * Benchmarks → Import run bundle in browser mode: while the file uploads, the button says how
 * much was sent and a bar shows it; once all is sent it says "Importing…", then, as the server
 * checks each video (`bench:import-progress` for this import's id), "Checking videos k of N"
 * over a bar; then the result's toast, and the button is back. The desktop import (main reads
 * the picked file) shows the same.
 */
import { act, cleanup, createEvent, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImportBundleButton, importLabel } from '../../src/renderer/src/bench/import-bundle-button';
import { setClient } from '../../src/renderer/src/ipc';
import {
  createClient,
  type Transport,
  type UploadProgress,
} from '../../src/renderer/src/ipc/client';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';

type Listener = (payload: unknown) => void;

describe('importing a run bundle in browser mode', () => {
  let progress: UploadProgress | undefined;
  let answer!: (value: unknown) => void;
  let importId: string | undefined;
  let listeners: Map<string, Set<Listener>>;
  const emit = (event: string, payload: unknown): void => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };

  beforeEach(() => {
    resetAppStore();
    listeners = new Map();
    importId = undefined;
    const transport: Transport = {
      kind: 'browser',
      invoke: vi.fn(async (channel: string) => {
        if (channel === 'bench:list-runs') return { ok: true as const, value: [] };
        throw new Error(`unexpected ${channel}`);
      }),
      on: (event, listener) => {
        const set = listeners.get(event) ?? new Set();
        listeners.set(event, set);
        set.add(listener);
        return () => set.delete(listener);
      },
      mediaUrl: (id) => id,
      uploadRunBundle: (_file, onProgress, id) => {
        progress = onProgress;
        importId = id;
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
    // A real `change` event, as the browser sends when a file is picked: the library's
    // fireEvent.change sends `input` instead on preact/compat (right for text fields, which
    // compat listens to with oninput; a file input keeps onchange).
    fireEvent(input, createEvent.change(input, { target: { files: [file] } }));
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

    // The server checks the videos: its events for this import move the button and a bar;
    // another import's events (another window) do not.
    expect(importId).toMatch(/^[A-Za-z0-9-]{1,64}$/);
    act(() => emit('bench:import-progress', { importId, checked: 0, total: 40 }));
    expect(screen.getByText('Checking videos 0 of 40')).toBeTruthy();
    act(() => emit('bench:import-progress', { importId, checked: 12, total: 40 }));
    expect(screen.getByText('Checking videos 12 of 40')).toBeTruthy();
    const check = screen.getByTestId('import-bundle-check-progress') as HTMLProgressElement;
    expect(check.getAttribute('max')).toBe('40');
    expect(check.getAttribute('value')).toBe('12');
    expect(check.getAttribute('aria-label')).toBe('Videos of the run bundle checked');
    act(() => emit('bench:import-progress', { importId: 'someone-else', checked: 3, total: 5 }));
    expect(screen.getByText('Checking videos 12 of 40')).toBeTruthy();

    await act(async () => {
      answer({
        ok: true,
        value: { runId: 'run-1', imported: true, generations: 6, mediaVerified: 4 },
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(screen.getByText('Import run bundle')).toBeTruthy();
    expect(screen.queryByTestId('import-bundle-check-progress')).toBeNull();
    expect(useAppStore.getState().toasts.map((toast) => toast.title)).toEqual(['Run imported']);
    // A late event of the finished import changes nothing.
    act(() => emit('bench:import-progress', { importId, checked: 40, total: 40 }));
    expect(screen.getByText('Import run bundle')).toBeTruthy();
  });
});

describe('importLabel', () => {
  it('says what the import is doing; checking videos means the upload is complete', () => {
    expect(importLabel({ sent: 10, total: 40 }, null)).toBe('Uploading 25 %…');
    expect(importLabel({ sent: 40, total: 40 }, null)).toBe('Importing…');
    // The browser's last upload progress may never come: main's check says it all arrived.
    expect(importLabel({ sent: 10, total: 40 }, { checked: 2, total: 9 })).toBe(
      'Checking videos 2 of 9',
    );
    expect(importLabel(null, { checked: 0, total: 0 })).toBe('Importing…');
  });
});

describe('importing a run bundle in the desktop app', () => {
  it('asks main to pick and import with an import id, and shows the videos it checks', async () => {
    resetAppStore();
    const listeners = new Set<Listener>();
    let answer!: (value: unknown) => void;
    const inputs: unknown[] = [];
    const transport: Transport = {
      kind: 'electron',
      invoke: vi.fn(async (channel: string, input: unknown) => {
        if (channel === 'bench:list-runs') return { ok: true as const, value: [] };
        if (channel === 'bench:import-bundle-picked') {
          inputs.push(input);
          return new Promise((resolve) => (answer = resolve as (value: unknown) => void));
        }
        throw new Error(`unexpected ${channel}`);
      }) as Transport['invoke'],
      on: (event, listener) => {
        if (event === 'bench:import-progress') listeners.add(listener);
        return () => listeners.delete(listener);
      },
      mediaUrl: (id) => id,
    };
    setClient(createClient(transport));
    render(<ImportBundleButton />);
    fireEvent.click(screen.getByTestId('import-bundle-pick'));
    expect(screen.getByText('Importing…')).toBeTruthy();
    const importId = (inputs[0] as { importId?: string }).importId;
    expect(importId).toMatch(/^[A-Za-z0-9-]{1,64}$/);
    act(() => {
      for (const listener of listeners) listener({ importId, checked: 3, total: 7 });
    });
    expect(screen.getByTestId('import-bundle-pick').textContent).toBe('Checking videos 3 of 7');
    expect(screen.getByTestId('import-bundle-check-progress').getAttribute('value')).toBe('3');
    await act(async () => {
      answer({
        ok: true,
        value: {
          cancelled: false,
          result: { runId: 'run-1', imported: true, generations: 7, mediaVerified: 7 },
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(screen.getByTestId('import-bundle-pick').textContent).toBe('Import run bundle');
    expect(screen.queryByTestId('import-bundle-check-progress')).toBeNull();
    cleanup();
    setClient(null);
  });
});
