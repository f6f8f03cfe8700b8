import * as Tooltip from '@radix-ui/react-tooltip';
import { lazy, Suspense, type ReactElement, type ReactNode } from 'react';
import { BenchIcon, ModelsIcon, ReviewIcon, RolloutIcon, SettingsIcon } from './components/icons';
import { Toasts } from './components/toasts';
import { GlobalCommands } from './commands/global-keys';
import { MonitorEffects, UnreadNavBadge } from './monitor/monitor-section';
import { Badge, Loading, PageHeader } from './components/ui';
import { BlindVote } from './review/blind-vote';
import { UnsavedRoutingMark } from './rollout/unsaved-routing';
import { ModelsScreen } from './screens/models-screen';
import { NewRunDialog } from './screens/new-run-dialog';

// Every screen but the first one shown (Models) is its own chunk, loaded when it is opened, so
// the console starts with less JavaScript (charts, the comparison player and the rollout editor
// are not parsed at start).
const BenchmarksScreen = lazy(() =>
  import('./screens/benchmarks-screen').then((module) => ({ default: module.BenchmarksScreen })),
);
const RunScreen = lazy(() =>
  import('./screens/run-screen').then((module) => ({ default: module.RunScreen })),
);
const CompareScreen = lazy(() =>
  import('./compare/compare-screen').then((module) => ({ default: module.CompareScreen })),
);
const SuiteEditor = lazy(() =>
  import('./bench/suite-editor').then((module) => ({ default: module.SuiteEditor })),
);
const ReviewScreen = lazy(() =>
  import('./review/review-screen').then((module) => ({ default: module.ReviewScreen })),
);
const RolloutScreen = lazy(() =>
  import('./screens/placeholder-screens').then((module) => ({ default: module.RolloutScreen })),
);
const SettingsScreen = lazy(() =>
  import('./screens/settings-screen').then((module) => ({ default: module.SettingsScreen })),
);
import { useAppStore } from './store/store';
import { sectionOf, type Section } from './store/ui-slice';

const NAV: { section: Section; label: string; icon: ReactNode }[] = [
  { section: 'models', label: 'Models', icon: <ModelsIcon /> },
  { section: 'benchmarks', label: 'Benchmarks', icon: <BenchIcon /> },
  { section: 'review', label: 'Review', icon: <ReviewIcon /> },
  { section: 'rollout', label: 'Rollout', icon: <RolloutIcon /> },
  { section: 'settings', label: 'Settings', icon: <SettingsIcon /> },
];

function Navigation(): ReactElement {
  const active = useAppStore((state) => sectionOf(state.route));
  const navigate = useAppStore((state) => state.navigate);
  const appInfo = useAppStore((state) => state.appInfo);
  const hasSimulated = useAppStore((state) => state.models.some((model) => model.simulated));
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          A
        </span>
        <div className="brand-text">
          <span className="brand-name">Aideon</span>
          <span className="brand-sub">Video Console</span>
        </div>
      </div>
      <ul className="nav-list">
        {NAV.map((item) => (
          <li key={item.section}>
            <button
              type="button"
              className={`nav-item ${active === item.section ? 'is-active' : ''}`}
              aria-current={active === item.section ? 'page' : undefined}
              data-testid={`nav-${item.section}`}
              onClick={() => navigate({ screen: item.section })}
            >
              {item.icon}
              <span>{item.label}</span>
              {item.section === 'models' ? <UnreadNavBadge /> : null}
              {item.section === 'rollout' ? <UnsavedRoutingMark /> : null}
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar-footer small">
        {hasSimulated ? (
          <Badge tone="sim" title="Sandbox models are available: their results are simulated.">
            Simulated models on
          </Badge>
        ) : null}
        <span className="muted" data-testid="app-version">
          {appInfo
            ? `v${appInfo.version} · ${appInfo.mode === 'electron' ? 'desktop' : 'browser'}`
            : ' '}
        </span>
      </div>
    </nav>
  );
}

function ConnectionBanner(): ReactElement | null {
  const connection = useAppStore((state) => state.connection);
  if (connection === 'connected') return null;
  return (
    <div className="connection-banner" role="status">
      <span className="spinner" aria-hidden="true" /> Lost the connection to the console.
      Reconnecting… Live updates resume when it is back.
    </div>
  );
}

function Screen(): ReactElement {
  const route = useAppStore((state) => state.route);
  switch (route.screen) {
    case 'models':
      return <ModelsScreen />;
    case 'benchmarks':
      return <BenchmarksScreen />;
    case 'run':
      return <RunScreen key={route.runId} runId={route.runId} />;
    case 'compare':
      return (
        <CompareScreen
          key={`${route.runId}:${route.promptId}`}
          runId={route.runId}
          promptId={route.promptId}
          back={route.back ?? 'run'}
        />
      );
    case 'suite':
      return <SuiteEditor suiteId={route.suiteId} />;
    case 'review':
      return <ReviewScreen initialTab={route.tab ?? 'vote'} />;
    case 'rollout':
      return <RolloutScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

export function App(): ReactElement {
  return (
    <>
      <Tooltip.Provider delayDuration={300}>
        <div className="shell">
          <Navigation />
          <main className="content" id="main">
            <ConnectionBanner />
            <Suspense
              fallback={
                <div className="page" data-testid="screen-loading">
                  <Loading label="Loading…" skeleton="rows" count={3} />
                </div>
              }
            >
              <Screen />
            </Suspense>
          </main>
        </div>
        <NewRunDialog />
        <GlobalCommands />
        <Toasts />
        <MonitorEffects />
      </Tooltip.Provider>
    </>
  );
}

/**
 * A reviewer's own token (team review server): only blind voting, nothing else of the console.
 * The server refuses every other channel for this token anyway; this keeps the screen honest.
 */
export function ReviewerApp({ name }: { name: string }): ReactElement {
  return (
    <>
      <Tooltip.Provider delayDuration={300}>
        <div className="shell shell-reviewer" data-testid="reviewer-shell">
          <main className="content" id="main">
            <div className="page review-page">
              <PageHeader
                title="Review"
                subtitle={`Signed in as ${name}. Vote on two videos of the same prompt without knowing which model made them.`}
              />
              <BlindVote reviewerMode />
            </div>
          </main>
        </div>
        <Toasts />
      </Tooltip.Provider>
    </>
  );
}

/** Browser mode without a token: nothing can be loaded, so say how to get in. */
export function MissingToken(): ReactElement {
  return (
    <div className="fullscreen-message">
      <div className="fullscreen-card">
        <span className="brand-mark brand-mark-large" aria-hidden="true">
          A
        </span>
        <h1>Aideon Video Console</h1>
        <p>
          Open the console with the URL that <code>npx aideon serve</code> printed (it contains the
          access token).
        </p>
        <p className="muted small">
          The token keeps other pages and programs on this computer from using the console. It is
          read from the link once and kept only for this browser tab.
        </p>
      </div>
    </div>
  );
}
