import type { ReactElement } from 'react';
import { PlusIcon, ReviewIcon, RolloutIcon, SettingsIcon } from '../components/icons';
import { EmptyState, PageHeader } from '../components/ui';
import { useAppStore } from '../store/store';

function GoToBenchmarks({ label }: { label: string }): ReactElement {
  const navigate = useAppStore((state) => state.navigate);
  const openNewRunDialog = useAppStore((state) => state.openNewRunDialog);
  const hasRuns = useAppStore((state) => state.runs.length > 0);
  return hasRuns ? (
    <button
      type="button"
      className="button button-primary"
      onClick={() => navigate({ screen: 'benchmarks' })}
    >
      {label}
    </button>
  ) : (
    <button
      type="button"
      className="button button-primary"
      onClick={() => {
        navigate({ screen: 'benchmarks' });
        openNewRunDialog('sandbox');
      }}
    >
      <PlusIcon /> Run a sandbox benchmark first
    </button>
  );
}

export function ReviewScreen(): ReactElement {
  return (
    <div className="page">
      <PageHeader title="Review" />
      <EmptyState
        icon={<ReviewIcon />}
        title="Blind review is coming here"
        action={<GoToBenchmarks label="Go to benchmarks" />}
      >
        <p>
          Rate benchmark videos side by side without seeing which model made them, and see which
          model people prefer per prompt category.
        </p>
        <p>
          For now, open a finished run and use Compare on any prompt to watch two models in sync.
        </p>
      </EmptyState>
    </div>
  );
}

export function RolloutScreen(): ReactElement {
  return (
    <div className="page">
      <PageHeader title="Rollout" />
      <EmptyState
        icon={<RolloutIcon />}
        title="Rollout will live here"
        action={<GoToBenchmarks label="See your benchmarks" />}
      >
        <p>
          Pick the winning model for each use, publish a signed routing config to your apps, and
          watch release notes and price changes of the models you depend on.
        </p>
        <p>It builds on benchmark results, so run a benchmark first.</p>
      </EmptyState>
    </div>
  );
}

export function SettingsScreen(): ReactElement {
  const appInfo = useAppStore((state) => state.appInfo);
  return (
    <div className="page">
      <PageHeader title="Settings" />
      <EmptyState icon={<SettingsIcon />} title="Provider keys and preferences will live here">
        <p>
          You will add API keys for Together, Runway, Replicate, Google Veo, fal and Luma here; keys
          stay in the operating system's keychain and never reach this window.
        </p>
        <p>
          Until then the sandbox works without any key. For the command line, set each provider's
          key as an environment variable.
        </p>
      </EmptyState>
      {appInfo ? (
        <dl className="facts">
          <div>
            <dt>Version</dt>
            <dd>{appInfo.version}</dd>
          </div>
          <div>
            <dt>Running as</dt>
            <dd>{appInfo.mode === 'electron' ? 'Desktop app' : 'Browser (npx aideon serve)'}</dd>
          </div>
          <div>
            <dt>ffmpeg</dt>
            <dd>
              {appInfo.ffmpegAvailable ? 'Found' : 'Not found (thumbnails and probing are off)'}
            </dd>
          </div>
          <div>
            <dt>Providers with keys</dt>
            <dd>
              {appInfo.providersWithKeys.length > 0
                ? appInfo.providersWithKeys.join(', ')
                : 'None yet'}
            </dd>
          </div>
        </dl>
      ) : null}
    </div>
  );
}
