// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunPlan } from '../../src/shared/domain';
import type { ModelInfo } from '../../src/shared/providers/video-provider-spec';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { setClient } from '../../src/renderer/src/ipc';
import { NewRunDialog } from '../../src/renderer/src/screens/new-run-dialog';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';

function sandboxModel(modelId: string, displayName: string): ModelInfo {
  return {
    provider: 'sandbox',
    modelId,
    displayName,
    lifecycle: 'active',
    simulated: true,
    pricing: { usdPerSecond: 0.1, source: 'test', asOf: '2026-01-01' },
    capabilities: {
      textToVideo: true,
      imageToVideo: false,
      durationsSeconds: [4],
      defaultDurationSeconds: 4,
      resolutions: ['720p'],
      aspectRatios: ['16:9'],
      audio: false,
      seed: true,
    },
  };
}

describe('new benchmark dialog', () => {
  let planInputs: unknown[];

  beforeEach(() => {
    resetAppStore();
    planInputs = [];
    const transport: Transport = {
      kind: 'browser',
      invoke: vi.fn(async (channel: string, input: unknown) => {
        if (channel !== 'bench:plan-run') throw new Error(`unexpected ${channel}`);
        planInputs.push(input);
        const budget = (input as { budgetUsd?: number }).budgetUsd ?? null;
        const plan: RunPlan = {
          suiteId: 'smoke',
          suiteName: 'Smoke',
          suiteVersion: 1,
          generations: 6,
          estimatedCostUsd: 2.04,
          expectedDurationSeconds: 9,
          models: [],
          budgetUsd: budget,
          withinBudget: budget === null || budget >= 2.04,
        };
        return { ok: true as const, value: plan };
      }),
      on: () => () => undefined,
      mediaUrl: (id) => id,
    };
    setClient(createClient(transport));
    useAppStore.setState({
      models: [
        sandboxModel('sandbox-fast', 'Sandbox Fast'),
        sandboxModel('sandbox-pro', 'Sandbox Pro'),
        sandboxModel('sandbox-flaky', 'Sandbox Flaky'),
      ],
      suites: [
        { id: 'smoke', name: 'Smoke', description: '', version: 1, promptCount: 3, builtIn: true },
      ],
      suitesStatus: { kind: 'loaded' },
    });
  });
  afterEach(() => {
    cleanup();
    setClient(null);
  });

  it('plans the two default sandbox models and disables Start while over budget', async () => {
    render(<NewRunDialog />);
    act(() => useAppStore.getState().openNewRunDialog('sandbox'));

    await waitFor(() => expect(screen.getByTestId('plan-total-cost').textContent).toBe('$2.04'));
    expect(planInputs.at(-1)).toMatchObject({
      suiteId: 'smoke',
      models: [
        { provider: 'sandbox', modelId: 'sandbox-fast' },
        { provider: 'sandbox', modelId: 'sandbox-pro' },
      ],
      budgetUsd: 5,
    });
    expect((screen.getByTestId('start-run') as HTMLButtonElement).disabled).toBe(false);

    fireEvent.change(screen.getByTestId('budget-input'), { target: { value: '1' } });
    await waitFor(() => expect(screen.getByTestId('plan-verdict').dataset.fits).toBe('false'));
    expect((screen.getByTestId('start-run') as HTMLButtonElement).disabled).toBe(true);
  });
});
