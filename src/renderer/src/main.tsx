import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, MissingToken } from './app';
import { setupClient } from './ipc';
import { loadInitialData, subscribeToEvents } from './store/actions';
import { subscribeToMonitorEvents } from './store/monitor-actions';
import { guardUnsavedRouting } from './rollout/unsaved-routing';
import './styles/tokens.css';
import './styles/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);
const setup = setupClient();

if (setup.client) {
  subscribeToEvents(setup.client);
  subscribeToMonitorEvents(setup.client);
  guardUnsavedRouting();
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  void loadInitialData();
} else {
  document.body.dataset.appState = 'no-token';
  root.render(
    <StrictMode>
      <MissingToken />
    </StrictMode>,
  );
}
