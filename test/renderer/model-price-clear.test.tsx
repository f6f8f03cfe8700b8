// @vitest-environment happy-dom
/**
 * "Clear entered price" asks first, naming the model, the price that goes and what estimates
 * use after it (the built-in price, or "price unknown"): keeping it sends nothing; confirming
 * clears it. The form lists the model's earlier prices (who entered and who ended each).
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { setClient } from '../../src/renderer/src/ipc';
import { ModelPriceDialog } from '../../src/renderer/src/screens/model-price-dialog';
import { resetAppStore } from '../../src/renderer/src/store/store';
import type { EndedModelPrice } from '../../src/shared/providers/model-price';
import type { ModelInfo, Pricing } from '../../src/shared/providers/video-provider-spec';

const BUILT_IN: Pricing = {
  usdPerSecond: 0.12,
  source: 'Replicate model page',
  asOf: '2026-09-01',
};

function model(replaces: Pricing | null): ModelInfo {
  return {
    provider: 'replicate',
    modelId: 'minimax/video-01',
    displayName: 'MiniMax Video-01',
    lifecycle: 'active',
    simulated: false,
    capabilities: {
      textToVideo: true,
      imageToVideo: false,
      durationsSeconds: [6],
      defaultDurationSeconds: 6,
      resolutions: ['720p'],
      aspectRatios: ['16:9'],
      audio: false,
      seed: true,
    },
    pricing: {
      usdPerSecond: 0.1,
      source: 'Entered by alice in the console',
      asOf: '2026-12-04',
      entered: { by: 'alice', at: Date.UTC(2026, 11, 4), unit: 'second', usd: 0.1, replaces },
    },
  };
}

describe('clearing an entered price', () => {
  let calls: string[];
  let history: EndedModelPrice[];
  let onClose: ReturnType<typeof vi.fn<() => void>>;

  beforeEach(() => {
    resetAppStore();
    calls = [];
    history = [];
    onClose = vi.fn<() => void>();
    const transport: Transport = {
      kind: 'electron',
      invoke: vi.fn(async (channel: string) => {
        // The form's read of the earlier prices is not an action.
        if (channel === 'models:price-history') return { ok: true as const, value: history };
        calls.push(channel);
        switch (channel) {
          case 'models:clear-price':
            return { ok: true as const, value: { cleared: true, model: null } };
          case 'models:list':
            return { ok: true as const, value: [] };
          default:
            throw new Error(`unexpected ${channel}`);
        }
      }),
      on: () => () => undefined,
      mediaUrl: (id) => id,
    };
    setClient(createClient(transport));
  });
  afterEach(() => {
    cleanup();
    setClient(null);
  });

  it('asks first, naming the model, the price and the built-in price that comes back', async () => {
    render(<ModelPriceDialog model={model(BUILT_IN)} onClose={onClose} />);
    fireEvent.click(screen.getByTestId('price-clear'));
    const ask = await screen.findByRole('alertdialog');
    expect(within(ask).getByRole('heading').textContent).toBe(
      'Clear the price entered for MiniMax Video-01?',
    );
    const what = within(ask).getByTestId('price-clear-what').textContent ?? '';
    expect(what).toContain('MiniMax Video-01 (minimax/video-01 on Replicate)');
    expect(what).toContain('$0.10 per second of video, entered by alice, is removed');
    expect(what).toContain('then use the built-in price, $0.12/s.');
    expect(calls).toEqual([]);

    // Keeping it sends nothing and leaves the price form open.
    fireEvent.click(within(ask).getByRole('button', { name: 'Keep the price' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(calls).toEqual([]);
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByTestId('price-form')).toBeTruthy();

    // Confirming clears it, and the form closes.
    fireEvent.click(screen.getByTestId('price-clear'));
    fireEvent.click(await screen.findByTestId('confirm-price-clear'));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(calls).toEqual(['models:clear-price', 'models:list']);
  });

  it('says "price unknown" when the console has no built-in price to fall back to', async () => {
    render(<ModelPriceDialog model={model(null)} onClose={onClose} />);
    fireEvent.click(screen.getByTestId('price-clear'));
    const what = (await screen.findByTestId('price-clear-what')).textContent ?? '';
    expect(what).toContain('no built-in price for it: it shows price unknown');
    expect(what).not.toContain('built-in price,');
  });

  it('lists the earlier prices, newest first, with who entered and who ended each', async () => {
    history = [
      {
        provider: 'replicate',
        modelId: 'minimax/video-01',
        unit: 'clip',
        usd: 0.9,
        enteredBy: 'carol',
        enteredAt: Date.UTC(2026, 11, 2, 12),
        endedBy: 'alice',
        endedAt: Date.UTC(2026, 11, 4, 12),
        endedHow: 'replaced',
      },
      {
        provider: 'replicate',
        modelId: 'minimax/video-01',
        unit: 'second',
        usd: 0.08,
        enteredBy: 'bob',
        enteredAt: Date.UTC(2026, 10, 20, 12),
        endedBy: 'carol',
        endedAt: Date.UTC(2026, 10, 28, 12),
        endedHow: 'cleared',
      },
    ];
    render(<ModelPriceDialog model={model(BUILT_IN)} onClose={onClose} />);
    const entries = await screen.findAllByTestId('price-history-entry');
    expect(screen.getByTestId('price-history').querySelector('summary')?.textContent).toBe(
      'Earlier prices (2)',
    );
    expect(entries.map((entry) => entry.textContent)).toEqual([
      '$0.90 per clip entered by carol on 2 Dec 2026; replaced by alice on 4 Dec 2026',
      '$0.08 per second of video entered by bob on 20 Nov 2026; cleared by carol on 28 Nov 2026',
    ]);
    expect(calls).toEqual([]);
  });

  it('shows no history section while there is none', async () => {
    render(<ModelPriceDialog model={model(BUILT_IN)} onClose={onClose} />);
    await screen.findByTestId('price-form');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByTestId('price-history')).toBeNull();
  });
});
