// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProviderStatus } from '../../src/shared/ipc/contract';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { setClient } from '../../src/renderer/src/ipc';
import { ProviderCard, SettingsScreen } from '../../src/renderer/src/screens/settings-screen';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';

function status(overrides: Partial<ProviderStatus>): ProviderStatus {
  return {
    provider: 'together',
    label: 'Together AI',
    configured: false,
    keySource: 'none',
    keyEnvVar: 'TOGETHER_API_KEY',
    baseUrlOverridden: false,
    keysEditable: false,
    modelCount: 24,
    ...overrides,
  };
}

describe('settings provider cards', () => {
  let calls: { channel: string; input: unknown }[];
  /** What providers:list answers (the cards after a key change). */
  let listed: ProviderStatus[];

  beforeEach(() => {
    resetAppStore();
    calls = [];
    listed = [];
    const transport: Transport = {
      kind: 'electron',
      invoke: vi.fn(async (channel: string, input: unknown) => {
        calls.push({ channel, input });
        switch (channel) {
          case 'providers:test-connection':
            return {
              ok: true as const,
              value: {
                ok: false,
                message: 'The key was refused.',
                latencyMs: 42,
                modelCount: null,
              },
            };
          case 'keys:set':
          case 'keys:remove':
            return { ok: true as const, value: { configured: channel === 'keys:set' } };
          case 'providers:list':
            return { ok: true as const, value: listed };
          case 'models:list':
            return { ok: true as const, value: [] };
          case 'app:get-info':
            return {
              ok: true as const,
              value: {
                version: '0.1.0',
                mode: 'electron',
                ffmpegAvailable: true,
                providersWithKeys: [],
              },
            };
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

  it('without a key: "No API key", the variable name, and a disabled connection test', () => {
    render(<ProviderCard provider={status({})} />);
    expect(screen.getByTestId('provider-status-together').textContent).toBe('No API key');
    expect(screen.getByTestId('provider-key-source-together').textContent).toContain(
      'TOGETHER_API_KEY',
    );
    expect((screen.getByTestId('test-connection-together') as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect(screen.queryByTestId('set-key-together')).toBeNull();
  });

  it('sandbox: Ready and no key needed', () => {
    render(
      <ProviderCard
        provider={status({
          provider: 'sandbox',
          label: 'Sandbox (simulated)',
          configured: true,
          keySource: 'not_needed',
          keyEnvVar: null,
          modelCount: 3,
        })}
      />,
    );
    expect(screen.getByTestId('provider-status-sandbox').textContent).toBe('Ready');
    expect(screen.getByTestId('provider-key-source-sandbox').textContent).toBe(
      'Not needed for sandbox',
    );
  });

  it('key from the environment: Ready, "environment", base URL badge, test shows failure and latency', async () => {
    render(
      <ProviderCard
        provider={status({ configured: true, keySource: 'environment', baseUrlOverridden: true })}
      />,
    );
    expect(screen.getByTestId('provider-status-together').textContent).toBe('Ready');
    expect(screen.getByTestId('provider-key-source-together').textContent).toContain(
      'environment variable TOGETHER_API_KEY',
    );
    expect(screen.getByText('Base URL overridden')).toBeTruthy();
    fireEvent.click(screen.getByTestId('test-connection-together'));
    const result = await screen.findByTestId('test-result-together');
    expect(result.dataset.ok).toBe('false');
    expect(result.textContent).toContain('Failed');
    expect(result.textContent).toContain('42 ms');
    expect(result.textContent).toContain('The key was refused.');
  });

  it('desktop: adds a key through the dialog, never stores it, and clears the input', async () => {
    render(<ProviderCard provider={status({ keysEditable: true })} />);
    fireEvent.click(screen.getByTestId('set-key-together'));
    const input = (await screen.findByTestId('key-input')) as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.change(input, { target: { value: 'sk-secret-value-123' } });
    fireEvent.click(screen.getByTestId('key-save'));
    await waitFor(() =>
      expect(calls.find((call) => call.channel === 'keys:set')?.input).toEqual({
        provider: 'together',
        key: 'sk-secret-value-123',
      }),
    );
    await waitFor(() => expect(screen.queryByTestId('key-input')).toBeNull());
    expect(JSON.stringify(useAppStore.getState())).not.toContain('sk-secret-value-123');
  });

  it('desktop with a keychain key: Replace and Remove (after confirmation)', async () => {
    render(
      <ProviderCard
        provider={status({ keysEditable: true, configured: true, keySource: 'keychain' })}
      />,
    );
    expect(screen.getByTestId('set-key-together').textContent).toContain('Replace key');
    fireEvent.click(screen.getByTestId('remove-key-together'));
    expect(calls.some((call) => call.channel === 'keys:remove')).toBe(false);
    fireEvent.click(await screen.findByTestId('confirm-remove-key'));
    await waitFor(() =>
      expect(calls.find((call) => call.channel === 'keys:remove')?.input).toEqual({
        provider: 'together',
      }),
    );
  });

  it('after a key is removed, the focus goes to the card’s Add key button, not the page', async () => {
    const saved = status({ keysEditable: true, configured: true, keySource: 'keychain' });
    listed = [status({ keysEditable: true })];
    useAppStore.setState({
      providers: [saved],
      providersStatus: { kind: 'loaded' },
      appInfo: { version: '0.1.0', mode: 'electron', ffmpegAvailable: true, providersWithKeys: [] },
    });
    render(<SettingsScreen />);
    const remove = screen.getByTestId('remove-key-together');
    remove.focus();
    fireEvent.click(remove);
    fireEvent.click(await screen.findByTestId('confirm-remove-key'));
    // The Remove button went with the key; Add key (the same button that said Replace) has it.
    await waitFor(() => expect(screen.queryByTestId('remove-key-together')).toBeNull());
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByTestId('set-key-together')),
    );
    expect(document.activeElement?.textContent).toContain('Add key');
  });

  it('a cancelled removal gives the focus back to Remove key', async () => {
    useAppStore.setState({
      providers: [status({ keysEditable: true, configured: true, keySource: 'keychain' })],
      providersStatus: { kind: 'loaded' },
      appInfo: { version: '0.1.0', mode: 'electron', ffmpegAvailable: true, providersWithKeys: [] },
    });
    render(<SettingsScreen />);
    const remove = screen.getByTestId('remove-key-together');
    remove.focus();
    fireEvent.click(remove);
    await screen.findByTestId('confirm-remove-key');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(remove));
    expect(calls.some((call) => call.channel === 'keys:remove')).toBe(false);
  });

  it('browser mode shows where keys come from instead of key buttons', () => {
    useAppStore.setState({
      providers: [status({})],
      providersStatus: { kind: 'loaded' },
      appInfo: { version: '0.1.0', mode: 'browser', ffmpegAvailable: false, providersWithKeys: [] },
    });
    render(<SettingsScreen />);
    expect(screen.getByTestId('browser-keys-hint').textContent).toContain(
      'In browser mode keys come from environment variables, one per provider and named on its card (Together AI reads TOGETHER_API_KEY): set them before starting npx aideon serve, and start it again to pick up a change.',
    );
  });
});
