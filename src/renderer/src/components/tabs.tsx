/**
 * The console's tabs (Benchmarks, Models, Review, Rollout, a run): the WAI-ARIA tabs pattern
 * with the same parts and props the screens used from @radix-ui/react-tabs (Root, List, Trigger,
 * Content), so a screen only changes its import.
 *
 * Why not Radix here: its Tabs pull in the collection, roving-focus, presence and slot packages
 * (about 55 KB of the 93 KB start-up chunk once React is counted apart), and its Presence
 * forces a style recalculation during the first render. The Benchmarks screen is the first
 * screen, so all of that ran before the console was ready (issue 15). The pattern itself is
 * small: a tablist of buttons with a roving tab stop, arrow keys, Home and End, and panels
 * labelled by their tab.
 *
 * Like Radix: only the selected panel's children are mounted (the others are empty, hidden
 * panels, so aria-controls always points at an element); `activationMode="manual"` moves focus
 * with the arrow keys and selects on Enter, Space or a click; `data-state` is "active" or
 * "inactive" on triggers and panels, for the style sheet.
 */
import {
  createContext,
  useContext,
  useId,
  useMemo,
  type ButtonHTMLAttributes,
  type KeyboardEvent,
  type ReactElement,
  type ReactNode,
} from 'react';

interface TabsState {
  value: string;
  select: (value: string) => void;
  manual: boolean;
  idBase: string;
}

const TabsContext = createContext<TabsState | null>(null);

function useTabs(part: string): TabsState {
  const state = useContext(TabsContext);
  if (!state) throw new Error(`Tabs.${part} must be inside Tabs.Root`);
  return state;
}

/** Ids that are valid in a selector whatever the value is (values are screen names today). */
function partId(idBase: string, part: 'tab' | 'panel', value: string): string {
  return `${idBase}${part}-${value.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function Root({
  value,
  onValueChange,
  activationMode = 'automatic',
  className,
  children,
}: {
  value: string;
  onValueChange: (value: string) => void;
  activationMode?: 'automatic' | 'manual';
  className?: string;
  children: ReactNode;
}): ReactElement {
  const idBase = useId();
  const state = useMemo(
    () => ({ value, select: onValueChange, manual: activationMode === 'manual', idBase }),
    [value, onValueChange, activationMode, idBase],
  );
  return (
    <TabsContext.Provider value={state}>
      <div className={className} data-orientation="horizontal">
        {children}
      </div>
    </TabsContext.Provider>
  );
}

/** Where the arrow keys, Home and End move focus to among `tabs` (enabled ones), or -1. */
export function nextTabIndex(key: string, current: number, count: number): number {
  if (count === 0) return -1;
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count;
    case 'ArrowLeft':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return -1;
  }
}

export function List({
  className,
  children,
  'aria-label': label,
}: {
  className?: string;
  children: ReactNode;
  'aria-label': string;
}): ReactElement {
  const { manual, select } = useTabs('List');
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const tabs = Array.from(
      event.currentTarget.querySelectorAll<HTMLButtonElement>('[role="tab"]:not([disabled])'),
    );
    const current = tabs.findIndex((tab) => tab === document.activeElement);
    const next = nextTabIndex(event.key, current < 0 ? 0 : current, tabs.length);
    const target = tabs[next];
    if (!target) return;
    event.preventDefault();
    target.focus();
    if (!manual && target.dataset.value !== undefined) select(target.dataset.value);
  };
  return (
    <div
      role="tablist"
      aria-label={label}
      aria-orientation="horizontal"
      className={className}
      onKeyDown={onKeyDown}
    >
      {children}
    </div>
  );
}

export function Trigger({
  value,
  children,
  ...rest
}: {
  value: string;
  children: ReactNode;
} & Omit<
  ButtonHTMLAttributes<HTMLButtonElement>,
  'value' | 'role' | 'type' | 'onClick'
>): ReactElement {
  const { value: selected, select, idBase } = useTabs('Trigger');
  const active = value === selected;
  return (
    <button
      {...rest}
      type="button"
      role="tab"
      id={partId(idBase, 'tab', value)}
      aria-selected={active}
      aria-controls={partId(idBase, 'panel', value)}
      data-state={active ? 'active' : 'inactive'}
      data-value={value}
      tabIndex={active ? 0 : -1}
      onClick={() => {
        if (!active) select(value);
      }}
    >
      {children}
    </button>
  );
}

export function Content({
  value,
  className,
  children,
}: {
  value: string;
  className?: string;
  children: ReactNode;
}): ReactElement {
  const { value: selected, idBase } = useTabs('Content');
  const active = value === selected;
  return (
    <div
      role="tabpanel"
      id={partId(idBase, 'panel', value)}
      aria-labelledby={partId(idBase, 'tab', value)}
      data-state={active ? 'active' : 'inactive'}
      hidden={!active}
      tabIndex={0}
      className={className}
    >
      {active ? children : null}
    </div>
  );
}
