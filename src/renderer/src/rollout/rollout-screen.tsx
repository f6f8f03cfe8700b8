/** Rollout → Config: the routing config editor, its checks, simulator, flag preview and proposals. */
import { JsonEditor, jsonErrorPlace } from './json-editor';
import * as Tabs from '../components/tabs';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { RoutingProblem } from '../../../shared/routing/routing-problem';
import { ConfirmButton } from '../components/confirm';
import { Badge, InlineError, Loading, PageHeader } from '../components/ui';
import { ClientError, describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { useAppStore } from '../store/store';
import { FlagPreviewPanel, RecommendationsPanel, SimulatorPanel } from './analysis-panels';
import { FlagsEditor } from './flags-editor';
import { ProblemsList } from './problem-notes';
import { TiersEditor } from './tiers-editor';
import { WatchSection } from '../watch/watch-section';
import { PublishingSection } from './publishing-section';
import { PublishedDiffPanel } from './published-diff';
import { ROLLOUT_SECTIONS, SectionNav } from './section-nav';
import './rollout.css';

type Tab = 'tiers' | 'flags' | 'raw' | 'published';
const CHECK_DELAY_MS = 400;

interface Saved {
  config: unknown;
  revision: number;
  source: 'draft' | 'example';
}

/** The problems the checks found, with the config object they were found for. */
interface CheckResult {
  config: unknown;
  problems: RoutingProblem[];
}

/** A check that failed, with the config object it was for. */
interface CheckFailure {
  config: unknown;
  message: string;
}

const stringify = (config: unknown): string => JSON.stringify(config, null, 2);

/** Where a JSON text fails to parse, in words; null when it parses. */
function parseError(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : 'This is not valid JSON.';
  }
}

export function RolloutScreen(): ReactElement {
  const models = useAppStore((state) => state.models);
  // Unsaved edits live in the store, so leaving Rollout and coming back keeps them.
  const routingEdit = useAppStore((state) => state.routingEdit);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saved, setSaved] = useState<Saved | null>(null);
  const [check, setCheck] = useState<CheckResult | null>(null);
  const [checkFailure, setCheckFailure] = useState<CheckFailure | null>(null);
  const [checkAttempt, setCheckAttempt] = useState(0);
  const [tab, setTab] = useState<Tab>('tiers');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const checkSeq = useRef(0);
  const lastCheck = useRef<CheckResult | null>(null);

  const config: unknown = routingEdit ? routingEdit.config : (saved?.config ?? null);
  const problems = check?.problems ?? [];
  // "Checking" is derived, never a flag to clear: it holds exactly while the problems shown (if
  // any) were found for another config object and the check for this one has not failed.
  const checkFailed = checkFailure !== null && checkFailure.config === config;
  const checking = config !== null && check?.config !== config && !checkFailed;
  const rawText = routingEdit ? routingEdit.rawText : saved ? stringify(saved.config) : '';
  const rawError = useMemo(
    () => (routingEdit ? parseError(routingEdit.rawText) : null),
    [routingEdit],
  );
  const dirty = routingEdit !== null;

  const load = useCallback(async (): Promise<void> => {
    setLoadError(null);
    try {
      const draft = await getClient().invoke('routing:get-draft', {});
      setSaved({ config: draft.config, revision: draft.revision, source: draft.source });
      setConflict(false);
    } catch (error) {
      setLoadError(describeError(error));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Leaving with unsaved edits: they are kept, and the toast says where.
  useEffect(
    () => () => {
      if (useAppStore.getState().routingEdit === null) return;
      useAppStore.getState().pushToast({
        tone: 'info',
        title: 'Unsaved routing changes kept',
        description:
          'They are still in Rollout → Config. Save the draft there to keep them for good.',
      });
    },
    [],
  );

  // Validation as you type, debounced (the first check runs at once); answers to older configs
  // are dropped, and a config that already has its answer (from a save) is not checked again.
  useEffect(() => {
    if (config === null || lastCheck.current?.config === config) return;
    const seq = ++checkSeq.current;
    const timer = setTimeout(
      () => {
        getClient()
          .invoke('routing:check', { config })
          .then((result) => {
            if (seq !== checkSeq.current) return;
            lastCheck.current = { config, problems: result.problems };
            setCheck(lastCheck.current);
            setCheckFailure(null);
          })
          .catch((error: unknown) => {
            if (seq === checkSeq.current)
              setCheckFailure({ config, message: describeError(error) });
          });
      },
      lastCheck.current === null ? 0 : CHECK_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [config, checkAttempt]);

  const baseRevision = routingEdit?.baseRevision ?? saved?.revision ?? 0;

  const edit = (next: unknown): void => {
    useAppStore.getState().setRoutingEdit({ baseRevision, config: next, rawText: stringify(next) });
  };

  const editRaw = (text: string): void => {
    let next = config;
    try {
      next = JSON.parse(text) as unknown;
    } catch {
      // Keep the last valid config for the checks; the parse error shows under the editor.
    }
    useAppStore.getState().setRoutingEdit({ baseRevision, config: next, rawText: text });
  };

  const discard = (): void => {
    useAppStore.getState().clearRoutingEdit();
    setSaveError(null);
  };

  const save = async (): Promise<void> => {
    if (!saved || saving) return;
    setSaving(true);
    setSaveError(null);
    try {
      const out = await getClient().invoke('routing:save-draft', {
        config,
        expectedRevision: baseRevision,
      });
      setSaved({ config: out.config, revision: out.revision, source: out.source });
      // The save checked what it stored: that is this config's answer.
      checkSeq.current += 1;
      lastCheck.current = { config: out.config, problems: out.problems };
      setCheck(lastCheck.current);
      setCheckFailure(null);
      useAppStore.getState().clearRoutingEdit();
      useAppStore.getState().pushToast({
        tone: 'success',
        title: `Draft saved (revision ${out.revision})`,
      });
    } catch (error) {
      if (error instanceof ClientError && error.code === 'conflict') setConflict(true);
      else setSaveError(describeError(error));
    } finally {
      setSaving(false);
    }
  };

  if (loadError) {
    return (
      <div className="page">
        <PageHeader title="Rollout" />
        <InlineError message={loadError} onRetry={() => void load()} />
      </div>
    );
  }
  if (!saved) {
    return (
      <div className="page">
        <PageHeader title="Rollout" />
        <Loading label="Loading the routing config…" skeleton="rows" count={3} />
      </div>
    );
  }

  const errors = problems.filter((p) => p.severity === 'error').length;
  const hasSchemaErrors = problems.some((p) => p.code === 'schema') || rawError !== null;

  return (
    <div className="page rt-page" data-testid="rollout-screen">
      <PageHeader
        title="Rollout · Config"
        subtitle="The routing config production reads: tiers, fallback chains, weights and flags. Checked as you type."
        actions={
          <div className="rt-save">
            <span className="muted small" data-testid="routing-revision">
              {saved.source === 'example'
                ? 'Built-in example (not saved yet)'
                : `Draft revision ${saved.revision}`}
              {dirty ? ' · unsaved changes' : ''}
            </span>
            {dirty ? (
              <ConfirmButton
                label="Discard changes"
                title="Discard the unsaved changes?"
                body={
                  saved.source === 'example'
                    ? 'The editor goes back to the built-in example. Your changes are not saved anywhere.'
                    : `The editor goes back to saved draft revision ${saved.revision}. Your changes are not saved anywhere.`
                }
                confirmLabel="Discard changes"
                busyLabel="Discarding…"
                keepLabel="Keep editing"
                className="button button-secondary"
                testId="routing-discard"
                onConfirm={() => Promise.resolve(discard())}
              />
            ) : null}
            {check === null ? (
              <Badge tone="neutral">Not checked yet</Badge>
            ) : errors > 0 ? (
              <Badge tone="danger">Cannot be signed</Badge>
            ) : (
              <Badge tone="success">Signable</Badge>
            )}
            {/* While it saves the button is only marked disabled (save ignores it): a disabled
                button drops the keyboard focus to the page. */}
            <button
              type="button"
              className="button button-primary"
              disabled={rawError !== null}
              aria-disabled={saving || undefined}
              data-testid="routing-save"
              onClick={() => void save()}
            >
              {saving ? 'Saving…' : 'Save draft'}
            </button>
          </div>
        }
      />
      {conflict ? (
        <div className="rt-conflict" role="alert" data-testid="routing-conflict">
          <p>
            Another window saved the draft first, so this save was not made. Reload to see its
            version (your changes here are dropped), or copy your JSON out first.
          </p>
          <ConfirmButton
            label="Reload the saved draft"
            title="Drop your changes and reload?"
            body="Your unsaved changes are replaced by the draft the other window saved. Copy the Raw JSON first if you want to keep them."
            confirmLabel="Drop changes and reload"
            busyLabel="Reloading…"
            keepLabel="Keep my changes"
            className="button button-secondary button-small"
            testId="routing-reload"
            onConfirm={async () => {
              discard();
              await load();
            }}
          />
        </div>
      ) : null}
      {saveError ? <InlineError message={saveError} /> : null}
      <SectionNav sections={ROLLOUT_SECTIONS} />
      <div className="rt-layout" data-testid="rollout-editor">
        <div className="rt-main">
          <Tabs.Root className="tabs" value={tab} onValueChange={(v) => setTab(v as Tab)}>
            <Tabs.List className="tab-list" aria-label="Routing config">
              <Tabs.Trigger className="tab" value="tiers" data-testid="tab-tiers">
                Tiers
              </Tabs.Trigger>
              <Tabs.Trigger className="tab" value="flags" data-testid="tab-flags">
                Flags
              </Tabs.Trigger>
              <Tabs.Trigger className="tab" value="raw" data-testid="tab-raw">
                Raw JSON
              </Tabs.Trigger>
              <Tabs.Trigger className="tab" value="published" data-testid="tab-published">
                Compare with published
              </Tabs.Trigger>
            </Tabs.List>
            <Tabs.Content className="tab-panel" value="tiers">
              <TiersEditor config={config} problems={problems} models={models} onChange={edit} />
            </Tabs.Content>
            <Tabs.Content className="tab-panel" value="flags">
              <FlagsEditor config={config} problems={problems} onChange={edit} />
            </Tabs.Content>
            <Tabs.Content className="tab-panel" value="raw">
              <div className="rt-raw">
                <JsonEditor
                  label="Routing config as JSON"
                  testId="routing-raw"
                  value={rawText}
                  invalid={rawError !== null}
                  onChange={editRaw}
                />
                {/* Tab indents inside the editor, so the way out is said where it is needed. */}
                <p className="field-hint" data-testid="routing-raw-keys">
                  Tab indents here; to move on with the keyboard, press <kbd>Esc</kbd> then{' '}
                  <kbd>Tab</kbd>.
                </p>
                {rawError ? (
                  <p className="rt-note rt-note-error" role="alert" data-testid="routing-raw-error">
                    JSON parse error
                    {(() => {
                      const place = jsonErrorPlace(rawText, rawError);
                      return place ? ` at line ${place.line}, column ${place.column}` : '';
                    })()}
                    : {rawError}. The checks and the other tabs use the last valid JSON.
                  </p>
                ) : null}
              </div>
            </Tabs.Content>
            <Tabs.Content className="tab-panel" value="published">
              {tab === 'published' ? <PublishedDiffPanel config={config} /> : null}
            </Tabs.Content>
          </Tabs.Root>
        </div>
        <aside className="rt-side">
          {checkFailed ? (
            <InlineError
              message={checkFailure.message}
              onRetry={() => {
                setCheckFailure(null);
                setCheckAttempt((attempt) => attempt + 1);
              }}
            />
          ) : null}
          <ProblemsList
            problems={problems}
            state={checking ? 'checking' : checkFailed ? 'failed' : 'checked'}
            hasResult={check !== null}
          />
        </aside>
      </div>
      {hasSchemaErrors ? (
        <p className="muted small">
          The simulator, flag preview and recommendations need a config that matches the schema.
        </p>
      ) : null}
      <SimulatorPanel config={config} baseline={saved.config} models={models} />
      <FlagPreviewPanel config={config} />
      <RecommendationsPanel config={config} onApply={edit} />
      <PublishingSection />
      <WatchSection />
    </div>
  );
}
