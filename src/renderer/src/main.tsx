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
import type { Client } from './ipc/client';
import { isConsoleStarting } from '../../shared/ipc/console-starting';

// The font file is preloaded (index.html), but Chromium decodes it only when text first needs
// it: in the first screen's layout, after React rendered (about 40 ms of that layout here).
// Asking for it now decodes it while the start chunk is still compiling.
document.fonts?.load('1em "Inter Latin"').catch(() => undefined);

const setup = setupClient();
// null when it failed: start.tsx then asks for each part on its own (and shows its errors).
const bootstrap = setup.client ? bootstrapWhenStarted(setup.client) : Promise.resolve(null);

/**
 * The start-up call. While the console's start is held up (another Aideon process holds its
 * database: `aideon serve` answers with CONSOLE_STARTING), the page says so and asks again
 * every 2 s, then goes on as usual; any other failure gives null at once.
 */
async function bootstrapWhenStarted(client: Client) {
  for (;;) {
    try {
      const answer = await client.invoke('app:bootstrap', {});
      clearStartingNote();
      return answer;
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (!isConsoleStarting(message)) {
        clearStartingNote();
        return null;
      }
      showStartingNote(message);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function showStartingNote(message: string): void {
  let note = document.getElementById('console-starting');
  if (!note) {
    note = document.createElement('p');
    note.id = 'console-starting';
    note.className = 'console-starting';
    note.setAttribute('role', 'status');
    document.getElementById('root')?.before(note);
  }
  note.textContent = `${message}. It opens by itself as soon as the database is free.`;
  document.body.dataset.appState = 'starting';
}

function clearStartingNote(): void {
  document.getElementById('console-starting')?.remove();
}

import('./start')
  .then(({ start }) => start(setup, bootstrap))
  .catch(() => {
    document.body.dataset.appState = 'error';
    document.body.textContent =
      'The console could not load its code. Check that it is still running, then reload.';
  });
