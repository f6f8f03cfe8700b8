// @vitest-environment happy-dom
/**
 * Rollout → Publishing: changes to a config store whose outcome is unknown, kept in the data
 * folder, are shown one line per store and environment, worded as `aideon config store show`
 * words them (shared/rollout/unconfirmed-text.ts); nothing is shown when there are none.
 */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { UnconfirmedChanges } from '../../src/renderer/src/rollout/publishing-section';
import {
  unconfirmedText,
  type UnconfirmedGroupView,
} from '../../src/shared/rollout/unconfirmed-text';

afterEach(() => cleanup());

const group = (extra: Partial<UnconfirmedGroupView>): UnconfirmedGroupView => ({
  storeUri: 'dir:/srv/aideon-config',
  environment: 'dev',
  count: 1,
  since: Date.UTC(2026, 11, 1, 8, 30),
  currentStore: true,
  dropAfterDays: 30,
  ...extra,
});

describe('changes whose outcome is unknown, in the Publishing section', () => {
  it('one status line per store and environment, saying what happens to them', () => {
    const groups = [
      group({}),
      group({
        storeUri: 'etcd://ops:***@10.0.0.7:2379/aideon',
        environment: 'production',
        count: 2,
        currentStore: false,
      }),
    ];
    render(<UnconfirmedChanges groups={groups} />);
    const lines = screen.getAllByTestId('unconfirmed-changes');
    expect(lines.map((line) => line.getAttribute('role'))).toEqual(['status', 'status']);
    expect(lines.map((line) => line.textContent)).toEqual(groups.map(unconfirmedText));
    expect(lines[0]!.textContent).toMatch(/^1 change to dev whose outcome is unknown/);
    expect(lines[0]!.textContent).toMatch(/It is checked at the next read of dev/);
    expect(lines[1]!.textContent).toMatch(/nothing here checks them/);
  });

  it('nothing when there are none', () => {
    render(<UnconfirmedChanges groups={[]} />);
    expect(screen.queryByTestId('unconfirmed-changes')).toBeNull();
  });
});
