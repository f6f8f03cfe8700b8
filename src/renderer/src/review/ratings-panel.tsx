/**
 * Ratings: the Bradley–Terry leaderboard (computed off-thread in main) with 95 % bootstrap
 * intervals, per category, plus how many more votes would separate neighbours, and the
 * charts beside it (recharts, loaded lazily). Votes can be imported from and exported to CSV.
 */
import { lazy, Suspense, useEffect, useId, useRef, useState, type ReactElement } from 'react';
import type { ModelInfo } from '../../../shared/providers/video-provider-spec';
import {
  poolLabel,
  type RatingsResult,
  type Rating,
  type ReviewerAgreement,
  type VotesStillNeeded,
} from '../../../shared/review/review-schemas';
import { ReviewIcon } from '../components/icons';
import { EmptyState, InlineError, Loading } from '../components/ui';
import { notify } from '../store/actions';
import { exportVotes, importVotes, loadRatings, type ImportOutcome } from '../store/review-actions';
import { useAppStore } from '../store/store';
import { formatCoefficient, formatPercent, plural } from '../lib/format';
import { modelNameFromKey } from './model-names';
import { PoolSelect } from './pool-select';
import {
  decidedVotes,
  MIN_VOTES_FOR_RATING,
  splitByConfidence,
  votesBehind,
} from './rating-confidence';

// The charts (recharts) load only once there are ratings to chart, keeping start-up small.
const ReviewCharts = lazy(() =>
  import('./review-charts').then((module) => ({ default: module.ReviewCharts })),
);

export function RatingsPanel({ onGoVote }: { onGoVote: () => void }): ReactElement {
  const ratings = useAppStore((state) => state.ratings);
  const status = useAppStore((state) => state.ratingsStatus);
  const stale = useAppStore((state) => state.ratingsStale);
  const models = useAppStore((state) => state.models);
  const pool = useAppStore((state) => state.ratingsPool);
  const setPool = useAppStore((state) => state.setRatingsPool);
  const [category, setCategory] = useState('');

  useEffect(() => {
    if (stale) void loadRatings();
  }, [stale]);

  const categories = ratings ? Object.keys(ratings.byCategory).sort() : [];
  const shown =
    ratings && category ? (ratings.byCategory[category] ?? []) : (ratings?.overall ?? []);
  const computing = status.kind === 'loading';

  return (
    <div className="review-pane">
      <div className="review-toolbar">
        <PoolSelect
          value={pool}
          onChange={(next) => {
            setCategory('');
            setPool(next);
          }}
          allLabel="All pools (combined)"
          testId="ratings-pool"
          disabled={!ratings}
        />
        <label className="inline-field">
          <span className="muted small">Category</span>
          <select
            value={category}
            onChange={(event) => setCategory(event.target.value)}
            data-testid="ratings-category"
            disabled={!ratings}
          >
            <option value="">Overall</option>
            {categories.map((entry) => (
              <option key={entry} value={entry}>
                {entry}
              </option>
            ))}
          </select>
        </label>
        {ratings ? (
          <span className="muted small num" data-testid="ratings-meta">
            {category
              ? `${plural(votesBehind(shown), 'vote')} in “${category}” (of ${ratings.totalVotes} in all)`
              : plural(ratings.totalVotes, 'vote')}{' '}
            · {ratings.resamples} bootstrap resamples
          </span>
        ) : null}
        <span className="toolbar-spacer" />
        <VotesCsvButtons />
      </div>
      {ratings ? <PoolsNote ratings={ratings} /> : null}

      {status.kind === 'error' ? (
        <InlineError message={status.message} onRetry={() => void loadRatings()} />
      ) : !ratings ? (
        <Loading label="Computing ratings…" skeleton="table" />
      ) : ratings.totalVotes === 0 ? (
        <EmptyState
          icon={<ReviewIcon />}
          title="No votes yet"
          action={
            <button type="button" className="button button-primary" onClick={onGoVote}>
              Start voting
            </button>
          }
        >
          <p>
            Ratings appear once you have voted on a few blind pairs, or imported votes from a CSV
            file.
          </p>
        </EmptyState>
      ) : (
        <div className={computing ? 'is-updating' : undefined} aria-busy={computing}>
          {computing ? <Loading label="Recomputing ratings…" /> : null}
          <div className="ratings-layout">
            <div className="ratings-main">
              <Leaderboard ratings={shown} models={models} />
              {!category ? (
                <VotesNeeded needed={ratings.votesStillNeeded} models={models} />
              ) : (
                <p className="muted small">
                  “Votes still needed” is worked out for the overall leaderboard.
                </p>
              )}
              {ratings.agreement ? <ReviewerAgreementList agreement={ratings.agreement} /> : null}
            </div>
          </div>
          <Suspense fallback={<Loading label="Loading the charts…" />}>
            <ReviewCharts
              ratings={splitByConfidence(shown).ranked}
              unranked={splitByConfidence(shown).unranked.length}
              category={category}
            />
          </Suspense>
        </div>
      )}
    </div>
  );
}

function Leaderboard({
  ratings,
  models,
}: {
  ratings: readonly Rating[];
  models: readonly ModelInfo[];
}): ReactElement {
  if (ratings.length === 0) {
    return <p className="muted">No votes in this category yet.</p>;
  }
  const { ranked, unranked } = splitByConfidence(ratings);
  return (
    <div className="table-wrap">
      <table className="table ratings-table" data-testid="ratings-table">
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Rating
            </th>
            <th scope="col" className="num" title="2.5th to 97.5th bootstrap percentile">
              95% interval
            </th>
            <th scope="col" className="num">
              Votes
            </th>
            <th scope="col" className="num" title="Wins / losses / ties">
              W / L / T
            </th>
          </tr>
        </thead>
        <tbody>
          {ranked.map((rating, index) => (
            <tr key={rating.model} data-testid="rating-row" data-ranked="true">
              <td className="num strong">{index + 1}</td>
              <ModelCell rating={rating} models={models} />
              <td className="num strong">{Math.round(rating.rating)}</td>
              <td
                className="num"
                data-testid="rating-interval"
                aria-label={`95% interval ${Math.round(rating.low)} to ${Math.round(rating.high)}`}
              >
                {Math.round(rating.low)}–{Math.round(rating.high)}{' '}
                <span className="muted small">(±{Math.round((rating.high - rating.low) / 2)})</span>
              </td>
              <td className="num">{rating.votes}</td>
              <VoteCounts rating={rating} />
            </tr>
          ))}
          {unranked.length > 0 ? (
            <tr className="ratings-divider">
              <th scope="rowgroup" colSpan={6} className="small muted">
                Not ranked yet: fewer than {MIN_VOTES_FOR_RATING} decided votes (wins, losses or
                ties), so a rating would only look certain
              </th>
            </tr>
          ) : null}
          {unranked.map((rating) => {
            const missing = MIN_VOTES_FOR_RATING - decidedVotes(rating);
            return (
              <tr key={rating.model} data-testid="rating-row" data-ranked="false">
                <td className="num muted">–</td>
                <ModelCell rating={rating} models={models} />
                <td className="num muted" data-testid="rating-not-enough">
                  Not enough votes
                </td>
                <td className="num muted small" data-testid="rating-interval">
                  {plural(missing, 'more vote')} needed
                </td>
                <td className="num">{rating.votes}</td>
                <VoteCounts rating={rating} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ModelCell({
  rating,
  models,
}: {
  rating: Rating;
  models: readonly ModelInfo[];
}): ReactElement {
  return (
    <td>
      <div className="cell-stack">
        <span className="strong">{modelNameFromKey(models, rating.model)}</span>
        <code className="muted small">{rating.model}</code>
      </div>
    </td>
  );
}

function VoteCounts({ rating }: { rating: Rating }): ReactElement {
  return (
    <td className="num">
      {rating.wins} / {rating.losses} / {rating.ties}
      {rating.bothBad > 0 ? (
        <span className="muted small" title="Both bad: counted, not fitted">
          {' '}
          (+{rating.bothBad} bad)
        </span>
      ) : null}
    </td>
  );
}

function VotesNeeded({
  needed,
  models,
}: {
  needed: readonly VotesStillNeeded[];
  models: readonly ModelInfo[];
}): ReactElement | null {
  if (needed.length === 0) return null;
  return (
    <section className="votes-needed" aria-labelledby="votes-needed-title">
      <h3 id="votes-needed-title" className="section-title">
        Votes still needed
      </h3>
      <p className="muted small">
        Neighbours on the leaderboard, and roughly how many more head-to-head votes until their
        intervals stop overlapping.
      </p>
      <ul className="votes-needed-list" data-testid="votes-needed">
        {needed.map((entry) => (
          <li key={`${entry.modelA}|${entry.modelB}`}>
            <span>
              <strong>{modelNameFromKey(models, entry.modelA)}</strong> vs{' '}
              <strong>{modelNameFromKey(models, entry.modelB)}</strong>
            </span>
            <span className="num">
              {entry.votes === 0
                ? 'Separated'
                : `about ${entry.votes} more ${entry.votes === 1 ? 'vote' : 'votes'}`}
            </span>
            <span className="muted small num">{entry.existingVotes} so far</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Who voted and how their votes agree with the others' majority; a lone dissenter is flagged. */
function ReviewerAgreementList({
  agreement,
}: {
  agreement: ReviewerAgreement;
}): ReactElement | null {
  if (agreement.reviewers.length === 0) return null;
  return (
    <section className="votes-needed" aria-labelledby="reviewers-title">
      <h3 id="reviewers-title" className="section-title">
        Reviewers
      </h3>
      <p className="muted small">
        Votes per reviewer, and how often each agrees with the other reviewers’ majority on the
        pairs they both voted on (Cohen’s kappa: 1 = always, 0 = as by chance).
      </p>
      <ul className="votes-needed-list reviewer-list" data-testid="reviewer-agreement">
        {agreement.reviewers.map((entry) => (
          <li
            key={entry.reviewer}
            data-testid="reviewer-row"
            data-flagged={entry.flagged ? 'true' : 'false'}
          >
            <span>
              <strong>{entry.reviewer}</strong>{' '}
              {entry.flagged ? (
                <span className="badge badge-warning" title={entry.flagReason ?? undefined}>
                  disagrees with everyone else
                </span>
              ) : null}
            </span>
            <span className="num">
              {entry.votes} {entry.votes === 1 ? 'vote' : 'votes'}
            </span>
            <span className="muted small num">
              {entry.sharedPairs > 0
                ? `agrees ${formatPercent(entry.agreementWithOthers)} · κ ${formatCoefficient(entry.kappaWithOthers)}`
                : 'no shared pairs'}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function VotesCsvButtons(): ReactElement {
  const fileRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [busy, setBusy] = useState<'import' | 'export' | null>(null);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);

  const onFile = async (file: File): Promise<void> => {
    setBusy('import');
    setOutcome(null);
    let text: string;
    try {
      text = await file.text();
    } catch {
      setOutcome({ kind: 'failed', message: 'The file could not be read.' });
      setBusy(null);
      return;
    }
    const result = await importVotes(text);
    setOutcome(result);
    setBusy(null);
  };

  return (
    <>
      <div className="csv-buttons">
        <input
          ref={fileRef}
          id={inputId}
          type="file"
          accept=".csv,text/csv"
          className="visually-hidden"
          tabIndex={-1}
          // Out of the Tab order (its visible button opens it), but named for whoever reaches it.
          aria-label="Votes CSV file to import"
          data-testid="import-votes-input"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void onFile(file);
          }}
        />
        <button
          type="button"
          className="button button-secondary button-small"
          disabled={busy !== null}
          onClick={() => fileRef.current?.click()}
          data-testid="import-votes"
        >
          {busy === 'import' ? 'Importing…' : 'Import votes (CSV)'}
        </button>
        <button
          type="button"
          className="button button-secondary button-small"
          disabled={busy !== null}
          data-testid="export-votes"
          onClick={() => {
            setBusy('export');
            void exportVotes().then((result) => {
              setBusy(null);
              if (result.ok) notify('Votes exported', 'The CSV file is in your downloads.');
              else setOutcome({ kind: 'failed', message: result.message });
            });
          }}
        >
          {busy === 'export' ? 'Exporting…' : 'Export votes (CSV)'}
        </button>
      </div>
      {outcome ? <ImportResult outcome={outcome} onDismiss={() => setOutcome(null)} /> : null}
    </>
  );
}

function ImportResult({
  outcome,
  onDismiss,
}: {
  outcome: ImportOutcome;
  onDismiss: () => void;
}): ReactElement {
  const dismiss = (
    <button type="button" className="link-button small" onClick={onDismiss}>
      Dismiss
    </button>
  );
  if (outcome.kind === 'imported') {
    const { rows, imported, duplicates } = outcome.result;
    return (
      <div className="import-result import-ok" role="status" data-testid="import-result">
        <span>
          Imported <strong>{imported}</strong> of {rows} {rows === 1 ? 'row' : 'rows'}
          {duplicates > 0 ? ` (${duplicates} already stored, skipped)` : ''}.
        </span>
        {dismiss}
      </div>
    );
  }
  if (outcome.kind === 'invalid') {
    return (
      <div className="import-result import-bad" role="alert" data-testid="import-result">
        <div>
          <strong>Nothing was imported: the file has problems.</strong>
          <ul className="import-issues">
            {outcome.issues.slice(0, 20).map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
          {outcome.issues.length > 20 ? (
            <p className="small">…and {outcome.issues.length - 20} more.</p>
          ) : null}
        </div>
        {dismiss}
      </div>
    );
  }
  return (
    <div className="import-result import-bad" role="alert" data-testid="import-result">
      <span>{outcome.message}</span>
      {dismiss}
    </div>
  );
}

/** Which pools the board shows: one named pool, or the pools a combined board mixes. */
function PoolsNote({ ratings }: { ratings: RatingsResult }): ReactElement | null {
  if (ratings.pools.length === 0) return null;
  const list = ratings.pools
    .map((entry) => `${poolLabel(entry.pool)} (${plural(entry.votes, 'vote')})`)
    .join(', ');
  if (ratings.pool !== undefined || ratings.pools.length === 1) {
    return (
      <p className="muted small" data-testid="ratings-pools">
        Pool: {list}.
      </p>
    );
  }
  return (
    <p className="notice small" role="note" data-testid="ratings-pools">
      This board combines {ratings.pools.length} pools: {list}. Pick a pool to rate like with like.
    </p>
  );
}
