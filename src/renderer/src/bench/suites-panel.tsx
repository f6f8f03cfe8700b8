/** The Suites tab of the Benchmarks screen: every suite with its version, import, new suite. */
import { useId, useRef, useState, type ReactElement } from 'react';
import { PlusIcon, UploadIcon } from '../components/icons';
import { Badge, InlineError, Loading } from '../components/ui';
import { loadSuites } from '../store/actions';
import { importSuiteFile, type SaveOutcome } from '../store/suite-actions';

type ImportProblem = Exclude<SaveOutcome, { kind: 'saved' }>;
import { useAppStore } from '../store/store';

export function SuitesPanel(): ReactElement {
  const suites = useAppStore((state) => state.suites);
  const status = useAppStore((state) => state.suitesStatus);
  const navigate = useAppStore((state) => state.navigate);
  const openNewRunDialog = useAppStore((state) => state.openNewRunDialog);
  const [problem, setProblem] = useState<ImportProblem | null>(null);

  return (
    <div className="review-pane">
      <div className="review-toolbar">
        <p className="muted small toolbar-text">
          A suite is a versioned list of prompts with generation settings. Every save makes a new
          version, and each run records the version it used.
        </p>
        <span className="toolbar-spacer" />
        <ImportSuiteButton onProblem={setProblem} />
        <button
          type="button"
          className="button button-primary button-small"
          data-testid="new-suite"
          onClick={() => navigate({ screen: 'suite', suiteId: null })}
        >
          <PlusIcon width={16} height={16} /> New suite
        </button>
      </div>
      {problem ? (
        <div className="import-result import-bad" role="alert" data-testid="import-suite-result">
          {problem.kind === 'invalid' ? (
            <div>
              <strong>The suite was not imported: the file has problems.</strong>
              <ul className="import-issues" data-testid="import-suite-issues">
                {problem.issues.slice(0, 30).map((issue) => (
                  <li key={issue}>{issue}</li>
                ))}
              </ul>
              {problem.issues.length > 30 ? (
                <p className="small">…and {problem.issues.length - 30} more.</p>
              ) : null}
            </div>
          ) : (
            <span>{problem.message}</span>
          )}
          <button type="button" className="link-button small" onClick={() => setProblem(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {status.kind === 'error' ? (
        <InlineError message={status.message} onRetry={() => void loadSuites()} />
      ) : status.kind !== 'loaded' ? (
        <Loading label="Loading suites…" skeleton="table" />
      ) : (
        <div className="table-wrap">
          <table className="table suites-table" data-testid="suites-table">
            <thead>
              <tr>
                <th scope="col">Suite</th>
                <th scope="col" className="num">
                  Version
                </th>
                <th scope="col" className="num">
                  Prompts
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {suites.map((suite) => (
                <tr key={suite.id} data-testid="suite-row" data-suite-id={suite.id}>
                  <td>
                    <div className="cell-stack">
                      <span>
                        <button
                          type="button"
                          className="suite-name-button strong"
                          onClick={() => navigate({ screen: 'suite', suiteId: suite.id })}
                        >
                          {suite.name}
                        </button>{' '}
                        {suite.builtIn ? (
                          <Badge
                            tone="info"
                            title="Comes with the console; saving makes your own copy."
                          >
                            Built in
                          </Badge>
                        ) : null}
                      </span>
                      {suite.description ? (
                        <span className="muted small suite-description">{suite.description}</span>
                      ) : null}
                    </div>
                  </td>
                  <td className="num" data-testid="suite-version">
                    v{suite.version}
                  </td>
                  <td className="num">{suite.promptCount}</td>
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        onClick={() => navigate({ screen: 'suite', suiteId: suite.id })}
                      >
                        {suite.builtIn ? 'Open' : 'Edit'}
                      </button>
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        onClick={() => openNewRunDialog('blank', suite.id)}
                      >
                        Run…
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function ImportSuiteButton({
  onProblem,
}: {
  onProblem: (problem: ImportProblem | null) => void;
}): ReactElement {
  const fileRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const navigate = useAppStore((state) => state.navigate);
  const [busy, setBusy] = useState(false);
  const setOutcome = onProblem;

  const onFile = async (file: File): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    let text: string;
    try {
      text = await file.text();
    } catch {
      setOutcome({ kind: 'failed', message: 'The file could not be read.' });
      setBusy(false);
      return;
    }
    const result = await importSuiteFile(file.name, text);
    setBusy(false);
    if (result.kind === 'saved') {
      useAppStore.getState().pushToast({
        title: 'Suite imported',
        description: `${result.summary.name} v${result.summary.version}, ${result.summary.promptCount} prompts.`,
        tone: 'success',
      });
      navigate({ screen: 'suite', suiteId: result.summary.id });
    } else setOutcome(result);
  };

  return (
    <>
      <input
        ref={fileRef}
        id={inputId}
        type="file"
        accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml"
        className="visually-hidden"
        tabIndex={-1}
        // Out of the Tab order (its visible button opens it), but named for whoever reaches it.
        aria-label="Suite file to import"
        data-testid="import-suite-input"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) void onFile(file);
        }}
      />
      <button
        type="button"
        className="button button-secondary button-small"
        disabled={busy}
        onClick={() => fileRef.current?.click()}
        data-testid="import-suite"
      >
        <UploadIcon width={16} height={16} /> {busy ? 'Importing…' : 'Import YAML or JSON'}
      </button>
    </>
  );
}
