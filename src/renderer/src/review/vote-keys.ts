/** Keyboard shortcuts of the blind vote: 1 = A better, 2 = B better, t = tie, x = both bad. */
import { dialogOpen } from '../commands/shortcuts';
import { useEffect, useRef } from 'react';
import type { Verdict } from '../../../shared/review/review-schemas';

export const VOTE_KEYS: Record<Verdict, string> = { a: '1', b: '2', tie: 't', both_bad: 'x' };

/** The verdict a key press means, or null (modifiers held, typing in a field, other keys). */
export function verdictForKey(
  event: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'repeat' | 'target'>,
): Verdict | null {
  if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return null;
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest('input, textarea, select, [contenteditable="true"]')) return null;
  switch (event.key.toLowerCase()) {
    case '1':
      return 'a';
    case '2':
      return 'b';
    case 't':
      return 'tie';
    case 'x':
      return 'both_bad';
    default:
      return null;
  }
}

/**
 * Listens on the window while `enabled`; the latest `onVote` is always the one called. Keep it
 * enabled while a vote cannot be cast (reveal, loading) and let `onVote` acknowledge the key:
 * a key that does nothing visible reads as a lost vote.
 */
export function useVoteKeys(onVote: (verdict: Verdict) => void, enabled: boolean): void {
  const latest = useRef(onVote);
  latest.current = onVote;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent): void => {
      const verdict = verdictForKey(event);
      // The palette or the shortcut sheet has the keyboard: no vote behind it.
      if (!verdict || dialogOpen()) return;
      event.preventDefault();
      latest.current(verdict);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
