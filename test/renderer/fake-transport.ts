/**
 * A transport for renderer tests: each IPC call is answered by `answer` (a channel it does not
 * know should throw, so an unexpected call fails the test), and `emit` plays a main-process
 * event to the listeners the screen subscribed.
 */
import { vi } from 'vitest';
import { setClient } from '../../src/renderer/src/ipc';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import type { ControllerPanel } from '../../src/shared/rollout/controller-status';
import type { Result } from '../../src/shared/ipc/result';

export function fakeTransport(
  answer: (channel: string, input: unknown) => Result<unknown> | Promise<Result<unknown>>,
) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const invoke = vi.fn(async (channel: string, input: unknown) => answer(channel, input));
  const transport: Transport = {
    kind: 'browser',
    invoke,
    on: (name, listener) => {
      const set = listeners.get(name) ?? new Set();
      set.add(listener);
      listeners.set(name, set);
      return () => set.delete(listener);
    },
    mediaUrl: (id) => `/media/${id}`,
  };
  const emit = (name: string, payload: unknown): void => {
    for (const listener of listeners.get(name) ?? []) listener(payload);
  };
  return { transport, invoke, emit };
}

/** The console's client answers the controller panel's one call with `panel`. */
export function serveControllerPanel(panel: ControllerPanel): void {
  const { transport } = fakeTransport((channel) => {
    if (channel === 'publish:get-controller') return { ok: true, value: panel };
    throw new Error(`unexpected ${channel}`);
  });
  setClient(createClient(transport));
}
