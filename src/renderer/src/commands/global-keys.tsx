/** The keys that work on every screen: Ctrl+K / ⌘K for the palette, `?` for the shortcut sheet. */
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { CommandPalette } from './command-palette';
import { ShortcutSheet } from './shortcut-sheet';
import { isPaletteKey, isShortcutSheetKey } from './shortcuts';

export function GlobalCommands(): ReactElement {
  const [palette, setPalette] = useState(false);
  const [sheet, setSheet] = useState(false);
  const openShortcuts = useCallback(() => setSheet(true), []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (isPaletteKey(event)) {
        event.preventDefault();
        setSheet(false);
        setPalette((current) => !current);
      } else if (!palette && isShortcutSheetKey(event)) {
        event.preventDefault();
        setSheet(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [palette]);

  return (
    <>
      <CommandPalette open={palette} onOpenChange={setPalette} openShortcuts={openShortcuts} />
      <ShortcutSheet open={sheet} onOpenChange={setSheet} />
    </>
  );
}
