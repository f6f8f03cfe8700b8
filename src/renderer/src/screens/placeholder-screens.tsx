import type { ReactElement } from 'react';
import { PlusIcon, RolloutIcon } from '../components/icons';
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
