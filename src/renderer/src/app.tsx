import {
  lazy,
  Suspense,
  useEffect,
  type ComponentType,
  type ReactElement,
  type ReactNode,
} from 'react';
import { BenchIcon, ModelsIcon, ReviewIcon, RolloutIcon, SettingsIcon } from './components/icons';
import { Toasts } from './components/toasts';
import { GlobalCommands, preloadCommands } from './commands/global-keys';
import { screenAriaKeys, screenKeys } from './commands/shortcuts';
import { MonitorEffects, UnreadNavBadge } from './monitor/monitor-effects';
import { Badge, Loading } from './components/ui';
import { deferredModule, useDeferredModule } from './lib/deferred-module';
import { focusScreenHeading } from './lib/keep-focus';
import { UnsavedRoutingMark } from './rollout/unsaved-routing';
import { BenchmarksScreen } from './screens/benchmarks-screen';
import { useAppStore } from './store/store';
import { sectionOf, type Section } from './store/ui-slice';

// The first screen shown (Benchmarks) is in the start-up chunk; every other screen, the new-run
// dialog and the command palette are their own chunks, loaded when opened (and fetched once
// the console is idle after start-up), so charts, the comparison player, the rollout editor,
// cmdk and the contract's zod schemas are not parsed before the first screen shows.
const loadTooltipScope = () => import('./components/tooltip-scope');
const loadModelsScreen = () => import('./screens/models-screen');
const newRunDialogModule = deferredModule(() => import('./screens/new-run-dialog'));

/** A screen loaded when opened, inside the tooltips' provider (loaded with it, in parallel). */
function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>) {
  return lazy(async () => {
    const [Screen, { TooltipScope }] = await Promise.all([load(), loadTooltipScope()]);
    return {
      default: (props: P): ReactElement => (
        <TooltipScope>
          <Screen {...props} />
        </TooltipScope>
      ),
    };
  });
}

const ModelsScreen = lazyScreen(() => loadModelsScreen().then((module) => module.ModelsScreen));
const RunScreen = lazyScreen(() =>
  import('./screens/run-screen').then((module) => module.RunScreen),
);
const CompareScreen = lazyScreen(() =>
  import('./compare/compare-screen').then((module) => module.CompareScreen),
);
const SuiteEditor = lazyScreen(() =>
  import('./bench/suite-editor').then((module) => module.SuiteEditor),
);
const ReviewScreen = lazyScreen(() =>
  import('./review/review-screen').then((module) => module.ReviewScreen),
);
const RolloutScreen = lazyScreen(() =>
  import('./screens/placeholder-screens').then((module) => module.RolloutScreen),
);
const SettingsScreen = lazyScreen(() =>
  import('./screens/settings-screen').then((module) => module.SettingsScreen),
);

/**
 * After start-up, once the browser is idle: fetch the parts most often opened next (the
 * Models screen, the new-run dialog, the palette), so opening them does not wait for the
 * network. Failures are ignored here; opening the part reports them.
 */
export function preloadLaterParts(): void {
  const load = (): void => {
    void loadModelsScreen().catch(() => undefined);
    void newRunDialogModule.load().catch(() => undefined);
    void loadTooltipScope().catch(() => undefined);
    preloadCommands();
  };
  if ('requestIdleCallback' in window) window.requestIdleCallback(load, { timeout: 2000 });
  else setTimeout(load, 200);
}

/** The new-run dialog: mounted (closed) once fetched, so it opens at once; fetched on demand. */
function LazyNewRunDialog(): ReactElement | null {
  const open = useAppStore((state) => state.newRunDialog.open);
  const code = useDeferredModule(newRunDialogModule);
  useEffect(() => {
    if (open) void newRunDialogModule.load().catch(() => undefined);
  }, [open]);
  return code ? <code.NewRunDialog /> : null;
}

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
              title={`${item.label} (${screenKeys(item.section).join('+')})`}
              aria-keyshortcuts={screenAriaKeys(item.section)}
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
  // A new screen: where the focus was may be gone with the old one.
  useEffect(
    () =>
      useAppStore.subscribe((state, previous) => {
        if (state.route !== previous.route) {
          focusScreenHeading(document.querySelector('#main h1'));
        }
      }),
    [],
  );
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
      <LazyNewRunDialog />
      <GlobalCommands />
      <Toasts />
      <MonitorEffects />
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
