/**
 * Every keyboard shortcut of the console, in one list: the `?` sheet shows it, and the screens'
 * handlers are the ones named here (keep both in step when adding a key).
 */
import type { Section } from '../store/ui-slice';

export interface Shortcut {
  /** The keys, each drawn as its own cap: ['Ctrl', 'K']. Alternatives are separate entries. */
  keys: readonly string[];
  /** What it does, in the admin's words. */
  does: string;
}

export interface ShortcutGroup {
  title: string;
  /** Where the keys work. */
  where: string;
  shortcuts: readonly Shortcut[];
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The modifier shown for the palette: ⌘ on a Mac, Ctrl elsewhere (both work everywhere). */
export const PALETTE_MODIFIER = isMac ? '⌘' : 'Ctrl';

/**
 * Ctrl+Shift+1…5 go to the sidebar's screens, in its order. Chosen because nothing else takes
 * them: Ctrl+1…9 (and ⌘1…9) switch browser tabs in browser mode, Alt+1…6 jump between Rollout's
 * sections, bare digits and letters are Compare's and the blind vote's keys (G is Compare's
 * 2-up/4-up, so no "g then letter" sequences), and ⌘⇧3/4/5 are macOS screenshots, so it is the
 * Control key on a Mac too. The digit is read from the key's position (`code`), as Shift turns
 * the digit into a symbol on most layouts.
 */
export const SCREEN_KEYS = [
  { section: 'models', digit: '1' },
  { section: 'benchmarks', digit: '2' },
  { section: 'review', digit: '3' },
  { section: 'rollout', digit: '4' },
  { section: 'settings', digit: '5' },
] as const satisfies readonly { section: Section; digit: string }[];

/** A screen's keys, as drawn: ['Ctrl', 'Shift', '1']. */
export function screenKeys(section: Section): readonly string[] {
  const entry = SCREEN_KEYS.find((candidate) => candidate.section === section);
  return entry ? ['Ctrl', 'Shift', entry.digit] : [];
}

/** A screen's keys in `aria-keyshortcuts` form: "Control+Shift+1". */
export function screenAriaKeys(section: Section): string | undefined {
  const entry = SCREEN_KEYS.find((candidate) => candidate.section === section);
  return entry ? `Control+Shift+${entry.digit}` : undefined;
}

/**
 * The screen Ctrl+Shift+digit goes to, or null: never from a text field (the keys then belong
 * to it), never with Alt or ⌘, never on a held key's repeats.
 */
export function screenForKey(
  event: Pick<
    KeyboardEvent,
    'code' | 'ctrlKey' | 'shiftKey' | 'altKey' | 'metaKey' | 'repeat' | 'target'
  >,
): Section | null {
  if (!event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey || event.repeat) {
    return null;
  }
  if (isTyping(event.target)) return null;
  const entry = SCREEN_KEYS.find((candidate) => event.code === `Digit${candidate.digit}`);
  return entry ? entry.section : null;
}

export const SHORTCUT_GROUPS: readonly ShortcutGroup[] = [
  {
    title: 'Everywhere',
    where: 'Any screen',
    shortcuts: [
      { keys: [PALETTE_MODIFIER, 'K'], does: 'Open the command palette (screens and actions)' },
      {
        keys: ['Ctrl', 'Shift', '1…5'],
        does: 'Go to Models, Benchmarks, Review, Rollout or Settings (in the sidebar’s order)',
      },
      { keys: ['?'], does: 'Show this list of shortcuts' },
      { keys: ['Esc'], does: 'Close a dialog, the palette or this list' },
    ],
  },
  {
    title: 'Blind vote',
    where: 'Review → Blind vote',
    shortcuts: [
      { keys: ['1'], does: 'The left video (A) is better' },
      { keys: ['2'], does: 'The right video (B) is better' },
      { keys: ['T'], does: 'Tie' },
      { keys: ['X'], does: 'Both are bad' },
    ],
  },
  {
    title: 'Library',
    where: 'Review → Library',
    shortcuts: [
      { keys: ['↑', '↓'], does: 'Move through the prompts' },
      { keys: ['Enter'], does: 'Open the comparison of the selected prompt' },
    ],
  },
  {
    title: 'Compare',
    where: 'Compare',
    shortcuts: [
      { keys: ['Space'], does: 'Play or pause all players' },
      { keys: ['←', '→'], does: 'Skip back or forward 1 s' },
      { keys: [',', '.'], does: 'Step one frame back or forward' },
      { keys: ['[', ']'], does: 'Mark the start or end of a loop' },
      { keys: ['W'], does: 'Cycle side by side, wipe and difference (two players)' },
      { keys: ['+', '-'], does: 'Zoom in or out' },
      { keys: ['0'], does: 'Fit the video to the player' },
      { keys: ['1', '2', '3', '4'], does: 'Choose a player (again to un-choose)' },
      { keys: ['G'], does: 'Switch between 2-up and 4-up' },
      { keys: ['Esc'], does: 'Close Compare' },
    ],
  },
  {
    title: 'Rollout',
    where: 'Rollout',
    shortcuts: [
      { keys: ['Alt', '1…6'], does: 'Jump to Config, Simulator, … Production watch' },
      { keys: ['Esc', 'Tab'], does: 'Leave the Raw JSON editor (Tab alone indents there)' },
    ],
  },
];

/** Whether a key press comes from a place where the user is typing. */
export function isTyping(target: EventTarget | null): boolean {
  const element = target instanceof Element ? target : null;
  return Boolean(element?.closest('input, textarea, select, [contenteditable="true"]'));
}

/** Ctrl+K (or ⌘K): opens the palette, even from a text field. */
export function isPaletteKey(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
): boolean {
  return (
    (event.ctrlKey || event.metaKey) &&
    !event.altKey &&
    !event.shiftKey &&
    event.key.toLowerCase() === 'k'
  );
}

/** `?` (Shift+/ on most layouts) outside a text field, without Ctrl, ⌘ or Alt. */
export function isShortcutSheetKey(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>,
): boolean {
  return (
    event.key === '?' &&
    !event.ctrlKey &&
    !event.metaKey &&
    !event.altKey &&
    !isTyping(event.target)
  );
}

/** Whether a dialog (palette, sheet, confirm) is open: screen keys then stay quiet. */
export function dialogOpen(): boolean {
  return document.querySelector('[role="dialog"], [role="alertdialog"]') !== null;
}
