// @vitest-environment happy-dom
/**
 * The controller panel names every controller record that could not be read (key and what is
 * wrong), beside the readable ones, instead of leaving them out silently.
 */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { setClient } from '../../src/renderer/src/ipc';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { ControllerPanel } from '../../src/renderer/src/rollout/controller-panel';
import type { ControllerPanel as Panel } from '../../src/shared/rollout/controller-status';

const unreadable = [
  'controller record unreadable: controller/status/ctl-2: not valid JSON (Unterminated string in JSON at position 54)',
];

function serve(panel: Panel): void {
  const transport: Transport = {
    kind: 'electron',
    invoke: async (channel: string) => {
      if (channel === 'publish:get-controller') return { ok: true as const, value: panel };
      throw new Error(`unexpected ${channel}`);
    },
    on: () => () => undefined,
    mediaUrl: (id) => id,
  };
  setClient(createClient(transport));
}

afterEach(() => {
  cleanup();
  setClient(null);
});

describe('controller panel: unreadable records', () => {
  it('lists them even when no readable controller is registered', async () => {
    serve({
      storeUri: 'dir:/srv/store',
      active: false,
      controllers: [],
      problem: null,
      unreadable,
      checkedAt: 1_000,
      leader: null,
      consoleStoodDown: false,
      environments: [],
    });
    render(<ControllerPanel />);
    const notice = await screen.findByTestId('controller-unreadable');
    expect(notice.textContent).toContain('A controller record in the store could not be read');
    expect(notice.textContent).toContain(unreadable[0]);
  });
});
