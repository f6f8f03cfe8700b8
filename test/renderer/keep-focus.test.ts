// @vitest-environment happy-dom
/**
 * Where the keyboard focus goes when what had it goes away: a dialog without a Trigger gives it
 * back to the control that had it before, never to a text field the admin had left; a new
 * screen's heading takes it only when nothing has it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { focusScreenHeading, returnFocusOnClose } from '../../src/renderer/src/lib/keep-focus';

function add(html: string): HTMLElement {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  document.body.append(holder);
  return holder;
}

/** A dialog's close event, as Radix passes it to onCloseAutoFocus. */
function closeEvent(): Event {
  return new Event('focus.autoFocusOnUnmount', { cancelable: true });
}

const frames = (count: number): Promise<void> =>
  new Promise((resolve) => {
    const next = (left: number): void => {
      if (left === 0) resolve();
      else requestAnimationFrame(() => next(left - 1));
    };
    next(count);
  });

afterEach(() => {
  document.body.innerHTML = '';
});

describe('returnFocusOnClose', () => {
  it('gives the focus back to the control that had it when the dialog opened', () => {
    add('<button id="opener">New benchmark</button><div role="dialog"><input id="inside"></div>');
    const opener = document.getElementById('opener')!;
    opener.focus();
    document.getElementById('inside')!.focus();
    const event = closeEvent();
    returnFocusOnClose(event);
    expect(event.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(opener);
  });

  it('leaves the focus alone when the opener is gone or disabled', () => {
    add('<button id="opener">Unlock</button><div role="dialog"><input id="inside"></div>');
    const opener = document.getElementById('opener') as HTMLButtonElement;
    opener.focus();
    document.getElementById('inside')!.focus();
    opener.disabled = true;
    returnFocusOnClose(closeEvent());
    expect(document.activeElement).not.toBe(opener);
    opener.disabled = false;
    opener.remove();
    returnFocusOnClose(closeEvent());
    expect(document.activeElement).not.toBe(opener);
  });

  it('does not send the focus back to a text field left before the dialog opened', () => {
    add('<input id="search"><div role="dialog"><input id="inside"></div>');
    const search = document.getElementById('search')!;
    search.focus();
    search.blur();
    document.getElementById('inside')!.focus();
    returnFocusOnClose(closeEvent());
    expect(document.activeElement).not.toBe(search);
  });
});

describe('focusScreenHeading', () => {
  it("focuses the new screen's heading when the focus fell to the page", async () => {
    const main = add('<main id="main"><h1>Benchmarks</h1></main>');
    const old = main.querySelector('h1');
    focusScreenHeading(old);
    main.querySelector('#main')!.innerHTML = '<h1>Seeded run</h1>';
    await frames(3);
    const heading = main.querySelector('h1')!;
    expect(document.activeElement).toBe(heading);
    expect(heading.getAttribute('tabindex')).toBe('-1');
  });

  it('leaves the focus where the new screen put it', async () => {
    const main = add('<main id="main"><h1>Benchmarks</h1></main>');
    focusScreenHeading(main.querySelector('h1'));
    main.querySelector('#main')!.innerHTML = '<h1>Compare</h1><button id="player">Play</button>';
    document.getElementById('player')!.focus();
    await frames(3);
    expect(document.activeElement?.id).toBe('player');
  });
});
