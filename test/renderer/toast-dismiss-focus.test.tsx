// @vitest-environment happy-dom
/**
 * Dismissing a toast from the keyboard keeps the focus somewhere useful: on the next toast's
 * Dismiss (or the one before), and after the last one back where it was before it went into the
 * toasts. (It fell to the page's body: the next Tab started again from the top of the window.)
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Toasts } from '../../src/renderer/src/components/toasts';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';

describe('dismissing a focused toast', () => {
  beforeEach(() => resetAppStore());
  afterEach(() => cleanup());

  it('moves the focus to the next toast, then back to where it came from', () => {
    render(
      <>
        <button type="button">Save draft</button>
        <Toasts />
      </>,
    );
    act(() => {
      const { pushToast } = useAppStore.getState();
      pushToast({ tone: 'error', title: 'First' });
      pushToast({ tone: 'info', title: 'Second' });
    });
    const save = screen.getByRole('button', { name: 'Save draft' });
    save.focus();
    const dismissButtons = () => screen.getAllByRole('button', { name: 'Dismiss' });
    const [first] = dismissButtons();
    // The focus goes from "Save draft" into the toasts (a Tab, or F6 in a screen reader).
    fireEvent.focusIn(first!, { relatedTarget: save });
    first!.focus();
    expect(document.activeElement).toBe(first);

    fireEvent.click(first!);
    expect(screen.queryByText('First')).toBeNull();
    const [second] = dismissButtons();
    expect(document.activeElement).toBe(second);

    fireEvent.click(second!);
    expect(screen.queryAllByRole('button', { name: 'Dismiss' })).toHaveLength(0);
    expect(document.activeElement).toBe(save);
  });

  it('leaves the focus alone when the dismissed toast did not have it', () => {
    render(
      <>
        <input aria-label="Budget" />
        <Toasts />
      </>,
    );
    act(() => useAppStore.getState().pushToast({ tone: 'info', title: 'Only' }));
    const budget = screen.getByRole('textbox', { name: 'Budget' });
    budget.focus();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('Only')).toBeNull();
    expect(document.activeElement).toBe(budget);
  });
});
