// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GuardBreachInboxEvent, MonitorEvent } from '../../src/shared/monitor/monitor-schemas';
import { createClient } from '../../src/renderer/src/ipc/client';
import { setClient } from '../../src/renderer/src/ipc';
import { buildEvidence } from '../../src/renderer/src/monitor/onboarding-board';
import { shortRelative } from '../../src/renderer/src/monitor/monitor-format';
import { Inbox } from '../../src/renderer/src/monitor/inbox';
import { MonitorEffects, UnreadNavBadge } from '../../src/renderer/src/monitor/monitor-section';
import {
  advanceCard,
  markRead,
  subscribeToMonitorEvents,
  validationIssues,
} from '../../src/renderer/src/store/monitor-actions';
import {
  addInboxEvent,
  documentTitle,
  markInboxRead,
  unreadBadgeText,
  type InboxState,
} from '../../src/renderer/src/store/monitor-slice';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';
import { fakeTransport } from './fake-transport';

function event(id: string, overrides: Partial<MonitorEvent> = {}): MonitorEvent {
  return {
    id,
    kind: 'added',
    provider: 'together',
    modelId: `Vendor/Model-${id}`,
    displayName: `Model ${id}`,
    at: 1_700_000_000_000,
    checkId: 'check-1',
    summary: `Together AI lists a new video model: Model ${id}`,
    changes: [],
    priceText: '$0.30 per clip',
    detection: { rule: 'type', detail: 'type is video' },
    read: false,
    ...overrides,
  };
}

describe('inbox logic', () => {
  it('adds a live event once, newest first, and counts it unread once', () => {
    let state: InboxState = { inbox: [event('a', { at: 1 })], unread: 1 };
    state = addInboxEvent(state, event('b', { at: 2 }));
    expect(state.inbox.map((item) => item.id)).toEqual(['b', 'a']);
    expect(state.unread).toBe(2);
    const again = addInboxEvent(state, event('b', { at: 2 }));
    expect(again).toBe(state);
    expect(addInboxEvent(state, event('c', { at: 3, read: true })).unread).toBe(2);
  });

  it('marks one or all read and never counts below zero', () => {
    const start = { inbox: [event('a'), event('b'), event('c', { read: true })], unread: 2 };
    const one = markInboxRead(start, ['a']);
    expect(one.unread).toBe(1);
    expect(one.inbox.find((item) => item.id === 'a')?.read).toBe(true);
    expect(one.inbox.find((item) => item.id === 'b')?.read).toBe(false);
    expect(markInboxRead(one, ['a'])).toBe(one);
    expect(markInboxRead(one, ['unknown'])).toBe(one);
    const all = markInboxRead(start);
    expect(all.unread).toBe(0);
    expect(all.inbox.every((item) => item.read)).toBe(true);
    // The server may know of unread events this window has not loaded: "all" still means 0.
    expect(markInboxRead({ inbox: [], unread: 5 }).unread).toBe(0);
    expect(markInboxRead({ inbox: [event('x')], unread: 0 }, ['x']).unread).toBe(0);
  });

  it('writes the count into the title and the badge', () => {
    expect(documentTitle(0)).toBe('Aideon Video Console');
    expect(documentTitle(2)).toBe('(2) Aideon Video Console');
    expect(documentTitle(120)).toBe('(99+) Aideon Video Console');
    expect(unreadBadgeText(0)).toBeNull();
    expect(unreadBadgeText(7)).toBe('7');
    expect(unreadBadgeText(100)).toBe('99+');
  });

  it('says relative times short', () => {
    const now = 1_000_000_000;
    expect(shortRelative(now - 10_000, now)).toBe('just now');
    expect(shortRelative(now - 3 * 60_000, now)).toBe('3 min ago');
    expect(shortRelative(now + 14 * 60_000, now)).toBe('in 14 min');
    expect(shortRelative(now - 2 * 3_600_000, now)).toBe('2 h ago');
    expect(shortRelative(now - 3 * 86_400_000, now)).toBe('3 d ago');
  });
});

describe('inbox with the store', () => {
  beforeEach(() => {
    resetAppStore();
    document.title = 'Aideon Video Console';
  });
  afterEach(() => {
    cleanup();
    setClient(null);
  });

  it('a release-detected event joins the inbox live, toasts once, and updates badge and title', async () => {
    const { transport, emit } = fakeTransport((channel) => {
      if (channel === 'monitor:get-board') return { ok: true, value: { cards: [] } };
      if (channel === 'monitor:get-status')
        return {
          ok: true,
          value: {
            running: true,
            settings: { intervalMinutes: 15, autoSmoke: false, smokeBudgetUsd: 2 },
            unread: 0,
            providers: [],
          },
        };
      if (channel === 'monitor:list-inbox') return { ok: true, value: { events: [], unread: 0 } };
      return { ok: false, error: { code: 'not_found', message: 'no', retryable: false } };
    });
    const client = createClient(transport);
    setClient(client);
    subscribeToMonitorEvents(client);
    render(
      <>
        <UnreadNavBadge />
        <MonitorEffects />
      </>,
    );
    await act(async () => {
      await Promise.resolve();
    });
    expect(screen.queryByTestId('nav-unread')).toBeNull();

    act(() => emit('monitor:release-detected', event('a')));
    act(() => emit('monitor:release-detected', event('a')));
    expect(useAppStore.getState().inbox.map((item) => item.id)).toEqual(['a']);
    expect(useAppStore.getState().unread).toBe(1);
    expect(useAppStore.getState().toasts).toHaveLength(1);
    expect(useAppStore.getState().toasts[0]?.title).toBe('New video model on Together AI');
    expect(screen.getByTestId('nav-unread').textContent).toBe('1');
    expect(document.title).toBe('(1) Aideon Video Console');

    act(() => emit('monitor:release-detected', event('b', { kind: 'in_use_retired' })));
    expect(screen.getByTestId('nav-unread').textContent).toBe('2');
    expect(document.title).toBe('(2) Aideon Video Console');
  });

  it('a guard breach lands in the same inbox: unread count and badge go up, the item says what broke', async () => {
    const breach: GuardBreachInboxEvent = {
      id: 'breach-1',
      kind: 'guard_breached',
      env: 'production',
      status: 'breach',
      action: 'paused',
      stepVersion: 42,
      at: Date.now() - 60_000,
      summary:
        'premium together/kling-2.1: success rate 78.1% is below 92.0%\npremium together/kling-2.1: p95 latency 301.2 s is above 200.0 s',
      read: false,
    };
    let stored: (MonitorEvent | GuardBreachInboxEvent)[] = [event('a', { read: true })];
    const { transport, emit } = fakeTransport((channel) => {
      if (channel === 'monitor:list-inbox')
        return {
          ok: true,
          value: { events: stored, unread: stored.filter((item) => !item.read).length },
        };
      return { ok: false, error: { code: 'not_found', message: 'no', retryable: false } };
    });
    const client = createClient(transport);
    setClient(client);
    subscribeToMonitorEvents(client);
    useAppStore.setState({ inbox: stored, unread: 0, inboxStatus: { kind: 'loaded' } });
    render(
      <>
        <UnreadNavBadge />
        <Inbox />
      </>,
    );
    expect(screen.queryByTestId('nav-unread')).toBeNull();
    expect(screen.getByTestId('inbox-unread').textContent).toBe('Nothing unread');

    // Main has stored the breach in the inbox table; the event makes the window reload it.
    stored = [breach, ...stored];
    await act(async () => {
      emit('watch:guard-breached', {
        env: 'production',
        status: 'breach',
        checkedAt: breach.at,
        stepVersion: 42,
        summary: breach.summary,
        action: 'paused',
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(useAppStore.getState().unread).toBe(1);
    expect(screen.getByTestId('nav-unread').textContent).toBe('1');
    expect(screen.getByTestId('inbox-unread').textContent).toBe('1 unread');
    const item = screen
      .getAllByTestId('inbox-item')
      .find((element) => element.dataset.kind === 'guard_breached');
    expect(item?.dataset.read).toBe('false');
    expect(item?.textContent).toContain('Guard breach');
    expect(item?.textContent).toContain('Production watch · production');
    expect(item?.textContent).toContain('Rollout paused');
    expect(item?.textContent).toContain('success rate 78.1% is below 92.0%');
    expect(item?.textContent).toContain('config version 42');
    expect(useAppStore.getState().toasts.at(-1)?.title).toBe(
      'production: a guard breached, rollout paused',
    );
  });

  it('a failed automatic rollback: the toast says the step is still live and how to roll back now', async () => {
    const { transport, emit } = fakeTransport((channel) => {
      if (channel === 'monitor:list-inbox') return { ok: true, value: { events: [], unread: 0 } };
      return { ok: false, error: { code: 'not_found', message: 'no', retryable: false } };
    });
    const client = createClient(transport);
    setClient(client);
    subscribeToMonitorEvents(client);
    await act(async () => {
      emit('watch:guard-breached', {
        env: 'production',
        status: 'no_data',
        checkedAt: Date.now(),
        stepVersion: 42,
        summary:
          'Watch paused config version 42 (premium-pro-video at 10%) in production: metrics are missing.\nAutomatic rollback FAILED: no signing key is unlocked in the console, so the rollback could not be signed.\nno_data [premium] No requests reported',
        action: 'rollback_failed',
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    const toast = useAppStore.getState().toasts.at(-1);
    expect(toast?.title).toBe('production: data is missing, rollback FAILED');
    expect(toast?.description).toMatch(/still live/);
    expect(toast?.description).toContain('Rollout → Publishing → production → Roll back…');
    expect(toast?.description).toMatch(/tries again at its next check/);
  });

  it('a failed rollback retried and failing the same way (repeated): no second toast', async () => {
    const { transport, emit } = fakeTransport((channel) => {
      if (channel === 'monitor:list-inbox') return { ok: true, value: { events: [], unread: 0 } };
      return { ok: false, error: { code: 'not_found', message: 'no', retryable: false } };
    });
    const client = createClient(transport);
    setClient(client);
    subscribeToMonitorEvents(client);
    const failed = (repeated?: boolean) => ({
      env: 'production',
      status: 'no_data',
      checkedAt: Date.now(),
      stepVersion: 42,
      summary:
        'Watch: metrics are missing under config version 42 (premium-pro-video at 10%) in production, which is paused and still live.\nAutomatic rollback FAILED: the store could not be reached.',
      action: 'rollback_failed',
      ...(repeated === undefined ? {} : { repeated }),
    });
    const before = useAppStore.getState().toasts.length;
    await act(async () => {
      emit('watch:guard-breached', failed());
      emit('watch:guard-breached', failed(true));
      emit('watch:guard-breached', failed(true));
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(useAppStore.getState().toasts.length - before).toBe(1);
  });

  it('mark read: optimistic, then the server count; restored when the call fails', async () => {
    let fail = false;
    const { transport, invoke } = fakeTransport((channel) => {
      if (channel === 'monitor:mark-read')
        return fail
          ? {
              ok: false,
              error: { code: 'internal', message: 'Database is busy.', retryable: true },
            }
          : { ok: true, value: { marked: 1, unread: 4 } };
      return { ok: false, error: { code: 'not_found', message: 'no', retryable: false } };
    });
    setClient(createClient(transport));
    useAppStore.setState({ inbox: [event('a'), event('b')], unread: 5 });

    await markRead(['a']);
    expect(invoke).toHaveBeenCalledWith('monitor:mark-read', { ids: ['a'] });
    expect(useAppStore.getState().unread).toBe(4);
    expect(useAppStore.getState().inbox.find((item) => item.id === 'a')?.read).toBe(true);

    fail = true;
    await markRead();
    expect(invoke).toHaveBeenLastCalledWith('monitor:mark-read', {});
    expect(useAppStore.getState().unread).toBe(4);
    expect(useAppStore.getState().inbox.find((item) => item.id === 'b')?.read).toBe(false);
    expect(useAppStore.getState().toasts.at(-1)?.description).toBe('Database is busy.');
  });

  it('advance: validation errors come back one per line', async () => {
    const { transport } = fakeTransport(() => ({
      ok: false,
      error: {
        code: 'validation',
        message:
          'Invalid input for monitor:advance-card: evidence.runId: runId is required; evidence.parameters: document the parameters used',
        retryable: false,
      },
    }));
    setClient(createClient(transport));
    const outcome = await advanceCard('card-1', {
      stage: 'validated',
      runId: '',
      parameters: '',
    });
    expect(outcome).toEqual({
      kind: 'invalid',
      issues: ['runId: runId is required', 'parameters: document the parameters used'],
    });
  });
});

describe('advance dialog evidence', () => {
  it("splits the board's own validation message too", () => {
    expect(
      validationIssues(
        'Invalid evidence for the onboarding stage: evidence.cleanDays: stable needs 7 consecutive days without a critical issue',
      ),
    ).toEqual(['cleanDays: stable needs 7 consecutive days without a critical issue']);
  });

  it('names the fields that are not numbers', () => {
    expect(buildEvidence('stable', { configVersion: 'x', cleanDays: '' })).toEqual({
      ok: false,
      issues: [
        'Config version: enter a whole number',
        'Days without a critical issue: enter a whole number',
      ],
    });
  });

  it('builds the evidence the schema expects, leaving empty optionals out', () => {
    expect(
      buildEvidence('rolling_out', { configVersion: '3', environment: 'staging', note: ' ' }),
    ).toEqual({
      ok: true,
      evidence: { stage: 'rolling_out', configVersion: 3, environment: 'staging' },
    });
    expect(
      buildEvidence('validated', { runId: 'run-1', parameters: '720p, 5 s', limitations: '' }),
    ).toEqual({
      ok: true,
      evidence: { stage: 'validated', runId: 'run-1', parameters: '720p, 5 s' },
    });
  });
});
