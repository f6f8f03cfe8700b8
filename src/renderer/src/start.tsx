/** Renders the console once the start-up call answered (main.tsx sent it). */
import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App, MissingToken, preloadLaterParts } from './app';
import { keepTokenFromUrl, type ClientSetup } from './ipc';
import type { Client } from './ipc/client';
import type { ChannelOutput } from '../../shared/ipc/contract';
import {
  applyStartData,
  loadInitialData,
  markConsoleReady,
  subscribeToEvents,
  whenConsoleReady,
} from './store/actions';
import { subscribeToMonitorEvents } from './store/monitor-actions';
import { guardUnsavedRouting } from './rollout/unsaved-routing';
import { runEffectsAfterCommit } from './lib/effects-after-commit';

type Bootstrap = ChannelOutput<'app:bootstrap'>;

/** Who this window is: a reviewer's own token gets only the blind vote (and no events). */
async function sessionRole(client: Client): Promise<Bootstrap['session']> {
  try {
    return await client.invoke('review:get-session', {});
  } catch {
    return { role: 'admin', name: '' };
  }
}

/**
 * Marks on the way to the ready mark, for test/bench/console-ready.bench.ts (a mark costs
 * microseconds): the start chunk ran, the start-up answer was in hand, the first render was done.
 */
const START_MARKS = {
  code: 'aideon:start-code',
  data: 'aideon:start-data',
  rendered: 'aideon:start-rendered',
} as const;

export async function start(
  setup: ClientSetup,
  bootstrap: Promise<Bootstrap | null>,
): Promise<void> {
  performance.mark(START_MARKS.code);
  runEffectsAfterCommit();
  // The entry script is async (electron.vite.config.ts): it may run before the parser is done.
  if (document.readyState === 'loading') {
    await new Promise((resolve) =>
      document.addEventListener('DOMContentLoaded', resolve, { once: true }),
    );
  }
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root element');
  const root = createRoot(container);
  if (!setup.client) {
    document.body.dataset.appState = 'no-token';
    root.render(
      <StrictMode>
        <MissingToken />
      </StrictMode>,
    );
    return;
  }
  const client = setup.client;
  // A token from the URL is saved for reloads once the first screen shows (see readAccessToken).
  void whenConsoleReady().then(keepTokenFromUrl);
  const boot = await bootstrap;
  performance.mark(START_MARKS.data);
  const session = boot?.session ?? (await sessionRole(client));
  if (session.role === 'reviewer') {
    const { ReviewerApp } = await import('./reviewer-app');
    root.render(
      <StrictMode>
        <ReviewerApp name={session.name} />
      </StrictMode>,
    );
    document.body.dataset.appState = 'ready';
    document.body.dataset.role = 'reviewer';
    keepTokenFromUrl();
    return;
  }
  subscribeToEvents(client);
  subscribeToMonitorEvents(client);
  guardUnsavedRouting();
  const app = (
    <StrictMode>
      <App />
    </StrictMode>
  );
  if (boot?.start) {
    // The data goes into the store before the first render, so the first screen renders once,
    // complete, and is on screen when the ready mark is set.
    applyStartData(boot.start);
    flushSync(() => root.render(app));
    performance.mark(START_MARKS.rendered);
    markConsoleReady();
  } else {
    root.render(app);
    await loadInitialData();
  }
  preloadLaterParts();
}
