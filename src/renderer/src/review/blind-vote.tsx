/**
 * Blind vote: two videos of one prompt, labelled only A and B. The pair comes from main with an
 * opaque token; model names come back only with the vote's answer, are shown briefly, and then
 * the next pair loads.
 */
import { useCallback, useEffect, useId, useRef, useState, type ReactElement } from 'react';
import type { ChannelOutput } from '../../../shared/ipc/contract';
import type { Pool, Verdict } from '../../../shared/review/review-schemas';
import { SyncedPlayer } from '../compare/synced-player';
import { PlusIcon, ReviewIcon } from '../components/icons';
import { EmptyState, InlineError, Loading } from '../components/ui';
import { getClient } from '../ipc';
import { focusLost } from '../lib/keep-focus';
import { ClientError, describeError } from '../ipc/client';
import { notifyError } from '../store/actions';
import { useAppStore } from '../store/store';
import { modelNameFromKey } from './model-names';
import { PoolSelect } from './pool-select';
import { VOTE_KEYS, useVoteKeys } from './vote-keys';
import './review-extras.css';

export type ReviewPair = NonNullable<ChannelOutput<'review:next-pair'>['pair']>;

/** How long the model names stay on screen after a vote. */
export const REVEAL_MS = 1600;

type PairState =
  | { kind: 'loading' }
  | { kind: 'ready'; pair: ReviewPair }
  | { kind: 'empty' }
  | { kind: 'error'; message: string };

interface Reveal {
  verdict: Verdict;
  modelLeft: string;
  modelRight: string;
}

const VERDICT_WORDS: Record<Verdict, string> = {
  a: 'A is better',
  b: 'B is better',
  tie: 'Tie',
  both_bad: 'Both bad',
};

export function BlindVote({
  revealMs = REVEAL_MS,
  reviewerMode = false,
}: {
  revealMs?: number;
  /** A reviewer with their own token: they can only vote, so no "run a benchmark" offer. */
  reviewerMode?: boolean;
}): ReactElement {
  const categories = useAppStore((state) => state.reviewCategories);
  const rememberCategories = useAppStore((state) => state.rememberCategories);
  const markRatingsStale = useAppStore((state) => state.markRatingsStale);
  const openNewRunDialog = useAppStore((state) => state.openNewRunDialog);
  const models = useAppStore((state) => state.models);
  const [category, setCategory] = useState('');
  const [pool, setPool] = useState<Pool | ''>('');
  const [state, setState] = useState<PairState>({ kind: 'loading' });
  const [reveal, setReveal] = useState<Reveal | null>(null);
  const [comment, setComment] = useState('');
  const [voting, setVoting] = useState(false);
  const [votesCast, setVotesCast] = useState(0);
  /** What happened to a vote key pressed while no vote could be cast. */
  const [keyNote, setKeyNote] = useState<string | null>(null);
  const commentId = useId();
  const request = useRef(0);
  const revealTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const loadPair = useCallback(
    async (forCategory: string, forPool: Pool | '' = ''): Promise<void> => {
      const current = ++request.current;
      setState({ kind: 'loading' });
      try {
        const { pair } = await getClient().invoke('review:next-pair', {
          ...(forCategory ? { category: forCategory } : {}),
          ...(forPool ? { pool: forPool } : {}),
        });
        if (current !== request.current) return;
        setReveal(null);
        if (pair) rememberCategories([pair.category]);
        setState(pair ? { kind: 'ready', pair } : { kind: 'empty' });
      } catch (error) {
        if (current !== request.current) return;
        setState({ kind: 'error', message: describeError(error) });
      }
    },
    [rememberCategories],
  );

  useEffect(() => {
    void loadPair(category, pool);
  }, [category, pool, loadPair]);

  useEffect(() => () => clearTimeout(revealTimer.current), []);

  const pair = state.kind === 'ready' ? state.pair : null;
  const canVote = pair !== null && reveal === null && !voting;

  // A vote cast from its focused button replaces the buttons with the reveal, then with the
  // next pair: the focus would fall to the page each time, and Tab start over from the sidebar.
  // It goes to the reveal's "Next pair now", then back to the same verdict on the next pair.
  const focusReturn = useRef<Verdict | null>(null);
  const revealNext = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (reveal && focusReturn.current) revealNext.current?.focus();
  }, [reveal]);
  const token = pair?.token;
  useEffect(() => {
    const verdict = focusReturn.current;
    if (!token || !verdict) return;
    // After the player's own focus on mounting (its effect ran first and queued first): the
    // keyboard stays on the verdicts, where Space still plays and pauses the videos.
    const timer = setTimeout(() => {
      const active = document.activeElement;
      if (!focusLost() && !active?.closest('.compare-player')) return;
      document
        .querySelector<HTMLElement>(`[data-testid="vote-${verdict.replace('_', '-')}"]`)
        ?.focus();
    }, 0);
    return () => clearTimeout(timer);
  }, [token]);

  const vote = useCallback(
    async (verdict: Verdict): Promise<void> => {
      if (!pair || reveal || voting) return;
      setVoting(true);
      const trimmed = comment.trim();
      try {
        const answer = await getClient().invoke('review:cast-vote', {
          token: pair.token,
          verdict,
          ...(trimmed ? { comment: trimmed } : {}),
        });
        setComment('');
        setVotesCast((count) => count + 1);
        markRatingsStale();
        setReveal({ verdict, modelLeft: answer.modelLeft, modelRight: answer.modelRight });
        clearTimeout(revealTimer.current);
        revealTimer.current = setTimeout(() => void loadPair(category, pool), revealMs);
      } catch (error) {
        if (error instanceof ClientError && error.code === 'not_found') {
          notifyError('That pair was already closed', error);
          void loadPair(category, pool);
        } else {
          notifyError('The vote was not saved', error);
        }
      } finally {
        setVoting(false);
      }
    },
    [pair, reveal, voting, comment, markRatingsStale, loadPair, category, pool, revealMs],
  );

  const onVoteKey = (verdict: Verdict): void => {
    focusReturn.current = null;
    if (canVote) {
      setKeyNote(null);
      void vote(verdict);
      return;
    }
    const key = `“${VOTE_KEYS[verdict]}”`;
    if (reveal) {
      // The names are showing: the key cannot be a vote on a pair not seen yet, but it does
      // say "next": skip the rest of the reveal.
      setKeyNote(
        `${key} was not counted: a vote counts only on a pair you have seen. Showing the next pair now.`,
      );
      clearTimeout(revealTimer.current);
      void loadPair(category, pool);
    } else if (voting) {
      setKeyNote(`${key} was not counted: the vote before it is still being saved.`);
    } else if (state.kind === 'loading') {
      setKeyNote(`${key} was not counted: the next pair is still loading.`);
    }
  };

  useVoteKeys(onVoteKey, state.kind === 'ready' || state.kind === 'loading');

  const toolbar = (
    <div className="review-toolbar">
      <label className="inline-field">
        <span className="muted small">Category</span>
        <select
          value={category}
          onChange={(event) => setCategory(event.target.value)}
          data-testid="review-category"
        >
          <option value="">All categories</option>
          {categories.map((entry) => (
            <option key={entry} value={entry}>
              {entry}
            </option>
          ))}
        </select>
      </label>
      <PoolSelect value={pool} onChange={setPool} allLabel="Any pool" testId="review-pool" />
      <span className="muted small" data-testid="votes-cast">
        {votesCast === 0
          ? 'Names stay hidden until you vote.'
          : `${votesCast} ${votesCast === 1 ? 'vote' : 'votes'} this session`}
      </span>
      {keyNote ? (
        <span className="vote-key-note small" role="status" data-testid="vote-key-note">
          {keyNote}
        </span>
      ) : null}
    </div>
  );

  if (state.kind === 'loading' && !pair) {
    return (
      <div className="review-pane">
        {toolbar}
        <Loading label="Finding a pair to compare…" />
      </div>
    );
  }
  if (state.kind === 'error') {
    return (
      <div className="review-pane">
        {toolbar}
        <InlineError message={state.message} onRetry={() => void loadPair(category, pool)} />
      </div>
    );
  }
  if (state.kind === 'empty' || !pair) {
    return (
      <div className="review-pane">
        {toolbar}
        <EmptyState
          icon={<ReviewIcon />}
          title={category ? `Nothing to review in “${category}”` : 'Nothing to review yet'}
          action={
            reviewerMode ? undefined : (
              <button
                type="button"
                className="button button-primary"
                onClick={() => openNewRunDialog('sandbox')}
                data-testid="review-start-benchmark"
              >
                <PlusIcon /> Run a sandbox benchmark
              </button>
            )
          }
        >
          {/* The title says there is nothing yet; the body says only where pairs come from. */}
          <p data-testid="review-empty">
            Pairs come from benchmarks: run one with at least two models that succeed on the same
            prompts, and their videos are shown here side by side, names hidden.
          </p>
          {category ? (
            <p>
              <button type="button" className="link-button" onClick={() => setCategory('')}>
                Show all categories
              </button>
            </p>
          ) : null}
        </EmptyState>
      </div>
    );
  }

  const revealCaption = (modelKey: string, side: 'a' | 'b'): ReactElement | null =>
    reveal ? (
      <span className="strong reveal-name" data-testid={`reveal-${side}`}>
        {modelNameFromKey(models, modelKey)}
      </span>
    ) : null;

  return (
    <div className="review-pane" data-testid="blind-vote" data-pair={pair.token.slice(0, 8)}>
      {toolbar}
      <div className="compare-prompt review-prompt">
        <span className="muted small">
          Prompt <span className="badge">{pair.category}</span>
        </span>
        <p data-testid="review-prompt">{pair.prompt}</p>
      </div>
      <SyncedPlayer
        key={pair.token}
        sources={[
          {
            src: getClient().mediaUrl(pair.leftMedia.id, { videoOnly: true }),
            fps: pair.leftFps,
            caption: reveal ? revealCaption(reveal.modelLeft, 'a') : null,
          },
          {
            src: getClient().mediaUrl(pair.rightMedia.id, { videoOnly: true }),
            fps: pair.rightFps,
            caption: reveal ? revealCaption(reveal.modelRight, 'b') : null,
          },
        ]}
        testIdPrefix="review"
      />
      {reveal ? (
        <div className="reveal" role="status" data-testid="reveal">
          <span>
            You chose <strong>{VERDICT_WORDS[reveal.verdict]}</strong>.
          </span>
          <span>
            A was <strong>{modelNameFromKey(models, reveal.modelLeft)}</strong>, B was{' '}
            <strong>{modelNameFromKey(models, reveal.modelRight)}</strong>.
          </span>
          <button
            type="button"
            className="link-button small"
            ref={revealNext}
            data-testid="reveal-next"
            onClick={() => {
              clearTimeout(revealTimer.current);
              void loadPair(category, pool);
            }}
          >
            Next pair now
          </button>
        </div>
      ) : (
        <div className="vote-panel">
          <div
            className="vote-buttons"
            role="group"
            aria-label="Your verdict"
            data-toast-keep-clear
          >
            {(['a', 'b', 'tie', 'both_bad'] as const).map((verdict) => (
              <button
                key={verdict}
                type="button"
                className={`button ${verdict === 'a' || verdict === 'b' ? 'button-primary' : 'button-secondary'} vote-button`}
                disabled={!canVote}
                onClick={(event) => {
                  focusReturn.current =
                    document.activeElement === event.currentTarget ? verdict : null;
                  void vote(verdict);
                }}
                data-testid={`vote-${verdict.replace('_', '-')}`}
              >
                {VERDICT_WORDS[verdict]} <kbd>{VOTE_KEYS[verdict]}</kbd>
              </button>
            ))}
          </div>
          <div className="field vote-comment">
            <label htmlFor={commentId} className="small">
              Comment (optional)
            </label>
            <input
              id={commentId}
              value={comment}
              maxLength={4000}
              placeholder="What made the difference?"
              onChange={(event) => setComment(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') event.currentTarget.blur();
              }}
              data-testid="vote-comment"
            />
          </div>
        </div>
      )}
    </div>
  );
}
