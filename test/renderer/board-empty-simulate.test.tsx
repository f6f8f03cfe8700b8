// @vitest-environment happy-dom
/**
 * The onboarding board with no card says what to do next: where the sandbox's simulated
 * catalogue is monitored, its empty state offers "Simulate a release" (the sandbox lists one
 * more model, which becomes the first card), so an admin can try the board without keys. Without
 * a simulated catalogue there is nothing to offer and no button.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setClient } from '../../src/renderer/src/ipc';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { OnboardingBoard } from '../../src/renderer/src/monitor/onboarding-board';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';
import type { ProviderMonitorStatus } from '../../src/shared/monitor/monitor-schemas';

const provider = (
  id: ProviderMonitorStatus['provider'],
  catalogue: ProviderMonitorStatus['catalogue'],
): ProviderMonitorStatus => ({
  provider: id,
  available: true,
  lastCheckAt: null,
  lastStatus: null,
  lastError: null,
  lastGoodAt: null,
  consecutiveFailures: 0,
  modelCount: 3,
  nextCheckAt: null,
  checking: false,
  catalogue,
});

function withMonitor(providers: ProviderMonitorStatus[]): void {
  useAppStore.setState({
    board: [],
    boardStatus: { kind: 'loaded' },
    monitorStatus: {
      running: true,
      settings: { intervalMinutes: 15, autoSmoke: false, smokeBudgetUsd: 2 },
      unread: 0,
      providers,
    },
  });
}

describe('the empty onboarding board', () => {
  let channels: string[];
  beforeEach(() => {
    resetAppStore();
    channels = [];
    const invoke = vi.fn(async (channel: string) => {
      channels.push(channel);
      return {
        ok: false as const,
        error: {
          code: 'internal' as const,
          message: 'not answered in this test',
          retryable: false,
        },
      };
    });
    const transport: Transport = {
      kind: 'browser',
      invoke,
      on: () => () => undefined,
      mediaUrl: (id) => `/media/${id}`,
    };
    setClient(createClient(transport));
  });
  afterEach(() => {
    cleanup();
    setClient(null);
  });

  it('offers "Simulate a release" where the sandbox catalogue is simulated, and it asks main for one', async () => {
    withMonitor([provider('together', 'vendor'), provider('sandbox', 'simulated')]);
    render(<OnboardingBoard />);
    expect(screen.getByText('No models to onboard yet')).toBeTruthy();
    expect(screen.getByText(/without keys or spending/)).toBeTruthy();
    const button = screen.getByTestId('board-simulate-release');
    fireEvent.click(button);
    await waitFor(() => expect(channels).toContain('monitor:simulate-release'));
  });

  it('offers nothing to simulate when no catalogue is simulated', () => {
    withMonitor([provider('together', 'vendor'), provider('runway', 'built-in')]);
    render(<OnboardingBoard />);
    expect(screen.getByText('No models to onboard yet')).toBeTruthy();
    expect(screen.queryByTestId('board-simulate-release')).toBeNull();
    expect(screen.queryByText(/without keys or spending/)).toBeNull();
  });
});
