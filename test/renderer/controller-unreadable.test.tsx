// @vitest-environment happy-dom
/**
 * The controller panel names every controller record that could not be read (key and what is
 * wrong), beside the readable ones, instead of leaving them out silently.
 */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { setClient } from '../../src/renderer/src/ipc';
import { serveControllerPanel } from './fake-transport';
import { ControllerPanel } from '../../src/renderer/src/rollout/controller-panel';

const unreadable = [
  'controller record unreadable: controller/status/ctl-2: not valid JSON (Unterminated string in JSON at position 54)',
];

afterEach(() => {
  cleanup();
  setClient(null);
});

describe('controller panel: unreadable records', () => {
  it('lists them even when no readable controller is registered', async () => {
    serveControllerPanel({
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
