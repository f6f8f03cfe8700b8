/**
 * The entry: as little as possible runs before the start-up call (app:bootstrap) goes out, so
 * the call travels while React and the first screen are fetched and parsed (start.tsx, a chunk
 * index.html already preloads).
 */
// The UI font ships with the console (woff2 files in the bundle, served from our own origin,
// so the CSP's font-src 'self' holds): Linux no longer falls back to a wide default. Its Latin
// face is a family of its own, the one file the first screen needs (see styles/fonts.css).
import './styles/fonts.css';
import './styles/tokens.css';
import './styles/app.css';
import { setupClient } from './ipc';

// The font file is preloaded (index.html), but Chromium decodes it only when text first needs
// it: in the first screen's layout, after React rendered (about 40 ms of that layout here).
// Asking for it now decodes it while the start chunk is still compiling.
document.fonts?.load('1em "Inter Latin"').catch(() => undefined);

const setup = setupClient();
// null when it failed: start.tsx then asks for each part on its own (and shows its errors).
const bootstrap = setup.client
  ? setup.client.invoke('app:bootstrap', {}).then(
      (answer) => answer,
      () => null,
    )
  : Promise.resolve(null);

import('./start')
  .then(({ start }) => start(setup, bootstrap))
  .catch(() => {
    document.body.dataset.appState = 'error';
    document.body.textContent =
      'The console could not load its code. Check that it is still running, then reload.';
  });
