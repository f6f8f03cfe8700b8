/** Review: blind A/B votes and the ratings they produce, as two tabs. */
import * as Tabs from '@radix-ui/react-tabs';
import { useState, type ReactElement } from 'react';
import { PageHeader } from '../components/ui';
import { BlindVote } from './blind-vote';
import { RatingsPanel } from './ratings-panel';

type Tab = 'vote' | 'ratings';

export function ReviewScreen(): ReactElement {
  const [tab, setTab] = useState<Tab>('vote');
  return (
    <div className="page review-page">
      <PageHeader
        title="Review"
        subtitle="Vote on two videos of the same prompt without knowing which model made them. Votes add up to a rating per model."
      />
      <Tabs.Root
        className="tabs"
        value={tab}
        onValueChange={(value) => setTab(value as Tab)}
        activationMode="manual"
      >
        <Tabs.List className="tab-list" aria-label="Review">
          <Tabs.Trigger className="tab" value="vote" data-testid="tab-vote">
            Blind vote
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="ratings" data-testid="tab-ratings">
            Ratings
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content className="tab-panel" value="vote">
          <BlindVote />
        </Tabs.Content>
        <Tabs.Content className="tab-panel" value="ratings">
          <RatingsPanel onGoVote={() => setTab('vote')} />
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
