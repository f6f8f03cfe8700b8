/**
 * The pieces the Electron entry hands its objects to: the IPC sender check, the log sink and
 * the notice texts (the Electron files themselves cannot run here).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { guardedDispatch, isTrustedSender } from '../../../src/main/app/ipc-guard';
import { createFileLog, logProcessErrors } from '../../../src/main/app/log-sink';
import { monitorNotice, resumedRunsNotice, watchNotice } from '../../../src/main/app/notices';
import { APP_ORIGIN } from '../../../src/main/app/protocol-handlers';
import type { Dispatcher } from '../../../src/main/ipc/dispatcher';
import type { MonitorEvent } from '../../../src/shared/monitor/monitor-schemas';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('IPC sender check', () => {
  it("accepts our renderer's frames (a custom scheme, which Node gives an opaque origin) and nothing else", () => {
    expect(isTrustedSender(`${APP_ORIGIN}/index.html`, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(`${APP_ORIGIN}/index.html#/rollout`, APP_ORIGIN)).toBe(true);
    for (const url of [
      undefined,
      '',
      'aideon://evil/index.html',
      'aideon://app.evil/index.html',
      'https://app/index.html',
      'file:///tmp/index.html',
      'not a url',
    ])
      expect(isTrustedSender(url, APP_ORIGIN)).toBe(false);
  });

  it('a foreign frame gets forbidden and the dispatcher is never reached', async () => {
    const seen: string[] = [];
    const dispatcher: Dispatcher = {
      channels: () => [],
      dispatch: async (channel) => {
        seen.push(channel);
        return { ok: true, value: 'answered' };
      },
    };
    const invoke = guardedDispatch(dispatcher, APP_ORIGIN);
    expect(await invoke('https://example.com/', 'app:get-info', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(seen).toEqual([]);
    expect(await invoke(`${APP_ORIGIN}/index.html`, 'app:get-info', {})).toEqual({
      ok: true,
      value: 'answered',
    });
    expect(seen).toEqual(['app:get-info']);
  });
});

describe('log sink', () => {
  it('writes timestamped lines, scrubs keys, rotates, and never throws', () => {
    const { dir, cleanup } = tempDir('aideon-log-');
    cleanups.push(cleanup);
    const file = join(dir, 'logs', 'main.log');
    const key = 'tgp_v1_PLANTED-LOG-SECRET-0123456789';
    const log = createFileLog({
      file,
      now: () => Date.UTC(2026, 11, 3, 7, 0, 0),
      secrets: () => [key],
      maxBytes: 200,
    });
    log(`together answered 401: Invalid API key provided: ${key}`);
    log('second line\nwith a stack');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(key);
    expect(text).toContain(
      '2026-12-03T07:00:00.000Z together answered 401: Invalid API key provided: [redacted]',
    );
    expect(text).toContain('second line\n    with a stack');
    for (let index = 0; index < 5; index += 1) log(`line ${index} ${'x'.repeat(40)}`);
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(statSync(file).size).toBeLessThan(400);

    // A log file that cannot be written loses the line, not the app.
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'a file where a folder should be');
    expect(() =>
      createFileLog({ file: join(blocked, 'main.log'), now: Date.now })('lost'),
    ).not.toThrow();
  });

  it('uncaught errors and unhandled rejections are logged', () => {
    const listeners = new Map<string, (error: unknown) => void>();
    const lines: string[] = [];
    logProcessErrors({ on: (event, listener) => listeners.set(event, listener) }, (line) =>
      lines.push(line),
    );
    listeners.get('uncaughtException')?.(new Error('boom'));
    listeners.get('unhandledRejection')?.('nope');
    expect(lines[0]).toMatch(/^uncaught exception: Error: boom/);
    expect(lines[1]).toBe('unhandled rejection: nope');
  });
});

describe('notices', () => {
  const event = (kind: MonitorEvent['kind']): MonitorEvent => ({
    id: 'e1',
    kind,
    provider: 'together',
    modelId: 'acme/wan-9',
    displayName: 'Wan 9',
    at: 0,
    checkId: null,
    summary:
      'acme/wan-9 at Together AI is used by a routing config and is removed; move traffic off it.',
    changes: [],
    priceText: null,
    detection: { rule: 'type', detail: 'type is video' },
    read: false,
  });

  it('name the model and what happened', () => {
    expect(monitorNotice(event('added'))).toEqual({
      title: 'New video model on Together AI',
      body: 'Wan 9 · acme/wan-9\nPrice not published yet',
    });
    const retired = monitorNotice(event('in_use_retired'));
    expect(retired.title).toBe('A model your config uses is being retired (Together AI)');
    expect(retired.body).toContain('is removed; move traffic off it');
    expect(resumedRunsNotice(1).body).toBe('1 unfinished run picked up where it stopped.');
    expect(resumedRunsNotice(3).body).toBe('3 unfinished runs picked up where they stopped.');
    expect(
      watchNotice({
        env: 'production',
        severity: 'critical',
        title: 'Rolled back config version 7 in production: a guard breached',
        body: 'success rate 0.78 < 0.92',
      }),
    ).toEqual({
      title: 'Rolled back config version 7 in production: a guard breached',
      body: 'success rate 0.78 < 0.92',
    });
  });
});
