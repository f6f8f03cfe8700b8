// @vitest-environment happy-dom
/**
 * The console's own tabs (components/tabs.tsx, in place of Radix Tabs): the ARIA wiring, a
 * roving tab stop, arrow keys/Home/End, and manual vs automatic activation.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { useState, type ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import * as Tabs from '../../src/renderer/src/components/tabs';

afterEach(cleanup);

function Example({ manual = false }: { manual?: boolean }): ReactElement {
  const [tab, setTab] = useState('runs');
  return (
    <Tabs.Root
      className="tabs"
      value={tab}
      onValueChange={setTab}
      activationMode={manual ? 'manual' : 'automatic'}
    >
      <Tabs.List className="tab-list" aria-label="Benchmarks">
        <Tabs.Trigger className="tab" value="runs" data-testid="tab-runs">
          Runs
        </Tabs.Trigger>
        <Tabs.Trigger className="tab" value="suites" data-testid="tab-suites">
          Suites
        </Tabs.Trigger>
        <Tabs.Trigger className="tab" value="keys">
          Keys
        </Tabs.Trigger>
      </Tabs.List>
      <Tabs.Content className="tab-panel" value="runs">
        <p>run list</p>
      </Tabs.Content>
      <Tabs.Content className="tab-panel" value="suites">
        <p>suite list</p>
      </Tabs.Content>
      <Tabs.Content className="tab-panel" value="keys">
        <p>key list</p>
      </Tabs.Content>
    </Tabs.Root>
  );
}

const tab = (name: string) => screen.getByRole('tab', { name });

describe('Tabs', () => {
  it('links each tab to its panel and mounts only the selected panel', () => {
    render(<Example />);
    expect(screen.getByRole('tablist', { name: 'Benchmarks' })).toBeTruthy();
    const runs = tab('Runs');
    expect(runs.getAttribute('aria-selected')).toBe('true');
    expect(runs.dataset.state).toBe('active');
    expect(runs.getAttribute('tabindex')).toBe('0');
    expect(tab('Suites').getAttribute('aria-selected')).toBe('false');
    expect(tab('Suites').getAttribute('tabindex')).toBe('-1');
    const panel = screen.getByRole('tabpanel');
    expect(panel.id).toBe(runs.getAttribute('aria-controls'));
    expect(panel.getAttribute('aria-labelledby')).toBe(runs.id);
    expect(panel.textContent).toBe('run list');
    expect(screen.queryByText('suite list')).toBeNull();
    // The other panels exist (aria-controls points somewhere) but are hidden and empty.
    const hidden = document.getElementById(tab('Suites').getAttribute('aria-controls')!)!;
    expect(hidden.hidden).toBe(true);
    expect(hidden.textContent).toBe('');
    expect(screen.getByTestId('tab-suites')).toBe(tab('Suites'));
  });

  it('a click selects a tab', () => {
    render(<Example />);
    fireEvent.click(tab('Suites'));
    expect(tab('Suites').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').textContent).toBe('suite list');
  });

  it('automatic: arrow keys, Home and End move focus and select, wrapping around', () => {
    render(<Example />);
    tab('Runs').focus();
    fireEvent.keyDown(tab('Runs'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(tab('Suites'));
    expect(tab('Suites').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(tab('Suites'), { key: 'End' });
    expect(document.activeElement).toBe(tab('Keys'));
    fireEvent.keyDown(tab('Keys'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(tab('Runs'));
    fireEvent.keyDown(tab('Runs'), { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(tab('Keys'));
    fireEvent.keyDown(tab('Keys'), { key: 'Home' });
    expect(document.activeElement).toBe(tab('Runs'));
    expect(screen.getByRole('tabpanel').textContent).toBe('run list');
  });

  it('manual: arrow keys move focus only; Enter (a click) selects', () => {
    render(<Example manual />);
    tab('Runs').focus();
    fireEvent.keyDown(tab('Runs'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(tab('Suites'));
    expect(tab('Runs').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').textContent).toBe('run list');
    fireEvent.click(tab('Suites'));
    expect(screen.getByRole('tabpanel').textContent).toBe('suite list');
  });

  it('leaves modified keys alone (the console has Ctrl/Alt shortcuts)', () => {
    render(<Example />);
    tab('Runs').focus();
    fireEvent.keyDown(tab('Runs'), { key: 'ArrowRight', ctrlKey: true });
    expect(document.activeElement).toBe(tab('Runs'));
    expect(tab('Runs').getAttribute('aria-selected')).toBe('true');
  });

  it('parts outside a Root say so', () => {
    expect(() => render(<Tabs.Trigger value="x">x</Tabs.Trigger>)).toThrow(
      /Tabs.Trigger must be inside Tabs.Root/,
    );
  });
});

describe('nextTabIndex', () => {
  it('wraps and ignores other keys', () => {
    expect(Tabs.nextTabIndex('ArrowRight', 2, 3)).toBe(0);
    expect(Tabs.nextTabIndex('ArrowLeft', 0, 3)).toBe(2);
    expect(Tabs.nextTabIndex('Home', 1, 3)).toBe(0);
    expect(Tabs.nextTabIndex('End', 0, 3)).toBe(2);
    expect(Tabs.nextTabIndex('a', 0, 3)).toBe(-1);
    expect(Tabs.nextTabIndex('End', 0, 0)).toBe(-1);
  });
});
