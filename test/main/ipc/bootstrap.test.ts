/**
 * app:bootstrap (the console's start-up call) answers what the five single channels answer, in
 * one round trip, and a reviewer's call gets the session only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import type { Dispatcher } from '../../../src/main/ipc/dispatcher';
import { testServices } from '../../helpers/services';

let services: ReturnType<typeof testServices>;
let dispatcher: Dispatcher;

beforeAll(() => {
  services = testServices({ analyseVideos: false });
  dispatcher = createAppDispatcher(services, { checkOutputs: true });
});

afterAll(async () => {
  await services.cleanup();
});

async function value(channel: string, context = {}): Promise<unknown> {
  const result = await dispatcher.dispatch(channel, {}, context);
  if (!result.ok) throw new Error(`${channel}: ${result.error.message}`);
  return result.value;
}

describe('app:bootstrap', () => {
  it("answers the admin's session and first screen as the single channels do", async () => {
    const boot = (await value('app:bootstrap')) as { session: unknown; start: unknown };
    expect(boot.session).toEqual(await value('review:get-session'));
    expect(boot.start).toEqual({
      appInfo: await value('app:get-info'),
      models: await value('models:list'),
      suites: await value('suites:list'),
      runs: await value('bench:list-runs'),
      providers: await value('providers:list'),
    });
    // Not vacuous: the sandbox's models and the built-in suites are there.
    const start = boot.start as { models: unknown[]; suites: unknown[] };
    expect(start.models.length).toBeGreaterThan(0);
    expect(start.suites.length).toBeGreaterThan(0);
  });

  it('gives a reviewer the session and nothing of the console', async () => {
    expect(await value('app:bootstrap', { reviewer: 'ann' })).toEqual({
      session: { role: 'reviewer', name: 'ann' },
      start: null,
    });
  });

  it('refuses input it does not know, like every empty-input channel', async () => {
    const result = await dispatcher.dispatch('app:bootstrap', { everything: true });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('validation');
  });
});
