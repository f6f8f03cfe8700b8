/**
 * Rollout → Config → "Compare with published": the config being edited (saved or not) against
 * what each environment runs now, as a structural diff that follows every keystroke.
 */
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { diffJson, summarizeDiff } from '../../../shared/rollout/json-diff';
import type { PublishedConfig } from '../../../shared/rollout/publish-ipc-schemas';
import { Badge, InlineError, Loading } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { DiffTable } from './publishing-dialogs';

const ENVIRONMENT_LABELS: Record<PublishedConfig['environment'], string> = {
  dev: 'Dev',
  staging: 'Staging',
  production: 'Production',
};

function EnvironmentDiff({
  published,
  config,
}: {
  published: PublishedConfig;
  config: unknown;
}): ReactElement {
  const label = ENVIRONMENT_LABELS[published.environment];
  const { live, problem } = published;
  const diff = live ? diffJson(live.config, config) : [];
  return (
    <section
      className="rt-env-diff"
      data-testid={`published-diff-${published.environment}`}
      aria-label={`Changes against ${label}`}
    >
      <header className="rt-env-diff-head">
        <h3 className="rt-env-diff-title">{label}</h3>
        {live ? (
          <span className="muted small">
            runs v{live.version} · signed {formatDateTime(Date.parse(live.issuedAt))}
          </span>
        ) : null}
        {problem ? (
          <Badge tone="danger">Unreadable</Badge>
        ) : !live ? (
          <Badge tone="neutral">Nothing published</Badge>
        ) : diff.length === 0 ? (
          <Badge tone="success">Same as the editor</Badge>
        ) : (
          <Badge tone="info">{summarizeDiff(diff)}</Badge>
        )}
      </header>
      {problem ? (
        <p className="rt-note rt-note-error">{problem}</p>
      ) : !live ? (
        <p className="muted small">
          {published.environment === 'dev'
            ? 'Publish the draft to dev (Publishing, below) to start; every change will be listed here.'
            : `Nothing reaches ${label.toLowerCase()} until it is promoted from the environment before it.`}
        </p>
      ) : (
        <DiffTable diff={diff} testId={`published-diff-table-${published.environment}`} />
      )}
    </section>
  );
}

export function PublishedDiffPanel({ config }: { config: unknown }): ReactElement {
  const [published, setPublished] = useState<PublishedConfig[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    setError(null);
    try {
      setPublished(await getClient().invoke('publish:get-published', {}));
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
    // Publishing, promotion and rollback change what is live; follow them.
    return getClient().on('publish:state-changed', () => void load());
  }, [load]);
  if (error) return <InlineError message={error} onRetry={() => void load()} />;
  if (!published) return <Loading label="Reading what each environment runs…" />;
  return (
    <div className="rt-env-diffs" data-testid="published-diff">
      <p className="muted small">
        What would change if this config (including unsaved edits) replaced what each environment
        runs now. <code>+</code> added, <code>−</code> removed, <code>~</code> changed.
      </p>
      {published.map((entry) => (
        <EnvironmentDiff key={entry.environment} published={entry} config={config} />
      ))}
    </div>
  );
}
