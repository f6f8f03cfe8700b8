/**
 * Library: every prompt of every run, to pick what to compare. Virtualised with
 * @tanstack/react-virtual, so only the rows in view (plus a few) are in the DOM and 10,000
 * generations scroll smoothly. A filter narrows by prompt, category, run or model; ↑/↓ move,
 * Enter opens the comparison.
 */
import { formatDateTime } from '../../../shared/format';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactElement,
} from 'react';
import type { LibraryEntry, LibraryList } from '../../../shared/review/review-chart-schemas';
import { CompareIcon, ReviewIcon } from '../components/icons';
import { EmptyState, InlineError, Loading } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { useAppStore } from '../store/store';
import { modelNameFromKey } from './model-names';
import './review-extras.css';

const ROW_HEIGHT = 64;
/** One formatter for every row (building one per row costs more than the row itself). */

/** Entries whose prompt, category, run name or model names contain every word of `query`. */
export function filterLibrary(
  entries: readonly LibraryEntry[],
  query: string,
  nameOf: (key: string) => string,
): readonly LibraryEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return entries;
  return entries.filter((entry) => {
    const text =
      `${entry.prompt} ${entry.category} ${entry.runName} ${entry.models.map(nameOf).join(' ')}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

export function LibraryPanel({ onGoVote }: { onGoVote: () => void }): ReactElement {
  const models = useAppStore((state) => state.models);
  const navigate = useAppStore((state) => state.navigate);
  const openNewRunDialog = useAppStore((state) => state.openNewRunDialog);
  const [library, setLibrary] = useState<LibraryList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [active, setActive] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let stale = false;
    getClient()
      .invoke('review:list-library', {})
      .then((value) => {
        if (!stale) {
          setLibrary(value);
          setError(null);
        }
      })
      .catch((cause: unknown) => {
        if (!stale) setError(describeError(cause));
      });
    return () => {
      stale = true;
    };
  }, [reload]);

  const nameOf = useMemo(() => (key: string) => modelNameFromKey(models, key), [models]);
  const shown = useMemo(
    () => filterLibrary(library?.entries ?? [], deferredQuery, nameOf),
    [library, deferredQuery, nameOf],
  );

  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  useEffect(() => setActive(0), [deferredQuery]);

  // Back from Compare: the prompt just watched is the active row again, in view, and the list
  // has the focus (it started again at the top, the focus on the page's body).
  useEffect(() => {
    const back = useAppStore.getState().returnFromCompare;
    if (!back || !library) return;
    const index = shown.findIndex(
      (entry) => entry.runId === back.runId && entry.promptId === back.promptId,
    );
    useAppStore.setState({ returnFromCompare: null });
    if (index < 0) return;
    setActive(index);
    virtualizer.scrollToIndex(index, { align: 'center' });
    scrollRef.current?.focus();
  }, [library, shown, virtualizer]);

  const open = useCallback(
    (entry: LibraryEntry | undefined): void => {
      if (!entry || entry.videos < 2) return;
      navigate({
        screen: 'compare',
        runId: entry.runId,
        promptId: entry.promptId,
        back: 'library',
      });
    },
    [navigate],
  );
  const onRowClick = useCallback(
    (index: number, entry: LibraryEntry) => {
      setActive(index);
      open(entry);
    },
    [open],
  );

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = Math.max(
        0,
        Math.min(shown.length - 1, active + (event.key === 'ArrowDown' ? 1 : -1)),
      );
      setActive(next);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open(shown[active]);
    }
  };

  if (error && !library)
    return <InlineError message={error} onRetry={() => setReload((n) => n + 1)} />;
  if (!library) return <Loading label="Loading the library…" skeleton="table" count={6} />;
  if (library.entries.length === 0) {
    return (
      <EmptyState
        icon={<ReviewIcon />}
        title="Nothing in the library yet"
        action={
          <button
            type="button"
            className="button button-primary"
            onClick={() => openNewRunDialog('sandbox')}
          >
            Run a benchmark
          </button>
        }
      >
        <p>
          Every prompt of every benchmark run shows up here, to compare its videos side by side.
        </p>
      </EmptyState>
    );
  }

  return (
    <div className="review-pane library-pane" onKeyDown={onKeyDown}>
      <div className="review-toolbar">
        <label className="inline-field library-filter">
          <span className="muted small">Filter</span>
          <input
            type="search"
            value={query}
            placeholder="Prompt, category, run or model"
            onChange={(event) => setQuery(event.target.value)}
            data-testid="library-filter"
            aria-controls="library-list"
          />
        </label>
        <span className="muted small num" data-testid="library-count">
          {shown.length.toLocaleString('en')} of {library.entries.length.toLocaleString('en')}{' '}
          prompts · {library.generations.toLocaleString('en')} generations
        </span>
        <span className="toolbar-spacer" />
        <button type="button" className="link-button small" onClick={onGoVote}>
          Blind vote instead
        </button>
      </div>
      {shown.length === 0 ? (
        <p className="muted library-none">
          No prompt matches “{query}”. Try fewer words, or clear the filter.
        </p>
      ) : null}
      <div
        ref={scrollRef}
        className="library-scroll"
        id="library-list"
        role="listbox"
        aria-label="Prompts and runs"
        aria-activedescendant={shown[active] ? `library-row-${active}` : undefined}
        tabIndex={0}
        data-testid="library-scroll"
      >
        <div className="library-spacer" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = shown[item.index]!;
            return (
              <LibraryRow
                key={`${entry.runId}|${entry.promptId}`}
                entry={entry}
                index={item.index}
                start={item.start}
                active={item.index === active}
                nameOf={nameOf}
                onOpen={onRowClick}
              />
            );
          })}
        </div>
      </div>
      <p className="muted small keyboard-hint">
        <kbd>↑</kbd>/<kbd>↓</kbd> move · <kbd>Enter</kbd> compare · in the comparison, <kbd>g</kbd>{' '}
        switches 2-up / 4-up and <kbd>1</kbd>–<kbd>4</kbd> pick the best
      </p>
    </div>
  );
}

/** One row; memoised, so scrolling renders only the rows that come into view. */
const LibraryRow = memo(function LibraryRow({
  entry,
  index,
  start,
  active,
  nameOf,
  onOpen,
}: {
  entry: LibraryEntry;
  index: number;
  start: number;
  active: boolean;
  nameOf: (key: string) => string;
  onOpen: (index: number, entry: LibraryEntry) => void;
}): ReactElement {
  const can = entry.videos >= 2;
  const names = entry.models.map(nameOf);
  return (
    <div
      id={`library-row-${index}`}
      role="option"
      aria-selected={active}
      aria-disabled={!can}
      className={`library-row${active ? ' is-active' : ''}${can ? '' : ' is-disabled'}`}
      style={{ height: ROW_HEIGHT, transform: `translateY(${start}px)` }}
      data-testid="library-row"
      data-index={index}
      onClick={() => onOpen(index, entry)}
    >
      <span className="library-index num muted small">{index + 1}</span>
      <div className="library-text">
        <span className="library-prompt" title={entry.prompt}>
          {entry.prompt}
        </span>
        <span className="muted small library-meta">
          <span className="badge">{entry.category}</span> {entry.runName} ·{' '}
          {formatDateTime(entry.runCreatedAt)}
        </span>
      </div>
      <span className="library-models small" title={names.join(', ') || 'No finished videos'}>
        {names.slice(0, 3).join(', ')}
        {names.length > 3 ? ` +${names.length - 3}` : ''}
      </span>
      <span className="num small library-videos">
        {entry.videos}/{entry.generations} videos
      </span>
      <span
        className={`library-open small${can ? '' : ' muted'}`}
        aria-hidden="true"
        title={can ? 'Compare these videos' : 'Needs two finished videos'}
      >
        {can ? (
          <>
            <CompareIcon width={14} height={14} /> Compare
          </>
        ) : (
          'Needs 2 videos'
        )}
      </span>
    </div>
  );
});
