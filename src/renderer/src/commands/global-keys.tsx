/** The keys that work on every screen: Ctrl+K / ⌘K for the palette, `?` for the shortcut sheet. */
import { lazy, Suspense, useCallback, useEffect, useState, type ReactElement } from 'react';
import { isPaletteKey, isShortcutSheetKey } from './shortcuts';

// The palette (cmdk) and the sheet are loaded when first opened (or once the console is idle
// after start-up, see preloadLaterParts), so they are not parsed before the first screen shows.
const loadCommandPalette = () => import('./command-palette');
const loadShortcutSheet = () => import('./shortcut-sheet');
const CommandPalette = lazy(() =>
  loadCommandPalette().then((module) => ({ default: module.CommandPalette })),
);
const ShortcutSheet = lazy(() =>
  loadShortcutSheet().then((module) => ({ default: module.ShortcutSheet })),
);

export function preloadCommands(): void {
  void loadCommandPalette().catch(() => undefined);
  void loadShortcutSheet().catch(() => undefined);
}

export function GlobalCommands(): ReactElement {
  const [palette, setPalette] = useState(false);
  const [sheet, setSheet] = useState(false);
  // Mounted from the first opening on (so closing still animates and state is kept).
  const [paletteUsed, setPaletteUsed] = useState(false);
  const [sheetUsed, setSheetUsed] = useState(false);
  const openShortcuts = useCallback(() => {
    setSheetUsed(true);
    setSheet(true);
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (isPaletteKey(event)) {
        event.preventDefault();
        setSheet(false);
        setPaletteUsed(true);
        setPalette((current) => !current);
      } else if (!palette && isShortcutSheetKey(event)) {
        event.preventDefault();
        setSheetUsed(true);
        setSheet(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [palette]);

  return (
    <Suspense fallback={null}>
      {paletteUsed ? (
        <CommandPalette open={palette} onOpenChange={setPalette} openShortcuts={openShortcuts} />
      ) : null}
      {sheetUsed ? <ShortcutSheet open={sheet} onOpenChange={setSheet} /> : null}
    </Suspense>
  );
}
