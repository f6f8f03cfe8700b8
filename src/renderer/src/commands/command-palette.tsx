/**
 * The command palette (Ctrl+K / ⌘K): every screen, the parts of Rollout, the recent runs and the
 * main actions, filtered as you type (cmdk). Actions that change something open their own
 * confirmation; the palette never signs or spends anything by itself.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { Command, defaultFilter } from 'cmdk';
import { useMemo, useRef, useState, type ReactElement } from 'react';
import { ROLLOUT_SECTIONS } from '../rollout/section-nav';
import { checkNow } from '../store/monitor-actions';
import { useAppStore } from '../store/store';
import { formatRelativeTime } from '../lib/format';
import { filterAndRank, firstRanked } from '../lib/filter-rank';
import {
  goToReview,
  goToRolloutSection,
  openLatestCompare,
  pressPublishingButton,
} from './palette-actions';
import { PALETTE_MODIFIER, screenKeys } from './shortcuts';
import { returnFocusOnClose } from '../lib/keep-focus';

interface PaletteCommand {
  id: string;
  label: string;
  /** Extra words it is found by. */
  keywords?: string[];
  hint?: string;
  /** The keys that do the same from anywhere, drawn as caps: ['Ctrl', 'Shift', '1']. */
  keys?: readonly string[];
  run: () => void;
}

function useCommands(openShortcuts: () => void): { group: string; commands: PaletteCommand[] }[] {
  const runs = useAppStore((state) => state.runs);
  return useMemo(() => {
    const state = (): ReturnType<typeof useAppStore.getState> => useAppStore.getState();
    const screens: PaletteCommand[] = [
      {
        id: 'go-models',
        keys: screenKeys('models'),
        label: 'Models',
        keywords: ['catalogue', 'inbox', 'monitor', 'onboarding'],
        run: () => state().navigate({ screen: 'models' }),
      },
      {
        id: 'go-benchmarks',
        keys: screenKeys('benchmarks'),
        label: 'Benchmarks',
        keywords: ['runs', 'results'],
        run: () => {
          state().setBenchmarksTab('runs');
          state().navigate({ screen: 'benchmarks' });
        },
      },
      {
        id: 'go-suites',
        label: 'Benchmarks → Suites',
        keywords: ['prompts'],
        run: () => {
          state().setBenchmarksTab('suites');
          state().navigate({ screen: 'benchmarks' });
        },
      },
      {
        id: 'go-vote',
        label: 'Review → Blind vote',
        keywords: ['vote', 'a/b'],
        run: () => goToReview('vote'),
      },
      {
        id: 'go-ratings',
        label: 'Review → Ratings',
        keywords: ['leaderboard', 'bradley-terry'],
        run: () => goToReview('ratings'),
      },
      {
        id: 'go-library',
        label: 'Review → Library',
        keywords: ['prompts', 'videos'],
        run: () => goToReview('library'),
      },
      {
        id: 'go-review',
        label: 'Review',
        keys: screenKeys('review'),
        run: () => state().navigate({ screen: 'review' }),
      },
      {
        id: 'go-rollout',
        label: 'Rollout',
        keys: screenKeys('rollout'),
        run: () => state().navigate({ screen: 'rollout' }),
      },
      ...ROLLOUT_SECTIONS.map((section) => ({
        id: `go-rollout-${section.testId}`,
        label: `Rollout → ${section.label}`,
        keywords: ['routing', 'config'],
        run: () => goToRolloutSection(section.testId),
      })),
      {
        id: 'go-settings',
        keys: screenKeys('settings'),
        label: 'Settings',
        keywords: ['keys', 'providers', 'api'],
        run: () => state().navigate({ screen: 'settings' }),
      },
    ];
    const actions: PaletteCommand[] = [
      {
        id: 'new-run',
        label: 'New benchmark run…',
        keywords: ['bench', 'start'],
        run: () => state().openNewRunDialog('sandbox'),
      },
      {
        id: 'new-suite',
        label: 'New suite…',
        keywords: ['prompts'],
        run: () => state().navigate({ screen: 'suite', suiteId: null }),
      },
      {
        id: 'open-compare',
        label: 'Open compare (newest run)',
        keywords: ['side by side', 'player'],
        run: () => void openLatestCompare(),
      },
      {
        id: 'check-releases',
        label: 'Check the providers’ catalogues now',
        keywords: ['monitor', 'releases', 'new models'],
        run: () => void checkNow(),
      },
      {
        id: 'publish-draft',
        label: 'Publish draft to dev…',
        keywords: ['sign', 'release'],
        hint: 'asks first',
        run: () => pressPublishingButton('publish-draft', 'Publish draft'),
      },
      {
        id: 'kill-switch',
        label: 'Kill switch…',
        keywords: ['flag', 'off', 'emergency', 'disable'],
        hint: 'asks first',
        run: () => pressPublishingButton('kill-switch', 'Kill switch'),
      },
      {
        id: 'shortcuts',
        label: 'Keyboard shortcuts',
        keywords: ['keys', 'help', '?'],
        hint: '?',
        run: openShortcuts,
      },
    ];
    const recent: PaletteCommand[] = runs.slice(0, 8).map((run) => ({
      id: `run-${run.id}`,
      label: `Run: ${run.name}`,
      keywords: [run.suiteName, ...run.models.map((model) => model.modelId)],
      hint: formatRelativeTime(run.createdAt),
      run: () => state().navigate({ screen: 'run', runId: run.id }),
    }));
    return [
      { group: 'Go to', commands: screens },
      { group: 'Actions', commands: actions },
      ...(recent.length > 0 ? [{ group: 'Recent runs', commands: recent }] : []),
    ];
  }, [runs, openShortcuts]);
}

export function CommandPalette({
  open,
  onOpenChange,
  openShortcuts,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  openShortcuts: () => void;
}): ReactElement {
  const groups = useCommands(openShortcuts);
  // The chosen command runs once the palette has fully closed (its focus scope gone): a dialog
  // the command opens must not overlap the palette's layer, or Esc would reach neither.
  const pending = useRef<PaletteCommand | null>(null);
  const choose = (command: PaletteCommand): void => {
    pending.current = command;
    onOpenChange(false);
  };
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay palette-overlay" />
        <Dialog.Content
          className="palette"
          data-testid="command-palette"
          aria-describedby={undefined}
          onCloseAutoFocus={(event) => {
            const command = pending.current;
            pending.current = null;
            if (!command) return returnFocusOnClose(event);
            // Focus goes where the command takes it, not back to where the palette opened.
            event.preventDefault();
            command.run();
          }}
        >
          <Dialog.Title className="visually-hidden">Command palette</Dialog.Title>
          <PaletteList groups={groups} choose={choose} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** cmdk's value for a command: unique, and what the text typed is matched against. */
function commandValue(command: PaletteCommand): string {
  return `${command.label} ${command.id}`;
}

/**
 * The palette's text field and list. cmdk does not filter (lib/filter-rank.ts says why): the
 * list shown is ranked here with cmdk's own scoring (defaultFilter, a fuzzy match on the label
 * and id and the keywords), so the same commands match, in the same order. Mounted with the
 * palette, so each opening starts with an empty text and the first command highlighted.
 */
function PaletteList({
  groups,
  choose,
}: {
  groups: { group: string; commands: PaletteCommand[] }[];
  choose: (command: PaletteCommand) => void;
}): ReactElement {
  const [query, setQuery] = useState('');
  const rank = (text: string) =>
    filterAndRank(
      groups,
      (group) => group.commands,
      text,
      (command) => defaultFilter(commandValue(command), text, command.keywords ?? []),
    );
  const shown = rank(query);
  const [active, setActive] = useState(() => {
    const first = firstRanked(shown);
    return first ? commandValue(first) : '';
  });
  return (
    <Command
      label="Command palette"
      loop
      shouldFilter={false}
      value={active}
      onValueChange={setActive}
    >
      <Command.Input
        className="palette-input"
        placeholder="Go to a screen or run an action…"
        data-testid="palette-input"
        value={query}
        onValueChange={(text) => {
          setQuery(text);
          // The best match is highlighted, as cmdk's own filter does: Enter runs it.
          const first = firstRanked(rank(text));
          setActive(first ? commandValue(first) : '');
        }}
      />
      <Command.List className="palette-list">
        <Command.Empty className="palette-empty">Nothing matches.</Command.Empty>
        {shown.map(({ group, items }) => (
          <Command.Group key={group.group} heading={group.group} className="palette-group">
            {items.map((command) => (
              <Command.Item
                key={command.id}
                value={commandValue(command)}
                className="palette-item"
                data-testid={`palette-${command.id}`}
                onSelect={() => choose(command)}
              >
                <span className="palette-label">{command.label}</span>
                {command.hint ? <span className="palette-hint">{command.hint}</span> : null}
                {command.keys && command.keys.length > 0 ? (
                  <span
                    className="palette-keys"
                    aria-label={`Shortcut ${command.keys.join('+')}`}
                    data-testid="palette-keys"
                  >
                    {command.keys.map((key) => (
                      <kbd key={key}>{key}</kbd>
                    ))}
                  </span>
                ) : null}
              </Command.Item>
            ))}
          </Command.Group>
        ))}
      </Command.List>
      <div className="palette-footer small muted">
        <span>
          <kbd>↑</kbd> <kbd>↓</kbd> move
        </span>
        <span>
          <kbd>Enter</kbd> open
        </span>
        <span>
          <kbd>Esc</kbd> close
        </span>
        <span>
          <kbd>{PALETTE_MODIFIER}</kbd> <kbd>K</kbd> palette · <kbd>?</kbd> shortcuts
        </span>
      </div>
    </Command>
  );
}
