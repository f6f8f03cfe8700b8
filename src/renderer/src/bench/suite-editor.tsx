/**
 * The suite editor: name, description, generation settings and the prompts table. Save makes a
 * new version (a built-in suite is saved as the user's own copy); any saved version can be
 * exported as YAML or JSON, or started as a benchmark.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useId, useMemo, useState, type ReactElement } from 'react';
import type { PromptCategory } from '../../../shared/domain';
import { BackIcon, DownloadIcon, PlusIcon, TrashIcon } from '../components/icons';
import { Badge, InlineError, Loading, PageHeader } from '../components/ui';
import { describeError } from '../ipc/client';
import {
  exportSuite,
  fetchSuite,
  saveSuite,
  type LoadedSuite,
  type SaveOutcome,
} from '../store/suite-actions';
import { useAppStore } from '../store/store';
import {
  ASPECT_RATIOS,
  CATEGORIES,
  CATEGORY_LABELS,
  LIMITS,
  RESOLUTIONS,
  checkDraft,
  draftFromDefinition,
  emptyDraft,
  errorFor,
  nextPromptId,
  type FieldError,
  type PromptDraft,
  type SuiteDraft,
} from './suite-form';
import { DialogHeader } from '../components/dialog-header';
import { returnFocusOnClose } from '../lib/keep-focus';

type LoadState =
  | { kind: 'new' }
  | { kind: 'loading' }
  | { kind: 'loaded'; suite: LoadedSuite }
  | { kind: 'error'; message: string };

export function SuiteEditor({ suiteId }: { suiteId: string | null }): ReactElement {
  const navigate = useAppStore((state) => state.navigate);
  const setBenchmarksTab = useAppStore((state) => state.setBenchmarksTab);
  const [load, setLoad] = useState<LoadState>(suiteId ? { kind: 'loading' } : { kind: 'new' });
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [baseline, setBaseline] = useState<SuiteDraft>(emptyDraft);
  const [draft, setDraft] = useState<SuiteDraft>(emptyDraft);
  const [showErrors, setShowErrors] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<{ version: number; copied: boolean } | null>(null);
  const [serverProblem, setServerProblem] = useState<Exclude<
    SaveOutcome,
    { kind: 'saved' }
  > | null>(null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (!suiteId) return;
    let stale = false;
    setLoad((current) => (current.kind === 'loaded' ? current : { kind: 'loading' }));
    fetchSuite(suiteId, version)
      .then((suite) => {
        if (stale) return;
        const next = draftFromDefinition(suite.definition);
        setLoad({ kind: 'loaded', suite });
        setBaseline(next);
        setDraft(next);
        setShowErrors(false);
      })
      .catch((error: unknown) => {
        if (!stale) setLoad({ kind: 'error', message: describeError(error) });
      });
    return () => {
      stale = true;
    };
  }, [suiteId, version, reload]);

  const check = useMemo(() => checkDraft(draft), [draft]);
  const errors: FieldError[] = showErrors && !check.ok ? check.errors : [];
  const dirty = JSON.stringify(draft) !== JSON.stringify(baseline);
  const suite = load.kind === 'loaded' ? load.suite : null;
  const builtIn = suite?.builtIn ?? false;
  const latest = suite ? Math.max(...suite.versions) : null;

  const leave = (): void => {
    setBenchmarksTab('suites');
    navigate({ screen: 'benchmarks' });
  };

  const save = async (): Promise<void> => {
    setShowErrors(true);
    setServerProblem(null);
    if (!check.ok) return;
    setSaving(true);
    const result = await saveSuite(suiteId, check.definition);
    setSaving(false);
    if (result.kind !== 'saved') {
      setServerProblem(result);
      return;
    }
    setSaved({ version: result.summary.version, copied: builtIn });
    setBaseline(draft);
    setShowErrors(false);
    setVersion(undefined);
    if (result.summary.id !== suiteId) navigate({ screen: 'suite', suiteId: result.summary.id });
    else {
      // Same suite, new version: re-read it so the version list is current.
      void fetchSuite(result.summary.id).then((fresh) => setLoad({ kind: 'loaded', suite: fresh }));
    }
  };

  const back = (
    <button
      type="button"
      className="icon-button"
      aria-label="Back to suites"
      data-testid="suite-back"
      onClick={() => (dirty ? setConfirmLeave(true) : leave())}
    >
      <BackIcon />
    </button>
  );

  if (load.kind === 'loading' || load.kind === 'error') {
    return (
      <div className="page">
        <PageHeader leading={back} title="Suite" />
        {load.kind === 'error' ? (
          <InlineError message={load.message} onRetry={() => setReload((n) => n + 1)} />
        ) : (
          <Loading label="Loading the suite…" skeleton="rows" />
        )}
      </div>
    );
  }

  const update = (patch: Partial<SuiteDraft>): void => {
    setSaved(null);
    setDraft((current) => ({ ...current, ...patch }));
  };
  const updatePrompt = (index: number, patch: Partial<PromptDraft>): void => {
    setSaved(null);
    setDraft((current) => ({
      ...current,
      prompts: current.prompts.map((prompt, position) =>
        position === index ? { ...prompt, ...patch } : prompt,
      ),
    }));
  };

  return (
    <div className="page suite-page">
      <PageHeader
        leading={back}
        title={suite ? draft.name || suite.definition.name : 'New suite'}
        subtitle={
          suite ? (
            <>
              {builtIn ? <Badge tone="info">Built in</Badge> : null}{' '}
              <span data-testid="suite-editor-version">
                Version {suite.version}
                {latest !== null && suite.version !== latest ? ` (latest is v${latest})` : ''}
              </span>{' '}
              · <code className="small">{suite.id}</code>
            </>
          ) : (
            'A list of prompts with the settings every model is asked for.'
          )
        }
        actions={
          suite ? (
            <SuiteActions
              suiteId={suite.id}
              version={suite.version}
              versions={suite.versions}
              dirty={dirty}
              onPickVersion={(picked) => {
                setSaved(null);
                setVersion(picked);
              }}
            />
          ) : undefined
        }
      />

      {builtIn ? (
        <div className="notice" data-testid="built-in-notice">
          <span>
            <strong>This suite is built in.</strong> Saving makes your own copy; the built-in suite
            stays as it is, so earlier runs stay comparable.
          </span>
        </div>
      ) : null}

      <form
        className="suite-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <section className="form-card" aria-label="About the suite">
          <div className="field-row">
            <TextField
              label="Name"
              value={draft.name}
              maxLength={LIMITS.name + 20}
              error={errorFor(errors, 'name')}
              testId="suite-name"
              onChange={(name) => update({ name })}
            />
            <div className="field">
              <SettingsFields draft={draft} errors={errors} update={update} />
            </div>
          </div>
          <div className="field">
            <FieldLabel text="Description" />
            <textarea
              className="textarea"
              rows={2}
              value={draft.description}
              data-testid="suite-description"
              aria-invalid={Boolean(errorFor(errors, 'description'))}
              onChange={(event) => update({ description: event.target.value })}
              placeholder="What this suite is for, e.g. “faces and hands in motion”"
            />
            {errorFor(errors, 'description') ? (
              <p className="field-error">{errorFor(errors, 'description')}</p>
            ) : null}
          </div>
        </section>

        <PromptsTable
          prompts={draft.prompts}
          errors={errors}
          onChange={updatePrompt}
          onRemove={(index) =>
            update({ prompts: draft.prompts.filter((_, position) => position !== index) })
          }
          onAdd={() =>
            update({
              prompts: [
                ...draft.prompts,
                { id: nextPromptId(draft.prompts), text: '', category: 'general', imageUrl: '' },
              ],
            })
          }
        />

        {errors.length > 0 ? (
          <div className="import-result import-bad" role="alert" data-testid="suite-errors">
            <div>
              <strong>
                Fix {errors.length === 1 ? 'this problem' : `these ${errors.length} problems`}{' '}
                before saving:
              </strong>
              <ul className="import-issues">
                {errors.map((error) => (
                  <li key={`${error.field}:${error.message}`}>{error.message}</li>
                ))}
              </ul>
            </div>
          </div>
        ) : null}
        {serverProblem ? (
          <div className="import-result import-bad" role="alert" data-testid="suite-server-error">
            {serverProblem.kind === 'invalid' ? (
              <div>
                <strong>The console refused the suite:</strong>
                <ul className="import-issues">
                  {serverProblem.issues.map((issue) => (
                    <li key={issue}>{issue}</li>
                  ))}
                </ul>
              </div>
            ) : (
              <span>{serverProblem.message}</span>
            )}
          </div>
        ) : null}

        <div className="form-footer">
          {saved ? (
            <span className="save-status" role="status" data-testid="suite-saved">
              v{saved.version} saved{saved.copied ? ' as your own copy' : ''}
            </span>
          ) : dirty ? (
            <span className="muted small">Unsaved changes</span>
          ) : null}
          <span className="toolbar-spacer" />
          {builtIn ? <span className="muted small">Saving makes your own copy.</span> : null}
          <button
            type="submit"
            className="button button-primary"
            disabled={saving || (!dirty && suite !== null && !builtIn)}
            data-testid="save-suite"
          >
            {saving ? 'Saving…' : builtIn ? 'Save as my copy' : 'Save new version'}
          </button>
        </div>
      </form>

      <Dialog.Root open={confirmLeave} onOpenChange={setConfirmLeave}>
        <Dialog.Portal>
          <Dialog.Overlay className="dialog-overlay" />
          <Dialog.Content
            className="dialog dialog-narrow"
            role="alertdialog"
            onCloseAutoFocus={returnFocusOnClose}
          >
            <DialogHeader>Leave without saving?</DialogHeader>
            <Dialog.Description className="dialog-body">
              Your changes to this suite have not been saved and will be lost.
            </Dialog.Description>
            <div className="dialog-footer">
              <Dialog.Close className="button button-secondary">Keep editing</Dialog.Close>
              <button type="button" className="button button-danger" onClick={leave}>
                Discard changes
              </button>
            </div>
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
    </div>
  );
}

function FieldLabel({ text, htmlFor }: { text: string; htmlFor?: string }): ReactElement {
  return (
    <label className="field-label" htmlFor={htmlFor}>
      {text}
    </label>
  );
}

function TextField({
  label,
  value,
  error,
  testId,
  maxLength,
  onChange,
}: {
  label: string;
  value: string;
  error: string | undefined;
  testId: string;
  maxLength: number;
  onChange: (value: string) => void;
}): ReactElement {
  const id = useId();
  return (
    <div className="field">
      <FieldLabel text={label} htmlFor={id} />
      <input
        id={id}
        value={value}
        maxLength={maxLength}
        data-testid={testId}
        aria-invalid={Boolean(error)}
        onChange={(event) => onChange(event.target.value)}
      />
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}

function SettingsFields({
  draft,
  errors,
  update,
}: {
  draft: SuiteDraft;
  errors: readonly FieldError[];
  update: (patch: Partial<SuiteDraft>) => void;
}): ReactElement {
  const id = useId();
  const settingErrors = ['durationSeconds', 'aspectRatio', 'resolution', 'seed']
    .map((key) => errorFor(errors, `settings.${key}`))
    .filter((message): message is string => Boolean(message));
  const options = (values: readonly string[], current: string): string[] =>
    current && !values.includes(current) ? [...values, current] : [...values];
  return (
    <fieldset className="settings-fieldset">
      <legend className="field-label">Generation settings</legend>
      <div className="settings-grid">
        <label className="mini-field" htmlFor={`${id}-duration`}>
          <span>Duration (s)</span>
          <input
            id={`${id}-duration`}
            inputMode="decimal"
            value={draft.durationText}
            placeholder="default"
            data-testid="suite-duration"
            aria-invalid={Boolean(errorFor(errors, 'settings.durationSeconds'))}
            onChange={(event) => update({ durationText: event.target.value })}
          />
        </label>
        <label className="mini-field" htmlFor={`${id}-aspect`}>
          <span>Aspect</span>
          <select
            id={`${id}-aspect`}
            value={draft.aspectRatio}
            data-testid="suite-aspect"
            onChange={(event) => update({ aspectRatio: event.target.value })}
          >
            <option value="">default</option>
            {options(ASPECT_RATIOS, draft.aspectRatio).map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label className="mini-field" htmlFor={`${id}-resolution`}>
          <span>Resolution</span>
          <select
            id={`${id}-resolution`}
            value={draft.resolution}
            data-testid="suite-resolution"
            onChange={(event) => update({ resolution: event.target.value })}
          >
            <option value="">default</option>
            {options(RESOLUTIONS, draft.resolution).map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label className="mini-field" htmlFor={`${id}-seed`}>
          <span>Seed</span>
          <input
            id={`${id}-seed`}
            inputMode="numeric"
            value={draft.seedText}
            placeholder="random"
            data-testid="suite-seed"
            aria-invalid={Boolean(errorFor(errors, 'settings.seed'))}
            onChange={(event) => update({ seedText: event.target.value })}
          />
        </label>
        <label className="mini-field" htmlFor={`${id}-audio`}>
          <span>Audio</span>
          <select
            id={`${id}-audio`}
            value={draft.audio}
            data-testid="suite-audio"
            onChange={(event) => update({ audio: event.target.value as SuiteDraft['audio'] })}
          >
            <option value="default">default</option>
            <option value="on">with audio</option>
            <option value="off">silent</option>
          </select>
        </label>
      </div>
      {settingErrors.map((message) => (
        <p key={message} className="field-error">
          {message}
        </p>
      ))}
      <p className="field-hint">
        Empty means each model’s own default. A setting a model cannot honour is shown as a warning
        on the plan, never silently changed.
      </p>
    </fieldset>
  );
}

function PromptsTable({
  prompts,
  errors,
  onChange,
  onRemove,
  onAdd,
}: {
  prompts: readonly PromptDraft[];
  errors: readonly FieldError[];
  onChange: (index: number, patch: Partial<PromptDraft>) => void;
  onRemove: (index: number) => void;
  onAdd: () => void;
}): ReactElement {
  const listError = errorFor(errors, 'prompts');
  return (
    <section className="form-card prompts-card" aria-label="Prompts">
      <div className="prompts-header">
        <h2 className="section-title">
          Prompts <span className="muted num">({prompts.length})</span>
        </h2>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={onAdd}
          data-testid="add-prompt"
          disabled={prompts.length >= LIMITS.prompts}
        >
          <PlusIcon width={16} height={16} /> Add prompt
        </button>
      </div>
      {listError ? <p className="field-error">{listError}</p> : null}
      <div className="table-wrap">
        <table className="table prompts-table" data-testid="prompts-table">
          {/* Widths in app.css (.prompts-col-*), narrower in a small window. */}
          <colgroup>
            <col className="prompts-col-index" />
            <col />
            <col className="prompts-col-category" />
            <col className="prompts-col-image" />
            <col className="prompts-col-remove" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Prompt</th>
              <th scope="col">Category</th>
              <th scope="col">Reference image (optional)</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {prompts.map((prompt, index) => {
              const textError = errorFor(errors, `prompts.${index}.text`);
              const imageError = errorFor(errors, `prompts.${index}.imageUrl`);
              return (
                <tr key={prompt.id} data-testid="prompt-row">
                  <td className="num muted" title={`Prompt id ${prompt.id}`}>
                    {index + 1}
                  </td>
                  <td>
                    <textarea
                      className="textarea"
                      rows={2}
                      value={prompt.text}
                      aria-label={`Prompt ${index + 1} text`}
                      aria-invalid={Boolean(textError)}
                      placeholder="Describe the video: subject, action, setting, camera"
                      data-testid="prompt-text"
                      onChange={(event) => onChange(index, { text: event.target.value })}
                    />
                    {textError ? <p className="field-error">{textError}</p> : null}
                  </td>
                  <td>
                    <select
                      className="select"
                      value={prompt.category}
                      aria-label={`Prompt ${index + 1} category`}
                      data-testid="prompt-category"
                      onChange={(event) =>
                        onChange(index, { category: event.target.value as PromptCategory })
                      }
                    >
                      {CATEGORIES.map((category) => (
                        <option key={category} value={category}>
                          {CATEGORY_LABELS[category]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      className="input"
                      value={prompt.imageUrl}
                      aria-label={`Prompt ${index + 1} reference image URL`}
                      aria-invalid={Boolean(imageError)}
                      placeholder="https://…"
                      data-testid="prompt-image"
                      onChange={(event) => onChange(index, { imageUrl: event.target.value })}
                    />
                    {imageError ? <p className="field-error">{imageError}</p> : null}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Remove prompt ${index + 1}`}
                      title="Remove this prompt"
                      data-testid="remove-prompt"
                      disabled={prompts.length <= 1}
                      onClick={() => onRemove(index)}
                    >
                      <TrashIcon width={18} height={18} />
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function SuiteActions({
  suiteId,
  version,
  versions,
  dirty,
  onPickVersion,
}: {
  suiteId: string;
  version: number;
  versions: readonly number[];
  dirty: boolean;
  onPickVersion: (version: number) => void;
}): ReactElement {
  const openNewRunDialog = useAppStore((state) => state.openNewRunDialog);
  const pushToast = useAppStore((state) => state.pushToast);
  const latest = Math.max(...versions);
  const doExport = (format: 'yaml' | 'json'): void => {
    void exportSuite(suiteId, version, format).then((result) => {
      if (!result.ok)
        pushToast({ title: 'Export failed', description: result.message, tone: 'error' });
    });
  };
  return (
    <>
      {versions.length > 1 ? (
        <label className="inline-field">
          <span className="muted small">Version</span>
          <select
            value={version}
            data-testid="suite-version-select"
            onChange={(event) => onPickVersion(Number(event.target.value))}
          >
            {[...versions].reverse().map((entry) => (
              <option key={entry} value={entry}>
                v{entry}
                {entry === latest ? ' (latest)' : ''}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <button
        type="button"
        className="button button-secondary button-small"
        data-testid="export-suite-yaml"
        title={dirty ? `Exports the saved v${version}, without unsaved changes` : undefined}
        onClick={() => doExport('yaml')}
      >
        <DownloadIcon width={16} height={16} /> Export YAML
      </button>
      <button
        type="button"
        className="button button-secondary button-small"
        data-testid="export-suite-json"
        title={dirty ? `Exports the saved v${version}, without unsaved changes` : undefined}
        onClick={() => doExport('json')}
      >
        <DownloadIcon width={16} height={16} /> Export JSON
      </button>
      <button
        type="button"
        className="button button-primary button-small"
        data-testid="run-suite"
        disabled={dirty}
        title={
          dirty ? 'Save first: a run uses a saved version' : 'Start a benchmark with this suite'
        }
        onClick={() => openNewRunDialog('blank', suiteId)}
      >
        Run benchmark…
      </button>
    </>
  );
}
