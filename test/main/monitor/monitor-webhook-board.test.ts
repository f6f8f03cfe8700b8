/**
 * Webhook delivery (a local HTTP server receives the JSON), `monitor check` / `monitor watch`,
 * the IPC handlers and the onboarding board with the optional automatic smoke run.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { MonitorService, type DetectedModel } from '../../../src/main/monitor/monitor-service';
import { fetchTogetherCatalogue } from '../../../src/main/monitor/together-catalogue';
import { WebhookPoster, type webhookPayload } from '../../../src/main/monitor/webhook';
import { monitorCheck, monitorWatch } from '../../../src/main/monitor/monitor-cli';
import { monitorIpcHandlers } from '../../../src/main/monitor/monitor-ipc';
import { monitorChannels, type MonitorEvent } from '../../../src/shared/monitor/monitor-schemas';
import { AppError } from '../../../src/shared/errors';
import type { WritableDb } from '../../../src/main/store/db';
import { FakeClock, counter, monitorDb, testDispatcher } from './monitor-fixtures';

const KEY = 'tgp_v1_PLANTED-WEBHOOK-SECRET-5e6f7a8b';
const dispatcher = testDispatcher();
let emulator: TogetherEmulator;
let db: WritableDb;
let clock: FakeClock;
let monitor: MonitorService;
let smokeCalls: Array<{ model: DetectedModel; budgetUsd: number }>;
let smokeAnswer: () => { runId: string };

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A tiny webhook receiver; `statuses` are answered in order, then 200. */
async function receiver(statuses: number[] = []): Promise<{
  url: string;
  received: Received[];
  next: () => Promise<Received>;
  server: Server;
}> {
  const received: Received[] = [];
  const waiters: Array<(value: Received) => void> = [];
  let consumed = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      const status = statuses.shift() ?? 200;
      if (status === 200) {
        received.push(entry);
        waiters.shift()?.(entry);
      }
      response.writeHead(status, status === 429 ? { 'retry-after': '0' } : {});
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/T000/B000/secret-path-token`,
    received,
    server,
    next: () =>
      new Promise<Received>((resolve) => {
        const ready = received[consumed];
        consumed += 1;
        if (ready) resolve(ready);
        else waiters.push(resolve);
      }),
  };
}

const noSleep = (): Promise<void> => Promise.resolve();

beforeEach(async () => {
  emulator = new TogetherEmulator({ apiKey: KEY });
  await emulator.start();
  db = monitorDb();
  clock = new FakeClock();
  smokeCalls = [];
  smokeAnswer = () => ({ runId: 'run_smoke_1' });
  monitor = new MonitorService({
    db,
    sources: [
      {
        provider: 'together',
        available: () => true,
        fetch: (signal) =>
          fetchTogetherCatalogue({ apiKey: KEY, baseUrl: emulator.baseUrl, dispatcher }, signal),
      },
    ],
    now: clock.now,
    random: () => 0.5,
    timers: clock,
    newId: counter(),
    onDetected: (model, budgetUsd) => {
      smokeCalls.push({ model, budgetUsd });
      return smokeAnswer();
    },
  });
});

afterEach(async () => {
  await monitor.stop();
  db.close();
  await emulator.stop();
});

afterAll(async () => {
  await dispatcher.close();
});

function addModel(id: string, extra: Record<string, unknown> = {}): void {
  emulator.extraModels.push({ id, object: 'model', type: 'video', ...extra });
}

const sampleEvent: MonitorEvent = {
  id: 'evt-1',
  kind: 'added',
  provider: 'together',
  modelId: 'acme/veo-9',
  displayName: `Leaky ${KEY}`,
  at: 1,
  checkId: 'chk-1',
  summary: 'Together AI lists a new video model: acme/veo-9.',
  changes: [],
  priceText: null,
  detection: { rule: 'type', detail: 'type is "video"' },
  read: false,
};

describe('webhook poster', () => {
  it('POSTs each event as JSON, retries 5xx and 429, and never sends a key', async () => {
    const hook = await receiver([503, 429]);
    const poster = new WebhookPoster({
      url: hook.url,
      dispatcher,
      sleep: noSleep,
      now: clock.now,
      secrets: () => [KEY],
    });
    await poster.post(sampleEvent);
    expect(poster.delivered).toBe(1);
    expect(hook.received).toHaveLength(1);
    const got = hook.received[0];
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.body).not.toContain(KEY);
    const body = JSON.parse(got?.body ?? '{}') as ReturnType<typeof webhookPayload>;
    expect(body).toMatchObject({
      type: 'aideon.monitor.event',
      version: 1,
      text: sampleEvent.summary,
      event: { id: 'evt-1', kind: 'added', modelId: 'acme/veo-9' },
    });
    expect(body.event.displayName).toBe('Leaky [redacted]');
    hook.server.close();
  });

  it('gives up on a 4xx at once, without the URL path in the message', async () => {
    const hook = await receiver([404]);
    const lines: string[] = [];
    const poster = new WebhookPoster({
      url: hook.url,
      dispatcher,
      sleep: noSleep,
      now: clock.now,
      log: (line) => lines.push(line),
    });
    await poster.post(sampleEvent);
    expect(poster.failed).toBe(1);
    expect(hook.received).toHaveLength(0);
    expect(lines[0]).toMatch(/answered HTTP 404/);
    expect(lines[0]).not.toContain('secret-path-token');
    hook.server.close();
    expect(() => new WebhookPoster({ ...posterBase(), url: 'ftp://example.com/x' })).toThrowError(
      /webhook: must be http or https/,
    );
    expect(
      () => new WebhookPoster({ ...posterBase(), url: 'https://user:pw@example.com/x' }),
    ).toThrowError(/user name or password/);
  });
});

function posterBase() {
  return { dispatcher, sleep: noSleep, now: clock.now };
}

describe('aideon monitor check / watch', () => {
  it('monitorCheck answers the diff as JSON', async () => {
    const baseline = await monitorCheck(monitor, { provider: 'together' });
    expect(baseline.ok).toBe(true);
    expect(baseline.checks[0]).toMatchObject({ trigger: 'cli', baseline: true });
    addModel('acme/kling-9', { pricing: { base: 0.5 } });
    clock.advance(1000);
    const diff = await monitorCheck(monitor, {});
    expect(diff.events.map((event) => event.modelId)).toEqual(['acme/kling-9']);
    const json = JSON.parse(JSON.stringify(diff)) as typeof diff;
    expect(json.checks[0]?.events[0]?.priceText).toBe('$0.50 per clip');
    await expect(monitorCheck(monitor, { provider: 'openai' })).rejects.toThrowError(
      /--provider.*"openai" is not a monitored provider/,
    );
  });

  it('monitorWatch runs the schedule and posts each new event to the webhook', async () => {
    await monitorCheck(monitor, {});
    const hook = await receiver();
    addModel('acme/seedance-9', { display_name: 'Seedance 9' });
    const controller = new AbortController();
    const seen: MonitorEvent[] = [];
    const watching = monitorWatch(monitor, {
      intervalMs: 5 * 60_000,
      webhookUrl: hook.url,
      signal: controller.signal,
      dispatcher,
      // Real waits, capped: the grace period for queued posts ends as soon as they are done.
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 2000))),
      now: clock.now,
      onEvent: (event) => seen.push(event),
    });
    clock.advance(0);
    const first = await hook.next();
    expect(JSON.parse(first.body)).toMatchObject({
      event: { kind: 'added', modelId: 'acme/seedance-9', displayName: 'Seedance 9' },
    });
    await monitor.idle();
    expect(clock.delays()).toEqual([5 * 60_000]);
    addModel('acme/hailuo-9');
    clock.advance(5 * 60_000);
    const second = await hook.next();
    expect(JSON.parse(second.body)).toMatchObject({ event: { modelId: 'acme/hailuo-9' } });
    controller.abort();
    const summary = await watching;
    expect(summary).toEqual({ checks: 2, events: 2, webhookDelivered: 2, webhookFailed: 0 });
    expect(seen.map((event) => event.modelId)).toEqual(['acme/seedance-9', 'acme/hailuo-9']);
    expect(monitor.isRunning).toBe(false);
    expect(hook.received.map((entry) => entry.body).join('')).not.toContain(KEY);
    hook.server.close();
  });
});

describe('IPC handlers', () => {
  it('answer shapes that match the proposed output schemas', async () => {
    const handlers = monitorIpcHandlers(monitor);
    const checked = await handlers['monitor:check-now']({ provider: 'together' });
    expect(monitorChannels['monitor:check-now'].output.parse(checked).checks).toHaveLength(1);
    addModel('acme/vidu-9');
    clock.advance(1000);
    await handlers['monitor:check-now']({});
    const status = handlers['monitor:get-status']({});
    expect(monitorChannels['monitor:get-status'].output.parse(status).unread).toBe(1);
    const inbox = handlers['monitor:list-inbox']({ unreadOnly: true });
    expect(monitorChannels['monitor:list-inbox'].output.parse(inbox).events).toHaveLength(1);
    expect(handlers['monitor:mark-read']({})).toEqual({ marked: 1, unread: 0 });
    const board = handlers['monitor:get-board']({});
    expect(monitorChannels['monitor:get-board'].output.parse(board).cards).toHaveLength(1);
    const settings = handlers['monitor:update-settings']({ autoSmoke: true });
    expect(settings).toEqual({ intervalMinutes: 15, autoSmoke: true, smokeBudgetUsd: 2 });
    expect(
      monitorChannels['monitor:update-settings'].input.safeParse({ intervalMinutes: 0 }).success,
    ).toBe(false);
    expect(
      monitorChannels['monitor:advance-card'].input.safeParse({
        cardId: 'c',
        evidence: { stage: 'benchmarked', voteCount: 3 },
      }).success,
    ).toBe(false);
  });
});

describe('onboarding board', () => {
  async function detect(id: string): Promise<string> {
    await monitor.checkNow({});
    addModel(id);
    clock.advance(1000);
    await monitor.checkNow({});
    const card = monitor.board.list().find((item) => item.modelId === id);
    if (!card) throw new Error('no card');
    return card.id;
  }

  it('moves a card through every stage with its evidence, in order only', async () => {
    const cardId = await detect('acme/wan-9');
    const step = (evidence: unknown) => monitor.board.advance({ cardId, evidence });
    await expect(step({ stage: 'placed', configVersion: 3 })).rejects.toThrowError(
      /at "detected"; it can move to "validated", not "placed"/,
    );
    await expect(step({ stage: 'validated', parameters: '5 s, 720p' })).rejects.toThrowError(
      /evidence\.runId/,
    );
    await step({
      stage: 'validated',
      runId: 'run_1',
      parameters: '5 s, 720p, 16:9',
      limitations: 'no audio',
    });
    await step({ stage: 'benchmarked', runId: 'run_2', voteCount: 120 });
    await step({ stage: 'placed', configVersion: 7, tier: 'premium' });
    await step({ stage: 'rolling_out', configVersion: 7, environment: 'production', percent: 10 });
    await expect(step({ stage: 'stable', configVersion: 7, cleanDays: 3 })).rejects.toThrowError(
      /7 consecutive days/,
    );
    const stable = await step({ stage: 'stable', configVersion: 7, cleanDays: 7 });
    expect(stable.stage).toBe('stable');
    expect(stable.history.map((entry) => entry.stage)).toEqual([
      'detected',
      'validated',
      'benchmarked',
      'placed',
      'rolling_out',
      'stable',
    ]);
    expect(stable.history[2]?.evidence).toMatchObject({ runId: 'run_2', voteCount: 120 });
    const back = await step({ stage: 'rolled_back', configVersion: 8, reason: 'error rate 4%' });
    expect(back.stage).toBe('rolled_back');
    await expect(monitor.board.advance({ cardId: 'nope', evidence: {} })).rejects.toThrowError(
      /evidence/,
    );
    await expect(
      monitor.board.advance({ cardId: 'nope', evidence: { stage: 'placed', configVersion: 1 } }),
    ).rejects.toThrowError(/no onboarding card "nope"/);
  });

  it('starts a smoke run on detection only when the admin opted in, within the spend limit', async () => {
    await detect('acme/veo-10');
    expect(smokeCalls).toEqual([]);
    monitor.updateSettings({ autoSmoke: true, smokeBudgetUsd: 1.5 });
    addModel('acme/veo-11', { display_name: 'Veo 11' });
    clock.advance(1000);
    await monitor.checkNow({});
    await new Promise((resolve) => setImmediate(resolve));
    expect(smokeCalls).toEqual([
      {
        model: { provider: 'together', modelId: 'acme/veo-11', displayName: 'Veo 11' },
        budgetUsd: 1.5,
      },
    ]);
    const card = monitor.board.list().find((item) => item.modelId === 'acme/veo-11');
    expect(card?.history[0]?.evidence).toMatchObject({
      stage: 'detected',
      smokeRunId: 'run_smoke_1',
    });
    smokeAnswer = () => {
      throw new AppError(
        'budget_exceeded',
        'The smoke run would cost $2.40, over the $1.50 limit.',
      );
    };
    addModel('acme/veo-12');
    clock.advance(1000);
    await monitor.checkNow({});
    await new Promise((resolve) => setImmediate(resolve));
    const refused = monitor.board.list().find((item) => item.modelId === 'acme/veo-12');
    expect(refused?.history[0]?.evidence).toMatchObject({
      smokeError: 'The smoke run would cost $2.40, over the $1.50 limit.',
    });
    expect(smokeCalls).toHaveLength(2);
  });
});
