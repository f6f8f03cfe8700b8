import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, MissingToken, ReviewerApp } from './app';
import { setupClient } from './ipc';
import { loadInitialData, subscribeToEvents } from './store/actions';
import { subscribeToMonitorEvents } from './store/monitor-actions';
import { guardUnsavedRouting } from './rollout/unsaved-routing';
// The UI font ships with the console (woff2 files in the bundle, served from our own origin,
// so the CSP's font-src 'self' holds): Linux no longer falls back to a wide default.
import '@fontsource-variable/inter';
import './styles/tokens.css';
import './styles/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);
const setup = setupClient();

/** Who this window is: a reviewer's own token gets only the blind vote (and no events). */
async function sessionRole(
  client: NonNullable<typeof setup.client>,
): Promise<{ role: 'admin' | 'reviewer'; name: string }> {
  try {
    return await client.invoke('review:get-session', {});
  } catch {
    return { role: 'admin', name: '' };
  }
}

if (setup.client) {
  const client = setup.client;
  void sessionRole(client).then((session) => {
    if (session.role === 'reviewer') {
      root.render(
        <StrictMode>
          <ReviewerApp name={session.name} />
        </StrictMode>,
      );
      document.body.dataset.appState = 'ready';
      document.body.dataset.role = 'reviewer';
      return;
    }
    subscribeToEvents(client);
    subscribeToMonitorEvents(client);
    guardUnsavedRouting();
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
    void loadInitialData();
  });
} else {
  document.body.dataset.appState = 'no-token';
  root.render(
    <StrictMode>
      <MissingToken />
    </StrictMode>,
  );
}
