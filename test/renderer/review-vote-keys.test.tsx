// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { setClient } from '../../src/renderer/src/ipc';
import { BlindVote } from '../../src/renderer/src/review/blind-vote';
import { verdictForKey } from '../../src/renderer/src/review/vote-keys';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';

const MEDIA = (n: string) => ({ id: n.repeat(64), contentType: 'video/mp4', bytes: 10 });

function pair(index: number) {
  return {
    token: `token-${index}-0123456789abcdef`,
    promptId: `p${index}`,
    category: 'animals',
    left: `gen-l-${index}`,
    right: `gen-r-${index}`,
    prompt: `A fox, take ${index}`,
    leftMedia: MEDIA('a'),
    rightMedia: MEDIA('b'),
    // The first pair's videos were never analysed; the others were measured at 30 fps.
    leftFps: index === 1 ? null : 30,
    rightFps: index === 1 ? null : 25,
  };
}

function press(key: string, target: Element = document.body): void {
  fireEvent.keyDown(target, { key });
}

describe('verdictForKey', () => {
  const key = (k: string, extra: Partial<KeyboardEvent> = {}) =>
    verdictForKey({
      key: k,
      altKey: false,
      ctrlKey: false,
      metaKey: false,
      repeat: false,
      target: null,
      ...extra,
    });

  it('maps 1, 2, t and x (either case) to verdicts', () => {
    expect(key('1')).toBe('a');
    expect(key('2')).toBe('b');
    expect(key('t')).toBe('tie');
    expect(key('T')).toBe('tie');
    expect(key('x')).toBe('both_bad');
    expect(key('3')).toBeNull();
    expect(key(' ')).toBeNull();
  });

  it('ignores modified and repeated keys, and keys typed into fields', () => {
    expect(key('1', { ctrlKey: true })).toBeNull();
    expect(key('1', { metaKey: true })).toBeNull();
    expect(key('t', { repeat: true })).toBeNull();
    const input = document.createElement('input');
    expect(key('t', { target: input })).toBeNull();
  });
});

describe('blind vote keyboard', () => {
  let calls: { channel: string; input: unknown }[];
  let nextPair: number;

  beforeEach(() => {
    resetAppStore();
    calls = [];
    nextPair = 1;
    const transport: Transport = {
      kind: 'browser',
      invoke: vi.fn(async (channel: string, input: unknown) => {
        calls.push({ channel, input });
        if (channel === 'review:next-pair')
          return { ok: true as const, value: { pair: pair(nextPair++) } };
        if (channel === 'review:cast-vote') {
          return {
            ok: true as const,
            value: {
              id: 'v1',
              modelLeft: 'sandbox:sandbox-pro',
              modelRight: 'sandbox:sandbox-fast',
            },
          };
        }
        throw new Error(`unexpected ${channel}`);
      }),
      on: () => () => undefined,
      mediaUrl: (id) => `media:${id}`,
    };
    setClient(createClient(transport));
  });
  afterEach(() => {
    cleanup();
    setClient(null);
  });

  const votes = () => calls.filter((call) => call.channel === 'review:cast-vote');

  it('shows only A and B before the vote, votes with 1, reveals the models, then loads the next pair', async () => {
    // A reveal that never ends on its own: the key below is what moves on.
    render(<BlindVote revealMs={600_000} />);
    await screen.findByText('A fox, take 1');
    expect(screen.queryByTestId('reveal')).toBeNull();
    expect(document.body.textContent).not.toContain('sandbox-pro');

    await act(async () => press('1'));
    await waitFor(() => expect(screen.getByTestId('reveal')).toBeTruthy());
    expect(votes()).toEqual([
      { channel: 'review:cast-vote', input: { token: pair(1).token, verdict: 'a' } },
    ]);
    expect(screen.getByTestId('reveal').textContent).toContain('A was sandbox:sandbox-pro');

    // While the names are shown, a key casts no second vote: it says so and shows the next pair.
    await act(async () => press('2'));
    expect(votes()).toHaveLength(1);
    expect(screen.getByTestId('vote-key-note').textContent).toContain('“2” was not counted');

    await screen.findByText('A fox, take 2');
    expect(screen.queryByTestId('reveal')).toBeNull();
    await act(async () => press('x'));
    await waitFor(() => expect(votes()).toHaveLength(2));
    expect((votes()[1]!.input as { verdict: string }).verdict).toBe('both_bad');
  });

  it("steps by video A's measured frame rate, and says when the rate is only assumed", async () => {
    render(<BlindVote revealMs={30} />);
    await screen.findByText('A fox, take 1');
    expect(screen.getByTestId('review-frame').dataset.fps).toBe('24');
    expect(screen.getByTestId('review-frame').textContent).toContain('24 fps (assumed)');
    await act(async () => press('1'));
    await screen.findByText('A fox, take 2');
    expect(screen.getByTestId('review-frame').dataset.fps).toBe('30');
    expect(screen.getByTestId('review-frame').textContent).toContain('30 fps');
    expect(screen.getByTestId('review-frame').textContent).not.toContain('assumed');
  });

  it('does not vote on keys typed into the comment, and sends the comment with the vote', async () => {
    render(<BlindVote revealMs={30} />);
    await screen.findByText('A fox, take 1');
    const comment = screen.getByTestId('vote-comment');
    fireEvent.change(comment, { target: { value: 'tt' } });
    await act(async () => press('t', comment));
    expect(votes()).toHaveLength(0);

    await act(async () => press('t'));
    await waitFor(() => expect(votes()).toHaveLength(1));
    expect(votes()[0]!.input).toEqual({ token: pair(1).token, verdict: 'tie', comment: 'tt' });
    expect((screen.queryByTestId('vote-comment') as HTMLInputElement | null)?.value ?? '').toBe('');
  });

  it('names models by display name when the model list is loaded', async () => {
    useAppStore.setState({
      models: [
        {
          provider: 'sandbox',
          modelId: 'sandbox-pro',
          displayName: 'Sandbox Pro',
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
        },
      ],
    });
    render(<BlindVote revealMs={10_000} />);
    await screen.findByText('A fox, take 1');
    await act(async () => press('2'));
    await waitFor(() => expect(screen.getByTestId('reveal-a').textContent).toBe('Sandbox Pro'));
    expect(screen.getByTestId('reveal-b').textContent).toBe('sandbox:sandbox-fast');
  });
});
