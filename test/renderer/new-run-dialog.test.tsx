// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunPlan } from '../../src/shared/domain';
import type { SerializedError } from '../../src/shared/errors';
import type { ModelInfo } from '../../src/shared/providers/video-provider-spec';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { setClient } from '../../src/renderer/src/ipc';
import {
  defaultTimeoutHint,
  NewRunDialog,
  parseTimeoutMinutes,
} from '../../src/renderer/src/screens/new-run-dialog';
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

/** A failed IPC answer. */
type Failed = { ok: false; error: SerializedError };

describe('new benchmark dialog', () => {
  let planInputs: unknown[];
  let startInputs: unknown[];
  /** The plan's lines and total the fake main process answers with (none by default). */
  let planModels: RunPlan['models'];
  let planTotal: number;
  /** What the fake main process answers bench:start-run with (a started run by default). */
  let startAnswer: () => Promise<Failed | { ok: true; value: { runId: string } }>;

  beforeEach(() => {
    resetAppStore();
    planInputs = [];
    startInputs = [];
    startAnswer = async () => ({ ok: true as const, value: { runId: 'run_1' } });
    planModels = [];
    planTotal = 2.04;
    const transport: Transport = {
      kind: 'browser',
      invoke: vi.fn(async (channel: string, input: unknown) => {
        if (channel === 'bench:start-run') {
          startInputs.push(input);
          return startAnswer();
        }
        if (channel !== 'bench:plan-run') throw new Error(`unexpected ${channel}`);
        planInputs.push(input);
        const budget = (input as { budgetUsd?: number }).budgetUsd ?? null;
        const plan: RunPlan = {
          suiteId: 'smoke',
          suiteName: 'Smoke',
          suiteVersion: 1,
          generations: 6,
          estimatedCostUsd: planTotal,
          expectedDurationSeconds: 9,
          models: planModels,
          budgetUsd: budget,
          withinBudget: budget === null || budget >= planTotal,
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

  it('filters the model list by search, keeping the ticked models', async () => {
    render(<NewRunDialog />);
    act(() => useAppStore.getState().openNewRunDialog('sandbox'));
    expect(screen.getByTestId('model-checkbox-sandbox-flaky')).toBeTruthy();
    fireEvent.change(screen.getByTestId('new-run-model-search'), { target: { value: 'flaky' } });
    expect(screen.getByTestId('model-checkbox-sandbox-flaky')).toBeTruthy();
    // Fast and Pro are ticked by default: still shown. Nothing else matches.
    expect(screen.getByTestId('model-checkbox-sandbox-fast')).toBeTruthy();
    fireEvent.click(screen.getByTestId('model-checkbox-sandbox-fast'));
    expect(screen.queryByTestId('model-checkbox-sandbox-fast')).toBeNull();
    fireEvent.change(screen.getByTestId('new-run-model-search'), { target: { value: '' } });
    expect(screen.getByTestId('model-checkbox-sandbox-fast')).toBeTruthy();
    await waitFor(() => expect(planInputs.length).toBeGreaterThan(0));
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

  it('keeps the focus on Start while the run starts, and starts it once however often it is pressed', async () => {
    let answer: (value: Failed) => void = () => undefined;
    const held = new Promise<Failed>((resolve) => (answer = resolve));
    startAnswer = () => held;
    render(<NewRunDialog />);
    act(() => useAppStore.getState().openNewRunDialog('sandbox'));
    const start = screen.getByTestId('start-run') as HTMLButtonElement;
    await waitFor(() => expect(start.disabled).toBe(false));
    start.focus();
    fireEvent.click(start);
    await waitFor(() => expect(start.textContent).toBe('Starting…'));
    // Busy: marked disabled for assistive technology, but not `disabled` (that would drop the
    // focus to the page), and pressing it again sends nothing.
    expect(start.getAttribute('aria-disabled')).toBe('true');
    expect(start.disabled).toBe(false);
    expect(document.activeElement).toBe(start);
    fireEvent.click(start);
    fireEvent.submit(start.form!);
    expect(startInputs).toHaveLength(1);
    // The run did not start: the dialog stays, Start is usable again and still has the focus.
    await act(async () => {
      answer({
        ok: false,
        error: { code: 'conflict', message: 'The database is busy.', retryable: true },
      });
      await held;
    });
    await waitFor(() => expect(start.textContent).toBe('Start benchmark'));
    expect(start.getAttribute('aria-disabled')).toBeNull();
    expect(document.activeElement).toBe(start);
    expect(screen.getByTestId('start-run')).toBe(start);
  });

  it('has a timeout field in minutes with the default as placeholder, refusing bad values', async () => {
    render(<NewRunDialog />);
    act(() => useAppStore.getState().openNewRunDialog('sandbox'));
    await waitFor(() => expect(screen.getByTestId('plan-total-cost').textContent).toBe('$2.04'));
    const input = screen.getByTestId('timeout-input') as HTMLInputElement;
    // Sandbox: max(2 min, 4 × 10 s).
    expect(input.placeholder).toBe('Default 2');
    expect((screen.getByTestId('start-run') as HTMLButtonElement).disabled).toBe(false);
    fireEvent.change(input, { target: { value: '400' } });
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('timeout-hint').textContent).toMatch(/360 \(6 h\)/);
    expect((screen.getByTestId('start-run') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(input, { target: { value: '1.5' } });
    expect(input.getAttribute('aria-invalid')).toBe('false');
    expect((screen.getByTestId('start-run') as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByTestId('start-run'));
    await waitFor(() => expect(startInputs).toHaveLength(1));
    expect(startInputs[0]).toMatchObject({ budgetUsd: 5, timeoutSeconds: 90 });
  });

  it('shows a model without a known price as "≤ $X" or "price unknown" with a note, never $0.00', async () => {
    const line = (displayName: string, estimatedCostUsd: number, priceUnknown: boolean) => ({
      provider: 'replicate' as const,
      modelId: displayName,
      displayName,
      generations: 3,
      estimatedCostUsd,
      priceUnknown,
      simulated: false,
      warnings: priceUnknown ? ['price: no price is known for this model, so ...'] : [],
    });
    planModels = [line('Google Veo 3', 9.6, true), line('Mystery', 0, true)];
    planTotal = 9.6;
    const unpriced = sandboxModel('google/veo-3', 'Google Veo 3');
    useAppStore.setState({
      models: [
        ...useAppStore.getState().models,
        {
          ...unpriced,
          provider: 'replicate',
          simulated: false,
          pricing: { source: 'not recorded', asOf: '2026-09-01' },
        },
      ],
    });
    render(<NewRunDialog />);
    act(() => useAppStore.getState().openNewRunDialog('sandbox'));
    // In the model list too: no price reads "price unknown", not a blank.
    const row = screen.getByTestId('model-checkbox-google/veo-3').closest('label');
    expect(row?.textContent).toMatch(/Google Veo 3\s*price unknown/);
    await waitFor(() =>
      expect(screen.getByTestId('plan-total-cost').textContent).toBe('$9.60 + price unknown'),
    );
    const costs = screen.getAllByTestId('plan-line-cost').map((cell) => cell.textContent);
    expect(costs).toEqual(['≤ $9.60', 'price unknown']);
    const note = screen.getByTestId('plan-price-note').textContent ?? '';
    expect(note).toMatch(/Price unknown for Google Veo 3: .*upper bound/);
    expect(note).toMatch(/Price unknown for Mystery, and no known price bounds it/);
    expect(screen.getByTestId('plan-summary').textContent).not.toMatch(/\$0\.00/);
    // The note says it; the runner's long "price:" warning is not repeated under it.
    expect(screen.getByTestId('plan-summary').textContent).not.toMatch(/no price is known/);
  });

  it('reads timeout minutes into seconds and shows per-model defaults', () => {
    expect(parseTimeoutMinutes('')).toBeUndefined();
    expect(parseTimeoutMinutes('10')).toBe(600);
    expect(parseTimeoutMinutes('0.5')).toBe(30);
    expect(parseTimeoutMinutes('0')).toBeNull();
    expect(parseTimeoutMinutes('361')).toBeNull();
    expect(parseTimeoutMinutes('soon')).toBeNull();
    expect(defaultTimeoutHint([])).toBe('15');
    expect(
      defaultTimeoutHint([
        { provider: 'together', modelId: 'a' },
        { provider: 'runway', modelId: 'b' },
      ]),
    ).toBe('12–15');
  });
});
