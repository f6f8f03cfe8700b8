/**
 * Who holds the database. Every Aideon process that opens the database for writing puts a
 * presence file beside it (store/presence.ts: pid, host, the command as typed with secrets
 * replaced, started-at), and the busy answers name those processes: the console's answer
 * through HTTP, a CLI command's error, a long-running command's start-up line. Before, only a
 * process holding a benchmark run's lease was named; an import, a publish, a controller or a
 * monitor watch never was. Real processes: the holder is a child process with the data folder's
 * services open and SQLite's write lock taken (test/helpers/presence-lock-child.ts); the CLI is
 * the real `aideon` command in a child.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrowserServer } from '../../../src/main/serve/browser-server';
import {
  announcePresence,
  describePresence,
  otherPresences,
  presenceDir,
  redactedCommandLine,
} from '../../../src/main/store/presence';
import { spawnCli, until } from '../../helpers/cli-child';
import { lockHolder } from '../../helpers/lock-holder';
import { openTestConsole } from '../../helpers/test-console';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const folder = (): string => {
  const { dir, cleanup } = tempDir('aideon-holders-');
  cleanups.push(cleanup);
  return dir;
};

/** "06:12 UTC" for a start a moment ago (the clock of this test, read around the start). */
const startedNear = (before: number): RegExp => {
  const times = [before, Date.now()].map((at) => new Date(at).toISOString().slice(11, 16));
  return new RegExp(`started (${[...new Set(times)].join('|')}) UTC`);
};

describe('the command line in a presence file', () => {
  it('keeps what names the work and hides what could be a secret', () => {
    const env = { TOGETHER_API_KEY: 'tgk-9f8e7d6c5b4a', AIDEON_KEY_PASSPHRASE: 'open sesame!' };
    const line = redactedCommandLine(
      [
        '--data-dir',
        '/srv/aideon data',
        'bench',
        'run',
        '--models',
        'sandbox:sandbox-fast,together:kwaivgI/kling-2.1-master',
        '--token',
        'plain',
        '--passphrase=open sesame!',
        '--webhook',
        'https://ops:pw@hooks.example.test/services/T000/B000/AbCdEfGhIjKlMnOpQrStUvWx?sig=abc',
        '--note',
        'key tgk-9f8e7d6c5b4a pasted',
        'r8_AbCdEfGhIjKlMnOpQrStUvWx0123456789',
        '3f2a9c1e-0b7d-4e5f-8a9b-0c1d2e3f4a5b',
        '--store',
        'etcd://127.0.0.1:2379/aideon',
      ],
      env,
    );
    expect(line).toBe(
      "aideon --data-dir '/srv/aideon data' bench run --models sandbox:sandbox-fast,together:kwaivgI/kling-2.1-master " +
        '--token [redacted] --passphrase=[redacted] ' +
        '--webhook https://[redacted]:[redacted]@hooks.example.test/services/T000/B000/[redacted]?sig=[redacted] ' +
        "--note 'key [redacted] pasted' [redacted] 3f2a9c1e-0b7d-4e5f-8a9b-0c1d2e3f4a5b " +
        '--store etcd://127.0.0.1:2379/aideon',
    );
    for (const secret of ['plain', 'open sesame', 'tgk-9f8e7d6c5b4a', 'AbCdEf', 'pw@', 'sig=abc'])
      expect(line).not.toContain(secret);
  });
});

describe('presence files', () => {
  it('are removed by their process; a dead pid on this host is ignored and cleaned; another host is named with it', () => {
    const dataDir = folder();
    const dbFile = join(dataDir, 'aideon.sqlite');
    const mine = announcePresence(dbFile, { command: 'aideon serve', typed: true, now: 0 });
    expect(readdirSync(presenceDir(dbFile))).toHaveLength(1);
    // This process's own entry is never one of the "others".
    expect(otherPresences(dbFile, {})).toEqual([]);

    // A process that has ended (its pid is free now) and one on another computer.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const write = (name: string, record: object): void =>
      writeFileSync(join(presenceDir(dbFile), name), JSON.stringify(record));
    write(`${hostname()}.${dead}.aa.json`, {
      pid: dead,
      host: hostname(),
      command: 'aideon bench import run.tar',
      typed: true,
      startedAt: 1,
    });
    write(`build-7.4242.bb.json`, {
      pid: 4242,
      host: 'build-7',
      command: 'aideon controller --store etcd://10.0.0.1:2379/aideon',
      typed: true,
      startedAt: Date.UTC(2026, 11, 4, 6, 12),
    });
    write('damaged.json', { pid: 'x' });
    const others = otherPresences(dbFile, {});
    expect(others.map((entry) => entry.pid)).toEqual([4242]);
    expect(describePresence(others[0]!, Date.UTC(2026, 11, 5, 8))).toBe(
      '`aideon controller --store etcd://10.0.0.1:2379/aideon` (pid 4242 on build-7, started 2026-12-04 06:12 UTC)',
    );
    // The dead process's file was removed; the damaged one is left for a person to look at.
    const left = readdirSync(presenceDir(dbFile));
    expect(left).not.toContain(`${hostname()}.${dead}.aa.json`);
    expect(left).toEqual(expect.arrayContaining(['build-7.4242.bb.json', 'damaged.json']));
    expect(left).toHaveLength(3);
    mine.remove();
    expect(readdirSync(presenceDir(dbFile)).sort()).toEqual([
      'build-7.4242.bb.json',
      'damaged.json',
    ]);
  });
});

describe('busy answers name the Aideon process that holds the database', () => {
  it('the console through HTTP: the import that holds it, then the write goes through once it ends', async () => {
    const wired = openTestConsole(cleanups, { busyPatienceMs: 400 });
    await wired.ready;
    const rendererDir = folder();
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    const server = await startBrowserServer({
      dispatcher: wired.dispatcher,
      bus: wired.services.bus,
      media: wired.services.media,
      rendererDir,
      port: 0,
    });
    cleanups.push(() => server.close());
    const call = async (channel: string, body: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${server.baseUrl}/api/${channel}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    const suite = {
      definition: { name: 'Held', settings: {}, prompts: [{ id: 'p1', text: 'a fox' }] },
    };

    const before = Date.now();
    const holder = await lockHolder(cleanups, wired.dataDir, [
      'bench',
      'import',
      '/data/run.tar',
      '--progress',
    ]);
    const answer = await call('suites:save', suite);
    expect(answer).toMatchObject({ ok: false, error: { code: 'conflict', retryable: true } });
    const message = (answer.error as { message: string }).message;
    expect(message).toContain(
      `\`aideon bench import /data/run.tar --progress\` (pid ${holder.pid}, `,
    );
    expect(message).toMatch(startedNear(before));
    expect(message).toMatch(/\) is writing to it\. Nothing was changed\./);
    // The console names only the other process, never itself.
    expect(message).not.toContain(`pid ${process.pid}`);

    await holder.stop();
    // Its presence file went with it; the console's own stays while it runs.
    const files = readdirSync(presenceDir(join(wired.dataDir, 'aideon.sqlite')));
    expect(files.filter((name) => name.includes(`.${holder.pid}.`))).toEqual([]);
    expect(files.filter((name) => name.includes(`.${process.pid}.`))).toHaveLength(1);
    expect(await call('suites:save', suite)).toMatchObject({ ok: true });
  }, 60_000);

  it('a CLI command: its error names the holder, with the secret in its command line hidden', async () => {
    const dataDir = folder();
    const before = Date.now();
    const holder = await lockHolder(cleanups, dataDir, [
      'monitor',
      'watch',
      '--webhook',
      'https://hooks.example.test/services/T000/B000/AbCdEfGhIjKlMnOpQrStUvWx',
    ]);
    const cli = spawnCli(['--data-dir', dataDir, 'reviewers', 'add', 'alice']);
    expect(await cli.done).toBe(1);
    expect(cli.stderr()).toContain(
      `aideon: The database is busy: \`aideon monitor watch --webhook https://hooks.example.test/services/T000/B000/[redacted]\` (pid ${holder.pid}, `,
    );
    expect(cli.stderr()).toMatch(startedNear(before));
    expect(cli.stderr()).toContain(
      ') is writing to it. Nothing was changed; try again when it finishes.',
    );
    expect(cli.stderr()).not.toContain('AbCdEf');
    await holder.stop();
  }, 60_000);

  it('`aideon monitor watch`: a check it could not save names the holder; and it is named itself', async () => {
    const dataDir = folder();
    const holder = await lockHolder(cleanups, dataDir, [
      'config',
      'publish',
      'routing.yaml',
      '--env',
      'dev',
    ]);
    const watch = spawnCli(['--data-dir', dataDir, 'monitor', 'watch', '--interval', '60']);
    cleanups.push(async () => {
      if (watch.child.exitCode === null) watch.child.kill('SIGTERM');
      await watch.done;
    });
    // The sandbox's check needs no key: it is read, then cannot be saved while the lock is held.
    const line = await until(() =>
      watch
        .stdout()
        .split('\n')
        .find((text) => text.includes('sandbox: check failed')),
    );
    expect(line).toContain(
      `could not be saved: the database was busy (\`aideon config publish routing.yaml --env dev\` (pid ${holder.pid}, `,
    );
    expect(line).toMatch(
      /\) is writing to it\)\. It is retried automatically; if it keeps failing, close that process\./,
    );
    // While it runs, the watch is on the data folder's list for the next process that meets it.
    const dbFile = join(dataDir, 'aideon.sqlite');
    const named = otherPresences(dbFile, {}).find((entry) => entry.pid === watch.child.pid);
    expect(named?.command).toBe(`aideon --data-dir ${dataDir} monitor watch --interval 60`);
    await holder.stop();
  }, 60_000);
});
