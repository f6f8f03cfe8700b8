import { describe, expect, it } from 'vitest';
import { EVENT_CHANNEL_NAMES, INVOKE_CHANNEL_NAMES } from '../../src/shared/ipc/channel-names';
import { eventChannels, invokeChannels } from '../../src/shared/ipc/contract';
import { parseModelRef } from '../../src/shared/providers/video-provider-spec';

describe('IPC contract', () => {
  it('lists the same channels for the preload as the contract defines', () => {
    expect([...INVOKE_CHANNEL_NAMES].sort()).toEqual(Object.keys(invokeChannels).sort());
    expect([...EVENT_CHANNEL_NAMES].sort()).toEqual(Object.keys(eventChannels).sort());
  });

  it('names channels domain:verb-noun', () => {
    for (const name of INVOKE_CHANNEL_NAMES) expect(name).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)*$/);
  });

  it('parses model references and explains bad ones', () => {
    expect(parseModelRef('together:Wan-AI/Wan2.2-T2V-A14B')).toEqual({
      provider: 'together',
      modelId: 'Wan-AI/Wan2.2-T2V-A14B',
    });
    expect(() => parseModelRef('sandbox')).toThrow(/provider:model/);
    expect(() => parseModelRef('acme:x')).toThrow(/Unknown provider "acme"/);
  });
});
