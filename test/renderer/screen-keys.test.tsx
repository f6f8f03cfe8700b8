// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GlobalCommands } from '../../src/renderer/src/commands/global-keys';
import { screenForKey } from '../../src/renderer/src/commands/shortcuts';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';

const press = (init: KeyboardEventInit, target: Element | Window = window): void => {
  fireEvent.keyDown(target, init);
};

describe('screenForKey', () => {
  const event = (code: string, extra: Partial<KeyboardEvent> = {}) => ({
    code,
    ctrlKey: true,
    shiftKey: true,
    altKey: false,
    metaKey: false,
    repeat: false,
    target: document.body,
    ...extra,
  });

  it('maps Ctrl+Shift+1…5 to the sidebar screens, by key position', () => {
    expect(screenForKey(event('Digit1'))).toBe('models');
    expect(screenForKey(event('Digit2'))).toBe('benchmarks');
    expect(screenForKey(event('Digit3'))).toBe('review');
    expect(screenForKey(event('Digit4'))).toBe('rollout');
    expect(screenForKey(event('Digit5'))).toBe('settings');
    expect(screenForKey(event('Digit6'))).toBeNull();
  });

  it('leaves other modifiers, repeats and text fields alone', () => {
    expect(screenForKey(event('Digit1', { shiftKey: false }))).toBeNull();
    expect(screenForKey(event('Digit1', { ctrlKey: false }))).toBeNull();
    expect(screenForKey(event('Digit1', { altKey: true }))).toBeNull();
    expect(screenForKey(event('Digit1', { metaKey: true }))).toBeNull();
    expect(screenForKey(event('Digit1', { repeat: true }))).toBeNull();
    for (const html of [
      '<input />',
      '<textarea></textarea>',
      '<div contenteditable="true"></div>',
    ]) {
      const host = document.createElement('div');
      host.innerHTML = html;
      document.body.append(host);
      expect(screenForKey(event('Digit1', { target: host.firstElementChild }))).toBeNull();
      host.remove();
    }
  });
});

describe('GlobalCommands screen keys', () => {
  beforeEach(() => resetAppStore());
  afterEach(cleanup);

  it('navigates on Ctrl+Shift+digit, not from an input', () => {
    render(
      <>
        <GlobalCommands />
        <input data-testid="field" />
      </>,
    );
    act(() => press({ code: 'Digit4', key: '$', ctrlKey: true, shiftKey: true }));
    expect(useAppStore.getState().route).toEqual({ screen: 'rollout' });
    const field = document.querySelector('[data-testid="field"]')!;
    act(() => press({ code: 'Digit1', key: '!', ctrlKey: true, shiftKey: true }, field));
    expect(useAppStore.getState().route).toEqual({ screen: 'rollout' });
    act(() => press({ code: 'Digit1', key: '!', ctrlKey: true, shiftKey: true }));
    expect(useAppStore.getState().route).toEqual({ screen: 'models' });
  });
});
