/** Review: blind A/B votes, the ratings they produce (with charts), and the library to compare from. */
import * as Tabs from '../components/tabs';
import { useEffect, useState, type ReactElement } from 'react';
import { useAppStore } from '../store/store';
import { PageHeader } from '../components/ui';
import { BlindVote } from './blind-vote';
import { LibraryPanel } from './library-list';
import { RatingsPanel } from './ratings-panel';

type Tab = 'vote' | 'ratings' | 'library';

export function ReviewScreen({ initialTab = 'vote' }: { initialTab?: Tab }): ReactElement {
  const [tab, setTab] = useState<Tab>(initialTab);
  // Opening Review again on a tab (the palette, an inbox link) shows that tab.
  const route = useAppStore((state) => state.route);
  useEffect(() => {
    if (route.screen === 'review') setTab(route.tab ?? 'vote');
  }, [route]);
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
          <Tabs.Trigger className="tab" value="library" data-testid="tab-library">
            Library
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content className="tab-panel" value="vote">
          <BlindVote />
        </Tabs.Content>
        <Tabs.Content className="tab-panel" value="ratings">
          <RatingsPanel onGoVote={() => setTab('vote')} />
        </Tabs.Content>
        <Tabs.Content className="tab-panel" value="library">
          <LibraryPanel onGoVote={() => setTab('vote')} />
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
