/**
 * Toasts: the body never says the title twice, at most three show at once, and the list never
 * covers what is marked to keep clear (the blind vote's buttons in a 1024x700 window) nor an open
 * dialog.
 */
import { describe, expect, it } from 'vitest';
import {
  liftAbove,
  MIN_COLUMN,
  placeToasts,
  MAX_SHOWN,
  roomFor,
  toastDescription,
  toastsShown,
} from '../../src/renderer/src/components/toasts';

describe('toastDescription', () => {
  it('drops the title repeated at the start of the body and starts the rest with a capital', () => {
    expect(
      toastDescription(
        'The vote was not saved',
        'The vote was not saved: the database is busy (another Aideon console or command is writing to it). Vote again in a moment; the pair is still open.',
      ),
    ).toBe(
      'The database is busy (another Aideon console or command is writing to it). Vote again in a moment; the pair is still open.',
    );
    expect(toastDescription('Export failed', 'export failed — the disk is full.')).toBe(
      'The disk is full.',
    );
  });

  it('drops a body that only repeats the title', () => {
    expect(toastDescription('Draft saved', 'Draft saved.')).toBeNull();
    expect(toastDescription('Draft saved', '  ')).toBeNull();
    expect(toastDescription('Draft saved', undefined)).toBeNull();
  });

  it('keeps a body that does not repeat the title, or only shares its first letters', () => {
    expect(toastDescription('Suite imported', 'Mine v2, 3 prompts.')).toBe('Mine v2, 3 prompts.');
    expect(toastDescription('Export', 'Exported 12 files.')).toBe('Exported 12 files.');
  });
});

describe('liftAbove', () => {
  const box = (left: number, top: number, width: number, height: number) => ({
    left,
    top,
    width,
    height,
    right: left + width,
    bottom: top + height,
  });
  // The toast list at 1024x700: x 220–600, 120 px tall at the bottom.
  const region = box(220, 580, 380, 120);

  it("rises above a marked element it would cover: its bottom at the element's top", () => {
    const buttons = box(310, 630, 620, 36);
    expect(liftAbove(region, 700, [buttons])).toBe(70);
  });

  it('stays down for elements beside it, above it, off screen or with no room above them', () => {
    expect(liftAbove(region, 700, [box(620, 630, 300, 36)])).toBe(0);
    expect(liftAbove(region, 700, [box(310, 300, 620, 36)])).toBe(0);
    expect(liftAbove(region, 700, [box(310, 720, 620, 36)])).toBe(0);
    expect(liftAbove(region, 700, [box(310, 60, 620, 600)])).toBe(0);
    expect(liftAbove(region, 700, [box(310, 630, 0, 0)])).toBe(0);
  });
});

describe('placeToasts', () => {
  const box = (left: number, top: number, width: number, height: number) => ({
    left,
    top,
    width,
    height,
    right: left + width,
    bottom: top + height,
  });
  const small = { width: 1024, height: 640 };
  // The list at rest at 1024x640: x 220–600, one toast (72 px) and 24 px padding each side.
  const region = box(220, 520, 380, 120);

  it('with no dialog, rises above what is marked to keep clear, as liftAbove says', () => {
    const buttons = box(310, 580, 620, 36);
    expect(placeToasts({ region, view: small, dialog: null, obstacles: [buttons] })).toEqual({
      kind: 'corner',
      lift: 60,
    });
  });

  it('stays at its corner when the dialog is clear of it, whatever is marked', () => {
    const short = box(292, 220, 440, 200);
    expect(placeToasts({ region, view: small, dialog: short, obstacles: [] })).toEqual({
      kind: 'corner',
      lift: 0,
    });
  });

  it('goes beside a dialog that reaches its corner, in the column left of it', () => {
    // The price form of a model with resolutions and audio: as tall as the window.
    const price = box(292, 24, 440, 592);
    expect(placeToasts({ region, view: small, dialog: price, obstacles: [] })).toEqual({
      kind: 'beside',
      width: 292,
    });
  });

  it('makes room under a dialog with no column beside it wide enough', () => {
    // New benchmark at 1024 px: 992 px wide.
    const wide = box(16, 24, 992, 592);
    expect(placeToasts({ region, view: small, dialog: wide, obstacles: [] })).toEqual({
      kind: 'room',
    });
    // A column just too narrow is not used.
    const almost = box(MIN_COLUMN - 1, 24, 1024 - 2 * (MIN_COLUMN - 1), 592);
    expect(placeToasts({ region, view: small, dialog: almost, obstacles: [] }).kind).toBe('room');
  });

  it('makes room that holds the list: the dialog ends where the padding over the toasts starts', () => {
    const room = roomFor(region.height);
    expect(room).toBe(96);
    // Centred in what is left, and at most 48 px shorter than that.
    const dialogBottom = (small.height - room) / 2 + (small.height - 48 - room) / 2;
    expect(dialogBottom).toBeLessThanOrEqual(region.top);
    expect(roomFor(10)).toBe(0);
  });
});

describe('toastsShown', () => {
  it('shows the newest three; the older ones wait behind "+N more"', () => {
    expect(MAX_SHOWN).toBe(3);
    expect(toastsShown(0, false)).toEqual({ waiting: 0, toggle: false });
    expect(toastsShown(3, false)).toEqual({ waiting: 0, toggle: false });
    expect(toastsShown(4, false)).toEqual({ waiting: 1, toggle: true });
    expect(toastsShown(5, false)).toEqual({ waiting: 2, toggle: true });
  });

  it('shows them all once "+N more" is pressed, with the button there to show fewer', () => {
    expect(toastsShown(5, true)).toEqual({ waiting: 0, toggle: true });
    expect(toastsShown(2, true)).toEqual({ waiting: 0, toggle: false });
  });
});
