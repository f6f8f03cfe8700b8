import * as Tabs from '../components/tabs';
import './monitor.css';
import type { ReactElement, ReactNode } from 'react';
import { Badge } from '../components/ui';
import { unreadBadgeText, type ModelsTab } from '../store/monitor-slice';
import { useAppStore } from '../store/store';
import { Inbox } from './inbox';
import { MonitorPanel } from './monitor-panel';
import { OnboardingBoard } from './onboarding-board';

/** The Models screen's monitor part: the panel, then tabs Catalogue / Inbox / Onboarding. */
export function ModelsMonitorTabs({ catalogue }: { catalogue: ReactNode }): ReactElement {
  const tab = useAppStore((state) => state.modelsTab);
  const setTab = useAppStore((state) => state.setModelsTab);
  const unread = useAppStore((state) => unreadBadgeText(state.unread));
  const cards = useAppStore((state) => state.board.length);
  return (
    <>
      <MonitorPanel />
      <Tabs.Root
        className="tabs"
        value={tab}
        onValueChange={(value) => setTab(value as ModelsTab)}
        activationMode="manual"
      >
        <Tabs.List className="tab-list" aria-label="Models">
          <Tabs.Trigger className="tab" value="catalogue" data-testid="tab-catalogue">
            Catalogue
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="inbox" data-testid="tab-inbox">
            Inbox {unread ? <Badge tone="info">{unread}</Badge> : null}
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="board" data-testid="tab-board">
            Onboarding {cards > 0 ? <span className="muted">{cards}</span> : null}
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content className="tab-panel" value="catalogue">
          {catalogue}
        </Tabs.Content>
        <Tabs.Content className="tab-panel" value="inbox">
          <Inbox />
        </Tabs.Content>
        <Tabs.Content className="tab-panel" value="board">
          <OnboardingBoard />
        </Tabs.Content>
      </Tabs.Root>
    </>
  );
}

// The shell's parts (loaded at start) live apart, so this screen's code stays out of the first chunk.
export { MonitorEffects, UnreadNavBadge } from './monitor-effects';
