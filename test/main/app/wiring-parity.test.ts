/**
 * Browser mode and the desktop app wire the same services and events: both call the shared
 * openConsole and only carry its dispatcher and event stream. Part one runs openConsole and
 * checks what it wired; part two reads the two entries' sources with the TypeScript parser
 * (Electron cannot run here) and checks that they call it (through openConsoleWhenFree), hand
 * its dispatcher and events to their transport, and wire nothing on their own.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { openConsole } from '../../../src/main/app/console-wiring';
import { resourcesDir } from '../../../src/main/paths';
import { EVENT_CHANNEL_NAMES, INVOKE_CHANNEL_NAMES } from '../../../src/shared/ipc/channel-names';
import type { EventChannel } from '../../../src/shared/ipc/contract';
import { tempDir } from '../../helpers/temp-dir';

const ENTRIES = {
  electron: 'src/main/electron/main.ts',
  browser: 'src/main/serve/serve-command.ts',
} as const;

/** Every call in a file, as the text of what is called (e.g. `wired.subscribeEvents`). */
function calls(file: string): { callee: string; args: string[] }[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const out: { callee: string; args: string[] }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node))
      out.push({
        callee: node.expression.getText(source),
        args: node.arguments.map((arg) => arg.getText(source)),
      });
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

/** Property assignments in object literals (`dispatcher: wired.dispatcher`). */
function properties(file: string): Map<string, string[]> {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const out = new Map<string, string[]>();
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node)) {
      const name = node.name.getText(source);
      out.set(name, [...(out.get(name) ?? []), node.initializer.getText(source)]);
    }
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

describe('openConsole wires every service and event', () => {
  it('starts the background work, gives both notifiers, checks outputs and forwards every event', async () => {
    const { dir, cleanup } = tempDir('aideon-parity-');
    const lines: string[] = [];
    const wired = openConsole(
      {
        dataDir: dir,
        resourcesDir: resourcesDir(),
        env: {},
        mode: 'browser',
        version: 'test',
        analyseVideos: false,
      },
      { present: () => undefined, log: (line) => lines.push(line) },
    );
    try {
      await wired.ready;
      expect([...wired.manifest.started].sort()).toEqual(
        ['bench-resume', 'models-in-use', 'monitor', 'publishing'].sort(),
      );
      expect([...wired.manifest.notifiers].sort()).toEqual(['monitor', 'watch']);
      expect(wired.manifest.checksOutputs).toBe(true);
      expect([...wired.manifest.channels].sort()).toEqual([...INVOKE_CHANNEL_NAMES].sort());
      expect(wired.manifest.events).toEqual(EVENT_CHANNEL_NAMES);
      expect(wired.services.monitor.isRunning).toBe(true);

      // Every contract event on the bus reaches the transport's subscription.
      const forwarded: EventChannel[] = [];
      const off = wired.subscribeEvents((event) => forwarded.push(event));
      for (const event of EVENT_CHANNEL_NAMES) wired.services.bus.emit(event, {} as never);
      off();
      expect(forwarded).toEqual([...EVENT_CHANNEL_NAMES]);

      // The dispatcher answers the contract.
      const info = await wired.dispatcher.dispatch('app:get-info', {});
      expect(info.ok).toBe(true);
    } finally {
      await wired.close();
      cleanup();
    }
    expect(wired.services.monitor.isRunning).toBe(false);
  });
});

describe('both ways in use openConsole and wire nothing on their own', () => {
  for (const [mode, file] of Object.entries(ENTRIES)) {
    it(`${mode}: ${file}`, () => {
      const called = calls(file);
      const callees = called.map((call) => call.callee);
      // Through openConsoleWhenFree: openConsole with the console's busy wait and a patient start.
      expect(callees).toContain('openConsoleWhenFree');
      // What openConsole does must not be done (or done differently) here.
      for (const forbidden of [
        'createServices',
        'createAppDispatcher',
        'createDispatcher',
        'createMonitor',
        'syncModelsInUse',
      ])
        expect(callees).not.toContain(forbidden);
      for (const suffix of [
        '.monitor.start',
        '.publishing.start',
        '.bench.resumeAll',
        '.markModelsInUse',
        'bus.on',
        'bus.onAny',
        'bus.emit',
      ])
        expect(callees.filter((callee) => callee.endsWith(suffix))).toEqual([]);
    });
  }

  it('browser mode hands the wired dispatcher and event stream to the HTTP server', () => {
    const props = properties(ENTRIES.browser);
    expect(calls(ENTRIES.browser).map((call) => call.callee)).toContain('startBrowserServer');
    expect(props.get('dispatcher')).toEqual(['wired.dispatcher']);
    expect(props.get('events')).toEqual(['wired.subscribeEvents']);
  });

  it('the desktop app hands the same dispatcher (behind the sender check) and events to IPC', () => {
    const called = calls(ENTRIES.electron);
    const guard = called.find((call) => call.callee === 'guardedDispatch');
    expect(guard?.args[0]).toBe('wired.dispatcher');
    const handle = called.find((call) => call.callee === 'ipcMain.handle');
    expect(handle?.args[0]).toBe('channel');
    const source = readFileSync(ENTRIES.electron, 'utf8');
    expect(source).toMatch(
      /for \(const channel of INVOKE_CHANNEL_NAMES\)\s+ipcMain\.handle\(channel/,
    );
    expect(called.map((call) => call.callee)).toContain('wired.subscribeEvents');
    // The lifecycle (single instance, activate, quit waiting for close) is the tested module's.
    expect(called.map((call) => call.callee)).toContain('runDesktopApp');
    for (const event of ['before-quit', 'window-all-closed', 'activate', 'second-instance'])
      expect(called.some((call) => call.callee === 'app.on' && call.args[0] === `'${event}'`)).toBe(
        false,
      );
  });
});
