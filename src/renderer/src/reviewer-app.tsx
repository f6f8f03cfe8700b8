import * as Tooltip from '@radix-ui/react-tooltip';
import type { ReactElement } from 'react';
import { Toasts } from './components/toasts';
import { PageHeader } from './components/ui';
import { BlindVote } from './review/blind-vote';

/**
 * A reviewer's own token (team review server): only blind voting, nothing else of the console.
 * The server refuses every other channel for this token anyway; this keeps the screen honest.
 * Its own chunk: the admin's console never loads the player for it at start.
 */
export function ReviewerApp({ name }: { name: string }): ReactElement {
  return (
    <>
      <Tooltip.Provider delayDuration={300}>
        <div className="shell shell-reviewer" data-testid="reviewer-shell">
          <main className="content" id="main">
            <div className="page review-page">
              <PageHeader
                title="Review"
                subtitle={`Signed in as ${name}. Vote on two videos of the same prompt without knowing which model made them.`}
              />
              <BlindVote reviewerMode />
            </div>
          </main>
        </div>
        <Toasts />
      </Tooltip.Provider>
    </>
  );
}
