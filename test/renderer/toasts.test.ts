/**
 * Toasts: the body never says the title twice, and the list never covers what is marked to keep
 * clear (the blind vote's buttons in a 1024x700 window).
 */
import { describe, expect, it } from 'vitest';
import { liftAbove, toastDescription } from '../../src/renderer/src/components/toasts';

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
