/**
 * A presence file (store/presence.ts) names its process by pid, and after a crash the kernel
 * may give that pid to an unrelated process: the busy answers then named a process long gone.
 * Entries now carry the process's start as the kernel knows it (Linux: `starttime` of
 * /proc/<pid>/stat and the boot id), and an entry whose pid now has another start, or is from
 * another boot, is dead: left out and removed. Real processes: the holder is a child that
 * announced itself through the real code (test/helpers/presence-lock-child.ts).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  announcePresence,
  otherPresences,
  presenceDir,
  processStart,
  type PresenceEntry,
} from '../../../src/main/store/presence';
import { until } from '../../helpers/cli-child';
import { lockHolder } from '../../helpers/lock-holder';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const folder = (): string => {
  const { dir, cleanup } = tempDir('aideon-pid-reuse-');
  cleanups.push(cleanup);
  return dir;
};

describe('processStart', () => {
  it("reads a live process's start from /proc, even when its name holds ') ('", async () => {
    // A child that renames itself when told (Linux gives the new name to /proc/<pid>/stat).
    const child = spawn(
      process.execPath,
      [
        '-e',
        "process.stdout.write('READY\\n'); process.stdin.once('data', () => { process.title = 'x) y (z'; process.stdout.write('RENAMED\\n'); }); setInterval(() => {}, 60000);",
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await until(() => out.includes('READY'));
    const before = processStart(child.pid!);
    expect(before?.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(before?.startTicks).toBeGreaterThan(0);
    // Started after this process, so later in ticks since boot.
    expect(before!.startTicks).toBeGreaterThanOrEqual(processStart(process.pid)!.startTicks);

    child.stdin.write('go\n');
    await until(() => out.includes('RENAMED'));
    expect(readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain('(x) y (z)');
    expect(processStart(child.pid!)).toEqual(before);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processStart(child.pid!)).toBeUndefined();
  });
});

describe('presence entries of a reused pid', () => {
  it('an entry whose pid now has another start, or is from another boot, is dead: left out and removed; the live child stays', async () => {
    const dataDir = folder();
    const dbFile = join(dataDir, 'aideon.sqlite');
    const holder = await lockHolder(cleanups, dataDir, ['--raw', 'bench', 'import', 'run.tar']);
    const dir = presenceDir(dbFile);
    const [childFile] = readdirSync(dir).filter((name) => name.includes(`.${holder.pid}.`));
    expect(childFile).toBeDefined();
    const real = JSON.parse(readFileSync(join(dir, childFile!), 'utf8')) as PresenceEntry;
    // Written by the real code with the kernel's start of that child.
    expect(real.kernelStart).toEqual(processStart(holder.pid));

    // Entries a crashed process left with the same pid: one that started earlier in this boot
    // (the pid given to the child afterwards), one from before a reboot.
    const write = (name: string, entry: PresenceEntry): void =>
      writeFileSync(join(dir, name), JSON.stringify(entry));
    const earlier = `${hostname()}.${holder.pid}.earlier.json`;
    write(earlier, {
      ...real,
      command: 'aideon bench run --suite smoke',
      kernelStart: { ...real.kernelStart!, startTicks: real.kernelStart!.startTicks - 1 },
    });
    const lastBoot = `${hostname()}.${holder.pid}.lastboot.json`;
    write(lastBoot, {
      ...real,
      command: 'aideon serve',
      kernelStart: { ...real.kernelStart!, bootId: '00000000-0000-4000-8000-000000000000' },
    });
    // An entry from a version that did not record the start: a live pid is taken at its word.
    const older = `${hostname()}.${holder.pid}.older.json`;
    const { kernelStart: _dropped, ...withoutStart } = real;
    write(older, {
      ...withoutStart,
      command: 'aideon monitor watch',
      startedAt: real.startedAt + 1,
    } as PresenceEntry);

    const others = otherPresences(dbFile, {});
    // One line for the live child (entries of one process are shown once), as the child wrote it.
    expect(others).toEqual([real]);
    const left = readdirSync(dir);
    expect(left).not.toContain(earlier);
    expect(left).not.toContain(lastBoot);
    expect(left).toEqual(expect.arrayContaining([childFile, older]));
    expect(left).toHaveLength(2);

    await holder.stop();
    // Gone: its own file went with it, and the one without a start is dead by its pid.
    expect(otherPresences(dbFile, {})).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it("an entry with this process's pid but another start (a crashed process's) is removed, this process's own is kept", () => {
    const dataDir = folder();
    const dbFile = join(dataDir, 'aideon.sqlite');
    const mine = announcePresence(dbFile, { command: 'aideon serve', typed: true, now: 1 });
    cleanups.push(() => mine.remove());
    const dir = presenceDir(dbFile);
    const [ownFile] = readdirSync(dir);
    const own = JSON.parse(readFileSync(join(dir, ownFile!), 'utf8')) as PresenceEntry;
    expect(own.kernelStart).toEqual(processStart(process.pid));
    const crashed = `${hostname()}.${process.pid}.crashed.json`;
    writeFileSync(
      join(dir, crashed),
      JSON.stringify({
        ...own,
        kernelStart: { ...own.kernelStart!, startTicks: own.kernelStart!.startTicks - 1 },
      }),
    );
    // Before, a file with this pid was always taken for this process's own, and stayed.
    expect(otherPresences(dbFile, {})).toEqual([]);
    expect(readdirSync(dir)).toEqual([ownFile]);
  });
});
