/**
 * The keys that work on every screen: Ctrl+K / ⌘K for the palette, `?` for the shortcut sheet,
 * Ctrl+Shift+1…5 for the sidebar's screens.
 */
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { deferredModule, useDeferredModule } from '../lib/deferred-module';
import { useAppStore } from '../store/store';
import { dialogOpen, isPaletteKey, isShortcutSheetKey, screenForKey } from './shortcuts';

// The palette (cmdk) and the sheet are fetched once the console is idle after start-up (see
// preloadCommands), so they are not parsed before the first screen shows; from then on they
// are mounted (closed) and open at once, as if they had been there from the start.
const paletteModule = deferredModule(() => import('./command-palette'));
const sheetModule = deferredModule(() => import('./shortcut-sheet'));

export function preloadCommands(): void {
  void paletteModule.load().catch(() => undefined);
  void sheetModule.load().catch(() => undefined);
}

export function GlobalCommands(): ReactElement {
  const [palette, setPalette] = useState(false);
  const [sheet, setSheet] = useState(false);
  const paletteCode = useDeferredModule(paletteModule);
  const sheetCode = useDeferredModule(sheetModule);
  const openShortcuts = useCallback(() => setSheet(true), []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (isPaletteKey(event)) {
        event.preventDefault();
        setSheet(false);
        // Opened before it was fetched: it shows (open) as soon as it arrives.
        preloadCommands();
        setPalette((current) => !current);
      } else if (!palette && isShortcutSheetKey(event)) {
        event.preventDefault();
        preloadCommands();
        setSheet(true);
      } else {
        const section = screenForKey(event);
        // A dialog (the palette, a confirmation) keeps the keyboard: the screen behind it stays.
        if (section === null || dialogOpen()) return;
        event.preventDefault();
        useAppStore.getState().navigate({ screen: section });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [palette]);

  return (
    <>
      {paletteCode ? (
        <paletteCode.CommandPalette
          open={palette}
          onOpenChange={setPalette}
          openShortcuts={openShortcuts}
        />
      ) : null}
      {sheetCode ? <sheetCode.ShortcutSheet open={sheet} onOpenChange={setSheet} /> : null}
    </>
  );
}
